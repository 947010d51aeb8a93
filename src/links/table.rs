//! The in-memory link table: loaded at start, updated on every write, read
//! by the redirect without touching the store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::Link;

/// All known links by code.
#[derive(Default)]
pub struct LinkTable {
    links: RwLock<HashMap<String, Arc<Link>>>,
}

impl LinkTable {
    /// A table holding `links`.
    pub fn from_links(links: Vec<Link>) -> LinkTable {
        let map = links
            .into_iter()
            .map(|link| (link.code.to_string(), Arc::new(link)))
            .collect();
        LinkTable {
            links: RwLock::new(map),
        }
    }

    /// The link for `code`, if the table has it.
    pub fn get(&self, code: &str) -> Option<Arc<Link>> {
        self.links
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(code)
            .cloned()
    }

    /// Adds or replaces a link; returns the shared handle.
    pub fn insert(&self, link: Link) -> Arc<Link> {
        let link = Arc::new(link);
        self.links
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(link.code.to_string(), link.clone());
        link
    }

    pub fn len(&self) -> usize {
        self.links
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
