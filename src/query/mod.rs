//! The query layer: one query model ([`model::Count`]) that every report,
//! API answer and export is built from, compiled to SQL by each store.

pub mod model;
pub mod report;
