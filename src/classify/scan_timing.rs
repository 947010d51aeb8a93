//! Email security scanners told apart by timing (DOMAIN.md B, "How
//! email-tracking tools filter"): they fetch a mail's links within seconds
//! of delivery, and they fetch every link of one message in one sweep. Both
//! happen with ordinary browser user agents, so the request alone looks like
//! a person.
//!
//! Two rules, both for links whose share went out by email:
//!
//! - the delivery window: a would-be person's hit within
//!   [`DELIVERY_WINDOW_MS`] of the link's creation (or of the email share
//!   its token belongs to) is a scan, rule `scan:delivery-window`;
//! - the burst: one visitor (same address and user agent, same day) hitting
//!   [`BURST_LINKS`] or more distinct links within [`BURST_WINDOW_MS`] is a
//!   scanner; every hit of the sweep is a scan, rule `scan:burst`, the
//!   earlier ones included.
//!
//! A person who clicks after a scanner counts once: the rules look at the
//! hit, never at what came before it on the link.
//!
//! Times are passed in, so the same code serves the live redirect and
//! `hearsay reclassify`, which replays stored events in order.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::recent::RecentMap;
use super::{Channel, Method, RequestClass, Verdict};

/// Hits this soon after an email link was made or an email share was
/// reported are a gateway's, not a reader's. Reported scanner clicks land
/// 20–60 s after sending; 60 s is the threshold tracking tools use.
pub const DELIVERY_WINDOW_MS: i64 = 60_000;

/// The span of one scanner sweep: all links of a mail in under a second
/// were seen; two seconds leave room for a slow gateway.
pub const BURST_WINDOW_MS: i64 = 2_000;

/// Distinct links in one window that make a burst. People open one or two
/// links of a mail, rarely three within two seconds.
pub const BURST_LINKS: usize = 3;

/// Rule names of the verdicts made here.
pub const DELIVERY_WINDOW_RULE: &str = "scan:delivery-window";
pub const BURST_RULE: &str = "scan:burst";

/// Whether a verdict is one the timing rules may overturn: a person, or an
/// unknown machine. Named fetchers, crawlers and scans keep their verdict.
pub fn looks_like_a_reader(verdict: &Verdict) -> bool {
    matches!(verdict.class, RequestClass::Person | RequestClass::Unknown)
}

/// Whether a request is watched for sweeps: a would-be reader's `GET` of
/// a link whose share went out by email.
pub fn watched_for_sweeps(
    link_channel: Option<Channel>,
    method: Method,
    verdict: &Verdict,
) -> bool {
    link_channel == Some(Channel::Email) && method == Method::Get && looks_like_a_reader(verdict)
}

/// The scan verdict a timing rule gives, keeping the parsed agent.
pub fn scan_verdict(verdict: &Verdict, rule: &'static str) -> Verdict {
    Verdict {
        class: RequestClass::Scan,
        channel: Some(Channel::Email),
        rule,
        agent: verdict.agent.clone(),
    }
}

/// The delivery-window rule: a would-be reader's hit at `at_ms` on a link
/// (or share) whose channel is `channel`, sent at `sent_ms`, is a scan when
/// the channel is email and the hit comes within [`DELIVERY_WINDOW_MS`].
pub fn delivery_window_scan(
    verdict: &Verdict,
    channel: Option<Channel>,
    sent_ms: i64,
    at_ms: i64,
) -> Option<Verdict> {
    let since = at_ms - sent_ms;
    (channel == Some(Channel::Email)
        && looks_like_a_reader(verdict)
        && (0..=DELIVERY_WINDOW_MS).contains(&since))
    .then(|| scan_verdict(verdict, DELIVERY_WINDOW_RULE))
}

/// The email shares of the last [`DELIVERY_WINDOW_MS`], by token, so the
/// collector can tell a gateway's visit (scanners that run the page's
/// script report an arrival) from the recipient's. Holds tokens and times
/// only.
#[derive(Default)]
pub struct RecentEmailShares {
    /// By (site id, token): a token is only ever the share of one site.
    sent: Mutex<RecentMap<(String, String), i64>>,
}

impl RecentEmailShares {
    /// Notes an email share of `token` on site `site_id`, made at `at_ms`.
    pub fn record(&self, site_id: &str, token: &str, at_ms: i64) {
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.sweep_if_due(|_, made| at_ms - *made <= DELIVERY_WINDOW_MS);
        sent.insert((site_id.to_owned(), token.to_owned()), at_ms);
    }

    /// When the email share of `token` on site `site_id` was made, if it
    /// is still held.
    pub fn sent_at(&self, site_id: &str, token: &str) -> Option<i64> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.get(&(site_id.to_owned(), token.to_owned())).copied()
    }
}

/// One hit the burst detector remembers; `id` is the caller's handle on
/// it (a stored event's row id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit<K> {
    pub id: K,
    /// The link's code.
    pub link: Arc<str>,
    pub at_ms: i64,
}

/// Finds scanner sweeps in a stream of would-be readers' hits on email
/// links, fed in time order. Holds, per visitor, the hits of the last
/// [`BURST_WINDOW_MS`]; nothing else.
pub struct BurstDetector<K> {
    recent: RecentMap<i64, VecDeque<(Hit<K>, bool)>>,
}

impl<K> Default for BurstDetector<K> {
    fn default() -> Self {
        BurstDetector {
            recent: RecentMap::default(),
        }
    }
}

