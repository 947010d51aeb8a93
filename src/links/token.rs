//! Share tokens: the id of one share, minted by the widget in the page or
//! by the server for a campaign link.

use crate::sites::api_key::random_base62;

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("share token must be 8 to 32 characters of A-Z, a-z, 0-9, '_' or '-'")]
pub struct InvalidToken;

/// Checks a token sent by a page.
///
/// # Errors
///
/// Fails unless the token is 8–32 characters of `[A-Za-z0-9_-]`.
pub fn check_token(token: &str) -> Result<(), InvalidToken> {
    let ok = (8..=32).contains(&token.len()) && token.bytes().all(is_token_byte);
    if ok { Ok(()) } else { Err(InvalidToken) }
}

/// Why a consent-mode visitor id was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("visitor id must be 8 to 64 characters of A-Z, a-z, 0-9, '_' or '-'")]
pub struct InvalidVisitorId;

/// Checks a first-party visitor id sent by a page in consent mode.
///
/// # Errors
///
/// Fails unless the id is 8–64 characters of `[A-Za-z0-9_-]`.
pub fn check_visitor_id(id: &str) -> Result<(), InvalidVisitorId> {
    if (8..=64).contains(&id.len()) && id.bytes().all(is_token_byte) {
        Ok(())
    } else {
        Err(InvalidVisitorId)
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A new token, 12 base62 characters.
pub fn new_token() -> String {
    random_base62(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes() {
        assert!(check_token(&new_token()).is_ok());
        assert!(check_token("abcd_EF-12").is_ok());
        assert!(check_token("short").is_err());
        assert!(check_token("has space in it").is_err());
        assert!(check_token(&"a".repeat(33)).is_err());
        assert!(check_token("ünïcödé123").is_err());
    }
}
