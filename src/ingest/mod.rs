//! Ingest: existing web server logs into the store, through the same
//! classification as live traffic.

pub mod access_log;
pub mod import;
