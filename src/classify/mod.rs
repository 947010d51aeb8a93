//! Classification: what made a request, on which device, from which source.
//!
//! Runs once per event, before the queue (see DESIGN.md, "How data flows").
//! It is pure: the same facts give the same [`Verdict`], so stored evidence
//! can be classified again later. User-agent parsing is costly, so verdicts
//! are cached by (method, user agent).
//!
//! Evidence beyond method and user agent has its own entry points, which the
//! redirect calls after [`Classifier::classify_request`]:
//! [`Classifier::is_scanner_address`] and [`Classifier::classify_request_from`]
//! (email security gateways by address), [`followup::FollowupTracker`]
//! (browser-looking fetches right after a preview) and
//! [`inference::infer_channel`] (the channel of a share nobody labelled).
//!
//! Layout: [`request`] holds the order of the rules; [`agent_rules`] the named
//! fetchers, scanners, automation and crawlers; [`in_app`] the in-app
//! browser tokens; [`crawler_list`] the crawler-user-agents list;
//! [`user_agent`] the uap-core parser; [`referrer`] the referrer table.

pub mod agent_rules;
pub mod channel;
pub mod class;
pub mod crawler_list;
pub mod followup;
pub mod in_app;
pub mod inference;
pub mod recent;
pub mod referrer;
pub mod replay;
pub mod request;
pub mod scan_timing;
pub mod scanner_network;
pub mod user_agent;
pub mod visitor;

pub use channel::Channel;
pub use class::RequestClass;
pub use followup::FollowupTracker;
pub use inference::{Evidence, infer_channel};
pub use referrer::{Medium, Source};
pub use scanner_network::ScannerNetworks;
pub use user_agent::{DeviceClass, UserAgentInfo};
pub use visitor::VisitorHasher;

use std::net::IpAddr;
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

    /// The method's name as stored.
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

/// How many (method, user agent) verdicts the classifier keeps.
const VERDICT_CACHE_ENTRIES: usize = 16_384;

/// User agents longer than this are classified every time rather than
/// cached, so hostile headers cannot fill memory (real ones are shorter).
const MAX_CACHED_USER_AGENT_BYTES: usize = 1024;

/// A referrer as stored: its host (for `android-app://`, the package) and
/// the source it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadReferrer {
    pub host: Option<String>,
    pub source: Source,
}

/// The verdict cache's key. [`AgentKeyRef`] hashes the same way, so a
/// lookup needs no owned copy of the user agent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct AgentKey {
    method: Method,
    user_agent: String,
}

#[derive(Hash)]
struct AgentKeyRef<'a> {
    method: Method,
    user_agent: &'a str,
}

impl quick_cache::Equivalent<AgentKey> for AgentKeyRef<'_> {
    fn equivalent(&self, key: &AgentKey) -> bool {
        self.method == key.method && self.user_agent == key.user_agent
    }
}

/// Classifies requests and referrers; cheap to share between threads.
pub struct Classifier {
    agents: user_agent::UserAgentParser,
    verdicts: quick_cache::sync::Cache<AgentKey, Arc<Verdict>>,
    /// Sources of referrers read without own domains (the redirect's case),
    /// by the referrer as sent: they repeat as much as user agents do.
    referrers: quick_cache::sync::Cache<String, Arc<ReadReferrer>>,
    scanners: ScannerNetworks,
}

impl Classifier {
    /// Builds a classifier from the rules that ship with hearsay, including
    /// the shipped scanner networks, and compiles every table up front
    /// (about 0.25 s in a release build; share one classifier).
    ///
    /// # Errors
    ///
    /// Fails if the shipped user-agent rules cannot be compiled.
    pub fn new() -> anyhow::Result<Classifier> {
        let agents = user_agent::UserAgentParser::new()?;
        request::warm_up();
        Ok(Classifier {
            agents,
            verdicts: quick_cache::sync::Cache::new(VERDICT_CACHE_ENTRIES),
            referrers: quick_cache::sync::Cache::new(VERDICT_CACHE_ENTRIES),
            scanners: ScannerNetworks::shipped(),
        })
    }

    /// Replaces the scanner networks, e.g. with
    /// [`ScannerNetworks::from_path`] of a configured file.
    pub fn with_scanner_networks(mut self, scanners: ScannerNetworks) -> Classifier {
        self.scanners = scanners;
        self
    }

    /// Whether `ip` lies in a known email security scanner network (Safe
    /// Links, Barracuda…: DOMAIN.md B). These scanners fetch with ordinary
    /// browser user agents, so the address is the evidence. The address is
    /// compared and forgotten.
    pub fn is_scanner_address(&self, ip: IpAddr) -> bool {
        self.scanners.contains(ip)
    }

    /// Classifies a request as [`Classifier::classify_request`] does, then
    /// reads a would-be person (or an unrecognised agent) coming from a
    /// scanner network as a scan by email (rule `scan:address`). Named
    /// fetchers, crawlers and automation keep their verdict.
    pub fn classify_request_from(&self, facts: &RequestFacts<'_>, ip: IpAddr) -> Arc<Verdict> {
        let verdict = self.classify_request(facts);
        let fooled = matches!(verdict.class, RequestClass::Person | RequestClass::Unknown);
        if fooled && self.is_scanner_address(ip) {
            return Arc::new(Verdict {
                class: RequestClass::Scan,
                channel: Some(Channel::Email),
                rule: "scan:address",
                agent: verdict.agent.clone(),
            });
        }
        verdict
    }

