//! The write path after classification: a bounded queue, the daily salts
//! that visitor ids are hashed under, and the writer that drains the queue
//! into the store in batches.

pub mod queue;
pub mod salts;
pub mod writer;

pub use queue::{EventQueue, WriteOp};
pub use salts::DailySalts;
pub use writer::{WriterConfig, spawn_writer};
