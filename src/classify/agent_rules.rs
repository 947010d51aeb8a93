//! hearsay's own named user-agent rules, as one ordered table: preview
//! fetchers with their channels (DOMAIN.md A.2–A.3), email scanners and
//! privacy proxies (B), automation (scripts, headless browsers, monitors)
//! and well-known crawlers. The first rule that matches wins, so co-token
//! rules (iMessage's, LINE's, KakaoTalk's strings contain
//! `facebookexternalhit`) come before the plain ones.

use std::sync::LazyLock;

use regex::RegexSet;

use super::{Channel, RequestClass};

/// One row of the table: a pattern (Rust `regex` syntax, matched against the
/// normalised user agent) and what a match means.
#[derive(Clone, Copy, Debug)]
pub struct AgentRule {
    pub pattern: &'static str,
    pub class: RequestClass,
    pub channel: Option<Channel>,
    /// The name a verdict carries, e.g. `preview:imessage`.
    pub rule: &'static str,
}

const fn rule(
    pattern: &'static str,
    class: RequestClass,
    channel: Option<Channel>,
    rule: &'static str,
) -> AgentRule {
    AgentRule {
        pattern,
        class,
        channel,
        rule,
    }
}

use Channel as C;
use RequestClass::{Automation, Crawler, Preview, Scan};

