//! hearsay: dark social analytics in one binary.
//!
//! The modules follow the data flow of DESIGN.md, from a request to a
//! report:
//!
//! - [`http`]: the redirect, the collector and the API, on one port;
//!   [`ingest`] reads access logs into the same path.
//! - [`classify`]: what made a request, on which device, from where.
//! - [`event`]: the classified event that travels on.
//! - [`collect`]: the bounded queue and the batch writer.
//! - [`store`]: the embedded SQLite store (catalog and events).
//! - [`query`]: the query model and the report built from it.
//! - [`cli`]: the commands; [`server`] runs `hearsay serve`.
//!
//! Beside the flow: [`sites`] and [`links`] (the catalog's concepts),
//! [`content`] (canonical page URLs) and [`config`].

pub mod classify;
pub mod cli;
pub mod collect;
pub mod config;
pub mod content;
pub mod event;
pub mod http;
pub mod ingest;
pub mod links;
pub mod query;
pub mod server;
pub mod sites;
pub mod store;
