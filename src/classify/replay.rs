//! Stored events judged again under today's rules (`hearsay reclassify`).
//!
//! Each event keeps the evidence that decided it: method, raw user agent,
//! referrer source, link, visitor and time. [`Replay`] runs that evidence
//! through the live rules in the order the events were stored: the request
//! rules, then what depends on the events around it (a preview's
//! follow-ups, an email link's delivery window, a scanner's sweep). A rule
//! fixed today so corrects yesterday's figures.
//!
//! What was never kept cannot be replayed. A client address is not stored,
//! so a verdict an address decided (`scan:address`) stands as long as the
//! agent still looks like a reader; an event whose raw user agent was
//! dropped after its site's retention keeps its verdict.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::followup::FollowupTracker;
use super::inference::evidence_channel;
use super::scan_timing::{self, BurstDetector, Hit};
use super::{Channel, Classifier, Method, RequestClass, RequestFacts, Source, Verdict};
use crate::event::EventKind;

/// One stored event, as replayed.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub id: i64,
    pub kind: EventKind,
    pub ts_ms: i64,
    pub class: RequestClass,
    pub channel: Option<Channel>,
    pub rule: String,
    pub method: Method,
    /// The raw user agent, empty when none was sent; `None` when it was
    /// dropped after the site's retention.
    pub user_agent: Option<String>,
    pub referrer: Option<Source>,
    pub link_code: Option<Arc<str>>,
    pub share_token: Option<String>,
    pub visitor_id: Option<i64>,
    pub status: Option<u16>,
    pub is_click: bool,
}

/// An event's stored class, channel, rule and click.
type Stored = (RequestClass, Option<Channel>, String, bool);

/// A stored event's new verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictChange {
    pub id: i64,
    pub class: RequestClass,
    pub channel: Option<Channel>,
    pub rule: &'static str,
    pub is_click: bool,
}

/// What the replay needs to know of a link.
#[derive(Clone, Copy, Debug)]
pub struct LinkFacts {
    pub created_ms: i64,
    /// The declared channel of the link's share.
    pub channel: Option<Channel>,
}

/// What one event's replay found.
#[derive(Debug, Default)]
pub struct Judged {
    /// The changes to store: this event's, if its verdict changed, and
    /// those of earlier hits on email links whose verdict was held until
    /// no sweep could claim them ([`Replay::finish`] gives the last ones).
    pub changes: Vec<VerdictChange>,
    /// Whether the event's evidence was dropped (its verdict stands).
    pub evidence_dropped: bool,
}

/// Replays events in stored order; see the module doc.
pub struct Replay<'a> {
    classifier: &'a Classifier,
    links: HashMap<String, LinkFacts>,
    /// Email shares by token, with their time.
    email_shares: HashMap<String, i64>,
    followups: FollowupTracker,
    sweeps: BurstDetector<i64>,
    /// The new verdicts of recent hits watched for sweeps, oldest first.
    held: VecDeque<Held>,
    /// The first channel each share token's events name.
    evidence: HashMap<String, Channel>,
    /// The follow-up tracker runs on `Instant`s: this one stands for the
    /// time of the first event replayed.
    clock: Option<(Instant, i64)>,
}

