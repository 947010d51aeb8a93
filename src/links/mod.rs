//! Links and share tokens: short codes, their targets, and the in-memory
//! table the redirect reads.

pub mod code;
pub mod create;
pub mod link;
pub mod table;
pub mod target;
pub mod token;

pub use link::Link;
pub use table::LinkTable;
