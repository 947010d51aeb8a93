//! User agent → device class, OS, browser and in-app browser.
//!
//! TODO(#4): placeholder until the uap-core rules are wired in.

use serde::Serialize;

/// The kind of device a user agent runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    Mobile,
    Tablet,
    Desktop,
    Bot,
    #[default]
    Unknown,
}

impl DeviceClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Desktop => "desktop",
            DeviceClass::Bot => "bot",
            DeviceClass::Unknown => "unknown",
        }
    }
}

/// What a user agent says about the software that sent it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UserAgentInfo {
    pub device: DeviceClass,
    pub os: Option<String>,
    pub browser: Option<String>,
    /// The app whose in-app browser this is (`Instagram`, `Messenger`…).
    pub in_app: Option<String>,
}

/// Parses user agents with the shipped rules.
pub struct UserAgentParser {}

impl UserAgentParser {
    pub fn new() -> anyhow::Result<UserAgentParser> {
        Ok(UserAgentParser {})
    }

    pub fn parse(&self, _user_agent: &str) -> UserAgentInfo {
        UserAgentInfo::default()
    }
}
