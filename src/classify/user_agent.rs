//! User agent → device class, OS, browser and in-app browser.
//!
//! Browser, OS and device families come from uap-core's `regexes.yaml`
//! (Apache-2.0), run by the `ua-parser` crate. The rules ship inside the
//! binary as JSON (`data/uap-core/regexes.json`, converted once by
//! `scripts/uap-regexes-to-json.py`), so hearsay needs no YAML parser at run
//! time and nothing is read from disk. In-app browsers are found by their app
//! tokens *before* the browser family is trusted (see [`super::in_app`]):
//! uap-core has at times called Instagram "Chrome Mobile" or "Mobile Safari".

use anyhow::Context;
use serde::Serialize;

use super::Channel;
use super::in_app;

/// uap-core 0.18.0 `regexes.yaml`, converted to JSON.
const UAP_CORE_RULES: &str = include_str!("../../data/uap-core/regexes.json");

/// The family uap-core gives when no rule matches.
const OTHER: &str = "Other";

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
    /// uap-core's OS family (`iOS`, `Android`, `Windows`…), `None` when no
    /// rule matched.
    pub os: Option<String>,
    /// uap-core's browser family (`Chrome Mobile`, `Mobile Safari`…), `None`
    /// when no rule matched.
    pub browser: Option<String>,
    /// The app whose in-app browser this is (`Instagram`, `Messenger`…).
    pub in_app: Option<String>,
    /// The channel the in-app browser's app stands for, if it names one
    /// (Messenger → `messenger`; the Google app names none).
    pub in_app_channel: Option<Channel>,
}

/// The raw uap-core families of one user agent, `Other` where no rule
/// matched. Used by the corpus tests, which compare them with uap-core's
/// own expected values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentFamilies {
    pub browser: String,
    pub os: String,
    pub device: String,
}

/// Parses user agents with the shipped uap-core rules.
pub struct UserAgentParser {
    extractor: ua_parser::Extractor<'static>,
}

impl UserAgentParser {
    /// Compiles the shipped uap-core rules (a few hundred milliseconds:
    /// build one parser and share it).
    ///
    /// # Errors
    ///
    /// Fails if the embedded rules do not parse or a rule does not compile.
    pub fn new() -> anyhow::Result<UserAgentParser> {
        let rules: ua_parser::Regexes<'static> = serde_json::from_str(UAP_CORE_RULES)
            .context("reading the shipped uap-core rules (data/uap-core/regexes.json)")?;
        let extractor = ua_parser::Extractor::try_from(rules)
            .map_err(|e| anyhow::anyhow!("compiling the shipped uap-core rules: {e}"))?;
        Ok(UserAgentParser { extractor })
    }

    /// The uap-core families of a user agent, without hearsay's reading.
    pub fn families(&self, user_agent: &str) -> AgentFamilies {
        let (browser, os, device) = self.extractor.extract(user_agent);
        AgentFamilies {
            browser: browser.map_or_else(|| OTHER.to_owned(), |b| b.family.into_owned()),
            os: os.map_or_else(|| OTHER.to_owned(), |o| o.os.into_owned()),
            device: device.map_or_else(|| OTHER.to_owned(), |d| d.device.into_owned()),
        }
    }

    /// Reads a user agent: families from uap-core, the in-app browser from
    /// hearsay's token table, the device class from both.
    pub fn parse(&self, user_agent: &str) -> UserAgentInfo {
        let families = self.families(user_agent);
        let device = device_class(user_agent, &families.os, &families.device);
        let app = in_app::detect(user_agent);
        let known = |family: String| (family != OTHER).then_some(family);
        UserAgentInfo {
            device,
            os: known(families.os),
            browser: known(families.browser),
            in_app: app.map(|a| a.app.to_owned()),
            in_app_channel: app.and_then(|a| a.channel),
        }
    }
}

/// OS families that only run on phones, or on phones and tablets alike.
const HANDHELD_OS: &[&str] = &[
    "iOS",
    "Android",
    "Windows Phone",
    "Windows Mobile",
    "BlackBerry OS",
    "BlackBerry Tablet OS",
    "Symbian OS",
    "Symbian^3",
    "KaiOS",
    "Firefox OS",
    "webOS",
    "Tizen",
    "Sailfish",
    "Ubuntu Touch",
    "HarmonyOS",
    "Bada",
    "MeeGo",
    "Maemo",
];

