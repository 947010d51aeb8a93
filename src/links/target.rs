//! Link targets: checked against the site's domains (hearsay is never an
//! open redirect), stored byte for byte with the host in ASCII, and tagged
//! with the share token on the way out.

use crate::sites::{Site, TokenPlacement};

/// The longest target accepted, in bytes: far more than a page address
/// needs, and short enough to answer as a `Location` header anywhere.
pub const MAX_TARGET_BYTES: usize = 4096;

/// Why a target was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("target {0:?} is not an absolute URL")]
    NotAUrl(String),
    #[error("target is {0} bytes long; at most {MAX_TARGET_BYTES} are accepted")]
    TooLong(usize),
    #[error("target scheme {0:?} is not allowed; use http or https")]
    Scheme(String),
    #[error("target must not carry a user name or password")]
    UserInfo,
    #[error("target host {host:?} is not on the site's domains ({allowed})")]
    OffSite { host: String, allowed: String },
}

/// Checks `input` against `site` and returns the form to store: the input
/// byte for byte, except that the host is in ASCII (punycode) form and any
/// byte that may not appear in an HTTP header (non-ASCII, controls, space)
/// is percent-encoded. Percent escapes and `+` are kept as given.
///
/// Tabs and line breaks are removed first, as the URL standard does. An
/// input whose bytes cannot be kept (`http:example.com`, backslashes for
/// slashes, an empty `:@` user part) is stored as the standard writes it:
/// the stored target always reads back to the URL the input means.
///
/// # Errors
///
/// Fails for a relative or malformed URL, a scheme other than http(s),
/// credentials in the URL, or a host that is not one of the site's.
pub fn normalize_target(input: &str, site: &Site) -> Result<String, TargetError> {
    if input.len() > MAX_TARGET_BYTES {
        return Err(TargetError::TooLong(input.len()));
    }
    let input: String = input
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let parsed = url::Url::parse(&input).map_err(|_| TargetError::NotAUrl(input.clone()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(TargetError::Scheme(parsed.scheme().to_owned()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::UserInfo);
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| TargetError::NotAUrl(input.clone()))?;
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    if !site.owns_host(bare_host) {
        return Err(TargetError::OffSite {
            host: host.to_owned(),
            allowed: site.domains.join(", "),
        });
    }

    match keep_bytes(&input, host) {
        Some(stored) if url::Url::parse(&stored).as_ref() == Ok(&parsed) => Ok(stored),
        _ => Ok(parsed.into()),
    }
}

/// The input rebuilt from its own bytes: scheme and "://", then the host
/// as the URL parser wrote it in ASCII, then the port and the rest
/// verbatim. `None` when the input is not of that plain shape.
fn keep_bytes(input: &str, host: &str) -> Option<String> {
    let (scheme, rest) = input.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let port = port_suffix(authority);
    let mut stored = String::with_capacity(input.len() + 16);
    stored.push_str(scheme);
    stored.push_str("://");
    stored.push_str(host);
    stored.push_str(port);
    encode_header_unsafe(tail, &mut stored);
    Some(stored)
}

/// The `:port` part of an authority, as written, or "".
fn port_suffix(authority: &str) -> &str {
    let host_and_port = authority.rsplit('@').next().unwrap_or(authority);
    let after_host = match host_and_port.rfind(']') {
        Some(bracket) => &host_and_port[bracket + 1..],
        None => host_and_port,
    };
    match after_host.rfind(':') {
        Some(colon) => &after_host[colon..],
        None => "",
    }
}

/// Appends `text`, percent-encoding every byte outside visible ASCII.
fn encode_header_unsafe(text: &str, out: &mut String) {
    for &byte in text.as_bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// Adds `param=token` to a stored target, in the fragment or the query.
pub fn add_token(target: &str, token: &str, placement: TokenPlacement, param: &str) -> String {
    let (before_fragment, fragment) = match target.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (target, None),
    };
    let mut out = String::with_capacity(target.len() + param.len() + token.len() + 2);
    match placement {
        TokenPlacement::Fragment => {
            out.push_str(before_fragment);
            out.push('#');
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                out.push_str(fragment);
                out.push('&');
            }
            push_pair(&mut out, param, token);
        }
        TokenPlacement::Query => {
            out.push_str(before_fragment);
            if !before_fragment.contains('?') {
                out.push('?');
            } else if !before_fragment.ends_with(['?', '&']) {
                out.push('&');
            }
            push_pair(&mut out, param, token);
            if let Some(fragment) = fragment {
                out.push('#');
                out.push_str(fragment);
            }
        }
    }
    out
}

fn push_pair(out: &mut String, param: &str, token: &str) {
    out.push_str(param);
    out.push('=');
    out.push_str(token);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::SiteSettings;

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
    fn keeps_escapes_and_plus_byte_for_byte() {
        let s = site(&["example.com"]);
        let t = "https://example.com?email=test%2B123%40example.com";
        assert_eq!(normalize_target(t, &s).unwrap(), t);
        let t = "https://example.com?abc+123";
        assert_eq!(normalize_target(t, &s).unwrap(), t);
        let t = "http://example.com:8080/a/b;c?x=%7e&y=1#frag";
        assert_eq!(normalize_target(t, &s).unwrap(), t);
    }

    #[test]
    fn idn_host_becomes_punycode() {
        let s = site(&["www.xn--tbingen-n2a.de"]);
        assert_eq!(
            normalize_target("https://www.tübingen.de/stadt?q=1", &s).unwrap(),
            "https://www.xn--tbingen-n2a.de/stadt?q=1"
        );
    }

    #[test]
    fn non_ascii_path_is_percent_encoded() {
        let s = site(&["example.com"]);
        assert_eq!(
            normalize_target("https://example.com/café", &s).unwrap(),
            "https://example.com/caf%C3%A9"
        );
    }

    #[test]
    fn refuses_off_site_and_odd_targets() {
        let s = site(&["example.com", "example.org"]);
        let err = normalize_target("https://evil.net/x", &s).unwrap_err();
        assert_eq!(
            err.to_string(),
            "target host \"evil.net\" is not on the site's domains (example.com, example.org)"
        );
        assert!(matches!(
            normalize_target("https://example.com.evil.net/", &s),
            Err(TargetError::OffSite { .. })
        ));
        assert!(matches!(
            normalize_target("javascript:alert(1)", &s),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            normalize_target("/relative", &s),
            Err(TargetError::NotAUrl(_))
        ));
        assert!(matches!(
            normalize_target("https://u:p@example.com/", &s),
            Err(TargetError::UserInfo)
        ));
    }

    #[test]
    fn targets_whose_bytes_cannot_be_kept_are_stored_as_the_standard_writes_them() {
        let s = site(&["example.com"]);
        // An empty user part once left `example.com:@` in front of the host.
        assert_eq!(
            normalize_target("https://:@example.com/a", &s).unwrap(),
            "https://example.com/a"
        );
        // Backslashes are slashes to the URL standard; the path was lost.
        assert_eq!(
            normalize_target("http://example.com\\foo\\bar", &s).unwrap(),
            "http://example.com/foo/bar"
        );
        // Tabs and line breaks are dropped, not encoded.
        assert_eq!(
            normalize_target("http://example.com/fo\to?a=1\n", &s).unwrap(),
            "http://example.com/foo?a=1"
        );
        assert_eq!(
            normalize_target("http:example.com/a", &s).unwrap(),
            "http://example.com/a"
        );
    }

    #[test]
    fn a_backslash_cannot_smuggle_another_host_in() {
        // Found by a newcomer's trial: the host was checked as the URL
        // standard reads it (`localhost`, as `\\` ends it), then the raw
        // `:@evil.com` was copied back in as if it were a port.
        let s = site(&["localhost", "www.xn--tbingen-n2a.de"]);
        for input in [
            "http://localhost\\:@evil.com/x",
            "https://www.tübingen.de\\:@evil.com/",
            "http://localhost\\@evil.com/",
        ] {
            let stored = normalize_target(input, &s).unwrap();
            let host = url::Url::parse(&stored)
                .unwrap()
                .host_str()
                .unwrap()
                .to_owned();
            assert!(s.owns_host(&host), "{input:?} stored as {stored:?}");
        }
        assert_eq!(
            normalize_target("http://localhost\\:@evil.com/x", &s).unwrap(),
            "http://localhost/:@evil.com/x"
        );
    }

    #[test]
    fn a_huge_target_is_refused() {
        let s = site(&["example.com"]);
        let long = format!("https://example.com/{}", "a".repeat(MAX_TARGET_BYTES));
        assert_eq!(
            normalize_target(&long, &s),
            Err(TargetError::TooLong(long.len()))
        );
    }

    #[test]
    fn token_goes_in_fragment_or_query() {
        let f = TokenPlacement::Fragment;
        let q = TokenPlacement::Query;
        assert_eq!(
            add_token("https://e.com/a", "T", f, "hs"),
            "https://e.com/a#hs=T"
        );
        assert_eq!(
            add_token("https://e.com/a#top", "T", f, "hs"),
            "https://e.com/a#top&hs=T"
        );
        assert_eq!(
            add_token("https://e.com/a?x=1", "T", q, "hs"),
            "https://e.com/a?x=1&hs=T"
        );
        assert_eq!(
            add_token("https://e.com/a?x=1#top", "T", q, "s"),
            "https://e.com/a?x=1&s=T#top"
        );
        assert_eq!(
            add_token("https://e.com/a", "T", q, "hs"),
            "https://e.com/a?hs=T"
        );
    }
}