impl<'a> Replay<'a> {
    pub fn new(
        classifier: &'a Classifier,
        links: HashMap<String, LinkFacts>,
        email_shares: HashMap<String, i64>,
    ) -> Replay<'a> {
        Replay {
            classifier,
            links,
            email_shares,
            followups: FollowupTracker::default(),
            sweeps: BurstDetector::default(),
            held: VecDeque::new(),
            evidence: HashMap::new(),
            clock: None,
        }
    }

    /// Judges one event; call in stored order.
    pub fn judge(&mut self, event: &Recorded) -> Judged {
        // Misses were stored without their agent by the first release:
        // no agent row there says nothing about what was sent.
        let agent_unknown = event.kind == EventKind::Miss
            && event.user_agent.as_deref() == Some("")
            && !matches!(event.rule.as_str(), "ua:empty" | "method:head");
        let Some(user_agent) = event.user_agent.as_ref().filter(|_| !agent_unknown) else {
            return Judged {
                changes: Vec::new(),
                evidence_dropped: true,
            };
        };
        let facts = RequestFacts {
            method: event.method,
            user_agent,
        };
        let mut verdict = self.classifier.classify_request(&facts);
        if event.rule == "scan:address" && scan_timing::looks_like_a_reader(&verdict) {
            let mut judged = Judged::default();
            self.release_held(
                event.ts_ms - scan_timing::BURST_WINDOW_MS,
                &mut judged.changes,
            );
            return judged;
        }

        let link = event.link_code.as_deref();
        if event.kind == EventKind::Redirect
            && let Some(code) = link
        {
            verdict = self.follow_up(code, verdict, event.ts_ms);
        }
        let sent = match event.kind {
            EventKind::Redirect => link
                .and_then(|code| self.links.get(code))
                .map(|l| (l.channel, l.created_ms)),
            EventKind::Arrival => event
                .share_token
                .as_ref()
                .and_then(|token| self.email_shares.get(token))
                .map(|&ms| (Some(Channel::Email), ms)),
            _ => None,
        };
        if let Some((channel, sent_ms)) = sent
            && let Some(scan) =
                scan_timing::delivery_window_scan(&verdict, channel, sent_ms, event.ts_ms)
        {
            verdict = Arc::new(scan);
        }

        if let Some(token) = &event.share_token
            && !self.evidence.contains_key(token)
            && let Some(channel) = evidence_channel(&verdict, event.referrer.as_ref())
        {
            self.evidence.insert(token.clone(), channel);
        }

        let channel = match event.kind {
            EventKind::Share => event.channel,
            _ => verdict.channel,
        };
        let change = VerdictChange {
            id: event.id,
            class: verdict.class,
            channel,
            rule: verdict.rule,
            is_click: event.kind == EventKind::Redirect
                && verdict.class == RequestClass::Person
                && event.method == Method::Get
                && event.status == Some(302),
        };
        let mut judged = Judged::default();
        self.release_held(
            event.ts_ms - scan_timing::BURST_WINDOW_MS,
            &mut judged.changes,
        );
        if !self.watch_for_sweeps(event, &verdict, &change)
            && !same_as_stored(&stored_of(event), &change)
        {
            judged.changes.push(change);
        }
        judged
    }

    /// The first channel the events of each share token named, for the
    /// shares' inferred channels.
    pub fn share_evidence(&self) -> &HashMap<String, Channel> {
        &self.evidence
    }

    /// Ties a follow-up to the preview before it, as the redirect does.
    fn follow_up(&mut self, code: &str, verdict: Arc<Verdict>, ts_ms: i64) -> Arc<Verdict> {
        let (origin, first_ms) = *self.clock.get_or_insert((Instant::now(), ts_ms));
        let offset = u64::try_from(ts_ms - first_ms).unwrap_or(0);
        let at = origin + Duration::from_millis(offset);
        self.followups.judge(code, verdict, at)
    }

    /// Feeds a would-be reader's hit on an email link to the sweep
    /// detector, as the writer does. Such a hit's new verdict is held until
    /// no later hit can show it to be part of a sweep; returns whether it
    /// was held.
    fn watch_for_sweeps(
        &mut self,
        event: &Recorded,
        verdict: &Verdict,
        change: &VerdictChange,
    ) -> bool {
        let link_channel = event
            .link_code
            .as_deref()
            .and_then(|code| self.links.get(code))
            .and_then(|l| l.channel);
        let watched = event.kind == EventKind::Redirect
            && scan_timing::watched_for_sweeps(link_channel, event.method, verdict);
        let (true, Some(visitor), Some(link)) = (watched, event.visitor_id, &event.link_code)
        else {
            return false;
        };
        self.held.push_back(Held {
            at_ms: event.ts_ms,
            change: change.clone(),
            stored: stored_of(event),
        });
        let hit = Hit {
            id: event.id,
            link: link.clone(),
            at_ms: event.ts_ms,
        };
        for swept in self.sweeps.observe(visitor, hit) {
            if let Some(held) = self.held.iter_mut().find(|h| h.change.id == swept.id) {
                held.change = VerdictChange {
                    id: swept.id,
                    class: RequestClass::Scan,
                    channel: Some(Channel::Email),
                    rule: scan_timing::BURST_RULE,
                    is_click: false,
                };
            }
        }
        true
    }

    /// Lets go of the held verdicts of hits older than `before_ms`: no
    /// later hit can make them part of a sweep any more.
    fn release_held(&mut self, before_ms: i64, changes: &mut Vec<VerdictChange>) {
        while self.held.front().is_some_and(|h| h.at_ms < before_ms) {
            let held = self.held.pop_front().expect("front exists");
            if !same_as_stored(&held.stored, &held.change) {
                changes.push(held.change);
            }
        }
    }

    /// The changes still held; call once after the last event.
    pub fn finish(&mut self) -> Vec<VerdictChange> {
        let mut changes = Vec::new();
        self.release_held(i64::MAX, &mut changes);
        changes
    }
}

/// A watched hit's new verdict, held until no sweep can claim it.
#[derive(Debug)]
struct Held {
    at_ms: i64,
    change: VerdictChange,
    stored: Stored,
}

fn stored_of(event: &Recorded) -> Stored {
    (
        event.class,
        event.channel,
        event.rule.clone(),
        event.is_click,
    )
}

fn same_as_stored(stored: &Stored, change: &VerdictChange) -> bool {
    (stored.0, stored.1, stored.2.as_str(), stored.3)
        == (change.class, change.channel, change.rule, change.is_click)
}
