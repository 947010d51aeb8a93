//! Contents: canonical page URLs. Scheme and host are lower-cased, the
//! default port and the fragment dropped, and tracking parameters
//! (`utm_*`, click ids, the share token) removed, so one page is one
//! content whatever link led to it. Personal data a page's address may
//! carry (a user name and password, a parameter holding an email address)
//! is removed too: contents are stored and reported.

/// Query parameters that say how a visitor came, not what they read.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "twclid",
    "li_fat_id",
    "yclid",
    "_hsenc",
    "_hsmi",
    "ref_src",
];

/// The canonical form of a page URL; `token_param` is the site's share
/// token parameter, removed too. `None` if `url` is not an http(s) URL.
pub fn normalize_content_url(url: &str, token_param: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    parsed.set_fragment(None);
    // Only fails for URLs that cannot have credentials.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, value)| {
            let key = key.to_ascii_lowercase();
            !(key.starts_with("utm_")
                || key == token_param
                || TRACKING_PARAMS.contains(&key.as_str())
                || looks_like_an_email_address(value))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(parsed.to_string())
}

/// Whether a parameter's value is an email address (`bob@example.com`).
fn looks_like_an_email_address(value: &str) -> bool {
    value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
    })
}

/// The path of a URL, or of a request target such as `/a/b?x=1`.
pub fn path_of(target: &str) -> &str {
    let without_scheme = match target.find("://") {
        Some(i) => {
            let rest = &target[i + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => target,
    };
    let end = without_scheme
        .find(['?', '#'])
        .unwrap_or(without_scheme.len());
    &without_scheme[..end]
}

/// Whether a path is a site's home page (`/`, `/index.html` and the like).
pub fn is_home_path(path: &str) -> bool {
    matches!(
        path,
        "" | "/" | "/index.html" | "/index.htm" | "/index.php" | "/default.aspx"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form() {
        assert_eq!(
            normalize_content_url(
                "HTTPS://Example.COM:443/a/b?utm_source=x&id=3&fbclid=abc&hs=TOKEN123#hs=T",
                "hs"
            )
            .unwrap(),
            "https://example.com/a/b?id=3"
        );
        assert_eq!(
            normalize_content_url("http://example.com:80/?utm_medium=email", "hs").unwrap(),
            "http://example.com/"
        );
        assert!(normalize_content_url("ftp://example.com/", "hs").is_none());
    }

    #[test]
    fn personal_data_in_the_address_is_dropped() {
        assert_eq!(
            normalize_content_url(
                "http://user:secretpw@example.com/cred?email=bob%40example.com&page=2",
                "hs"
            )
            .as_deref(),
            Some("http://example.com/cred?page=2")
        );
    }

    #[test]
    fn paths_and_home() {
        assert_eq!(path_of("/a/b?x=1"), "/a/b");
        assert_eq!(path_of("https://e.com/a#f"), "/a");
        assert_eq!(path_of("https://e.com"), "/");
        assert!(is_home_path("/"));
        assert!(!is_home_path("/blog/post"));
    }
}
