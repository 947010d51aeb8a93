//! API keys: high-entropy random strings, stored only as a hash.
//!
//! A key has 190 random bits, so a fast hash (BLAKE3) is enough: there is
//! nothing to brute-force, and a slow password hash would cost tens of
//! milliseconds on every request.

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Draws `len` random base62 characters from a cryptographically secure
/// generator seeded by the operating system.
pub fn random_base62(len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A new API key, shown once to its owner.
pub fn new_api_key() -> String {
    format!("hsk_{}", random_base62(32))
}

/// The hash under which a key is stored and looked up.
pub fn hash_api_key(key: &str) -> [u8; 32] {
    *blake3::hash(key.as_bytes()).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hash_stably() {
        let a = new_api_key();
        let b = new_api_key();
        assert_eq!(a.len(), 36);
        assert_ne!(a, b);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(hash_api_key(&a), hash_api_key(&a));
        assert_ne!(hash_api_key(&a), hash_api_key(&b));
    }
}
