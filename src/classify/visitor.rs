//! Pseudonymous visitor ids: a keyed hash of (site, IP, user agent) under
//! a salt that is random per day and destroyed after two days.
//!
//! The address goes in and never comes out: only the 64-bit id is kept.

use std::net::IpAddr;

/// Hashes visitors under one day's salt.
#[derive(Clone)]
pub struct VisitorHasher {
    salt: [u8; 32],
}

impl VisitorHasher {
    pub fn new(salt: [u8; 32]) -> VisitorHasher {
        VisitorHasher { salt }
    }

    /// The visitor id for one request. The same inputs under the same salt
    /// give the same id; under another salt, an unrelated one.
    pub fn visitor_id(&self, site_id: &str, ip: IpAddr, user_agent: &str) -> i64 {
        let mut hasher = blake3::Hasher::new_keyed(&self.salt);
        hasher.update(site_id.as_bytes());
        hasher.update(&[0]);
        match ip {
            IpAddr::V4(v4) => hasher.update(&v4.octets()),
            IpAddr::V6(v6) => hasher.update(&v6.octets()),
        };
        hasher.update(&[0]);
        hasher.update(user_agent.as_bytes());
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest.as_bytes()[..8]);
        i64::from_le_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_id_other_salt_other_id() {
        let ip: IpAddr = "198.18.0.1".parse().unwrap();
        let a = VisitorHasher::new([1; 32]);
        let b = VisitorHasher::new([2; 32]);
        let ua = "Mozilla/5.0";
        assert_eq!(a.visitor_id("s1", ip, ua), a.visitor_id("s1", ip, ua));
        assert_ne!(a.visitor_id("s1", ip, ua), b.visitor_id("s1", ip, ua));
        assert_ne!(a.visitor_id("s1", ip, ua), a.visitor_id("s2", ip, ua));
    }
}
