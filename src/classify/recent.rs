//! A map of recent entries that forgets stale ones as it grows: the memory
//! of the trackers that tie requests to the ones just before them
//! (follow-ups, email shares, scanner sweeps).
//!
//! A sweep runs when the map has grown to its mark; the next mark is twice
//! what the sweep left (never under [`MIN_MARK`]). However many
//! entries stay fresh, sweeping costs a constant per insertion, and a map
//! flooded with stale keys shrinks back.

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::{Deref, DerefMut};

/// Below this many entries a map is never swept.
pub const MIN_MARK: usize = 4096;

/// A `HashMap` with an amortised sweep of stale entries.
#[derive(Debug)]
pub struct RecentMap<K, V> {
    map: HashMap<K, V>,
    mark: usize,
}

impl<K: Eq + Hash, V> RecentMap<K, V> {
    /// Keeps only the entries `fresh` says to keep, if the map has grown
    /// to its mark. Call before inserting.
    pub fn sweep_if_due(&mut self, fresh: impl FnMut(&K, &mut V) -> bool) {
        if self.map.len() < self.mark {
            return;
        }
        self.map.retain(fresh);
        self.mark = (self.map.len() * 2).max(MIN_MARK);
    }
}

impl<K, V> Default for RecentMap<K, V> {
    fn default() -> Self {
        RecentMap {
            map: HashMap::new(),
            mark: MIN_MARK,
        }
    }
}

impl<K, V> Deref for RecentMap<K, V> {
    type Target = HashMap<K, V>;

    fn deref(&self) -> &HashMap<K, V> {
        &self.map
    }
}

impl<K, V> DerefMut for RecentMap<K, V> {
    fn deref_mut(&mut self) -> &mut HashMap<K, V> {
        &mut self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_entries_go_once_the_mark_is_reached() {
        let mut map: RecentMap<u32, u32> = RecentMap::default();
        for k in 0..4096 {
            map.insert(k, k);
        }
        map.sweep_if_due(|_, v| *v >= 4000);
        assert_eq!(map.len(), 96);
        assert_eq!(map.mark, MIN_MARK);
    }

    #[test]
    fn fresh_entries_move_the_mark_instead_of_sweeping_each_time() {
        let mut map: RecentMap<u32, u32> = RecentMap::default();
        let mut sweeps = 0;
        for k in 0..20_000 {
            map.sweep_if_due(|_, _| {
                sweeps += 1;
                true
            });
            map.insert(k, k);
        }
        // Marks at 4096, 8192, 16384: three sweeps of everything held.
        assert_eq!(sweeps, 4096 + 8192 + 16384);
        assert_eq!(map.len(), 20_000);
    }
}
