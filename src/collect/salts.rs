//! Daily salts: visitor ids are hashed under a random salt of the day, so
//! they cannot be reversed or joined across days. Salts older than two
//! days are destroyed by the writer.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::classify::VisitorHasher;

const DAY_MS: i64 = 86_400_000;

/// The UTC day index (days since the epoch) of a timestamp.
pub fn day_index(ts_ms: i64) -> i64 {
    ts_ms.div_euclid(DAY_MS)
}

/// `YYYY-MM-DD` of a day index, as salts are stored.
pub fn day_name(day: i64) -> String {
    chrono::DateTime::from_timestamp_millis(day * DAY_MS)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The day index of a stored `YYYY-MM-DD`.
pub fn parse_day_name(name: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()?;
    let midnight = date.and_hms_opt(0, 0, 0)?.and_utc();
    Some(day_index(midnight.timestamp_millis()))
}

/// The salts in memory, by day index.
#[derive(Default)]
pub struct DailySalts {
    by_day: RwLock<HashMap<i64, VisitorHasher>>,
}

impl DailySalts {
    /// Salts loaded from the store.
    pub fn from_stored(stored: Vec<(String, [u8; 32])>) -> DailySalts {
        let by_day = stored
            .into_iter()
            .filter_map(|(name, salt)| Some((parse_day_name(&name)?, VisitorHasher::new(salt))))
            .collect();
        DailySalts {
            by_day: RwLock::new(by_day),
        }
    }

    /// The hasher for `day`, and the new salt if this call drew one (the
    /// caller has it persisted).
    pub fn hasher_for(&self, day: i64) -> (VisitorHasher, Option<[u8; 32]>) {
        if let Some(hasher) = self.read().get(&day) {
            return (hasher.clone(), None);
        }
        let mut by_day = self.by_day.write().unwrap_or_else(|p| p.into_inner());
        if let Some(hasher) = by_day.get(&day) {
            return (hasher.clone(), None);
        }
        let mut salt = [0u8; 32];
        rand::fill(&mut salt);
        let hasher = VisitorHasher::new(salt);
        by_day.insert(day, hasher.clone());
        by_day.retain(|&d, _| d >= day - 2);
        (hasher, Some(salt))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i64, VisitorHasher>> {
        self.by_day.read().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_names_round_trip() {
        // 2015-05-17T10:05:03Z
        let ts = 1_431_857_103_000;
        assert_eq!(day_name(day_index(ts)), "2015-05-17");
        assert_eq!(parse_day_name("2015-05-17"), Some(day_index(ts)));
    }

    #[test]
    fn one_salt_per_day_and_old_ones_forgotten() {
        let salts = DailySalts::default();
        let ip = "198.18.0.9".parse().unwrap();
        let (a, new_a) = salts.hasher_for(100);
        let (a2, new_a2) = salts.hasher_for(100);
        assert!(new_a.is_some() && new_a2.is_none());
        assert_eq!(a.visitor_id("s", ip, "ua"), a2.visitor_id("s", ip, "ua"));
        let (b, _) = salts.hasher_for(101);
        assert_ne!(a.visitor_id("s", ip, "ua"), b.visitor_id("s", ip, "ua"));
        salts.hasher_for(103);
        assert!(!salts.read().contains_key(&100));
        assert!(salts.read().contains_key(&101));
    }
}
