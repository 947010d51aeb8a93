//! Classification: what made a request, on which device, from which source.
//!
//! Runs once per event, before the queue (see DESIGN.md, "How data flows").
//! It is pure: the same facts give the same [`Verdict`], so stored evidence
//! can be classified again later. User-agent parsing is costly, so verdicts
//! are cached by (method, user agent).

pub mod agent_rules;
pub mod channel;
pub mod class;
pub mod crawler_list;
pub mod in_app;
pub mod referrer;
pub mod request;
pub mod user_agent;
pub mod visitor;

pub use channel::Channel;
pub use class::RequestClass;
pub use referrer::{Medium, Source};
pub use user_agent::{DeviceClass, UserAgentInfo};
pub use visitor::VisitorHasher;

use std::sync::Arc;

/// The HTTP method of a request, as far as classification cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Other,
}

impl Method {
    /// Reads a method name as sent on the wire.
    pub fn from_name(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            _ => Method::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Other => "OTHER",
        }
    }
}

/// What a request tells about itself: the evidence a verdict is made from.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    pub method: Method,
    /// The `User-Agent` header, empty when absent.
    pub user_agent: &'a str,
}

/// The classifier's answer for one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub class: RequestClass,
    /// The channel a preview fetcher or in-app browser names, if any.
    pub channel: Option<Channel>,
    /// The rule that decided the class, e.g. `preview:whatsapp`.
    pub rule: &'static str,
    pub agent: UserAgentInfo,
}

/// Classifies requests and referrers; cheap to share between threads.
pub struct Classifier {
    agents: user_agent::UserAgentParser,
    verdicts: quick_cache::sync::Cache<(Method, String), Arc<Verdict>>,
}

impl Classifier {
    /// Builds a classifier from the rules that ship with hearsay.
    ///
    /// # Errors
    ///
    /// Fails if the shipped user-agent rules cannot be compiled.
    pub fn new() -> anyhow::Result<Classifier> {
        Ok(Classifier {
            agents: user_agent::UserAgentParser::new()?,
            verdicts: quick_cache::sync::Cache::new(16_384),
        })
    }

    /// Classifies one request, from cache when the same method and user
    /// agent were seen before.
    pub fn classify_request(&self, facts: &RequestFacts<'_>) -> Arc<Verdict> {
        let key = (facts.method, facts.user_agent.to_owned());
        if let Some(hit) = self.verdicts.get(&key) {
            return hit;
        }
        let verdict = Arc::new(request::classify(&self.agents, facts));
        self.verdicts.insert(key, verdict.clone());
        verdict
    }

    /// Reads a `Referer` header into a source and medium. A referrer on one
    /// of `own_domains` (ASCII host names) is internal.
    pub fn classify_referrer(&self, referrer: &str, own_domains: &[String]) -> Source {
        referrer::classify(referrer, own_domains)
    }
}
