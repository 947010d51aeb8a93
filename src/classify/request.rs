//! The ordered request rules: person, preview (with channel), scan,
//! crawler, automation, unknown (DOMAIN.md A.3, B, C).
//!
//! The order, first match wins:
//!
//! 1. hearsay's named user-agent rules ([`super::agent_rules`]): preview
//!    fetchers (co-tokens first), email scanners and proxies, automation,
//!    named crawlers. These hold for any method: a fetcher that names itself
//!    is what it says, HEAD or GET.
//! 2. An empty user agent is a machine: `unknown` (rule `ua:empty`) for a
//!    GET, since nothing says which kind of machine; `scan` for a HEAD.
//! 3. The fuzzy bot evidence, only when no in-app browser token is present
//!    (an in-app user is a person even where a list says otherwise): the
//!    crawler-user-agents list, uap-core's `Spider` device, and generic bot
//!    words (`bot`, `crawler`, `spider`, a URL in the agent).
//! 4. A HEAD that nothing above named is a `scan` (rule `method:head`): no
//!    person's click is a HEAD (Office apps, Safe Links, X's follow-ups).
//! 5. An in-app browser is a person, with the app's channel.
//! 6. What is left is a person: `person:browser` when uap-core recognises a
//!    browser or OS, `person:unrecognised` otherwise (odd browsers, set-top
//!    boxes, hand-set strings). Machines are recognised by evidence, as the
//!    bot lists do; the rule name lets reports set the second kind apart.

use std::sync::LazyLock;

use regex::Regex;

use super::user_agent::UserAgentParser;
use super::{Channel, Method, RequestClass, RequestFacts, Verdict, agent_rules, crawler_list};

/// Collector artefacts some corpora append to real user agents
/// (DOMAIN.md A.2, iMessage row): removed before matching.
static ARTEFACTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:,gzip\(gfe\)|\s*\[ip:[^\]]*\])+$").expect("artefact pattern compiles")
});

/// Words that mark a machine in agents no list names.
static GENERIC_BOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)bot\b|bot[/_-]|crawl|spider|scrap|slurp|fetcher|extractor|exractor|siphon|",
        r"transcoder|screenshot|link ?check|checker|validator|monitor|probe|analyzer|",
        r"resolver|lookup|scanner|unshorten|healthcheck|benchmark|bench/|\bseo|",
        r"https?://|\+http|\bwww\.[a-z0-9-]+\.[a-z]|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}",
    ))
    .expect("generic bot pattern compiles")
});

/// Phone makers and products whose names contain a bot word.
static GENERIC_BOT_EXCEPTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bCUBOT|\bbotswana").expect("exception pattern compiles"));

/// Browsers uap-core's `Spider` device rules mistake for crawlers: the Amiga
/// browser Voyager shares its name with a crawler.
static SPIDER_EXCEPTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)amigaos").expect("exception pattern compiles"));

/// Strips whitespace and collector artefacts from a user agent.
pub fn normalise_user_agent(user_agent: &str) -> &str {
    let trimmed = user_agent.trim();
    match ARTEFACTS.find(trimmed) {
        Some(found) => trimmed[..found.start()].trim_end(),
        None => trimmed,
    }
}

/// Classifies one request; the first rule that matches wins.
pub fn classify(agents: &UserAgentParser, facts: &RequestFacts<'_>) -> Verdict {
    let ua = normalise_user_agent(facts.user_agent);
    let agent = agents.parse(ua);
    let verdict = |class, channel, rule| Verdict {
        class,
        channel,
        rule,
        agent: agent.clone(),
    };
    let head = facts.method == Method::Head;

    if let Some(named) = agent_rules::first_match(ua) {
        return verdict(named.class, named.channel, named.rule);
    }

    if ua.is_empty() {
        return if head {
            verdict(RequestClass::Scan, None, "method:head")
        } else {
            verdict(RequestClass::Unknown, None, "ua:empty")
        };
    }

    if agent.in_app.is_none()
        && let Some(rule) = bot_evidence(ua, agent.device)
    {
        return verdict(RequestClass::Crawler, None, rule);
    }

    if head {
        return verdict(RequestClass::Scan, None, "method:head");
    }

    if let Some(app) = super::in_app::detect(ua) {
        return verdict(RequestClass::Person, app.channel, app.rule);
    }

    if agent.browser.is_some() || agent.os.is_some() {
        return verdict(RequestClass::Person, None, "person:browser");
    }
    verdict(RequestClass::Person, None, "person:unrecognised")
}

/// The fuzzy evidence that an agent is a crawler, weakest last.
fn bot_evidence(ua: &str, device: super::DeviceClass) -> Option<&'static str> {
    if crawler_list::is_listed_crawler(ua) {
        return Some("crawler:list");
    }
    if device == super::DeviceClass::Bot && !SPIDER_EXCEPTIONS.is_match(ua) {
        return Some("crawler:uap-spider");
    }
    if GENERIC_BOT.is_match(ua) && !GENERIC_BOT_EXCEPTIONS.is_match(ua) {
        return Some("crawler:generic");
    }
    None
}

