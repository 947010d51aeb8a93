//! Referrer → source and medium, matching whole host labels.
//!
//! The table ships as `data/referrer-sources.txt` (hearsay's own list; its
//! header gives the format). Hosts match on whole labels, so
//! `not-twitter-but-ends-with-t.co` is not `t.co`, while `www.t.co` is.
//! `android-app://<package>` referrers are read by package name. The site's
//! own domains come first and make a referrer internal.
//!
//! `l.facebook.com` and `lm.facebook.com` are Facebook's link shims for the
//! desktop and mobile web feed, so both count as social/facebook; Messenger's
//! web app is `messenger.com` (messaging/messenger). `linkedin.com/safety/go`
//! wraps links sent in LinkedIn messages and counts as messaging/linkedin.
//!
//! Limits: without the Public Suffix List, `brand.*` patterns accept a
//! suffix of one label, or of two where the first is a generic second-level
//! label (`co.uk`, `com.br`); rarer suffixes fall back to plain referrals.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use super::Channel;

const SOURCES: &str = include_str!("../../data/referrer-sources.txt");

/// The kind of place a visit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    Search,
    Social,
    Email,
    Messaging,
    Internal,
    Referral,
    /// No referrer at all.
    Direct,
}

impl Medium {
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Search => "search",
            Medium::Social => "social",
            Medium::Email => "email",
            Medium::Messaging => "messaging",
            Medium::Internal => "internal",
            Medium::Referral => "referral",
            Medium::Direct => "direct",
        }
    }

    /// Reads a medium name as [`Medium::as_str`] writes it.
    pub fn parse(name: &str) -> Option<Medium> {
        [
            Medium::Search,
            Medium::Social,
            Medium::Email,
            Medium::Messaging,
            Medium::Internal,
            Medium::Referral,
            Medium::Direct,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

/// Where a visit came from: the medium, and the named source if known
/// (`google`, `gmail`, `whatsapp`…). An unknown referral's source is its
/// host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub medium: Medium,
    pub source: Option<String>,
}

impl Source {
    /// The channel this source names, if any: every mail source is
    /// `email`; a messaging app or social network is its own channel where
    /// hearsay has one (Skype counts as Teams); search, referrals, internal
    /// and direct visits name none.
    pub fn channel(&self) -> Option<Channel> {
        match self.medium {
            Medium::Email => Some(Channel::Email),
            Medium::Messaging | Medium::Social => match self.source.as_deref()? {
                "skype" => Some(Channel::Teams),
                name => Channel::parse(name),
            },
            _ => None,
        }
    }
}

/// What a matching pattern says.
#[derive(Clone, Debug)]
struct Entry {
    medium: Medium,
    source: &'static str,
}

/// The parsed table.
#[derive(Default)]
struct Table {
    /// Exact host suffixes (`t.co`), looked up label by label.
    hosts: HashMap<&'static str, Entry>,
    /// Host suffix and path prefix (`linkedin.com`, `/safety/go`).
    paths: Vec<(&'static str, &'static str, Entry)>,
    /// Brand labels followed by any country or generic suffix.
    brands: Vec<(Vec<&'static str>, Entry)>,
    /// First-label prefix and the host after it (`protect`, `mimecast.com`).
    prefixes: Vec<(&'static str, &'static str, Entry)>,
    /// Android package names.
    apps: HashMap<&'static str, Entry>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| parse_table(SOURCES));

fn parse_table(text: &'static str) -> Table {
    let mut table = Table::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(medium), Some(source)) = (words.next(), words.next()) else {
            panic!("referrer-sources.txt line {}: too few fields", number + 1);
        };
        let medium = Medium::parse(medium).unwrap_or_else(|| {
            panic!(
                "referrer-sources.txt line {}: medium {medium:?}",
                number + 1
            )
        });
        let entry = Entry { medium, source };
        for pattern in words {
            if let Some(package) = pattern.strip_prefix("app:") {
                table.apps.insert(package, entry.clone());
            } else if let Some(brand) = pattern.strip_suffix(".*") {
                table
                    .brands
                    .push((brand.split('.').collect(), entry.clone()));
            } else if let Some((prefix, host)) = pattern.split_once("*.") {
                table.prefixes.push((prefix, host, entry.clone()));
            } else if let Some(slash) = pattern.find('/') {
                let (host, path) = pattern.split_at(slash);
                table.paths.push((host, path, entry.clone()));
            } else {
                table.hosts.insert(pattern, entry.clone());
            }
        }
    }
    table
}

/// Labels that make a two-label public suffix with the country after them
/// (`co.uk`, `com.br`, `ne.jp`).
const SECOND_LEVEL: &[&str] = &[
    "co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic",
];

/// The lower-case host of a referrer URL, as the WHATWG URL parser reads it
/// (`None` if it does not parse or has no host). International names come
/// back in their ASCII form.
pub fn referrer_host(referrer: &str) -> Option<String> {
    let url = url::Url::parse(referrer).ok()?;
    let host = url.host_str()?;
    let host = host.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `host` is `domain` or a subdomain of it, on whole labels.
pub fn host_is_on(host: &str, domain: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    if host.len() == domain.len() {
        return host.eq_ignore_ascii_case(domain);
    }
    host.len() > domain.len()
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
}

/// Reads a referrer. Empty or `-` is direct.
pub fn classify(referrer: &str, own_domains: &[String]) -> Source {
    let referrer = referrer.trim();
    if referrer.is_empty() || referrer == "-" {
        return Source {
            medium: Medium::Direct,
            source: None,
        };
    }
    let Ok(url) = url::Url::parse(referrer) else {
        return Source {
            medium: Medium::Referral,
            source: None,
        };
    };

    if url.scheme() == "android-app" {
        let package = url.host_str().unwrap_or_default().to_ascii_lowercase();
        return match TABLE.apps.get(package.as_str()) {
            Some(entry) => found(entry),
            None => Source {
                medium: Medium::Referral,
                source: (!package.is_empty()).then(|| format!("android-app:{package}")),
            },
        };
    }

    let Some(host) = referrer_host(referrer) else {
        return Source {
            medium: Medium::Referral,
            source: None,
        };
    };
    if own_domains.iter().any(|d| host_is_on(&host, d)) {
        return Source {
            medium: Medium::Internal,
            source: None,
        };
    }
    match lookup_host(&host, url.path()) {
        Some(entry) => found(entry),
        None => Source {
            medium: Medium::Referral,
            source: Some(host),
        },
    }
}

fn found(entry: &Entry) -> Source {
    Source {
        medium: entry.medium,
        source: Some(entry.source.to_owned()),
    }
}

/// The table entry for a host (and path), most specific first.
fn lookup_host(host: &str, path: &str) -> Option<&'static Entry> {
    let table = &*TABLE;

    let by_path = table
        .paths
        .iter()
        .filter(|(on, prefix, _)| host_is_on(host, on) && path.starts_with(prefix))
        .max_by_key(|(on, prefix, _)| on.len() + prefix.len());
    if let Some((_, _, entry)) = by_path {
        return Some(entry);
    }

    let mut suffix = host;
    loop {
        if let Some(entry) = table.hosts.get(suffix) {
            return Some(entry);
        }
        match suffix.split_once('.') {
            Some((_, rest)) => suffix = rest,
            None => break,
        }
    }

    let labels: Vec<&str> = host.split('.').collect();
    for (prefix, on, entry) in &table.prefixes {
        if let Some(head) = host.strip_suffix(on).and_then(|h| h.strip_suffix('.')) {
            let first = head.rsplit('.').next().unwrap_or(head);
            if first.starts_with(prefix) {
                return Some(entry);
            }
        }
    }
    table
        .brands
        .iter()
        .filter(|(brand, _)| has_brand(&labels, brand))
        .max_by_key(|(brand, _)| brand.len())
        .map(|(_, entry)| entry)
}

/// Whether host labels end with `brand` and then a public suffix of one
/// label, or of two with a generic second-level label first.
fn has_brand(labels: &[&str], brand: &[&str]) -> bool {
    let fits = |suffix_len: usize| {
        labels.len() >= brand.len() + suffix_len && {
            let start = labels.len() - suffix_len - brand.len();
            labels[start..start + brand.len()] == *brand
        }
    };
    let two_level = labels.len() >= 2 && SECOND_LEVEL.contains(&labels[labels.len() - 2]);
    fits(1) || (two_level && fits(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(referrer: &str) -> (Medium, Option<String>) {
        let s = classify(referrer, &["example.com".to_owned()]);
        (s.medium, s.source)
    }

    fn is(medium: Medium, name: &str) -> (Medium, Option<String>) {
        (medium, Some(name.to_owned()))
    }

    #[test]
    fn a_look_alike_host_is_not_x() {
        // Issue 2: whole-label matching, not ends_with("t.co").
        let s = classify("http://not-twitter-but-ends-with-t.co/", &[]);
        assert_eq!(s.medium, Medium::Referral);
        assert_ne!(s.source.as_deref(), Some("x"));
        assert_eq!(s.channel(), None);
    }

    #[test]
    fn t_co_and_its_subdomains_are_x() {
        assert_eq!(source("https://t.co/abc"), is(Medium::Social, "x"));
        assert_eq!(source("https://www.t.co/"), is(Medium::Social, "x"));
    }

    #[test]
    fn gmail_app_is_email() {
        // Issue 2: android-app://com.google.android.gm → email (Gmail).
        let s = classify("android-app://com.google.android.gm", &[]);
        assert_eq!(
            (s.medium, s.source.as_deref()),
            (Medium::Email, Some("gmail"))
        );
        assert_eq!(s.channel(), Some(Channel::Email));
        assert_eq!(
            source("android-app://com.google.android.gm/"),
            is(Medium::Email, "gmail")
        );
    }

    #[test]
    fn android_packages_map_to_their_apps() {
        let cases = [
            (
                "android-app://com.microsoft.office.outlook/",
                Medium::Email,
                "outlook",
            ),
            ("android-app://com.whatsapp/", Medium::Messaging, "whatsapp"),
            (
                "android-app://org.telegram.messenger/",
                Medium::Messaging,
                "telegram",
            ),
            (
                "android-app://org.telegram.messenger.web/",
                Medium::Messaging,
                "telegram",
            ),
            (
                "android-app://org.telegram.plus/",
                Medium::Messaging,
                "telegram",
            ),
            ("android-app://com.slack/", Medium::Messaging, "slack"),
            (
                "android-app://com.linkedin.android/",
                Medium::Social,
                "linkedin",
            ),
            (
                "android-app://com.facebook.katana/",
                Medium::Social,
                "facebook",
            ),
            (
                "android-app://com.instagram.barcelona/",
                Medium::Social,
                "threads",
            ),
            (
                "android-app://com.google.android.googlequicksearchbox/https/www.google.com",
                Medium::Search,
                "google",
            ),
        ];
        for (referrer, medium, name) in cases {
            assert_eq!(source(referrer), is(medium, name), "{referrer}");
        }
    }

    #[test]
    fn an_unknown_package_is_a_referral_named_by_package() {
        assert_eq!(
            source("android-app://com.example.reader/"),
            is(Medium::Referral, "android-app:com.example.reader")
        );
    }

    #[test]
    fn email_rewriters_are_email() {
        let cases = [
            (
                "https://nam06.safelinks.protection.outlook.com/?url=x",
                "microsoft-safelinks",
            ),
            (
                "https://urldefense.com/v3/__https://example.org__;!!x",
                "proofpoint",
            ),
            ("https://urldefense.proofpoint.com/v2/url?u=x", "proofpoint"),
            (
                "https://linkprotect.cudasvc.com/url?a=http://x",
                "barracuda",
            ),
            ("https://protect-eu.mimecast.com/s/abc", "mimecast"),
            ("https://protect-us.mimecast.com/s/abc", "mimecast"),
        ];
        for (referrer, name) in cases {
            assert_eq!(source(referrer), is(Medium::Email, name), "{referrer}");
        }
        // Mimecast's own site is not its rewriter.
        assert_eq!(
            source("https://www.mimecast.com/"),
            is(Medium::Referral, "www.mimecast.com")
        );
    }

    #[test]
    fn facebook_link_shims_are_facebook() {
        assert_eq!(
            source("https://l.facebook.com/"),
            is(Medium::Social, "facebook")
        );
        assert_eq!(
            source("https://lm.facebook.com/"),
            is(Medium::Social, "facebook")
        );
    }

    #[test]
    fn web_apps_of_messengers_and_mail() {
        let cases = [
            ("https://web.whatsapp.com/", Medium::Messaging, "whatsapp"),
            ("https://web.telegram.org/", Medium::Messaging, "telegram"),
            ("https://mail.google.com/", Medium::Email, "gmail"),
            (
                "https://slack-redir.net/link?url=x",
                Medium::Messaging,
                "slack",
            ),
            (
                "https://app.slack.com/client/T1",
                Medium::Messaging,
                "slack",
            ),
            ("https://outlook.live.com/", Medium::Email, "outlook"),
            ("https://deref-gmx.net/mail/client/x", Medium::Email, "gmx"),
            (
                "https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html",
                Medium::Messaging,
                "teams",
            ),
        ];
        for (referrer, medium, name) in cases {
            assert_eq!(source(referrer), is(medium, name), "{referrer}");
        }
    }

    #[test]
    fn linkedin_safety_go_is_a_message_but_the_feed_is_social() {
        let dm = "https://www.linkedin.com/safety/go?url=https%3A%2F%2Fexample.org&trk=flagship-messaging-web";
        assert_eq!(source(dm), is(Medium::Messaging, "linkedin"));
        assert_eq!(
            source("https://www.linkedin.com/feed/"),
            is(Medium::Social, "linkedin")
        );
        assert_eq!(classify(dm, &[]).channel(), Some(Channel::Linkedin));
    }

    #[test]
    fn search_engines_with_country_suffixes() {
        assert_eq!(
            source("https://www.google.com/"),
            is(Medium::Search, "google")
        );
        assert_eq!(
            source("https://www.google.co.uk/"),
            is(Medium::Search, "google")
        );
        assert_eq!(
            source("https://www.google.com.br/"),
            is(Medium::Search, "google")
        );
        assert_eq!(
            source("https://www.google.de/search?q=x"),
            is(Medium::Search, "google")
        );
        assert_eq!(source("https://yandex.ru/"), is(Medium::Search, "yandex"));
        assert_eq!(
            source("https://www.bing.com/search?q=x"),
            is(Medium::Search, "bing")
        );
        assert_eq!(
            source("https://duckduckgo.com/"),
            is(Medium::Search, "duckduckgo")
        );
    }

    #[test]
    fn a_brand_must_be_followed_by_a_suffix_only() {
        assert_eq!(
            source("https://google.evil.net/"),
            is(Medium::Referral, "google.evil.net")
        );
        assert_eq!(
            source("https://notgoogle.com/"),
            is(Medium::Referral, "notgoogle.com")
        );
    }

    #[test]
    fn more_specific_hosts_win() {
        assert_eq!(
            source("https://gemini.google.com/app"),
            is(Medium::Referral, "gemini")
        );
        assert_eq!(
            source("https://chat.google.com/"),
            is(Medium::Messaging, "google-chat")
        );
    }

    #[test]
    fn own_domains_are_internal() {
        assert_eq!(source("https://example.com/a"), (Medium::Internal, None));
        assert_eq!(
            source("https://blog.example.com/a"),
            (Medium::Internal, None)
        );
        assert_eq!(
            source("https://notexample.com/a"),
            is(Medium::Referral, "notexample.com")
        );
    }

    #[test]
    fn missing_referrers_are_direct() {
        assert_eq!(source(""), (Medium::Direct, None));
        assert_eq!(source("-"), (Medium::Direct, None));
    }

    #[test]
    fn international_hosts_come_back_in_ascii() {
        assert_eq!(
            referrer_host("https://www.tübingen.de/"),
            Some("www.xn--tbingen-n2a.de".to_owned())
        );
    }

    #[test]
    fn sources_name_their_channels() {
        let named = |referrer: &str| classify(referrer, &[]).channel();
        assert_eq!(named("https://web.whatsapp.com/"), Some(Channel::Whatsapp));
        assert_eq!(named("https://t.co/x"), Some(Channel::X));
        assert_eq!(named("https://mail.google.com/"), Some(Channel::Email));
        assert_eq!(named("https://www.google.com/"), None);
        assert_eq!(named("https://www.youtube.com/"), None);
        assert_eq!(named("https://blog.example.org/"), None);
    }

    #[test]
    fn host_is_on_matches_whole_labels() {
        assert!(host_is_on("t.co", "t.co"));
        assert!(host_is_on("www.t.co", "t.co"));
        assert!(!host_is_on("not-twitter-but-ends-with-t.co", "t.co"));
        assert!(!host_is_on("co", "t.co"));
    }
}