/// The ordered table. Patterns are case-sensitive unless marked `(?i)`;
/// some corpora store fetchers lower-cased, so the Meta family is not.
pub const AGENT_RULES: &[AgentRule] = &[
    // A.3 1–2: co-tokens of facebookexternalhit, before Meta itself.
    rule(
        r"(?i)facebookexternalhit.*twitterbot|twitterbot.*facebookexternalhit",
        Preview,
        Some(C::Imessage),
        "preview:imessage",
    ),
    rule(
        r"(?i)facebookexternalhit.*line-poker",
        Preview,
        Some(C::Line),
        "preview:line",
    ),
    rule(
        r"(?i)facebookexternalhit.*kakaotalk-scrap",
        Preview,
        Some(C::Kakaotalk),
        "preview:kakaotalk",
    ),
    // Naver Talk has no channel of its own in hearsay's list.
    rule(
        r"(?i)facebookexternalhit.*navertalk",
        Preview,
        Some(C::Other),
        "preview:naver-talk",
    ),
    // LINE WORKS, LINE's sibling for companies, is counted as LINE.
    rule(
        r"(?i)facebookexternalhit.*worksogcrawler",
        Preview,
        Some(C::Line),
        "preview:line-works",
    ),
    // A.3 3: Meta's general and AI crawler is never a share.
    rule(
        r"(?i)meta-externalagent|meta-externalads|facebookcatalog|\bFacebookBot\b",
        Crawler,
        None,
        "crawler:meta",
    ),
    rule(
        r"(?i)facebookexternalhit|\bfacebot\b|facebookplatform|meta-externalfetcher|meta-externalhit",
        Preview,
        Some(C::Facebook),
        "preview:meta",
    ),
    // A.3 4–5: Signal impersonates WhatsApp without a platform letter.
    rule(
        r"(?i)^whatsapp(/2)?$",
        Preview,
        Some(C::Signal),
        "preview:signal",
    ),
    rule(
        r"(?i)^whatsapp/\d[\d.]*[ /][a-z]",
        Preview,
        Some(C::Whatsapp),
        "preview:whatsapp",
    ),
    // The old Electron desktop app: its own fetch of the preview (DOMAIN.md
    // calls it ambiguous; a person's click would open the system browser).
    rule(
        r"WhatsApp/[\d.]+ Chrome/.*Electron/",
        Preview,
        Some(C::Whatsapp),
        "preview:whatsapp-desktop",
    ),
    rule(
        r"(?i)^whatsapp/\d",
        Preview,
        Some(C::Whatsapp),
        "preview:whatsapp-unmarked",
    ),
    // A.3 6.
    rule(
        r"TelegramBot",
        Preview,
        Some(C::Telegram),
        "preview:telegram",
    ),
    rule(
        r"Slack-ImgProxy",
        Preview,
        Some(C::Slack),
        "preview:slack-image",
    ),
    rule(
        r"Slackbot-LinkExpanding|^Slackbot ",
        Preview,
        Some(C::Slack),
        "preview:slack",
    ),
    rule(r"Discordbot", Preview, Some(C::Discord), "preview:discord"),
    // Discord's image proxy poses as Firefox 38 on a Mac; the exact string
    // is effectively Discord's signature (discord-api-docs#1600).
    rule(
        r"^Mozilla/5\.0 \(Macintosh; Intel Mac OS X 10\.10; rv:38\.0\) Gecko/20100101 Firefox/38\.0$",
        Preview,
        Some(C::Discord),
        "preview:discord-proxy",
    ),
    rule(r"SkypeUriPreview", Preview, Some(C::Teams), "preview:teams"),
    rule(
        r"LinkedInBot",
        Preview,
        Some(C::Linkedin),
        "preview:linkedin",
    ),
    rule(r"(?i)twitterbot", Preview, Some(C::X), "preview:x"),
    // `Viber/… CFNetwork/…` is the iOS app's own HTTP stack, not its browser:
    // read like WhatsApp's iOS fetcher (DOMAIN.md calls it ambiguous).
    rule(
        r"^Viber$|ViberUrlDownloader|^Viber/[\d.]+ CFNetwork/",
        Preview,
        Some(C::Viber),
        "preview:viber",
    ),
    rule(
        r"Snap URL Preview|SnapURLPreview|appid: s~snapchat-proxy",
        Preview,
        Some(C::Snapchat),
        "preview:snapchat",
    ),
    rule(r"Mastodon/", Preview, Some(C::Mastodon), "preview:mastodon"),
    rule(
        r"(?i)cardyb|blueskypreviewbot",
        Preview,
        Some(C::Bluesky),
        "preview:bluesky",
    ),
    rule(
        r"^Pinterest/0\.|Pinterestbot",
        Preview,
        Some(C::Pinterest),
        "preview:pinterest",
    ),
    rule(r"redditbot", Preview, Some(C::Reddit), "preview:reddit"),
    rule(
        r"Yahoo Link Preview",
        Preview,
        Some(C::Email),
        "preview:yahoo-mail",
    ),
    rule(
        r"Google-Chat",
        Preview,
        Some(C::Other),
        "preview:google-chat",
    ),
    rule(
        r"Quora Link Preview|Chatwork LinkPreview|Mattermost-Bot|Iframely|Embedly|BufferLinkPreviewBot|vkShare|bitlybot",
        Preview,
        Some(C::Other),
        "preview:other",
    ),
    // Which Microsoft product sends MicrosoftPreview is not known.
    rule(r"MicrosoftPreview", Preview, None, "preview:microsoft"),
    rule(
        r"Google-PageRenderer",
        Preview,
        None,
        "preview:google-pagerenderer",
    ),
    // B: email security scanners, mail image proxies, Office's discovery
    // requests. A scan by a mail system says the link went by email.
    rule(r"BingPreview", Scan, Some(C::Email), "scan:bingpreview"),
    rule(
        r"^Microsoft Office\b|\bms-office\b|MSOffice \d",
        Scan,
        None,
        "scan:office",
    ),
    rule(r"Barracuda", Scan, Some(C::Email), "scan:barracuda"),
    rule(
        r"GoogleImageProxy",
        Scan,
        Some(C::Email),
        "scan:gmail-image-proxy",
    ),
    rule(
        r"YahooMailProxy",
        Scan,
        Some(C::Email),
        "scan:yahoo-mail-proxy",
    ),
    // Apple Mail Privacy Protection sends exactly `Mozilla/5.0`.
    rule(r"^Mozilla/5\.0$", Scan, Some(C::Email), "scan:bare-mozilla"),
    rule(
        r"ImageProxy/|SeznamEmailProxy|RamblerMail",
        Scan,
        Some(C::Email),
        "scan:mail-proxy",
    ),
    rule(
        r"(?i)proofpoint|mimecast",
        Scan,
        Some(C::Email),
        "scan:email-gateway",
    ),
    rule(r"Google-Safety", Scan, None, "scan:google-safety"),
    // Automation: headless browsers, developer tools, HTTP libraries,
    // monitors.
    rule(
        r"HeadlessChrome|(?i:headless)|PhantomJS|SlimerJS|Puppeteer|Playwright|Selenium|WebDriver|\bjsdom/|\bsplash Version/",
        Automation,
        None,
        "automation:headless",
    ),
    rule(
        r"Chrome-Lighthouse|Google Page Speed Insights|\bPTST[/ ]\d|GTmetrix",
        Automation,
        None,
        "automation:audit",
    ),
    rule(
        r"wechatdevtools|Google-Apps-Script",
        Automation,
        None,
        "automation:devtools",
    ),
    rule(
        r"(?i)uptimerobot|pingdom|statuscake|site24x7|better ?uptime|uptime-?kuma|newrelicpinger|datadog|stackdrivermonitoring|zabbix|nagios|check_http|monitis|freshping|onlineornot|updown\.io|hetrixtools|uptime\.com|pingbreak|nodeping|webmon\b|cloudflarediagnostics",
        Automation,
        None,
        "automation:monitor",
    ),
    rule(
        r"(?i)^(curl|wget|httpie|python-requests|python-urllib|python-httpx|python/\d|aiohttp|go-http-client|okhttp|apache-httpclient|java/\d|java-http-client|libwww-perl|lwp::|ruby|faraday|axios|node-fetch|node/|undici|got |postmanruntime|insomnia|scrapy|guzzlehttp|php|winhttp|jakarta commons-httpclient|dart/|deno/|reqwest|rust-reqwest|hyper/|lua-resty|http\.rb|rest-client|powershell)|WindowsPowerShell|(?i:\bhttp-?client\b|pycurl|\bjersey/|qqdownload|libfetch)",
        Automation,
        None,
        "automation:http-client",
    ),
    // A bare product token with no platform is a script's placeholder, not
    // a browser (`Mozilla/4.0`, `Mozilla/4.0 (compatible;)`); the bare
    // `Mozilla/5.0` of Apple's mail proxy is matched above.
    rule(
        r"^Mozilla/\d(\.\d+)?( \(compatible;?\))?$",
        Automation,
        None,
        "automation:stub-agent",
    ),
    // Crawlers hearsay names itself; the long tail is left to the lists.
    rule(
        r"(?i)googlebot|adsbot-google|mediapartners-google|feedfetcher-google|google-inspectiontool|googleother|storebot-google|bingbot|msnbot|adidxbot|baiduspider|yandex(bot|images|mobilebot|accessibilitybot|renderresourcesbot|\.com/bots)|duckduckbot|duckassistbot|applebot|sogou|exabot|seznambot|yeti/|qwantify|qwantbot|bytespider|petalbot|yisouspider|360spider|coccocbot|mojeekbot|linespider",
        Crawler,
        None,
        "crawler:search",
    ),
    rule(
        r"(?i)ahrefsbot|ahrefssiteaudit|semrushbot|mj12bot|dotbot|rogerbot|screaming frog|blexbot|serpstatbot|dataforseobot|megaindex|seokicks|sistrix|barkrowler|awariobot",
        Crawler,
        None,
        "crawler:seo",
    ),
    rule(
        r"(?i)gptbot|chatgpt-user|oai-searchbot|claudebot|claude-web|claude-user|claude-searchbot|anthropic-ai|perplexitybot|perplexity-user|ccbot|amazonbot|cohere-ai|diffbot|youbot|mistralai-user|ai2bot|timpibot|imagesiftbot",
        Crawler,
        None,
        "crawler:ai",
    ),
    rule(
        r"(?i)feedly|feedbin|inoreader|newsblur|freshrss|tiny tiny rss|miniflux|feedburner|feedspot|netnewswire|\brss\b|podcast|feedparser|feedvalidator|superfeedr|bloglovin",
        Crawler,
        None,
        "crawler:feed",
    ),
    rule(
        r"(?i)\bportscout/|\brobosourcer/",
        Crawler,
        None,
        "crawler:named",
    ),
    // Google's own tools that render pages (ads checks, Search Console,
    // transcoders); Google's previews, scans and scripts matched above.
    rule(
        r"\bGoogle-[A-Za-z][A-Za-z-]+|GoogleCloudMonitoring|Google (Search Console|Wireless Transcoder|Web Preview|Favicon)|google_partner_monitoring|DuplexWeb-Google",
        Crawler,
        None,
        "crawler:google",
    ),
    rule(
        r"(?i)snapchatads|archive\.org_bot|ia_archiver|heritrix|wayback|sparkler/|whatcms/|brandverity",
        Crawler,
        None,
        "crawler:other",
    ),
];

static PATTERNS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(AGENT_RULES.iter().map(|r| r.pattern)).expect("agent rule patterns compile")
});

/// The first rule of the table that matches the user agent.
pub fn first_match(user_agent: &str) -> Option<&'static AgentRule> {
    let first = PATTERNS.matches(user_agent).iter().next()?;
    Some(&AGENT_RULES[first])
}

/// Forces the table to compile now rather than on the first lookup.
pub fn warm_up() {
    LazyLock::force(&PATTERNS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_name_is_unique_per_meaning() {
        // Two rows may share a name only if they mean the same thing.
        for a in AGENT_RULES {
            for b in AGENT_RULES {
                if a.rule == b.rule {
                    assert_eq!((a.class, a.channel), (b.class, b.channel), "{}", a.rule);
                }
            }
        }
    }

    #[test]
    fn every_rule_name_starts_with_its_class() {
        for r in AGENT_RULES {
            assert!(r.rule.starts_with(r.class.as_str()), "{}", r.rule);
        }
    }
}
