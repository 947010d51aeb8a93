//! Sites: the properties hearsay measures, their domains and API keys.

pub mod api_key;
pub mod create;
pub mod domain;
pub mod site;
pub mod table;

pub use site::{Site, SiteSettings, TokenPlacement};
