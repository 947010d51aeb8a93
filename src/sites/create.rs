//! Creating a site: normalise its domains, mint its key, store its hash.

use anyhow::Context;

use super::api_key::{hash_api_key, new_api_key, random_base62};
use super::domain::normalize_domain;
use super::{Site, SiteSettings};
use crate::store::SqliteStore;

/// Creates a site; returns it with its API key, which is shown once and
/// stored only as a hash.
///
/// # Errors
///
/// Fails for an empty name, no domain, an invalid domain, a name already
/// taken, or a store failure.
pub fn create_site(
    store: &mut SqliteStore,
    name: &str,
    domains: &[String],
    settings: SiteSettings,
    now_ms: i64,
) -> anyhow::Result<(Site, String)> {
    let name = name.trim();
    if name.is_empty() {
        anyhow::bail!("site name must not be empty");
    }
    if name
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        anyhow::bail!("site name {name:?} holds control or invisible formatting characters");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        anyhow::bail!("site name is longer than {MAX_NAME_CHARS} characters");
    }
    if looks_like_a_site_id(name) {
        anyhow::bail!("site name {name:?} has the form of a site id; choose another");
    }
    if domains.is_empty() {
        anyhow::bail!("a site needs at least one domain");
    }
    let mut domains = domains
        .iter()
        .map(|d| normalize_domain(d))
        .collect::<Result<Vec<_>, _>>()?;
    domains.sort();
    domains.dedup();
    let site = Site {
        id: format!("s_{}", random_base62(10)),
        name: name.to_owned(),
        domains,
        settings,
        created_ms: now_ms,
    };
    let key = new_api_key();
    store
        .create_site(&site, &hash_api_key(&key))
        .with_context(|| format!("creating site {name:?}"))?;
    Ok((site, key))
}

/// Whether `name` has the form of a site id (`s_` and ten base62
/// characters): sites are found by id or name, and the id would win.
fn looks_like_a_site_id(name: &str) -> bool {
    name.strip_prefix("s_")
        .is_some_and(|rest| rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The longest site name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Characters that change how text around them shows without showing
/// themselves (zero-width spaces and joiners, direction overrides).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
