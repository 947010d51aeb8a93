//! The writer: drains the queue in batches, one transaction per batch,
//! every `flush_interval_ms`, and at once again while batches come out full
//! (`flush_max_events`). A stop drains everything queued before it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
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
            let mut started = Instant::now();
            loop {
                let (mut batch, stop) = collect_batch(&receiver, config, started);
                let full = batch.events.len() >= config.flush_max_events;
                // A full batch means more is waiting: write it and drain on
                // at once; otherwise the next interval starts now.
                started = if full {
                    Instant::now() - Duration::from_millis(config.flush_interval_ms)
                } else {
                    Instant::now()
                };
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

/// Sleeps until the next flush is due, then takes whatever is queued, up
/// to a full batch. Returns the batch and whether the writer must stop
/// after it.
///
/// The writer never blocks on the queue: a receiver waiting on a channel
/// makes every send wake it (a system call and a context switch per event,
/// which halved the redirect's throughput in the benchmark). Sleeping for
/// the flush interval and draining costs one wake-up per interval.
fn collect_batch(
    receiver: &Receiver<WriteOp>,
    config: WriterConfig,
    started: Instant,
) -> (Batch, bool) {
    let interval = Duration::from_millis(config.flush_interval_ms.max(1));
    let elapsed = started.elapsed();
    std::thread::sleep(interval.saturating_sub(elapsed));
    let mut batch = Batch::default();
    while batch.events.len() < config.flush_max_events {
        match receiver.try_recv() {
            Ok(op) => {
                if add_op(&mut batch, op) {
                    return (batch, true);
                }
            }
            Err(TryRecvError::Empty) => break,
            Err(TryRecvError::Disconnected) => return (batch, true),
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