/// OS families of desktop and laptop computers.
const DESKTOP_OS: &[&str] = &[
    "Windows",
    "Mac OS X",
    "Mac OS",
    "Linux",
    "Ubuntu",
    "Debian",
    "Fedora",
    "Red Hat",
    "SUSE",
    "openSUSE",
    "Mint",
    "Gentoo",
    "Slackware",
    "Mandriva",
    "Kubuntu",
    "Arch Linux",
    "Chrome OS",
    "FreeBSD",
    "OpenBSD",
    "NetBSD",
    "Solaris",
    "SunOS",
];

/// The device class of a user agent, given its uap-core OS and device
/// families.
///
/// uap-core names device *families* (`iPhone`, `Samsung SM-T510`,
/// `Spider`), not classes, so the class follows common conventions: the
/// `Spider` family is a bot; iPads, Kindles, `Tablet` tokens and Android
/// without the `Mobile` token (Google's rule for its own tablets) are
/// tablets; `Mobi`, iPhone, iPod and handheld OS families are mobile;
/// desktop OS families are desktop. Anything else is unknown.
pub fn device_class(user_agent: &str, os_family: &str, device_family: &str) -> DeviceClass {
    if device_family == "Spider" {
        return DeviceClass::Bot;
    }

    let has = |token: &str| user_agent.contains(token);
    let tablet_family = device_family == "iPad"
        || device_family.starts_with("Kindle")
        || device_family.contains("Tablet")
        || device_family.contains("Galaxy Tab");
    if tablet_family || has("iPad") || (has("Tablet") && !has("Tablet PC")) {
        return DeviceClass::Tablet;
    }
    if has("Mobi") || has("iPhone") || has("iPod") || device_family == "iPhone" {
        return DeviceClass::Mobile;
    }
    if os_family == "Android" && !has("Mobile") {
        return DeviceClass::Tablet;
    }
    if HANDHELD_OS.contains(&os_family) {
        return DeviceClass::Mobile;
    }
    if DESKTOP_OS.contains(&os_family) || has("Windows NT") || has("Macintosh") || has("X11") {
        return DeviceClass::Desktop;
    }
    DeviceClass::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static PARSER: LazyLock<UserAgentParser> = LazyLock::new(|| UserAgentParser::new().unwrap());

    const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

    #[test]
    fn reads_an_iphone_safari() {
        let info = PARSER.parse(IPHONE_SAFARI);
        assert_eq!(info.device, DeviceClass::Mobile);
        assert_eq!(info.os.as_deref(), Some("iOS"));
        assert_eq!(info.browser.as_deref(), Some("Mobile Safari"));
        assert_eq!(info.in_app, None);
    }

    #[test]
    fn reads_a_desktop_chrome() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
            (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        let info = PARSER.parse(ua);
        assert_eq!(info.device, DeviceClass::Desktop);
        assert_eq!(info.os.as_deref(), Some("Windows"));
        assert_eq!(info.browser.as_deref(), Some("Chrome"));
    }

    #[test]
    fn reads_an_ipad_as_a_tablet() {
        let ua = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
        assert_eq!(PARSER.parse(ua).device, DeviceClass::Tablet);
    }

    #[test]
    fn reads_an_android_without_mobile_as_a_tablet() {
        let ua = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 \
            (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(PARSER.parse(ua).device, DeviceClass::Tablet);
    }

    #[test]
    fn reads_googlebot_as_a_bot() {
        let ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assert_eq!(PARSER.parse(ua).device, DeviceClass::Bot);
    }

    #[test]
    fn finds_the_in_app_browser_before_the_browser_family() {
        // DOMAIN.md C, Instagram on iOS (isbot browsers.yml).
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) \
            AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 123.1.0.26.115 \
            (iPhone11,8; iOS 13_3; en_US; en-US; scale=2.00; 828x1792; 190542906)";
        let info = PARSER.parse(ua);
        assert_eq!(info.in_app.as_deref(), Some("Instagram"));
        assert_eq!(info.in_app_channel, Some(Channel::Instagram));
        assert_eq!(info.device, DeviceClass::Mobile);
    }

    #[test]
    fn an_unrecognised_agent_has_no_families() {
        let info = PARSER.parse("xq7-zz");
        assert_eq!(info.os, None);
        assert_eq!(info.browser, None);
        assert_eq!(info.device, DeviceClass::Unknown);
    }
}
