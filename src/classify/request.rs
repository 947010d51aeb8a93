//! The ordered request rules: person, preview (with channel), scan,
//! crawler, automation, unknown (DOMAIN.md A.3).
//!
//! TODO(#4): placeholder rules until the full rule set lands.

use super::user_agent::UserAgentParser;
use super::{Channel, Method, RequestClass, RequestFacts, Verdict};

/// Classifies one request; the first rule that matches wins.
pub fn classify(agents: &UserAgentParser, facts: &RequestFacts<'_>) -> Verdict {
    let agent = agents.parse(facts.user_agent);
    let ua = facts.user_agent;
    let (class, channel, rule) = if ua.trim().is_empty() {
        (RequestClass::Unknown, None, "ua:empty")
    } else if ua.starts_with("WhatsApp/") {
        (
            RequestClass::Preview,
            Some(Channel::Whatsapp),
            "preview:whatsapp",
        )
    } else if facts.method == Method::Head {
        (RequestClass::Scan, None, "method:head")
    } else {
        (RequestClass::Person, None, "person:browser")
    };
    Verdict {
        class,
        channel,
        rule,
        agent,
    }
}
