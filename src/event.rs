//! The event: one classified request or page report, as it travels from
//! classification through the queue to the writer and into the store.

use std::sync::Arc;

use crate::classify::{Channel, Method, ReadReferrer, RequestClass, Verdict};

/// What produced an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A request for a short link (`GET`/`HEAD /{code}`).
    Redirect,
    /// A request for a code nobody made.
    Miss,
    /// A share reported by a page.
    Share,
    /// A page load carrying a share token.
    Arrival,
    /// A page load without a token.
    Pageview,
    /// A conversion (signup, purchase…) reported by a page.
    Conversion,
    /// A line of an imported web server log.
    Import,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Redirect => "redirect",
            EventKind::Miss => "miss",
            EventKind::Share => "share",
            EventKind::Arrival => "arrival",
            EventKind::Pageview => "pageview",
            EventKind::Conversion => "conversion",
            EventKind::Import => "import",
        }
    }

    /// The kind named `name` as stored.
    pub fn parse(name: &str) -> Option<EventKind> {
        [
            EventKind::Redirect,
            EventKind::Miss,
            EventKind::Share,
            EventKind::Arrival,
            EventKind::Pageview,
            EventKind::Conversion,
            EventKind::Import,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// Share details carried by a share event, or by an arrival that may have
/// to create its share after the fact.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareFacts {
    pub token: String,
    pub channel: Option<Channel>,
    /// `true` when the page said which channel; `false` when inferred.
    pub declared: bool,
    pub parent: Option<String>,
    pub content_url: Option<String>,
}

/// Page metadata reported with a pageview or arrival.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContentFacts {
    pub url: String,
    pub title: Option<String>,
    pub topics: Vec<String>,
}

/// One event, classified and ready to write. Holds no IP address.
#[derive(Clone, Debug)]
pub struct Event {
    pub site_id: Option<Arc<str>>,
    pub kind: EventKind,
    pub ts_ms: i64,
    pub verdict: Arc<Verdict>,
    /// The channel this event names, when it differs from the verdict's
    /// (a declared share channel, say).
    pub channel: Option<Channel>,
    pub method: Option<Method>,
    /// The raw user agent, kept so events can be classified again.
    pub user_agent: Option<Arc<str>>,
    /// The referrer, read: host and source. `None` where no referrer was
    /// looked at; a direct visit has one with medium `direct`.
    pub referrer: Option<Arc<ReadReferrer>>,
    /// The channel this event's evidence names for its share (a preview
    /// fetcher, an in-app browser, a referrer), if any.
    pub evidence_channel: Option<Channel>,
    /// The name of a conversion (`signup`, `purchase`…).
    pub label: Option<String>,
    pub url: Option<String>,
    /// For page views: whether the page was the home page.
    pub home: Option<bool>,
    /// Whether this event is a page view by its shape (not an asset).
    pub pageview: bool,
    pub link_code: Option<Arc<str>>,
    /// The declared channel of the link's share, for redirects: an email
    /// link's hits are watched for scanner sweeps.
    pub link_channel: Option<Channel>,
    pub share_token: Option<Arc<str>>,
    pub visitor_id: Option<i64>,
    pub status: Option<u16>,
    pub value: Option<f64>,
    pub share: Option<ShareFacts>,
    pub content: Option<ContentFacts>,
}

impl Event {
    /// A bare event of `kind` with the given verdict; callers fill in the
    /// rest.
    pub fn new(kind: EventKind, ts_ms: i64, verdict: Arc<Verdict>) -> Event {
        Event {
            site_id: None,
            kind,
            ts_ms,
            verdict,
            channel: None,
            method: None,
            user_agent: None,
            referrer: None,
            evidence_channel: None,
            label: None,
            url: None,
            home: None,
            pageview: false,
            link_code: None,
            link_channel: None,
            share_token: None,
            visitor_id: None,
            status: None,
            value: None,
            share: None,
            content: None,
        }
    }

    /// The class this event is stored under.
    pub fn class(&self) -> RequestClass {
        self.verdict.class
    }

    /// A click is a person's request for a link that redirected (a
    /// request for an expired or spent link is recorded, not a click).
    pub fn is_click(&self) -> bool {
        self.kind == EventKind::Redirect
            && self.verdict.class == RequestClass::Person
            && self.method == Some(Method::Get)
            && self.status == Some(302)
    }

    /// The channel stored with this event.
    pub fn stored_channel(&self) -> Option<Channel> {
        self.channel.or(self.verdict.channel)
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
