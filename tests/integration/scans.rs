//! Email scanners told apart by timing: the delivery window after an email
//! link is made or an email share is reported, and the sweep over every
//! link of one message (DOMAIN.md B).

use reqwest::Method;
use serde_json::json;

use crate::common::*;

/// (class, rule, is_click) of the redirect events of `code`, oldest first.
fn hits(server: &Server, code: &str) -> Vec<(String, String, bool)> {
    server
        .store()
        .prepare(
            "SELECT class, rule, is_click FROM events
             WHERE kind = 'redirect' AND link_code = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn scan(rule: &str) -> (String, String, bool) {
    ("scan".into(), rule.into(), false)
}

fn click() -> (String, String, bool) {
    ("person".into(), "person:browser".into(), true)
}

#[tokio::test]
async fn a_hit_within_a_minute_of_an_email_link_is_a_scan_and_the_reader_counts_once() {
    let mut server = Server::start();
    let code = server.create_link(
        "http://localhost/newsletter",
        &["--channel", "email", "--max-clicks", "1"],
    );
    let url = server.url(&format!("/{code}"));

    // The gateway, seconds after the link was made: redirected, not a
    // click, and the one-use link is not spent.
    let (status, _, _) = fetch(Method::GET, &url, Some(DESKTOP_CHROME)).await;
    assert_eq!(status, 302);
    assert_eq!(hits(&server, &code), vec![scan("scan:delivery-window")]);
    assert_eq!(
        server.query_i64(&format!("SELECT clicks FROM links WHERE code = '{code}'")),
        0
    );

    // The reader, long after: one click, and the link is spent.
    assert!(server.terminate().success());
    server.age_links();
    let server = Server::start_in(&server.data.clone(), &[]);
    let (status, _, _) = fetch(Method::GET, &url_of(&server, &code), Some(IPHONE_SAFARI)).await;
    assert_eq!(status, 302);
    let (status, _, _) = fetch(Method::GET, &url_of(&server, &code), Some(DESKTOP_CHROME)).await;
    assert_eq!(status, 410);
    let rows = hits(&server, &code);
    assert_eq!(rows[..2], [scan("scan:delivery-window"), click()]);
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM events WHERE is_click = 1"),
        1
    );
}

fn url_of(server: &Server, code: &str) -> String {
    server.url(&format!("/{code}"))
}

#[tokio::test]
async fn every_link_of_a_mail_in_one_sweep_is_a_scan_and_gives_its_click_back() {
    let server = Server::start();
    let first = server.create_link(
        "http://localhost/mail/1",
        &["--channel", "email", "--max-clicks", "1"],
    );
    let second = server.create_link("http://localhost/mail/2", &["--channel", "email"]);
    let third = server.create_link("http://localhost/mail/3", &["--channel", "email"]);
    let fourth = server.create_link("http://localhost/mail/4", &["--channel", "email"]);
    server.age_links();

    // The gateway opens three links of the mail within a second, with a
    // browser's user agent (one visitor: same address, same agent).
    for code in [&first, &second, &third] {
        let (status, _, _) = fetch(Method::GET, &url_of(&server, code), Some(DESKTOP_CHROME)).await;
        assert_eq!(status, 302);
    }
    for code in [&first, &second, &third] {
        assert_eq!(hits(&server, code), vec![scan("scan:burst")], "{code}");
    }
    assert_eq!(
        server.query_i64("SELECT SUM(clicks) FROM links"),
        0,
        "the sweep's clicks are taken back"
    );

    // The one-use link spent by the sweep's first hit is the reader's.
    let (status, _, _) = fetch(Method::GET, &url_of(&server, &first), Some(IPHONE_SAFARI)).await;
    assert_eq!(status, 302);
    // A reader who opens two links of the mail is a reader.
    let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36";
    for code in [&fourth, &second] {
        let (status, _, _) = fetch(Method::GET, &url_of(&server, code), Some(android)).await;
        assert_eq!(status, 302);
    }
    assert_eq!(hits(&server, &first), vec![scan("scan:burst"), click()]);
    assert_eq!(hits(&server, &fourth), vec![click()]);
    assert_eq!(hits(&server, &second), vec![scan("scan:burst"), click()]);
    let clicks: Vec<(String, i64)> = server
        .store()
        .prepare("SELECT code, clicks FROM links ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected = vec![
        (first.clone(), 1),
        (second.clone(), 1),
        (third.clone(), 0),
        (fourth.clone(), 1),
    ];
    expected.sort();
    assert_eq!(clicks, expected);
}

#[tokio::test]
async fn links_of_other_channels_are_not_watched_for_sweeps() {
    let server = Server::start();
    let codes: Vec<String> = (1..=3)
        .map(|i| server.create_link(&format!("http://localhost/chat/{i}"), &[]))
        .collect();
    for code in &codes {
        fetch(Method::GET, &url_of(&server, code), Some(DESKTOP_CHROME)).await;
    }
    for code in &codes {
        assert_eq!(hits(&server, code), vec![click()]);
    }
}

async fn post_events(server: &Server, events: serde_json::Value) -> u16 {
    client()
        .post(server.url("/api/v1/events"))
        .header("content-type", "text/plain")
        .header("origin", server.origin())
        .header("user-agent", DESKTOP_CHROME)
        .body(json!({ "site": server.site_id, "events": events }).to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_arrival_seconds_after_an_email_share_is_the_gateway() {
    let server = Server::start();
    let page = format!("{}/phones/review", server.origin());
    let shares = json!([
        {"type": "share", "token": "mailTok00001", "channel": "email", "url": page},
        {"type": "share", "token": "chatTok00001", "channel": "whatsapp", "url": page},
    ]);
    assert_eq!(post_events(&server, shares).await, 202);
    let arrivals = json!([
        {"type": "arrival", "token": "mailTok00001", "url": format!("{page}#hs=mailTok00001")},
        {"type": "arrival", "token": "chatTok00001", "url": format!("{page}#hs=chatTok00001")},
    ]);
    assert_eq!(post_events(&server, arrivals).await, 202);

    let rows: Vec<(String, String, String)> = server
        .store()
        .prepare("SELECT share_token, class, rule FROM events WHERE kind = 'arrival' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "mailTok00001".into(),
                "scan".into(),
                "scan:delivery-window".into()
            ),
            (
                "chatTok00001".into(),
                "person".into(),
                "person:browser".into()
            ),
        ]
    );
}
