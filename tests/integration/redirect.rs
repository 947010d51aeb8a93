//! The redirect: Location, caching, classes, limits, misses.

use reqwest::Method;

use crate::common::*;

#[tokio::test]
async fn person_click_is_a_302_with_no_store_and_the_token() {
    let server = Server::start();
    let code = server.create_link("http://localhost/some/page", &["--channel", "whatsapp"]);
    assert!(
        code.len() >= 7 && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{code}"
    );

    let (status, location, cache) = fetch(
        Method::GET,
        &server.url(&format!("/{code}")),
        Some(IPHONE_SAFARI),
    )
    .await;
    assert_eq!(status, 302);
    assert_eq!(cache.as_deref(), Some("no-store"));
    let location = location.unwrap();
    let token: String = server
        .store()
        .query_row(
            "SELECT share_token FROM links WHERE code = ?1",
            [&code],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(location, format!("http://localhost/some/page#hs={token}"));

    let clicks =
        server.query_i64("SELECT COUNT(*) FROM events WHERE kind = 'redirect' AND is_click = 1");
    assert_eq!(clicks, 1);
    let (class, channel): (String, Option<String>) = server
        .store()
        .query_row(
            "SELECT e.class, s.channel FROM events e JOIN shares s ON s.token = e.share_token",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (class.as_str(), channel.as_deref()),
        ("person", Some("whatsapp"))
    );
}

#[tokio::test]
async fn whatsapp_fetcher_is_a_preview_not_a_click() {
    let server = Server::start();
    let code = server.create_link("http://localhost/a", &[]);
    let (status, _, _) = fetch(
        Method::GET,
        &server.url(&format!("/{code}")),
        Some("WhatsApp/2.23.20.0 A"),
    )
    .await;
    assert_eq!(status, 302);
    let (class, channel, click): (String, Option<String>, bool) = server
        .store()
        .query_row(
            "SELECT class, channel, is_click FROM events WHERE kind = 'redirect'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (class.as_str(), channel.as_deref(), click),
        ("preview", Some("whatsapp"), false)
    );
}

#[tokio::test]
async fn head_after_twitterbot_is_never_a_click() {
    let server = Server::start();
    let code = server.create_link("http://localhost/b", &[]);
    let url = server.url(&format!("/{code}"));
    assert_eq!(
        fetch(Method::GET, &url, Some("Twitterbot/1.0")).await.0,
        302
    );
    assert_eq!(fetch(Method::HEAD, &url, None).await.0, 302);
    assert_eq!(fetch(Method::HEAD, &url, Some(IPHONE_SAFARI)).await.0, 302);

    let store = server.store();
    let rows: Vec<(String, String, Option<String>, bool)> = store
        .prepare("SELECT method, class, channel, is_click FROM events WHERE kind = 'redirect' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2.as_deref()),
        ("preview", Some("x"))
    );
    assert!(
        rows.iter().all(|r| !r.3),
        "no request was a click: {rows:?}"
    );
    assert!(
        rows[1..].iter().all(|r| r.0 == "HEAD" && r.1 != "person"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn facebook_preview_does_not_spend_a_one_use_link() {
    let server = Server::start();
    let code = server.create_link("http://localhost/once", &["--max-clicks", "1"]);
    let url = server.url(&format!("/{code}"));
    let fb = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
    assert_eq!(fetch(Method::GET, &url, Some(fb)).await.0, 302);
    assert_eq!(
        fetch(Method::GET, &url, Some(IPHONE_SAFARI)).await.0,
        302,
        "the person still gets through"
    );
    assert_eq!(
        fetch(Method::GET, &url, Some(DESKTOP_CHROME)).await.0,
        410,
        "the one use is spent"
    );

    let classes: Vec<(String, i64)> = server
        .store()
        .prepare("SELECT class, status FROM events WHERE kind = 'redirect' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        classes,
        vec![
            ("preview".into(), 302),
            ("person".into(), 302),
            ("person".into(), 410)
        ]
    );
    assert_eq!(
        server.query_i64(&format!("SELECT clicks FROM links WHERE code = '{code}'")),
        1
    );
}

#[tokio::test]
async fn line_fetcher_is_line_not_facebook() {
    let server = Server::start();
    let code = server.create_link("http://localhost/line", &[]);
    fetch(
        Method::GET,
        &server.url(&format!("/{code}")),
        Some("facebookexternalhit/1.1;line-poker/1.0"),
    )
    .await;
    let channel: Option<String> = server
        .store()
        .query_row(
            "SELECT channel FROM events WHERE kind = 'redirect' AND class = 'preview'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(channel.as_deref(), Some("line"));
}

#[tokio::test]
async fn headless_chrome_is_automation() {
    let server = Server::start();
    let code = server.create_link("http://localhost/h", &[]);
    let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/88.0.4298.0 Safari/537.36";
    assert_eq!(
        fetch(Method::GET, &server.url(&format!("/{code}")), Some(ua))
            .await
            .0,
        302
    );
    let (class, click): (String, bool) = server
        .store()
        .query_row(
            "SELECT class, is_click FROM events WHERE kind = 'redirect'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((class.as_str(), click), ("automation", false));
}

#[tokio::test]
async fn location_keeps_the_target_byte_for_byte() {
    let server = Server::start();
    let out = server.cli(&[
        "sites",
        "create",
        "--name",
        "ex",
        "--domain",
        "example.com",
        "--domain",
        "www.tübingen.de",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("www.xn--tbingen-n2a.de"),
        "domain stored as punycode: {stdout}"
    );

    for (target, expected_prefix) in [
        (
            "https://example.com?email=test%2B123%40example.com",
            "https://example.com?email=test%2B123%40example.com#hs=",
        ),
        (
            "https://example.com?abc+123",
            "https://example.com?abc+123#hs=",
        ),
        (
            "https://www.tübingen.de/altstadt",
            "https://www.xn--tbingen-n2a.de/altstadt#hs=",
        ),
    ] {
        let out = server.cli(&["links", "create", "--site", "ex", target]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let code = String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let (status, location, _) = fetch(
            Method::GET,
            &server.url(&format!("/{code}")),
            Some(IPHONE_SAFARI),
        )
        .await;
        assert_eq!(status, 302);
        let location = location.unwrap();
        assert!(
            location.starts_with(expected_prefix),
            "{target} → {location}"
        );
        let token = &location[expected_prefix.len()..];
        assert_eq!(token.len(), 12, "{location}");
    }
}

#[tokio::test]
async fn unknown_code_is_a_counted_404() {
    let server = Server::start();
    let response = client()
        .get(server.url("/NoSuchCode1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(response.text().await.unwrap().contains("does not exist"));
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM events WHERE kind = 'miss'"),
        1
    );
}

#[tokio::test]
async fn expired_link_is_gone() {
    let server = Server::start();
    // A link cannot be made expired; this one expires in an hour, and is
    // then moved to 2020 before the server first loads it.
    let refused = server.cli(&[
        "links",
        "create",
        "--site",
        "demo",
        "http://localhost/old",
        "--expires-at",
        "2020-01-01T00:00:00Z",
    ]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("in the past"), "{stderr}");
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
    let code = server.create_link(
        "http://localhost/old",
        &["--expires-at", &in_an_hour.to_rfc3339()],
    );
    server
        .store()
        .execute("UPDATE links SET expires_ms = 1577836800000", [])
        .unwrap();
    let response = client()
        .get(server.url(&format!("/{code}")))
        .header("user-agent", IPHONE_SAFARI)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 410);
    assert!(response.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn cli_refuses_an_open_redirect() {
    let server = Server::start();
    let out = server.cli(&[
        "links",
        "create",
        "--site",
        "demo",
        "https://evil.example.net/phish",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("localhost") && stderr.contains("127.0.0.1"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_browser_from_a_mail_scanner_network_is_a_scan() {
    let server = Server::start_with(&[("HEARSAY_TRUST_FORWARDED_FOR", "true")]);
    let code = server.create_link("http://localhost/mail", &["--channel", "email"]);
    server.age_links();
    let url = server.url(&format!("/{code}"));
    // Safe Links fetches look like desktop Chrome from Microsoft's ranges
    // (DOMAIN.md B quotes 40.107.218.12).
    let safe_links = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.109 Safari/537.36";
    for forwarded in ["40.107.218.12", "198.51.100.7"] {
        let response = client()
            .get(&url)
            .header("user-agent", safe_links)
            .header("x-forwarded-for", forwarded)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 302);
    }
    let rows: Vec<(String, bool)> = server
        .store()
        .prepare("SELECT class, is_click FROM events WHERE kind = 'redirect' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, vec![("scan".into(), false), ("person".into(), true)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_one_use_link_first_loaded_by_many_requests_at_once_is_spent_once() {
    let server = Server::start();
    // Made by the CLI, so the server loads it on the first requests.
    let code = server.create_link("http://localhost/once", &["--max-clicks", "1"]);
    let url = server.url(&format!("/{code}"));
    let requests: Vec<_> = (0..64)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { fetch(Method::GET, &url, Some(IPHONE_SAFARI)).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 302).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 410).count(), 63);
}

#[tokio::test]
async fn a_user_agent_with_utf8_bytes_is_read_not_dropped() {
    let server = Server::start();
    let code = server.create_link("http://localhost/utf8", &[]);
    let agent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 微信";
    let response = client()
        .get(server.url(&format!("/{code}")))
        .header(
            "user-agent",
            reqwest::header::HeaderValue::from_bytes(agent.as_bytes()).unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let (class, stored): (String, String) = server
        .store()
        .query_row(
            "SELECT e.class, a.user_agent FROM events e JOIN user_agents a ON a.id = e.agent_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((class.as_str(), stored.as_str()), ("person", agent));
}
