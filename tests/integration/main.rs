//! Integration tests: a real `hearsay serve` on 127.0.0.1:0 with a real
//! SQLite file in a temp dir, driven over HTTP and through the CLI.

mod api;
mod collector;
mod common;
mod import;
mod reclassify;
mod redirect;
mod scans;
mod shutdown;
