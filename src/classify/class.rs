//! The request classes of DESIGN.md: what made a request.

use serde::{Deserialize, Serialize};

/// What made a request. A person's request for a link is a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestClass {
    Person,
    Preview,
    Scan,
    Crawler,
    Automation,
    Unknown,
}

impl RequestClass {
    pub const ALL: [RequestClass; 6] = [
        RequestClass::Person,
        RequestClass::Preview,
        RequestClass::Scan,
        RequestClass::Crawler,
        RequestClass::Automation,
        RequestClass::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestClass::Person => "person",
            RequestClass::Preview => "preview",
            RequestClass::Scan => "scan",
            RequestClass::Crawler => "crawler",
            RequestClass::Automation => "automation",
            RequestClass::Unknown => "unknown",
        }
    }

    pub fn parse(name: &str) -> Option<RequestClass> {
        RequestClass::ALL.into_iter().find(|c| c.as_str() == name)
    }
}
