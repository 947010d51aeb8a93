//! The writer: drains the queue in batches, one transaction per batch,
//! every `flush_interval_ms` or `flush_max_events` events, whichever comes
//! first. A stop drains everything queued before it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::queue::{EventQueue, WriteOp};
use super::salts::day_name;
use crate::store::SqliteStore;
use crate::store::sqlite::write::Batch;

/// How the writer batches.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    pub flush_interval_ms: u64,
    pub flush_max_events: usize,
}

/// Counter name under which queue drops are persisted.
pub const DROPPED_COUNTER: &str = "events_dropped_queue_full";

/// Starts the writer thread. It returns when it receives
/// [`WriteOp::Stop`] or every sender is gone, after writing what it has.
pub fn spawn_writer(
    mut store: SqliteStore,
    receiver: Receiver<WriteOp>,
    queue: Arc<EventQueue>,
    config: WriterConfig,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("hearsay-writer".into())
        .spawn(move || {
            let mut persisted_drops = 0u64;
            loop {
                let (batch, stop) = collect_batch(&receiver, config);
                let mut batch = batch;
                let drops = queue.dropped_counter().load(Ordering::Relaxed);
                if drops > persisted_drops {
                    batch
                        .counters
                        .push((DROPPED_COUNTER, (drops - persisted_drops) as i64));
                }
                if !batch.events.is_empty() || !batch.salts.is_empty() || !batch.counters.is_empty()
                {
                    if write_with_retry(&mut store, &batch) {
                        persisted_drops = drops;
                    }
                }
                if stop {
                    tracing::info!(
                        events.accepted = queue.accepted(),
                        events.dropped = queue.dropped(),
                        "event writer drained and stopped"
                    );
                    return;
                }
            }
        })
}

/// Waits for the first operation, then gathers more until the flush
/// interval has passed or the batch is full. Returns the batch and whether
/// the writer must stop after it.
fn collect_batch(receiver: &Receiver<WriteOp>, config: WriterConfig) -> (Batch, bool) {
    let mut batch = Batch::default();
    let first = match receiver.recv() {
        Ok(op) => op,
        Err(_) => return (batch, true),
    };
    if add_op(&mut batch, first) {
        return (batch, true);
    }
    let deadline = Instant::now() + Duration::from_millis(config.flush_interval_ms);
    while batch.events.len() < config.flush_max_events {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(op) => {
                if add_op(&mut batch, op) {
                    return (batch, true);
                }
            }
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return (batch, true),
        }
    }
    (batch, false)
}

/// Adds one operation; `true` means stop.
fn add_op(batch: &mut Batch, op: WriteOp) -> bool {
    match op {
        WriteOp::Event(event) => batch.events.push(*event),
        WriteOp::Salt(day, salt) => {
            batch.salts.push((day_name(day), salt));
            batch.keep_salts_from = Some(day_name(day - 2));
        }
        WriteOp::Stop => return true,
    }
    false
}

/// Writes a batch, retrying a failed transaction a few times (a locked
/// file, say) before giving it up. Returns whether it was written.
fn write_with_retry(store: &mut SqliteStore, batch: &Batch) -> bool {
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=5 {
        match store.write_batch(batch) {
            Ok(()) => return true,
            Err(error) if attempt < 5 => {
                tracing::warn!(attempt, error = %error, "writing event batch failed; retrying");
                std::thread::sleep(delay);
                delay *= 2;
            }
            Err(error) => {
                tracing::error!(events.lost = batch.events.len(), error = %error, "writing event batch failed; batch lost");
            }
        }
    }
    false
}