/// Whether a verdict's channel should be read as a share's channel: only
/// previews name where a share went (a person's in-app browser names where
/// the click came from).
pub fn preview_channel(verdict: &Verdict) -> Option<Channel> {
    (verdict.class == RequestClass::Preview)
        .then_some(verdict.channel)
        .flatten()
}

/// Compiles every lazily built table now, so the first request on the hot
/// path does not pay for it.
pub fn warm_up() {
    agent_rules::warm_up();
    crawler_list::warm_up();
    LazyLock::force(&ARTEFACTS);
    LazyLock::force(&GENERIC_BOT);
    LazyLock::force(&GENERIC_BOT_EXCEPTIONS);
    LazyLock::force(&SPIDER_EXCEPTIONS);
}

#[cfg(test)]
mod tests {
    use super::*;

    static AGENTS: LazyLock<UserAgentParser> = LazyLock::new(|| UserAgentParser::new().unwrap());

    const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

    fn get(ua: &str) -> Verdict {
        classify(
            &AGENTS,
            &RequestFacts {
                method: Method::Get,
                user_agent: ua,
            },
        )
    }

    fn head(ua: &str) -> Verdict {
        classify(
            &AGENTS,
            &RequestFacts {
                method: Method::Head,
                user_agent: ua,
            },
        )
    }

    fn said(v: &Verdict) -> (RequestClass, Option<Channel>, &'static str) {
        (v.class, v.channel, v.rule)
    }

    use Channel as C;
    use RequestClass as K;

    #[test]
    fn whatsapp_android_is_a_whatsapp_preview() {
        assert_eq!(
            said(&get("WhatsApp/2.23.20.0 A")),
            (K::Preview, Some(C::Whatsapp), "preview:whatsapp")
        );
    }

    #[test]
    fn whatsapp_ios_forms_are_whatsapp_previews() {
        for ua in [
            "WhatsApp/2.16.16/i",
            "WhatsApp/2.20.70 i",
            "whatsapp/2.2123.8 n",
            "whatsapp/784941593 cfnetwork/3826.600.41 darwin/24.6.0",
        ] {
            assert_eq!(said(&get(ua)).1, Some(C::Whatsapp), "{ua}");
            assert_eq!(get(ua).class, K::Preview, "{ua}");
        }
    }

    #[test]
    fn bare_whatsapp_is_signal() {
        assert_eq!(
            said(&get("WhatsApp")),
            (K::Preview, Some(C::Signal), "preview:signal")
        );
        assert_eq!(
            said(&get("WhatsApp/2")),
            (K::Preview, Some(C::Signal), "preview:signal")
        );
    }

    #[test]
    fn facebookexternalhit_is_a_meta_preview() {
        let v = get("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)");
        assert_eq!(said(&v), (K::Preview, Some(C::Facebook), "preview:meta"));
    }

    #[test]
    fn line_poker_is_line_not_facebook() {
        assert_eq!(
            said(&get("facebookexternalhit/1.1;line-poker/1.0")),
            (K::Preview, Some(C::Line), "preview:line")
        );
        // The same string as a collector stored it.
        assert_eq!(
            said(&get("facebookexternalhit/1.1;line-poker/1.0,gzip(gfe)")),
            (K::Preview, Some(C::Line), "preview:line")
        );
    }

    #[test]
    fn imessage_sends_facebook_and_twitter_tokens() {
        let ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 \
            (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 \
            Facebot Twitterbot/1.0";
        assert_eq!(
            said(&get(ua)),
            (K::Preview, Some(C::Imessage), "preview:imessage")
        );
    }

    #[test]
    fn kakaotalk_prefixes_facebookexternalhit() {
        let ua = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984";
        assert_eq!(said(&get(ua)).1, Some(C::Kakaotalk));
    }

    #[test]
    fn meta_externalagent_is_a_crawler_not_a_share() {
        let v = get(
            "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        );
        assert_eq!(said(&v), (K::Crawler, None, "crawler:meta"));
    }

    #[test]
    fn twitterbot_is_an_x_preview() {
        assert_eq!(
            said(&get("Twitterbot/1.0")),
            (K::Preview, Some(C::X), "preview:x")
        );
    }

    #[test]
    fn telegram_is_not_x_despite_its_like_twitterbot() {
        assert_eq!(
            said(&get("TelegramBot (like TwitterBot)")),
            (K::Preview, Some(C::Telegram), "preview:telegram")
        );
    }

    #[test]
    fn discord_proxy_poses_as_firefox_38() {
        let ua =
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.10; rv:38.0) Gecko/20100101 Firefox/38.0";
        assert_eq!(
            said(&get(ua)),
            (K::Preview, Some(C::Discord), "preview:discord-proxy")
        );
    }

    #[test]
    fn headless_chrome_is_automation() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
            HeadlessChrome/88.0.4298.0 Safari/537.36";
        assert_eq!(said(&get(ua)), (K::Automation, None, "automation:headless"));
    }

