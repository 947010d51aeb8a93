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
    if name.chars().any(char::is_control) {
        anyhow::bail!("site name {name:?} holds control characters");
    }
    if looks_like_a_site_id(name) {
        anyhow::bail!("site name {name:?} has the form of a site id; choose another");
    }
    if domains.is_empty() {
        anyhow::bail!("a site needs at least one domain");
    }
    let domains = domains
        .iter()
        .map(|d| normalize_domain(d))
        .collect::<Result<Vec<_>, _>>()?;
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
