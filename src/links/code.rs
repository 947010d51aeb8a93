//! Short codes: random base62, never sequential, so nobody can enumerate
//! the links of a site.

use crate::sites::api_key::random_base62;

/// Length of a new code: 62⁷ ≈ 3.5 × 10¹² possibilities.
pub const CODE_LEN: usize = 7;

/// Draws a new random code.
pub fn new_code() -> String {
    random_base62(CODE_LEN)
}

/// Whether `s` has the shape of a code (so a request for `/favicon.ico`
/// is a plain miss, never a store lookup).
pub fn looks_like_code(s: &str) -> bool {
    (CODE_LEN..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_base62() {
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| new_code()).collect();
        assert_eq!(codes.len(), 1000);
        assert!(codes.iter().all(|c| c.len() == 7 && looks_like_code(c)));
        assert!(!looks_like_code("favicon.ico"));
        assert!(!looks_like_code("abc"));
    }
}