    #[test]
    fn curl_is_automation() {
        assert_eq!(
            said(&get("curl/8.5.0")),
            (K::Automation, None, "automation:http-client")
        );
    }

    #[test]
    fn uptime_robot_is_a_monitor() {
        let v = get("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)");
        assert_eq!(said(&v), (K::Automation, None, "automation:monitor"));
    }

    #[test]
    fn head_with_iphone_safari_is_not_a_person() {
        assert_eq!(said(&head(IPHONE_SAFARI)), (K::Scan, None, "method:head"));
    }

    #[test]
    fn head_with_empty_agent_is_a_scan() {
        assert_eq!(said(&head("")), (K::Scan, None, "method:head"));
    }

    #[test]
    fn head_by_a_named_fetcher_stays_what_it_is() {
        assert_eq!(
            said(&head("Twitterbot/1.0")),
            (K::Preview, Some(C::X), "preview:x")
        );
    }

    #[test]
    fn empty_agent_is_an_unknown_machine() {
        assert_eq!(said(&get("")), (K::Unknown, None, "ua:empty"));
        assert_eq!(said(&get("   ")), (K::Unknown, None, "ua:empty"));
    }

    #[test]
    fn iphone_safari_get_is_a_person() {
        assert_eq!(
            said(&get(IPHONE_SAFARI)),
            (K::Person, None, "person:browser")
        );
    }

    #[test]
    fn bare_mozilla_is_apple_mail_privacy_protection() {
        assert_eq!(
            said(&get("Mozilla/5.0")),
            (K::Scan, Some(C::Email), "scan:bare-mozilla")
        );
    }

    /// Machines from the real 2015 access log (tests/fixtures) that read
    /// as people before these rules.
    #[test]
    fn machines_of_the_real_log() {
        assert_eq!(
            said(&get("Mozilla/4.0 (compatible;)")).2,
            "automation:stub-agent"
        );
        assert_eq!(said(&get("Mozilla/4.0")).2, "automation:stub-agent");
        assert_eq!(said(&get("fetch libfetch/2.0")).2, "automation:http-client");
        assert_eq!(said(&get("portscout/0.8.1")).0, K::Crawler);
        assert_eq!(said(&get("Robosourcer/1.0")).0, K::Crawler);
        // A text browser is still a person.
        let lynx = "Lynx/2.8.7rel.2 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/1.0.1f";
        assert_eq!(said(&get(lynx)).0, K::Person);
    }

    #[test]
    fn office_discovery_is_a_scan() {
        assert_eq!(get("Microsoft Office Existence Discovery").class, K::Scan);
        assert_eq!(
            get("Mozilla/4.0 (compatible; ms-office; MSOffice 16)").class,
            K::Scan
        );
    }

    #[test]
    fn bingpreview_is_a_scan() {
        let ua = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b";
        assert_eq!(
            said(&get(ua)),
            (K::Scan, Some(C::Email), "scan:bingpreview")
        );
    }

    #[test]
    fn messenger_in_app_is_a_person_on_messenger() {
        let ua = "Mozilla/5.0 (Linux; Android 7.0; SM-G930F Build/NRD90M; wv) \
            AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/64.0.3282.137 \
            Mobile Safari/537.36 [FB_IAB/MESSENGER;FBAV/120.0.0.14.84;]";
        assert_eq!(
            said(&get(ua)),
            (K::Person, Some(C::Messenger), "person:in-app:messenger")
        );
    }

    #[test]
    fn viber_in_app_is_a_person_though_a_list_says_bot() {
        let ua = "Mozilla/5.0 (Linux; Android 7.1.2; G011A Build/N2G48H; wv) AppleWebKit/537.36 \
            (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.158 Safari/537.36 Viber/11.9.5.8";
        assert_eq!(
            said(&get(ua)),
            (K::Person, Some(C::Viber), "person:in-app:viber")
        );
        assert_eq!(
            said(&get("Viber")),
            (K::Preview, Some(C::Viber), "preview:viber")
        );
    }

    #[test]
    fn googlebot_is_a_crawler() {
        let v = get("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        assert_eq!(said(&v), (K::Crawler, None, "crawler:search"));
    }

    #[test]
    fn a_cubot_phone_is_a_person() {
        let ua = "Mozilla/5.0 (Linux; Android 10; CUBOT P40) AppleWebKit/537.36 \
            (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
        assert_eq!(get(ua).class, K::Person);
    }

    #[test]
    fn normalising_strips_collector_artefacts() {
        assert_eq!(normalise_user_agent("  Viber,gzip(gfe) "), "Viber");
        assert_eq!(
            normalise_user_agent("WhatsApp/2 [ip:1.2.3.4]"),
            "WhatsApp/2"
        );
    }

    #[test]
    fn only_previews_name_a_share_channel() {
        assert_eq!(preview_channel(&get("Twitterbot/1.0")), Some(C::X));
        let in_app = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_4_1 like Mac OS X) \
            AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]";
        assert_eq!(get(in_app).channel, Some(C::Linkedin));
        assert_eq!(preview_channel(&get(in_app)), None);
    }
}
