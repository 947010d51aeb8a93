//! Follow-up fetches of a preview: requests with browser-looking or empty
//! user agents that a fetcher sends right after its named request for the
//! same link (DOMAIN.md A.2: X sends one GET as `Twitterbot/1.0`, then HEADs
//! as iPhone Safari, desktop Chrome or with no user agent; Discord's later
//! fetches use a user's browser string).
//!
//! The tracker keeps, per link code, the time and channel of the last
//! preview, for a short window. It holds link codes only, never addresses
//! or user agents. Time is passed in, so tests need no clock.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::recent::RecentMap;
use super::{Channel, RequestClass, Verdict};

/// The default window after a preview in which look-alike requests are
/// read as its follow-ups.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5);

/// Remembers recent previews per link and reads follow-ups.
pub struct FollowupTracker {
    window: Duration,
    previews: Mutex<RecentMap<String, (Instant, Channel)>>,
}

impl FollowupTracker {
    /// A tracker that ties follow-ups within `window` of a preview.
    pub fn new(window: Duration) -> FollowupTracker {
        FollowupTracker {
            window,
            previews: Mutex::new(RecentMap::default()),
        }
    }

    /// Notes a preview of the link `code` for `channel`, seen at `at`.
    /// Call it for every request classified `preview` that has a channel.
    pub fn record_preview(&self, code: &str, channel: Channel, at: Instant) {
        let mut previews = self.previews.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.window;
        previews.sweep_if_due(|_, (seen, _)| at.saturating_duration_since(*seen) <= window);
        previews.insert(code.to_owned(), (at, channel));
    }

    /// Reads a request for link `code` at `at`, whose own verdict is
    /// `verdict`, as a follow-up of a recent preview, if it is one: within
    /// the window after a preview of the same link, a HEAD that nothing
    /// named (`method:head`) or a GET with no user agent (`ua:empty`)
    /// becomes a preview of that channel, rule `preview:followup`. A GET
    /// that looks like a plain browser (`person:browser`) does so only after
    /// a Discord preview, whose proxy fetches with users' agents: after any
    /// other preview it is the person the message reached, and a click
    /// (a server-side Meta or Slack fetch is often followed within seconds
    /// by the first reader). Named fetchers, crawlers, in-app browsers and
    /// everything else keep their own verdict (`None`).
    pub fn followup_of(&self, code: &str, verdict: &Verdict, at: Instant) -> Option<Verdict> {
        let browser_get = verdict.rule == "person:browser";
        if !browser_get && !matches!(verdict.rule, "method:head" | "ua:empty") {
            return None;
        }

        let previews = self.previews.lock().unwrap_or_else(|e| e.into_inner());
        let (seen, channel) = *previews.get(code)?;
        if browser_get && channel != Channel::Discord {
            return None;
        }
        let since = at.checked_duration_since(seen)?;
        (since <= self.window).then(|| Verdict {
            class: RequestClass::Preview,
            channel: Some(channel),
            rule: "preview:followup",
            agent: verdict.agent.clone(),
        })
    }
}

impl FollowupTracker {
    /// Reads one request for link `code` at `at`: a follow-up of a recent
    /// preview becomes that preview's ([`FollowupTracker::followup_of`]),
    /// and a preview that names a channel is remembered for the requests
    /// after it. Returns the verdict to keep.
    pub fn judge(&self, code: &str, verdict: Arc<Verdict>, at: Instant) -> Arc<Verdict> {
        if let Some(followup) = self.followup_of(code, &verdict, at) {
            return Arc::new(followup);
        }
        if verdict.class == RequestClass::Preview
            && let Some(channel) = verdict.channel
        {
            self.record_preview(code, channel, at);
        }
        verdict
    }
}

impl Default for FollowupTracker {
    fn default() -> FollowupTracker {
        FollowupTracker::new(DEFAULT_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Classifier, Method, RequestFacts};
    use std::sync::LazyLock;

    static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

    const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
        AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

    fn facts(method: Method, user_agent: &str) -> RequestFacts<'_> {
        RequestFacts { method, user_agent }
    }

    /// Classifies one request and, like the redirect would, ties it to a
    /// preview when it is a follow-up.
    fn seen(
        tracker: &FollowupTracker,
        code: &str,
        facts: RequestFacts<'_>,
        at: Instant,
    ) -> (RequestClass, Option<Channel>, &'static str) {
        let verdict = tracker.judge(code, CLASSIFIER.classify_request(&facts), at);
        (verdict.class, verdict.channel, verdict.rule)
    }

    #[test]
    fn x_sends_a_get_then_heads_with_browser_and_empty_agents() {
        // Issue 2 and dubinc/dub#2309: none of these is a click.
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        let x = Some(Channel::X);
        let at = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(
            seen(
                &tracker,
                "abc1234",
                facts(Method::Get, "Twitterbot/1.0"),
                at(0)
            ),
            (RequestClass::Preview, x, "preview:x")
        );
        for (ms, ua) in [(300, IPHONE_SAFARI), (600, DESKTOP_CHROME), (900, "")] {
            assert_eq!(
                seen(&tracker, "abc1234", facts(Method::Head, ua), at(ms)),
                (RequestClass::Preview, x, "preview:followup"),
                "{ua:?}"
            );
        }
    }

    #[test]
    fn a_browser_get_right_after_a_preview_is_its_followup() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::Discord, t0);
        let got = seen(
            &tracker,
            "abc1234",
            facts(Method::Get, DESKTOP_CHROME),
            t0 + Duration::from_secs(2),
        );
        assert_eq!(
            got,
            (
                RequestClass::Preview,
                Some(Channel::Discord),
                "preview:followup"
            )
        );
    }

    #[test]
    fn a_browser_get_after_a_meta_preview_is_the_person_it_reached() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::Facebook, t0);
        let got = seen(
            &tracker,
            "abc1234",
            facts(Method::Get, IPHONE_SAFARI),
            t0 + Duration::from_secs(1),
        );
        assert_eq!(got.0, RequestClass::Person);
    }

    #[test]
    fn after_the_window_a_browser_is_a_person_again() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::X, t0);
        let later = t0 + DEFAULT_WINDOW + Duration::from_millis(1);
        assert_eq!(
            seen(
                &tracker,
                "abc1234",
                facts(Method::Get, IPHONE_SAFARI),
                later
            )
            .0,
            RequestClass::Person
        );
    }

    #[test]
    fn another_link_is_not_a_followup() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::X, t0);
        assert_eq!(
            seen(&tracker, "zzz9999", facts(Method::Get, IPHONE_SAFARI), t0).0,
            RequestClass::Person
        );
    }

    #[test]
    fn an_in_app_person_stays_a_person() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::Linkedin, t0);
        let in_app = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_4_1 like Mac OS X) \
            AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]";
        assert_eq!(
            seen(
                &tracker,
                "abc1234",
                facts(Method::Get, in_app),
                t0 + Duration::from_secs(1)
            ),
            (
                RequestClass::Person,
                Some(Channel::Linkedin),
                "person:in-app:linkedin"
            )
        );
    }

    #[test]
    fn crawlers_keep_their_verdict() {
        let tracker = FollowupTracker::default();
        let t0 = Instant::now();
        tracker.record_preview("abc1234", Channel::X, t0);
        let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assert_eq!(
            seen(&tracker, "abc1234", facts(Method::Get, bot), t0).0,
            RequestClass::Crawler
        );
        assert_eq!(
            seen(&tracker, "abc1234", facts(Method::Head, bot), t0).0,
            RequestClass::Crawler
        );
    }
}
