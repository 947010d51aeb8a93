//! `hearsay reclassify`: today's rules over stored events, and the
//! retention of the raw user agents they need.

use reqwest::Method;

use crate::common::*;

const WHATSAPP: &str = "WhatsApp/2.23.20.0 A";
const DAY_MS: i64 = 86_400_000;

/// (class, channel, rule, is_click) of the redirect event sent by `agent`.
fn verdict_of(server: &Server, agent: &str) -> (String, Option<String>, String, bool) {
    server
        .store()
        .query_row(
            "SELECT e.class, e.channel, e.rule, e.is_click
             FROM events e JOIN user_agents a ON a.id = e.agent_id
             WHERE e.kind = 'redirect' AND a.user_agent = ?1",
            [agent],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

/// Rewrites what the WhatsApp fetcher's hit was filed as, the way a
/// release that did not know its user agent would have: a person, a click,
/// and a share with no channel learnt.
fn file_whatsapp_as_a_click(server: &Server) {
    let store = server.store();
    let changed = store
        .execute(
            "UPDATE events SET class = 'person', channel = NULL, rule = 'person:unrecognised',
                 is_click = 1
             WHERE agent_id = (SELECT id FROM user_agents WHERE user_agent = ?1)",
            [WHATSAPP],
        )
        .unwrap();
    assert_eq!(changed, 1);
    store
        .execute("UPDATE links SET clicks = clicks + 1", [])
        .unwrap();
    store
        .execute("UPDATE shares SET inferred_channel = NULL", [])
        .unwrap();
}

fn reclassify(server: &Server, args: &[&str]) -> String {
    let mut all = vec!["reclassify"];
    all.extend_from_slice(args);
    let out = server.cli(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_rule_fixed_today_corrects_yesterdays_figures() {
    let mut server = Server::start();
    let code = server.create_link("http://localhost/review", &[]);
    let url = server.url(&format!("/{code}"));
    fetch(Method::GET, &url, Some(WHATSAPP)).await;
    fetch(Method::GET, &url, Some(IPHONE_SAFARI)).await;
    let whatsapp_preview = (
        "preview".to_owned(),
        Some("whatsapp".to_owned()),
        "preview:whatsapp".to_owned(),
        false,
    );
    assert_eq!(verdict_of(&server, WHATSAPP), whatsapp_preview);
    assert!(server.terminate().success());

    // Yesterday's release filed the fetcher as a person, three days ago.
    file_whatsapp_as_a_click(&server);
    server
        .store()
        .execute(
            "UPDATE events SET ts_ms = ts_ms - 3 * ?1
             WHERE agent_id = (SELECT id FROM user_agents WHERE user_agent = ?2)",
            rusqlite::params![DAY_MS, WHATSAPP],
        )
        .unwrap();
    let now = hearsay::event::now_ms();

    // Events before --since are left alone.
    let out = reclassify(&server, &["--since", &day(now)]);
    assert!(out.contains("read 1 events; changed 0"), "{out}");
    assert_eq!(verdict_of(&server, WHATSAPP).0, "person");

    let out = reclassify(&server, &["--since", &day(now - 4 * DAY_MS)]);
    assert!(
        out.contains("read 2 events; changed 1 (now preview 1)"),
        "{out}"
    );
    assert!(out.contains("clicks -1"), "{out}");
    assert_eq!(verdict_of(&server, WHATSAPP), whatsapp_preview);
    assert_eq!(
        verdict_of(&server, IPHONE_SAFARI),
        ("person".to_owned(), None, "person:browser".to_owned(), true)
    );
    assert_eq!(
        server.query_i64(&format!("SELECT clicks FROM links WHERE code = '{code}'")),
        1
    );
    let inferred: Option<String> = server
        .store()
        .query_row("SELECT inferred_channel FROM shares", [], |r| r.get(0))
        .unwrap();
    assert_eq!(inferred.as_deref(), Some("whatsapp"));

    // A second run finds nothing left to correct.
    let out = reclassify(&server, &[]);
    assert!(out.contains("changed 0"), "{out}");
}

#[tokio::test]
async fn a_sweep_is_found_again_in_stored_events() {
    let mut server = Server::start();
    let codes: Vec<String> = (1..=3)
        .map(|i| {
            server.create_link(
                &format!("http://localhost/mail/{i}"),
                &["--channel", "email"],
            )
        })
        .collect();
    server.age_links();
    for code in &codes {
        fetch(
            Method::GET,
            &server.url(&format!("/{code}")),
            Some(DESKTOP_CHROME),
        )
        .await;
    }
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM events WHERE rule = 'scan:burst'"),
        3
    );
    // Six more hits make a second and a third sweep, and a miss of a
    // preview fetcher, so nothing is special about the first.
    for _ in 0..2 {
        for code in &codes {
            fetch(
                Method::GET,
                &server.url(&format!("/{code}")),
                Some(DESKTOP_CHROME),
            )
            .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    }
    fetch(Method::GET, &server.url("/zzzzzzz"), Some(WHATSAPP)).await;
    assert!(server.terminate().success());

    // Today's rules over today's figures change nothing, however often.
    for _ in 0..2 {
        let out = reclassify(&server, &[]);
        assert!(out.contains("read 10 events; changed 0"), "{out}");
    }

    // A release that did not look for sweeps filed them as clicks.
    let store = server.store();
    store
        .execute(
            "UPDATE events SET class = 'person', channel = NULL, rule = 'person:browser',
                 is_click = 1 WHERE kind = 'redirect'",
            [],
        )
        .unwrap();
    store.execute("UPDATE links SET clicks = 1", []).unwrap();

    let out = reclassify(&server, &[]);
    assert!(out.contains("changed 9 (now scan 9)"), "{out}");
    assert_eq!(
        server.query_i64(
            "SELECT COUNT(*) FROM events WHERE class = 'scan' AND rule = 'scan:burst'
                 AND channel = 'email' AND is_click = 0"
        ),
        9
    );
    assert_eq!(server.query_i64("SELECT SUM(clicks) FROM links"), 0);
    let out = reclassify(&server, &[]);
    assert!(out.contains("changed 0"), "{out}");
}

#[tokio::test]
async fn raw_user_agents_past_the_sites_retention_are_dropped_and_verdicts_stand() {
    let mut server = Server::start();
    let out = server.cli(&["sites", "set", "demo", "--user-agent-retention-days", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = server.create_link("http://localhost/review", &[]);
    let url = server.url(&format!("/{code}"));
    fetch(Method::GET, &url, Some(WHATSAPP)).await;
    fetch(Method::GET, &url, Some(IPHONE_SAFARI)).await;
    assert!(server.terminate().success());

    // The site last sent the WhatsApp agent three days ago, the iPhone's
    // one day ago: past and within the site's two days.
    let store = server.store();
    for (agent, days) in [(WHATSAPP, 3), (IPHONE_SAFARI, 1)] {
        store
            .execute(
                "UPDATE agent_sightings SET last_seen_ms = last_seen_ms - ?1 * ?2
                 WHERE agent_id = (SELECT id FROM user_agents WHERE user_agent = ?3)",
                rusqlite::params![days, DAY_MS, agent],
            )
            .unwrap();
    }
    file_whatsapp_as_a_click(&server);

    // The server drops it when it starts; what was read from it stays.
    let mut server = Server::start_in(&server.data.clone(), &[]);
    let kept: Vec<(Option<String>, String)> = server
        .store()
        .prepare("SELECT user_agent, device FROM user_agents ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].0, None, "the WhatsApp agent is dropped");
    assert_eq!(kept[1].0.as_deref(), Some(IPHONE_SAFARI));
    assert_eq!(kept[1].1, "mobile");
    assert!(server.terminate().success());

    // Without its agent the old verdict cannot be corrected, and is kept.
    let out = reclassify(&server, &[]);
    assert!(out.contains("changed 0"), "{out}");
    assert!(
        out.contains("kept the verdict of 1 events whose raw user agent was dropped"),
        "{out}"
    );
    let person: String = server
        .store()
        .query_row(
            "SELECT class FROM events WHERE rule = 'person:unrecognised'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(person, "person");
}

#[tokio::test]
async fn a_bad_since_is_refused_by_name() {
    let server = Server::start();
    let out = server.cli(&["reclassify", "--since", "last tuesday"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("last tuesday"), "{stderr}");
}
