//! The bounded event queue between the request handlers and the writer.
//!
//! Policy when the queue is full: the request is still answered (a redirect
//! never fails because analytics failed), the event is dropped, and the
//! drop is counted — in memory at once, in the store's `counters` table
//! (`events_dropped_queue_full`) with the next batch — and logged at warn
//! at most once a second. Nothing is dropped silently.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use crate::event::Event;

/// One thing for the writer to do.
pub enum WriteOp {
    Event(Box<Event>),
    /// Keep a new daily salt: (day index since the epoch, salt).
    Salt(i64, [u8; 32]),
    /// Write what came before, then stop.
    Stop,
}

/// The sending side, shared by every handler.
pub struct EventQueue {
    sender: SyncSender<WriteOp>,
    accepted: AtomicU64,
    dropped: AtomicU64,
    last_warn_s: AtomicI64,
}

impl EventQueue {
    /// A queue holding at most `capacity` operations, and its receiving
    /// end for the writer.
    pub fn new(capacity: usize) -> (EventQueue, Receiver<WriteOp>) {
        let (sender, receiver) = sync_channel(capacity);
        let queue = EventQueue {
            sender,
            accepted: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            last_warn_s: AtomicI64::new(0),
        };
        (queue, receiver)
    }

    /// Queues an event without waiting. Returns `false` if it was dropped
    /// because the queue is full or the writer has stopped.
    pub fn push(&self, event: Event) -> bool {
        match self.sender.try_send(WriteOp::Event(Box::new(event))) {
            Ok(()) => {
                self.accepted.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                self.warn_dropped(dropped);
                false
            }
        }
    }

    /// Sends an operation that must not be dropped, waiting for room.
    pub fn send_blocking(&self, op: WriteOp) {
        if self.sender.send(op).is_err() {
            tracing::error!("event writer has stopped; operation lost");
        }
    }

    /// Queues an operation without waiting; `false` if there was no room.
    pub fn try_send(&self, op: WriteOp) -> bool {
        self.sender.try_send(op).is_ok()
    }

    /// Events queued so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Events dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The shared drop counter, for the writer to persist.
    pub(crate) fn dropped_counter(&self) -> &AtomicU64 {
        &self.dropped
    }

    fn warn_dropped(&self, dropped: u64) {
        let now_s = chrono::Utc::now().timestamp();
        let last = self.last_warn_s.load(Ordering::Relaxed);
        if now_s > last
            && self
                .last_warn_s
                .compare_exchange(last, now_s, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                events.dropped = dropped,
                "event queue full; dropping events"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{RequestClass, UserAgentInfo, Verdict};
    use crate::event::EventKind;
    use std::sync::Arc;

    fn event() -> Event {
        let verdict = Arc::new(Verdict {
            class: RequestClass::Person,
            channel: None,
            rule: "test",
            agent: UserAgentInfo::default(),
        });
        Event::new(EventKind::Pageview, 0, verdict)
    }

    #[test]
    fn full_queue_drops_and_counts() {
        let (queue, receiver) = EventQueue::new(2);
        assert!(queue.push(event()));
        assert!(queue.push(event()));
        assert!(!queue.push(event()));
        assert_eq!((queue.accepted(), queue.dropped()), (2, 1));
        drop(receiver);
        assert!(!queue.push(event()));
        assert_eq!(queue.dropped(), 2);
    }
}
