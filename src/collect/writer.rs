//! The writer: drains the queue in batches, one transaction per batch,
//! every `flush_interval_ms`, and at once again while batches come out full
//! (`flush_max_events`). A stop drains everything queued before it.
//!
//! It also watches the hits on email links for scanner sweeps
//! ([`crate::classify::scan_timing`]): off the redirect's path, in the order
//! the hits were queued. The hits of a sweep are written first, as what they
//! looked like, and filed as scans as soon as the sweep shows, with their
//! clicks taken back from the links in the store and in memory.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::queue::{EventQueue, WriteOp};
use super::salts::day_name;
use crate::classify::Channel;
use crate::classify::RequestClass;
use crate::classify::replay::VerdictChange;
use crate::classify::scan_timing::{self, BurstDetector, Hit};
use crate::event::{Event, EventKind};
use crate::links::LinkTable;
use crate::store::SqliteStore;
use crate::store::sqlite::write::Batch;

/// How the writer batches, and the retention it applies.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    pub flush_interval_ms: u64,
    pub flush_max_events: usize,
    /// Raw user agents of sites with no retention of their own are
    /// dropped this many days after they were last sent.
    pub user_agent_retention_days: u32,
}

/// How often the writer drops raw user agents past their retention.
const RETENTION_SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

/// Counter name under which queue drops are persisted.
pub const DROPPED_COUNTER: &str = "events_dropped_queue_full";

/// Starts the writer thread. It returns when it receives
/// [`WriteOp::Stop`] or every sender is gone, after writing what it has;
/// unpark its thread after sending the stop so it does not wait out its
/// interval.
/// `links` is the redirect's table, whose click counts it corrects when a
/// scanner sweep shows.
pub fn spawn_writer(
    mut store: SqliteStore,
    receiver: Receiver<WriteOp>,
    queue: Arc<EventQueue>,
    links: Arc<LinkTable>,
    config: WriterConfig,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("hearsay-writer".into())
        .spawn(move || {
            let mut sweeps = BurstDetector::default();
            let mut last_retention: Option<Instant> = None;
            let mut persisted_drops = 0u64;
            let mut started = Instant::now();
            loop {
                if last_retention.is_none_or(|at| at.elapsed() >= RETENTION_SWEEP_INTERVAL) {
                    drop_expired_user_agents(&mut store, config.user_agent_retention_days);
                    last_retention = Some(Instant::now());
                }
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
                let anything = !batch.events.is_empty()
                    || !batch.salts.is_empty()
                    || !batch.counters.is_empty();
                if anything && let Some(ids) = write_with_retry(&mut store, &batch) {
                    persisted_drops = drops;
                    let swept = find_sweeps(&mut sweeps, &batch.events, &ids);
                    if !swept.is_empty() {
                        file_as_scans(&mut store, &links, &swept);
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
    // Parked rather than asleep, so a stop can wake it (`Thread::unpark`);
    // an early wake-up only writes a batch early.
    std::thread::park_timeout(interval.saturating_sub(elapsed));
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

/// Drops the raw user agents past their site's retention.
fn drop_expired_user_agents(store: &mut SqliteStore, default_days: u32) {
    match store.drop_expired_user_agents(crate::event::now_ms(), default_days) {
        Ok(0) => {}
        Ok(dropped) => tracing::info!(
            user_agents = dropped,
            "raw user agents past retention dropped"
        ),
        Err(error) => {
            tracing::warn!(error = %error, "dropping raw user agents past retention failed; retrying in an hour")
        }
    }
}

/// Feeds the would-be readers' hits on email links of a written batch to
/// the sweep detector; returns the stored ids of hits found to be sweeps.
fn find_sweeps(detector: &mut BurstDetector<i64>, events: &[Event], ids: &[i64]) -> Vec<i64> {
    let mut swept = Vec::new();
    for (event, &id) in events.iter().zip(ids) {
        let watched = event.kind == EventKind::Redirect
            && event.method.is_some_and(|method| {
                scan_timing::watched_for_sweeps(event.link_channel, method, &event.verdict)
            });
        let (true, Some(visitor), Some(link)) = (watched, event.visitor_id, &event.link_code)
        else {
            continue;
        };
        let hit = Hit {
            id,
            link: link.clone(),
            at_ms: event.ts_ms,
        };
        swept.extend(detector.observe(visitor, hit).into_iter().map(|h| h.id));
    }
    swept
}

/// Files the hits of a sweep as scans, and gives their clicks back to the
/// links in memory.
fn file_as_scans(store: &mut SqliteStore, links: &LinkTable, ids: &[i64]) {
    let changes: Vec<VerdictChange> = ids
        .iter()
        .map(|&id| VerdictChange {
            id,
            class: RequestClass::Scan,
            channel: Some(Channel::Email),
            rule: scan_timing::BURST_RULE,
            is_click: false,
        })
        .collect();
    match store.update_verdicts(&changes) {
        Ok(clicks) => {
            for (code, delta) in clicks {
                if let Some(link) = links.get(&code) {
                    link.clicks.fetch_add(delta, Ordering::Relaxed);
                }
            }
            tracing::debug!(events = ids.len(), "scanner sweep filed as scans");
        }
        Err(error) => {
            tracing::error!(events = ids.len(), error = %error, "filing a scanner sweep as scans failed; its hits stay as they were");
        }
    }
}

/// Writes a batch, retrying a failed transaction a few times (a locked
/// file, say) before giving it up. Returns the events' row ids if it was
/// written.
fn write_with_retry(store: &mut SqliteStore, batch: &Batch) -> Option<Vec<i64>> {
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=5 {
        match store.write_batch(batch) {
            Ok(ids) => return Some(ids),
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
    None
}