    /// Parses a user agent without classifying the request.
    pub fn parse_user_agent(&self, user_agent: &str) -> UserAgentInfo {
        self.agents.parse(request::normalise_user_agent(user_agent))
    }

    /// The parser behind the classifier, for callers that need raw
    /// uap-core families.
    pub fn user_agent_parser(&self) -> &user_agent::UserAgentParser {
        &self.agents
    }

    /// Classifies one request, from cache when the same method and user
    /// agent were seen before (user agents over 1 KiB are not cached).
    pub fn classify_request(&self, facts: &RequestFacts<'_>) -> Arc<Verdict> {
        if facts.user_agent.len() > MAX_CACHED_USER_AGENT_BYTES {
            return Arc::new(request::classify(&self.agents, facts));
        }
        let query = AgentKeyRef {
            method: facts.method,
            user_agent: facts.user_agent,
        };
        if let Some(hit) = self.verdicts.get(&query) {
            return hit;
        }
        let verdict = Arc::new(request::classify(&self.agents, facts));
        let key = AgentKey {
            method: facts.method,
            user_agent: facts.user_agent.to_owned(),
        };
        self.verdicts.insert(key, verdict.clone());
        verdict
    }

    /// Reads a `Referer` header into a source and medium. A referrer on one
    /// of `own_domains` (ASCII host names) is internal.
    pub fn classify_referrer(&self, referrer: &str, own_domains: &[String]) -> Source {
        referrer::classify(referrer, own_domains)
    }

    /// Reads a referrer once for storing: its host (or app package) and its
    /// source. Cached when there are no own domains to tell internal ones
    /// apart (the redirect's case), since referrers repeat heavily.
    pub fn read_referrer(&self, referrer: &str, own_domains: &[String]) -> Arc<ReadReferrer> {
        let read = || {
            Arc::new(ReadReferrer {
                host: referrer::referrer_host(referrer),
                source: referrer::classify(referrer, own_domains),
            })
        };
        if !own_domains.is_empty() || referrer.len() > MAX_CACHED_USER_AGENT_BYTES {
            return read();
        }
        if let Some(hit) = self.referrers.get(referrer) {
            return hit;
        }
        let facts = read();
        self.referrers.insert(referrer.to_owned(), facts.clone());
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

    /// Safe Links' 2018 user agent (DOMAIN.md B): desktop Chrome 57.
    const SAFE_LINKS: &str = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/57.0.2987.133 Safari/537.36";

    fn get(user_agent: &str) -> RequestFacts<'_> {
        RequestFacts {
            method: Method::Get,
            user_agent,
        }
    }

    #[test]
    fn safe_links_looks_like_a_person_by_agent_alone() {
        assert_eq!(
            CLASSIFIER.classify_request(&get(SAFE_LINKS)).class,
            RequestClass::Person
        );
    }

    #[test]
    fn safe_links_from_a_microsoft_address_is_a_scan() {
        let ip: IpAddr = "40.107.218.12".parse().unwrap();
        let verdict = CLASSIFIER.classify_request_from(&get(SAFE_LINKS), ip);
        assert_eq!(
            (verdict.class, verdict.channel, verdict.rule),
            (RequestClass::Scan, Some(Channel::Email), "scan:address")
        );
        let elsewhere: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(
            CLASSIFIER
                .classify_request_from(&get(SAFE_LINKS), elsewhere)
                .class,
            RequestClass::Person
        );
    }

    #[test]
    fn a_named_fetcher_keeps_its_verdict_on_a_scanner_address() {
        let ip: IpAddr = "40.107.218.12".parse().unwrap();
        let verdict = CLASSIFIER.classify_request_from(&get("Twitterbot/1.0"), ip);
        assert_eq!(verdict.rule, "preview:x");
    }

    #[test]
    fn a_replaced_network_list_is_used() {
        let nets = ScannerNetworks::parse("198.51.100.0/24\n").unwrap();
        let classifier = Classifier::new().unwrap().with_scanner_networks(nets);
        assert!(classifier.is_scanner_address("198.51.100.1".parse().unwrap()));
        assert!(!classifier.is_scanner_address("40.107.218.12".parse().unwrap()));
    }

    #[test]
    fn cached_and_fresh_verdicts_agree() {
        let facts = get("WhatsApp/2.23.20.0 A");
        let first = CLASSIFIER.classify_request(&facts);
        let second = CLASSIFIER.classify_request(&facts);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(
            *first,
            request::classify(CLASSIFIER.user_agent_parser(), &facts)
        );
    }

    #[test]
    fn a_long_agent_is_classified_without_the_cache() {
        let long = format!("curl/8.5.0 {}", "x".repeat(MAX_CACHED_USER_AGENT_BYTES));
        let first = CLASSIFIER.classify_request(&get(&long));
        let second = CLASSIFIER.classify_request(&get(&long));
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(first.rule, "automation:http-client");
    }

    #[test]
    fn the_method_is_part_of_the_cache_key() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        let get = CLASSIFIER.classify_request(&get(ua));
        let head = CLASSIFIER.classify_request(&RequestFacts {
            method: Method::Head,
            user_agent: ua,
        });
        assert_eq!(get.class, RequestClass::Person);
        assert_eq!(head.class, RequestClass::Scan);
    }
}
