//! The query model: count a measure, grouped by dimensions, under filters.
//!
//! Stores compile it to their own SQL; nothing outside a store writes SQL
//! for reports.

use crate::classify::RequestClass;
use crate::event::EventKind;

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Stored events (requests, page reports, imported lines).
    Events,
    /// Distinct visitors among those events.
    Visitors,
    /// Shares (one row per share token).
    Shares,
}

/// What is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Class,
    Kind,
    /// The event's channel (previews, in-app browsers) or, for shares, the
    /// share's channel.
    Channel,
    /// For events: the channel of the share the event belongs to.
    ShareChannel,
    /// For shares: `declared` or `inferred`.
    ChannelOrigin,
    /// For shares: the channel their previews and clicks named.
    InferredChannel,
    Medium,
    /// `home` or `deep` for page views.
    Landing,
    Device,
    Browser,
    Os,
    InApp,
    /// The page (content) URL.
    Url,
    Rule,
}

/// A condition on the rows counted.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Site(String),
    Kinds(Vec<EventKind>),
    Class(RequestClass),
    /// Only clicks: person GETs of links that redirected, and arrivals with
    /// a token that no short link minted (a short link's own arrival would
    /// count its click twice).
    Clicks,
    /// Only page views (not static assets).
    PageViews,
    SinceMs(i64),
}

/// One count query.
#[derive(Clone, Debug, PartialEq)]
pub struct Count {
    pub measure: Measure,
    pub group_by: Vec<Dimension>,
    pub filters: Vec<Filter>,
    /// Largest groups first, at most this many.
    pub limit: Option<usize>,
}

impl Count {
    pub fn new(measure: Measure) -> Count {
        Count {
            measure,
            group_by: Vec::new(),
            filters: Vec::new(),
            limit: None,
        }
    }

    pub fn by(mut self, dimension: Dimension) -> Count {
        self.group_by.push(dimension);
        self
    }

    pub fn filter(mut self, filter: Filter) -> Count {
        self.filters.push(filter);
        self
    }

    pub fn limit(mut self, limit: usize) -> Count {
        self.limit = Some(limit);
        self
    }
}

/// One group of a count: the dimension values in order, and the count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub keys: Vec<Option<String>>,
    pub count: i64,
}
