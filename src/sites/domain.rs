//! Domain names as hearsay stores them: ASCII (punycode), lower case.

/// Why a domain name was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a valid domain name: {reason}")]
pub struct InvalidDomain {
    pub input: String,
    pub reason: String,
}

/// Turns a domain as a person writes it (`www.Tübingen.de`) into the form
/// hearsay stores (`www.xn--tbingen-n2a.de`).
///
/// # Errors
///
/// Fails for an empty name, a name with a scheme, path or port, or one that
/// IDNA processing rejects.
pub fn normalize_domain(input: &str) -> Result<String, InvalidDomain> {
    let invalid = |reason: &str| InvalidDomain {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = input.trim();
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    if trimmed.contains(['/', ':', '@', '?', '#', ' ']) {
        return Err(invalid(
            "give a bare host name, without scheme, port or path",
        ));
    }
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| invalid("IDNA processing failed"))?;
    if ascii.is_empty() {
        return Err(invalid("it is empty"));
    }
    if ascii.split('.').any(str::is_empty)
        || !ascii
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(invalid(
            "use letters, digits and hyphens between dots (no wildcards)",
        ));
    }
    if ascii.len() > 253 || ascii.split('.').any(|label| label.len() > 63) {
        return Err(invalid(
            "it is longer than DNS allows (63 bytes a label, 253 in all)",
        ));
    }
    // A site owns its domains and every name under them: a bare top-level
    // domain would let it link anywhere under `com`.
    if !ascii.contains('.') && ascii != "localhost" {
        return Err(invalid(
            "a site's domain needs at least two labels (example.com), or is localhost",
        ));
    }
    Ok(ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punycode_and_case() {
        assert_eq!(
            normalize_domain("www.tübingen.de").unwrap(),
            "www.xn--tbingen-n2a.de"
        );
        assert_eq!(normalize_domain("Example.COM.").unwrap(), "example.com");
        assert!(normalize_domain("https://example.com").is_err());
        assert!(normalize_domain("").is_err());
        assert!(normalize_domain("example.com:8080").is_err());
    }

    #[test]
    fn wildcards_and_bare_top_level_domains_are_refused() {
        for bad in ["com", "*.w.example", "a..b", "news", "foo.09.."] {
            let err = normalize_domain(bad).unwrap_err();
            assert_eq!(err.input, bad);
        }
        assert!(normalize_domain(&format!("{}.example", "a".repeat(64))).is_err());
        assert_eq!(normalize_domain("localhost").unwrap(), "localhost");
        assert_eq!(normalize_domain("127.0.0.1").unwrap(), "127.0.0.1");
    }
}
