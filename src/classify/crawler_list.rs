//! The crawler-user-agents pattern list (MIT, monperrus/crawler-user-agents
//! 1.60.0), embedded from `data/crawler-user-agents/patterns.txt`, with
//! hearsay's overrides of the patterns that hit people.
//!
//! The list is consulted only after hearsay's own named rules and after the
//! in-app browser check, so it decides only what nothing more specific did.
//! Its ~1,500 patterns run through `regex-filtered` (the prefilter the
//! `ua-parser` crate uses): an Aho-Corasick pass over literal atoms picks the
//! few regexes worth running.

use std::sync::LazyLock;

/// The upstream patterns, one a line, in upstream order.
const PATTERNS: &str = include_str!("../../data/crawler-user-agents/patterns.txt");

/// Upstream patterns hearsay drops, each with the reason (DOMAIN.md A.4).
pub const EXCLUDED_PATTERNS: &[(&str, &str)] = &[
    (
        "Viber",
        "matches Viber's in-app browser, a person (`…Safari/537.36 Viber/11.9.5.8`); \
         Viber's fetchers (`Viber`, `ViberUrlDownloader`) are previews by hearsay's own rules",
    ),
    (
        r"AP3A\.240617\.008",
        "an Android device build id (Instagram in-app on an OPPO CPH2557), not a crawler",
    ),
];

static MATCHER: LazyLock<regex_filtered::Regexes> = LazyLock::new(|| {
    let mut builder = regex_filtered::Builder::new_atom_len(3);
    for pattern in PATTERNS.lines().filter(|p| !p.is_empty()) {
        if EXCLUDED_PATTERNS
            .iter()
            .any(|(excluded, _)| *excluded == pattern)
        {
            continue;
        }
        builder = builder
            .push(pattern)
            .unwrap_or_else(|e| panic!("crawler-user-agents pattern {pattern:?}: {e}"));
    }
    builder
        .build()
        .expect("crawler-user-agents prefilter builds")
});

/// Whether any kept crawler-user-agents pattern matches the user agent.
pub fn is_listed_crawler(user_agent: &str) -> bool {
    MATCHER.is_match(user_agent)
}

/// Forces the list to compile now rather than on the first lookup.
pub fn warm_up() {
    LazyLock::force(&MATCHER);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_excluded_pattern_is_in_the_upstream_list() {
        // An override for a pattern upstream has dropped is dead weight.
        for (pattern, _) in EXCLUDED_PATTERNS {
            assert!(PATTERNS.lines().any(|p| p == *pattern), "{pattern}");
        }
    }

    #[test]
    fn lists_a_well_known_crawler() {
        assert!(is_listed_crawler(
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"
        ));
    }

    #[test]
    fn viber_in_app_is_not_listed() {
        // Upstream's `Viber` pattern would match this person (DOMAIN.md A.4).
        let ua = "Mozilla/5.0 (Linux; Android 7.1.2; G011A Build/N2G48H; wv) \
            AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.158 \
            Safari/537.36 Viber/11.9.5.8";
        assert!(!is_listed_crawler(ua));
    }

    #[test]
    fn instagram_on_build_ap3a_is_not_listed() {
        // Upstream's `AP3A\.240617\.008` ("80legs") matches this person.
        let ua = "Mozilla/5.0 (Linux; Android 15; CPH2557 Build/AP3A.240617.008; wv) \
            AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.7444.142 \
            Mobile Safari/537.36 Instagram 406.0.0.58.159 Android (35/15; 480dpi; \
            1080x2400; OPPO; CPH2557; OP573DL1; mt6833; en_MY; 822918295; IABMV/1) NV/1";
        assert!(!is_listed_crawler(ua));
    }
}
