//! Tests of the embedded store against a real SQLite file in a temp dir.

use std::sync::Arc;

use super::*;
use crate::classify::{Channel, RequestClass, UserAgentInfo, Verdict};
use crate::event::{Event, EventKind, ShareFacts};
use crate::query::model::{Count, Dimension, Filter, Measure};
use crate::sites::{Site, SiteSettings};
use crate::store::sqlite::write::Batch;

fn verdict(class: RequestClass) -> Arc<Verdict> {
    Arc::new(Verdict {
        class,
        channel: None,
        rule: "test",
        agent: UserAgentInfo::default(),
    })
}

fn site() -> Site {
    Site {
        id: "s_test".into(),
        name: "test".into(),
        domains: vec!["example.com".into()],
        settings: SiteSettings::default(),
        created_ms: 1,
    }
}

fn share_event(kind: EventKind, token: &str, channel: Channel, parent: Option<&str>) -> Event {
    let mut event = Event::new(kind, 10, verdict(RequestClass::Person));
    event.site_id = Some(Arc::from("s_test"));
    event.share_token = Some(Arc::from(token));
    event.share = Some(ShareFacts {
        token: token.into(),
        channel: Some(channel),
        declared: kind == EventKind::Share,
        parent: parent.map(str::to_owned),
        content_url: Some("https://example.com/a".into()),
    });
    event
}

#[test]
fn new_file_gets_the_schema_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::SCHEMA_VERSION);
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    SqliteStore::open(dir.path()).unwrap();
}

#[test]
fn a_newer_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store
        .conn
        .pragma_update(None, "user_version", schema::SCHEMA_VERSION + 1)
        .unwrap();
    drop(store);
    let err = SqliteStore::open(dir.path()).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
}

#[test]
fn arrival_then_late_share_keeps_one_declared_share() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path()).unwrap();
    store.create_site(&site(), &[7; 32]).unwrap();

    // The recipient's arrival comes first: the share is made after the
    // fact, inferred as a copy.
    let batch = Batch {
        events: vec![share_event(
            EventKind::Arrival,
            "tok_aaaaaa",
            Channel::Copy,
            None,
        )],
        ..Default::default()
    };
    store.write_batch(&batch).unwrap();
    let shares = store.shares("s_test", 10).unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].channel.as_deref(), Some("copy"));
    assert_eq!(shares[0].channel_origin, "inferred");
    assert_eq!(shares[0].origin, "arrival");

    // Then the sharer's own event: it declares the channel and the parent.
    let batch = Batch {
        events: vec![share_event(
            EventKind::Share,
            "tok_aaaaaa",
            Channel::Whatsapp,
            Some("tok_parent"),
        )],
        ..Default::default()
    };
    store.write_batch(&batch).unwrap();
    let shares = store.shares("s_test", 10).unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].channel.as_deref(), Some("whatsapp"));
    assert_eq!(shares[0].channel_origin, "declared");
    assert_eq!(shares[0].parent.as_deref(), Some("tok_parent"));
    assert_eq!(shares[0].origin, "widget");

    // A second arrival on a known token does not change the share.
    let batch = Batch {
        events: vec![share_event(
            EventKind::Arrival,
            "tok_aaaaaa",
            Channel::Copy,
            None,
        )],
        ..Default::default()
    };
    store.write_batch(&batch).unwrap();
    let shares = store.shares("s_test", 10).unwrap();
    assert_eq!(shares[0].channel.as_deref(), Some("whatsapp"));
}

#[test]
fn counts_group_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path()).unwrap();
    let mut events = Vec::new();
    for (class, n) in [(RequestClass::Person, 3), (RequestClass::Crawler, 2)] {
        for _ in 0..n {
            let mut e = Event::new(EventKind::Import, 5, verdict(class));
            e.pageview = true;
            events.push(e);
        }
    }
    store
        .write_batch(&Batch {
            events,
            ..Default::default()
        })
        .unwrap();
    let groups = store
        .count(&Count::new(Measure::Events).by(Dimension::Class))
        .unwrap();
    let pairs: Vec<(Option<String>, i64)> = groups
        .into_iter()
        .map(|g| (g.keys[0].clone(), g.count))
        .collect();
    assert_eq!(
        pairs,
        vec![(Some("person".into()), 3), (Some("crawler".into()), 2)]
    );
    let crawlers = store
        .total(&Count::new(Measure::Events).filter(Filter::Class(RequestClass::Crawler)))
        .unwrap();
    assert_eq!(crawlers, 2);
    let err = store
        .count(&Count::new(Measure::Shares).by(Dimension::Device))
        .unwrap_err();
    assert!(err.to_string().contains("Device"), "{err}");
}

#[test]
fn salts_older_than_two_days_are_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path()).unwrap();
    for day in ["2026-12-01", "2026-12-02", "2026-12-03"] {
        store
            .write_batch(&Batch {
                salts: vec![(day.into(), [1; 32])],
                ..Default::default()
            })
            .unwrap();
    }
    store
        .write_batch(&Batch {
            salts: vec![("2026-12-04".into(), [2; 32])],
            keep_salts_from: Some("2026-12-02".into()),
            ..Default::default()
        })
        .unwrap();
    let days: Vec<String> = store.salts().unwrap().into_iter().map(|(d, _)| d).collect();
    assert_eq!(days, vec!["2026-12-02", "2026-12-03", "2026-12-04"]);
}

#[test]
fn huge_user_agents_are_stored_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path()).unwrap();
    // Two 100 KB agents that differ only past the cut, and one with a
    // four-byte character across the cut.
    let long = |tail: &str| format!("Mozilla/5.0 {}{tail}", "x".repeat(100_000));
    let across = format!("{}😀", "y".repeat(write::MAX_STORED_USER_AGENT_BYTES - 2));
    let mut batch = Batch::default();
    for agent in [long("a"), long("b"), across.clone()] {
        let mut event = Event::new(EventKind::Redirect, 10, verdict(RequestClass::Person));
        event.user_agent = Some(Arc::from(agent.as_str()));
        batch.events.push(event);
    }
    store.write_batch(&batch).unwrap();

    let stored: Vec<String> = store
        .conn
        .prepare("SELECT user_agent FROM user_agents ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        stored.len(),
        2,
        "the two long agents share their stored prefix"
    );
    assert_eq!(stored[0].len(), 1024);
    assert!(stored[0].starts_with("Mozilla/5.0 xxx"));
    assert_eq!(stored[1], "y".repeat(1022), "cut before the character");
    let agents: i64 = store
        .conn
        .query_row("SELECT COUNT(DISTINCT agent_id) FROM events", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(agents, 2);
}
