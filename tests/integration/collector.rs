//! The collector: batches from pages, checked whole.

use serde_json::json;

use crate::common::*;

async fn post(
    server: &Server,
    origin: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, serde_json::Value) {
    let mut request = client()
        .post(server.url("/api/v1/events"))
        .header("content-type", "text/plain")
        .header("user-agent", IPHONE_SAFARI)
        .body(body);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

fn batch(server: &Server, events: serde_json::Value) -> String {
    json!({ "site": server.site_id, "events": events }).to_string()
}

#[tokio::test]
async fn share_and_arrival_build_a_cascade() {
    let server = Server::start();
    let origin = server.origin();
    let page = format!("{origin}/phones/review?utm_source=x");
    let (status, body) = post(
        &server,
        Some(&origin),
        batch(&server, json!([
            {"type": "share", "token": "firstTok001", "channel": "whatsapp", "url": page, "title": "Phone review"},
        ])),
    )
    .await;
    assert_eq!((status, body["accepted"].as_i64()), (202, Some(1)));
    let (status, _) = post(
        &server,
        Some(&origin),
        batch(&server, json!([
            {"type": "arrival", "token": "firstTok001", "url": format!("{page}#hs=firstTok001"), "referrer": ""},
            {"type": "share", "token": "secondTok02", "channel": "email", "parent": "firstTok001", "url": page},
        ])),
    )
    .await;
    assert_eq!(status, 202);

    let store = server.store();
    let (channel, content): (String, String) = store
        .query_row(
            "SELECT channel, content_url FROM shares WHERE token = 'firstTok001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(channel, "whatsapp");
    assert_eq!(
        content,
        format!("{origin}/phones/review"),
        "tracking parameters removed"
    );
    let parent: String = store
        .query_row(
            "SELECT parent_token FROM shares WHERE token = 'secondTok02'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(parent, "firstTok001");
    let medium: String = store
        .query_row(
            "SELECT medium FROM events WHERE kind = 'arrival'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(medium, "direct");
}

#[tokio::test]
async fn an_arrival_with_an_unknown_token_creates_the_share() {
    let server = Server::start();
    let origin = server.origin();
    let (status, _) = post(
        &server,
        Some(&origin),
        batch(&server, json!([{"type": "arrival", "token": "neverSeen01", "url": format!("{origin}/deep/page")}])),
    )
    .await;
    assert_eq!(status, 202);
    let (channel, how, origin_kind): (String, String, String) = server
        .store()
        .query_row(
            "SELECT channel, channel_origin, origin FROM shares WHERE token = 'neverSeen01'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (channel.as_str(), how.as_str(), origin_kind.as_str()),
        ("copy", "inferred", "arrival")
    );
}

#[tokio::test]
async fn referrers_are_read_on_whole_labels_and_app_packages() {
    let server = Server::start();
    let origin = server.origin();
    let (status, _) = post(
        &server,
        Some(&origin),
        batch(&server, json!([
            {"type": "pageview", "url": format!("{origin}/a"), "referrer": "http://not-twitter-but-ends-with-t.co/"},
            {"type": "pageview", "url": format!("{origin}/b"), "referrer": "android-app://com.google.android.gm"},
            {"type": "pageview", "url": format!("{origin}/c"), "referrer": "https://t.co/abc"},
        ])),
    )
    .await;
    assert_eq!(status, 202);
    let rows: Vec<(String, String, Option<String>)> = server
        .store()
        .prepare("SELECT url, medium, source FROM events WHERE kind = 'pageview' ORDER BY url")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3);
    assert_ne!(
        rows[0].2.as_deref(),
        Some("x"),
        "look-alike host is not X: {rows:?}"
    );
    assert_ne!(rows[0].1, "social", "{rows:?}");
    assert_eq!(rows[1].1, "email", "{rows:?}");
    assert_eq!(
        (rows[2].1.as_str(), rows[2].2.as_deref()),
        ("social", Some("x")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn bad_batches_are_refused_whole_and_lose_nothing() {
    let server = Server::start();
    let origin = server.origin();
    let good = batch(
        &server,
        json!([{"type": "pageview", "url": format!("{origin}/ok")}]),
    );
    assert_eq!(post(&server, Some(&origin), good.clone()).await.0, 202);

    let cases: Vec<(Option<String>, reqwest::Body, u16, &str)> = vec![
        (Some(origin.clone()), "{not json".into(), 400, "not valid JSON"),
        (Some(origin.clone()), vec![b'{', 0xff, 0xfe, b'}'].into(), 400, "UTF-8"),
        (Some(origin.clone()), "x".repeat(70_000).into(), 413, "larger than the limit of 65536 bytes"),
        (Some(origin.clone()), json!({"site": "s_nope", "events": []}).to_string().into(), 404, "unknown site"),
        (Some("https://evil.example".into()), good.clone().into(), 403, "not on the site's domains"),
        (None, good.clone().into(), 403, "missing Origin"),
        (
            Some(origin.clone()),
            batch(&server, json!([
                {"type": "pageview", "url": format!("{origin}/would-be-lost")},
                {"type": "share", "token": "bad token!", "channel": "sms", "url": format!("{origin}/x")},
            ]))
            .into(),
            400,
            "event 1: share token",
        ),
        (
            Some(origin.clone()),
            batch(&server, json!([{"type": "share", "token": "goodToken1", "channel": "pigeon", "url": format!("{origin}/x")}])).into(),
            400,
            "unknown channel",
        ),
        (
            Some(origin.clone()),
            batch(&server, serde_json::Value::Array(vec![json!({"type": "pageview", "url": format!("{origin}/n")}); 101])).into(),
            413,
            "at most 100",
        ),
    ];
    for (case_origin, body, status, message) in cases {
        let (got, answer) = post(&server, case_origin.as_deref(), body).await;
        assert_eq!(got, status, "{message}: {answer}");
        if !message.is_empty() {
            let text = answer["error"].as_str().unwrap_or_default();
            assert!(
                text.contains(message),
                "{text:?} should contain {message:?}"
            );
        }
    }
    let stored = server.query_i64("SELECT COUNT(*) FROM events WHERE kind = 'pageview'");
    assert_eq!(
        stored, 1,
        "the accepted event is kept, the refused batches add nothing"
    );
}

#[tokio::test]
async fn a_native_share_learns_its_app_from_the_click() {
    let server = Server::start();
    let origin = server.origin();
    let page = format!("{origin}/recipes/bread");
    let (status, _) = post(
        &server,
        Some(&origin),
        batch(
            &server,
            json!([{"type": "share", "token": "nativeTok01", "channel": "native", "url": page}]),
        ),
    )
    .await;
    assert_eq!(status, 202);
    // The recipient opens it inside Instagram (DOMAIN.md C's Android string).
    let instagram = "Mozilla/5.0 (Linux; Android 10; SM-G973F Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.198 Mobile Safari/537.36 Instagram 194.0.0.36.172 Android (30/11; 420dpi; 1080x1878; Google/google; Pixel 2; walleye; walleye; en_US; 301484483)";
    let response = client()
        .post(server.url("/api/v1/events"))
        .header("origin", &origin)
        .header("user-agent", instagram)
        .body(batch(
            &server,
            json!([{"type": "arrival", "token": "nativeTok01", "url": page}]),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let (channel, how, inferred): (String, String, Option<String>) = server
        .store()
        .query_row(
            "SELECT channel, channel_origin, inferred_channel FROM shares WHERE token = 'nativeTok01'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (channel.as_str(), how.as_str(), inferred.as_deref()),
        ("native", "declared", Some("instagram"))
    );
}
