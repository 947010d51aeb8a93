//! One site: a brand's domain or set of domains, its settings and its key.

use serde::{Deserialize, Serialize};

/// Where a link carries its share token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPlacement {
    /// `#hs=TOKEN`: never reaches caches, search engines or servers.
    #[default]
    Fragment,
    /// `?hs=TOKEN`: for sites that want their own logs to see it.
    Query,
}

fn default_token_param() -> String {
    "hs".to_owned()
}

/// Per-site settings, stored as JSON with the site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    #[serde(default)]
    pub token_in: TokenPlacement,
    #[serde(default = "default_token_param")]
    pub token_param: String,
    /// Days a raw user agent is kept after the site last sent it, for
    /// `hearsay reclassify`; then only what was read from it stays. `None`:
    /// the server's `user_agent_retention_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent_retention_days: Option<u32>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            token_in: TokenPlacement::Fragment,
            token_param: default_token_param(),
            user_agent_retention_days: None,
        }
    }
}

/// A site as the server holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// ASCII (punycode) host names, lower case.
    pub domains: Vec<String>,
    pub settings: SiteSettings,
    pub created_ms: i64,
}

impl Site {
    /// Whether `host` (ASCII, any case) is one of the site's domains or a
    /// subdomain of one: `www.example.com` belongs to `example.com`, while
    /// `notexample.com` does not. Ports are not part of a host.
    pub fn owns_host(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        self.domains.iter().any(|domain| covers(domain, &host))
    }
}

/// Whether `domain` is `host` or a parent of it, on whole labels. An
/// address (`127.0.0.1`) has no subdomains: only itself.
pub fn covers(domain: &str, host: &str) -> bool {
    if host == domain {
        return true;
    }
    domain.parse::<std::net::IpAddr>().is_err()
        && host.len() > domain.len()
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(domains: &[&str]) -> Site {
        Site {
            id: "s".into(),
            name: "n".into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            settings: SiteSettings::default(),
            created_ms: 0,
        }
    }

    #[test]
    fn owns_whole_labels_only() {
        let s = site(&["example.com"]);
        assert!(s.owns_host("example.com"));
        assert!(s.owns_host("WWW.Example.com"));
        assert!(s.owns_host("example.com."));
        assert!(!s.owns_host("notexample.com"));
        assert!(!s.owns_host("example.com.evil.net"));
        assert!(!s.owns_host("com"));
        assert!(!s.owns_host("example.com.."), "one root dot, no more");
    }

    #[test]
    fn an_address_has_no_subdomains() {
        let s = site(&["127.0.0.1"]);
        assert!(s.owns_host("127.0.0.1"));
        assert!(!s.owns_host("127.0.0.1evil.com..127.0.0.1.."));
        assert!(!s.owns_host("evil.127.0.0.1"));
    }
}
