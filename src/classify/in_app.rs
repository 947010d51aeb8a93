//! In-app browsers: the app tokens that say a person opened a link inside an
//! app (DOMAIN.md C), and the channel each app stands for.
//!
//! The table is checked before any browser family is trusted and before the
//! fuzzy bot lists, because in-app user agents carry ordinary browser tokens
//! and sometimes words that naive bot lists match (`Viber`, device build ids).

use std::sync::LazyLock;

use regex::RegexSet;

use super::Channel;

/// One app whose in-app browser hearsay recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InAppBrowser {
    /// The app's display name, e.g. `Messenger`.
    pub app: &'static str,
    /// The channel the app stands for, if any.
    pub channel: Option<Channel>,
    /// The rule name a verdict carries, e.g. `person:in-app:messenger`.
    pub rule: &'static str,
}

const fn app(app: &'static str, channel: Option<Channel>, rule: &'static str) -> InAppBrowser {
    InAppBrowser { app, channel, rule }
}

/// App tokens in order: the first that matches wins, so Messenger's tokens
/// come before Facebook's (Messenger's user agents carry `FBAV/` too).
const IN_APP_BROWSERS: &[(&str, InAppBrowser)] = &[
    (
        r"FBAN/Messenger|FB_IAB/MESSENGER|FBAN/MessengerLiteForiOS",
        app(
            "Messenger",
            Some(Channel::Messenger),
            "person:in-app:messenger",
        ),
    ),
    (
        r"FBAN/|FB_IAB/|FBAV/|FBIOS|FB4A",
        app(
            "Facebook",
            Some(Channel::Facebook),
            "person:in-app:facebook",
        ),
    ),
    (
        r"\bInstagram \d",
        app(
            "Instagram",
            Some(Channel::Instagram),
            "person:in-app:instagram",
        ),
    ),
    (
        r"\bBarcelona \d[\d.]* ",
        app("Threads", Some(Channel::Threads), "person:in-app:threads"),
    ),
    (
        r"\bLine/\d",
        app("LINE", Some(Channel::Line), "person:in-app:line"),
    ),
    (
        r"MicroMessenger/|WindowsWechat|MacWechat|wxwork/",
        app("WeChat", Some(Channel::Wechat), "person:in-app:wechat"),
    ),
    (
        r"(?i)\bkakaotalk/",
        app(
            "KakaoTalk",
            Some(Channel::Kakaotalk),
            "person:in-app:kakaotalk",
        ),
    ),
    (
        r"Telegram-Android/|Telegram-iOS/",
        app(
            "Telegram",
            Some(Channel::Telegram),
            "person:in-app:telegram",
        ),
    ),
    (
        r"\bViber(/\d|$)",
        app("Viber", Some(Channel::Viber), "person:in-app:viber"),
    ),
    (
        r"\bSnapchat/\d",
        app(
            "Snapchat",
            Some(Channel::Snapchat),
            "person:in-app:snapchat",
        ),
    ),
    (
        r"musical_ly|\btrill_\d|BytedanceWebview|\bTikTok",
        app("TikTok", Some(Channel::Tiktok), "person:in-app:tiktok"),
    ),
    (
        r"\[LinkedInApp\]|LinkedInApp/",
        app(
            "LinkedIn",
            Some(Channel::Linkedin),
            "person:in-app:linkedin",
        ),
    ),
    (
        r"Twitter for iP(hone|ad)|TwitterAndroid",
        app("X", Some(Channel::X), "person:in-app:x"),
    ),
    (
        r"\[Pinterest/(iOS|Android)|Pinterest for (Android|iOS)",
        app(
            "Pinterest",
            Some(Channel::Pinterest),
            "person:in-app:pinterest",
        ),
    ),
    (
        r"GeminiiOS|GoogleWv/",
        app("Gemini", None, "person:in-app:gemini"),
    ),
    (r"\bGSA/\d", app("Google", None, "person:in-app:google")),
    (
        r"GNews (Android|iOS)/",
        app("Google News", None, "person:in-app:google-news"),
    ),
    (r"NAVER\(inapp", app("Naver", None, "person:in-app:naver")),
    (
        r"\bTeams/\d",
        app(
            "Microsoft Teams",
            Some(Channel::Teams),
            "person:in-app:teams",
        ),
    ),
    (
        r"Slack_SSB/|\bSlack/\d\S* .*Electron/",
        app("Slack", Some(Channel::Slack), "person:in-app:slack"),
    ),
    (
        r"\bdiscord/\d\S* .*Electron/",
        app("Discord", Some(Channel::Discord), "person:in-app:discord"),
    ),
    (
        r"Outlook-iOS|Outlook-Android",
        app("Outlook", Some(Channel::Email), "person:in-app:outlook"),
    ),
    (
        r"YahooMobileMail",
        app(
            "Yahoo Mail",
            Some(Channel::Email),
            "person:in-app:yahoo-mail",
        ),
    ),
];

static TOKENS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(IN_APP_BROWSERS.iter().map(|(pattern, _)| *pattern))
        .expect("in-app browser patterns compile")
});

/// The in-app browser a user agent belongs to, if any.
pub fn detect(user_agent: &str) -> Option<InAppBrowser> {
    let first = TOKENS.matches(user_agent).iter().next()?;
    Some(IN_APP_BROWSERS[first].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_of(ua: &str) -> Option<&'static str> {
        detect(ua).map(|a| a.app)
    }

    #[test]
    fn messenger_wins_over_facebook() {
        // DOMAIN.md C, uap-core test_ua.yaml: Messenger carries FBAV too.
        let ua = "Mozilla/5.0 (Linux; Android 7.0; SM-G930F Build/NRD90M; wv) \
            AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/64.0.3282.137 \
            Mobile Safari/537.36 [FB_IAB/MESSENGER;FBAV/120.0.0.14.84;]";
        assert_eq!(app_of(ua), Some("Messenger"));
        assert_eq!(detect(ua).unwrap().channel, Some(Channel::Messenger));
    }

    #[test]
    fn facebook_android() {
        let ua = "Mozilla/5.0 (Linux; Android 9; SM-G950U Build/PPR1.180610.011; wv) \
            AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0.3987.149 \
            Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/263.0.0.46.121;]";
        assert_eq!(app_of(ua), Some("Facebook"));
    }

    #[test]
    fn line_needs_its_slash() {
        assert_eq!(
            app_of("Mozilla/5.0 (Linux; Android 8.0.0) Mobile Safari/537.36 Line/6.4.1"),
            Some("LINE")
        );
        // LINE's crawler is no in-app browser.
        assert_eq!(
            app_of("Mozilla/5.0 (compatible; Linespider/1.1; +https://lin.ee/4dwXkTH)"),
            None
        );
    }

    #[test]
    fn viber_desktop_ends_with_a_bare_token() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) \
            QtWebEngine/5.6.0 Chrome/45.0.2454.101 Safari/537.36 Viber";
        assert_eq!(app_of(ua), Some("Viber"));
    }

    #[test]
    fn google_app_names_no_channel() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) GSA/102.0.304944559 Mobile/15E148 Safari/604.1";
        let found = detect(ua).unwrap();
        assert_eq!(found.app, "Google");
        assert_eq!(found.channel, None);
    }

    #[test]
    fn plain_safari_is_no_app() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(app_of(ua), None);
    }
}
