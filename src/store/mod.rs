//! The stores behind the write path and the query layer.
//!
//! The embedded store is one SQLite file ([`sqlite::SqliteStore`]); the
//! catalog (sites, links, shares) and the events live in it side by side.

pub mod sqlite;

pub use sqlite::{SqliteStore, StoreError};
