//! The in-memory site table the collector and the redirect read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::Site;

/// Known sites by id.
#[derive(Default)]
pub struct SiteTable {
    by_id: RwLock<HashMap<String, Arc<Site>>>,
}

impl SiteTable {
    pub fn from_sites(sites: Vec<Site>) -> SiteTable {
        SiteTable {
            by_id: RwLock::new(
                sites
                    .into_iter()
                    .map(|s| (s.id.clone(), Arc::new(s)))
                    .collect(),
            ),
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<Site>> {
        self.by_id
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    pub fn insert(&self, site: Site) -> Arc<Site> {
        let site = Arc::new(site);
        self.by_id
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(site.id.clone(), site.clone());
        site
    }
}
