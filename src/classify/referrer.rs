//! Referrer → source and medium, matching whole host labels.
//!
//! TODO(#4): placeholder until the referrer lists land.

use serde::Serialize;

/// The kind of place a visit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    Search,
    Social,
    Email,
    Messaging,
    Internal,
    Referral,
    /// No referrer at all.
    Direct,
}

impl Medium {
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Search => "search",
            Medium::Social => "social",
            Medium::Email => "email",
            Medium::Messaging => "messaging",
            Medium::Internal => "internal",
            Medium::Referral => "referral",
            Medium::Direct => "direct",
        }
    }
}

/// Where a visit came from: the medium, and the named source if known
/// (`google`, `gmail`, `whatsapp`…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub medium: Medium,
    pub source: Option<String>,
}

/// Reads a referrer. Empty or `-` is direct.
pub fn classify(referrer: &str, own_domains: &[String]) -> Source {
    let referrer = referrer.trim();
    if referrer.is_empty() || referrer == "-" {
        return Source {
            medium: Medium::Direct,
            source: None,
        };
    }
    let host = url::Url::parse(referrer)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()));
    let Some(host) = host else {
        return Source {
            medium: Medium::Referral,
            source: None,
        };
    };
    let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if own_domains.iter().any(|d| on(d)) {
        return Source {
            medium: Medium::Internal,
            source: None,
        };
    }
    Source {
        medium: Medium::Referral,
        source: Some(host),
    }
}
