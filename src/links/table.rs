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

    /// The link already held for `link`'s code if there is one, else
    /// `link`, now held: a link loaded from the store by several requests
    /// at once is held once, so its click allowance is spent once.
    pub fn insert_if_absent(&self, link: Link) -> Arc<Link> {
        let mut links = self
            .links
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        links
            .entry(link.code.to_string())
            .or_insert_with(|| Arc::new(link))
            .clone()
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::sync::atomic::AtomicI64;

    fn link(code: &str) -> Link {
        Link {
            code: Arc::from(code),
            site_id: Arc::from("s"),
            target_url: "http://localhost/".into(),
            share_token: Arc::from("t"),
            channel: None,
            location: HeaderValue::from_static("http://localhost/"),
            created_ms: 0,
            expires_ms: None,
            max_clicks: Some(1),
            clicks: AtomicI64::new(0),
        }
    }

    #[test]
    fn a_link_loaded_twice_is_held_once() {
        let table = LinkTable::default();
        let first = table.insert_if_absent(link("abcdefg"));
        let second = table.insert_if_absent(link("abcdefg"));
        assert!(Arc::ptr_eq(&first, &second));
        assert!(first.spend_click());
        assert!(!second.spend_click(), "one allowance between them");
    }
}
