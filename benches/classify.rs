//! Classifying a realistic mix of user agents, cold (every rule and the
//! uap-core parse run) and cached (the verdict cache the redirect uses).
//!
//! The mix, built from the committed fixtures: the top 100 browsers
//! (`top-user-agents`) weighted ×7, every DOMAIN.md string (previews, in-app
//! browsers, scanners), and 100 crawler-user-agents instances. Run with
//! `cargo bench --bench classify`.

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use hearsay::classify::{Classifier, Method, RequestFacts, request};

fn fixture(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

static MIX: LazyLock<Vec<String>> = LazyLock::new(|| {
    let top: Vec<String> = serde_json::from_str(&fixture("top-user-agents/index.json")).unwrap();
    let mut mix = Vec::new();
    for _ in 0..7 {
        mix.extend(top.iter().cloned());
    }
    for line in fixture("ua_cases.tsv").lines() {
        if !line.starts_with('#') && !line.trim().is_empty() {
            mix.push(line.splitn(5, '\t').nth(4).unwrap_or_default().to_owned());
        }
    }
    let crawlers: serde_json::Value =
        serde_json::from_str(&fixture("crawler-user-agents/instances.json")).unwrap();
    let crawlers = crawlers.as_array().unwrap();
    let step = crawlers.len() / 100;
    for entry in crawlers.iter().step_by(step).take(100) {
        mix.push(entry["instance"].as_str().unwrap().to_owned());
    }
    mix
});

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

fn main() {
    LazyLock::force(&MIX);
    LazyLock::force(&CLASSIFIER);
    eprintln!("mix: {} user agents", MIX.len());
    divan::main();
}

fn facts(user_agent: &str) -> RequestFacts<'_> {
    RequestFacts {
        method: Method::Get,
        user_agent,
    }
}

/// Every rule and the uap-core parse, no cache.
#[divan::bench]
fn cold(bencher: Bencher) {
    let parser = CLASSIFIER.user_agent_parser();
    bencher.counter(ItemsCount::new(MIX.len())).bench(|| {
        for ua in MIX.iter() {
            divan::black_box(request::classify(parser, &facts(ua)));
        }
    });
}

/// The redirect's path: the verdict cache, warmed with the mix.
#[divan::bench]
fn cached(bencher: Bencher) {
    for ua in MIX.iter() {
        CLASSIFIER.classify_request(&facts(ua));
    }
    bencher.counter(ItemsCount::new(MIX.len())).bench(|| {
        for ua in MIX.iter() {
            divan::black_box(CLASSIFIER.classify_request(&facts(ua)));
        }
    });
}

/// Referrers of the kinds the redirect and the import see.
#[divan::bench]
fn referrer(bencher: Bencher) {
    let referrers = [
        "",
        "https://www.google.com/",
        "https://www.google.co.uk/search?q=x",
        "https://t.co/abc",
        "android-app://com.google.android.gm/",
        "https://l.facebook.com/l.php?u=x",
        "https://nam06.safelinks.protection.outlook.com/?url=x",
        "https://blog.example.org/post/1",
        "https://example.com/internal",
        "http://not-twitter-but-ends-with-t.co/",
    ];
    let own = vec!["example.com".to_owned()];
    bencher.counter(ItemsCount::new(referrers.len())).bench(|| {
        for r in referrers {
            divan::black_box(CLASSIFIER.classify_referrer(r, &own));
        }
    });
}