impl<K: Clone> BurstDetector<K> {
    /// Notes `hit` by `visitor` and returns the hits that this one shows
    /// to be part of a sweep and were not reported before: empty when
    /// there is no burst; the whole sweep so far (this hit included) when
    /// it first becomes one; only this hit when it extends a known sweep.
    pub fn observe(&mut self, visitor: i64, hit: Hit<K>) -> Vec<Hit<K>> {
        let now = hit.at_ms;
        self.recent.sweep_if_due(|_, hits| {
            hits.back()
                .is_some_and(|(last, _)| now - last.at_ms <= BURST_WINDOW_MS)
        });

        let hits = self.recent.entry(visitor).or_default();
        while hits
            .front()
            .is_some_and(|(first, _)| hit.at_ms - first.at_ms > BURST_WINDOW_MS)
        {
            hits.pop_front();
        }
        hits.push_back((hit, false));

        let mut links: Vec<&str> = hits.iter().map(|(h, _)| &*h.link).collect();
        links.sort_unstable();
        links.dedup();
        if links.len() < BURST_LINKS {
            return Vec::new();
        }
        let mut found = Vec::new();
        for (h, reported) in hits.iter_mut() {
            if !*reported {
                *reported = true;
                found.push(h.clone());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::UserAgentInfo;

    fn verdict(class: RequestClass, rule: &'static str) -> Verdict {
        Verdict {
            class,
            channel: None,
            rule,
            agent: UserAgentInfo::default(),
        }
    }

    fn person() -> Verdict {
        verdict(RequestClass::Person, "person:browser")
    }

    #[test]
    fn a_hit_seconds_after_an_email_link_is_made_is_a_scan() {
        let got = delivery_window_scan(&person(), Some(Channel::Email), 1_000, 44_000).unwrap();
        assert_eq!(
            (got.class, got.channel, got.rule),
            (
                RequestClass::Scan,
                Some(Channel::Email),
                "scan:delivery-window"
            )
        );
    }

    #[test]
    fn after_the_window_the_reader_is_a_person() {
        assert!(
            delivery_window_scan(&person(), Some(Channel::Email), 0, DELIVERY_WINDOW_MS + 1)
                .is_none()
        );
        assert!(
            delivery_window_scan(&person(), Some(Channel::Email), 0, DELIVERY_WINDOW_MS).is_some()
        );
    }

    #[test]
    fn only_email_links_have_a_delivery_window() {
        for channel in [None, Some(Channel::Whatsapp), Some(Channel::Sms)] {
            assert!(delivery_window_scan(&person(), channel, 0, 5_000).is_none());
        }
    }

    #[test]
    fn recent_email_shares_are_held_by_token() {
        let shares = RecentEmailShares::default();
        shares.record("s_a", "tok123456789", 5_000);
        assert_eq!(shares.sent_at("s_a", "tok123456789"), Some(5_000));
        assert_eq!(shares.sent_at("s_a", "other1234567"), None);
        assert_eq!(
            shares.sent_at("s_b", "tok123456789"),
            None,
            "another site's"
        );
    }

    #[test]
    fn named_machines_keep_their_verdict_in_the_window() {
        let preview = verdict(RequestClass::Preview, "preview:x");
        assert!(delivery_window_scan(&preview, Some(Channel::Email), 0, 1).is_none());
        let unknown = verdict(RequestClass::Unknown, "ua:empty");
        assert!(delivery_window_scan(&unknown, Some(Channel::Email), 0, 1).is_some());
    }

    fn hit(id: u32, link: u32, at_ms: i64) -> Hit<u32> {
        Hit {
            id,
            link: Arc::from(format!("code{link}").as_str()),
            at_ms,
        }
    }

    #[test]
    fn three_links_in_one_sweep_are_all_scans() {
        // craft-campaign#546: every link of a mail within a second.
        let mut detector = BurstDetector::default();
        assert!(detector.observe(7, hit(1, 10, 0)).is_empty());
        assert!(detector.observe(7, hit(2, 11, 150)).is_empty());
        let ids: Vec<u32> = detector
            .observe(7, hit(3, 12, 300))
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(ids, [1, 2, 3]);
        // A fourth link of the same sweep is reported alone.
        let ids: Vec<u32> = detector
            .observe(7, hit(4, 13, 450))
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(ids, [4]);
    }

    #[test]
    fn one_link_opened_twice_is_no_burst() {
        let mut detector = BurstDetector::default();
        for (id, at) in [(1, 0), (2, 100), (3, 200), (4, 300)] {
            assert!(detector.observe(7, hit(id, 10, at)).is_empty());
        }
        // Two links are what a person opens.
        assert!(detector.observe(7, hit(5, 11, 400)).is_empty());
    }

    #[test]
    fn hits_spread_over_minutes_are_a_person_reading() {
        let mut detector = BurstDetector::default();
        for (id, link, at) in [(1, 10, 0), (2, 11, 40_000), (3, 12, 95_000)] {
            assert!(detector.observe(7, hit(id, link, at)).is_empty());
        }
    }

    #[test]
    fn other_visitors_are_counted_apart() {
        let mut detector = BurstDetector::default();
        assert!(detector.observe(1, hit(1, 10, 0)).is_empty());
        assert!(detector.observe(2, hit(2, 11, 10)).is_empty());
        assert!(detector.observe(3, hit(3, 12, 20)).is_empty());
    }

    #[test]
    fn the_detector_forgets_stale_visitors() {
        let mut detector = BurstDetector::default();
        for visitor in 0..crate::classify::recent::MIN_MARK as i64 {
            detector.observe(visitor, hit(1, 10, 0));
        }
        detector.observe(-1, hit(2, 10, 10_000));
        assert_eq!(detector.recent.len(), 1);
    }
}
