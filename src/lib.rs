//! hearsay: dark social analytics in one binary.
//!
//! The modules follow the data flow of DESIGN.md:
//!
//! - [`classify`]: what made a request, on which device, from where.
//! - [`cli`]: the commands.
pub mod classify;
pub mod cli;
