//! The JSON API with keys: sites, links, listings; and configuration
//! errors at start.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn admin_creates_a_site_whose_key_makes_links() {
    let server = Server::start();
    let http = client();
    let response = http
        .post(server.url("/api/v1/sites"))
        .bearer_auth(&server.admin_key)
        .json(&json!({"name": "news", "domains": ["News.Example.org"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let site: serde_json::Value = response.json().await.unwrap();
    assert_eq!(site["domains"], json!(["news.example.org"]));
    let key = site["api_key"].as_str().unwrap().to_owned();
    let hashed: i64 = server
        .store()
        .query_row(
            "SELECT COUNT(*) FROM sites WHERE length(api_key_hash) = 32 AND api_key_hash <> ?1",
            [&key],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        hashed, 2,
        "keys are stored as 32-byte hashes, never as given"
    );

    let link = http
        .post(server.url("/api/v1/links"))
        .bearer_auth(&key)
        .json(&json!({"url": "https://news.example.org/story/1", "channel": "email", "max_clicks": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status().as_u16(), 201);
    let link: serde_json::Value = link.json().await.unwrap();
    let code = link["code"].as_str().unwrap();
    assert_eq!(
        link["short_url"].as_str().unwrap(),
        server.url(&format!("/{code}"))
    );
    let (status, location, _) = fetch(
        reqwest::Method::GET,
        &server.url(&format!("/{code}")),
        Some(IPHONE_SAFARI),
    )
    .await;
    assert_eq!(status, 302);
    assert!(
        location
            .unwrap()
            .starts_with("https://news.example.org/story/1#hs=")
    );

    let refused = http
        .post(server.url("/api/v1/links"))
        .bearer_auth(&key)
        .json(&json!({"url": "https://elsewhere.example.com/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("news.example.org"),
        "{body}"
    );

    let no_key = http
        .post(server.url("/api/v1/links"))
        .json(&json!({"url": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status().as_u16(), 401);
    let site_key_cannot_make_sites = http
        .post(server.url("/api/v1/sites"))
        .bearer_auth(&key)
        .json(&json!({"name": "n2", "domains": ["n2.example"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(site_key_cannot_make_sites.status().as_u16(), 403);
}

#[tokio::test]
async fn the_demo_page_and_widget_are_served() {
    let server = Server::start();
    let page = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("data-site=\"{}\"", server.site_id)),
        "{html}"
    );
    let script = client().get(server.url("/widget.js")).send().await.unwrap();
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
}

#[test]
fn an_unknown_setting_stops_the_start_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env("HEARSAY_FLUSH_INTERVAL", "50")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("HEARSAY_FLUSH_INTERVAL"), "{stderr}");

    let config = dir.path().join("hearsay.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nqueue_size = 5\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("queue_size") && stderr.contains("hearsay.toml"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_demo_key_printed_on_first_start_reads_the_demo_site() {
    let server = Server::start();
    let code = server.create_link("http://localhost/first", &["--channel", "sms"]);
    let shares = client()
        .get(server.url("/api/v1/shares"))
        .bearer_auth(&server.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(shares.status().as_u16(), 200);
    let body: serde_json::Value = shares.json().await.unwrap();
    let shares = body["shares"].as_array().unwrap();
    assert_eq!(shares.len(), 1, "{body}");
    assert_eq!(shares[0]["channel"], "sms", "{body}");

    let wrong = client()
        .get(server.url("/api/v1/shares"))
        .bearer_auth(format!("{}x", server.api_key))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401, "code {code}");
}

#[tokio::test]
async fn a_share_token_of_one_site_cannot_be_taken_by_another() {
    let server = Server::start();
    let http = client();
    let blog: serde_json::Value = http
        .post(server.url("/api/v1/sites"))
        .bearer_auth(&server.admin_key)
        .json(&json!({"name": "blog", "domains": ["blog.example"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo_link: serde_json::Value = http
        .post(server.url("/api/v1/links"))
        .bearer_auth(&server.api_key)
        .json(&json!({"url": "http://localhost/a", "channel": "whatsapp"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = demo_link["token"].as_str().unwrap();

    let taken = http
        .post(server.url("/api/v1/share-links"))
        .header("origin", "http://blog.example")
        .json(&json!({"site": blog["id"], "token": token, "url": "http://blog.example/b", "channel": "sms"}))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status().as_u16(), 409);
    let body: serde_json::Value = taken.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("another site"),
        "{body}"
    );

    // Nor can a page of the other site relabel the share.
    let relabel = http
        .post(server.url("/api/v1/events"))
        .header("origin", "http://blog.example")
        .header("content-type", "text/plain")
        .body(
            json!({"site": blog["id"], "events": [
                {"type": "share", "token": token, "channel": "sms", "url": "http://blog.example/b"}
            ]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(relabel.status().as_u16(), 202);
    let (site, channel): (String, String) = server
        .store()
        .query_row(
            "SELECT site_id, channel FROM shares WHERE token = ?1",
            [token],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (site.as_str(), channel.as_str()),
        (server.site_id.as_str(), "whatsapp")
    );
}

#[tokio::test]
async fn no_client_address_is_logged_even_at_trace() {
    let mut server = Server::start_with(&[("RUST_LOG", "trace")]);
    let code = server.create_link("http://localhost/logged", &[]);
    fetch(
        reqwest::Method::GET,
        &server.url(&format!("/{code}")),
        Some(IPHONE_SAFARI),
    )
    .await;
    assert!(server.terminate().success());

    let listen = server.base.trim_start_matches("http://").to_owned();
    let lines: Vec<String> = server.stderr.try_iter().collect();
    assert!(lines.len() > 3, "trace logging is on: {lines:?}");
    let leaks: Vec<&String> = lines
        .iter()
        .filter(|line| line.replace(&listen, "").contains("127.0.0.1"))
        .collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn a_second_server_on_the_same_store_is_refused() {
    let server = Server::start();
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another hearsay serve is running"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_site_cannot_own_a_top_level_domain_or_another_sites_domain() {
    let server = Server::start();
    let http = client();
    let create = |body: serde_json::Value| {
        http.post(server.url("/api/v1/sites"))
            .bearer_auth(&server.admin_key)
            .json(&body)
            .send()
    };
    for (body, status, words) in [
        (
            json!({"name": "all", "domains": ["com"]}),
            422,
            "two labels",
        ),
        (
            json!({"name": "wild", "domains": ["*.w.example"]}),
            422,
            "wildcards",
        ),
        (
            json!({"name": "twin", "domains": ["localhost"]}),
            409,
            "belongs to site \"demo\"",
        ),
        (
            json!({"name": "under", "domains": ["sub.localhost"]}),
            409,
            "overlaps localhost",
        ),
        (
            json!({"name": "Demo", "domains": ["other.example"]}),
            409,
            "without case",
        ),
        (
            json!({"name": "a\u{202e}b", "domains": ["rtl.example"]}),
            422,
            "invisible",
        ),
        (
            json!({"name": "n".repeat(101), "domains": ["long.example"]}),
            422,
            "longer than 100",
        ),
        (
            json!({"name": "a\nb", "domains": ["ab.example"]}),
            422,
            "control or invisible",
        ),
        (
            json!({"name": "s_abcdefghij", "domains": ["id.example"]}),
            422,
            "site id",
        ),
    ] {
        let response = create(body.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn an_address_that_leads_nowhere_gets_a_page_that_says_so() {
    let server = Server::start();
    let code = server.create_link("http://localhost/x", &[]);
    for path in [format!("/{code}/"), "/a/b".to_owned()] {
        let response = client().get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert!(
            response.text().await.unwrap().contains("Nothing here"),
            "{path}"
        );
    }
}

#[test]
fn reading_commands_refuse_a_directory_with_no_store() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&["report"][..], &["reclassify"][..]] {
        let out = std::process::Command::new(BIN)
            .args(command)
            .arg("--data")
            .arg(dir.path().join("none"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no store in"), "{stderr}");
    }
    assert!(!dir.path().join("none").exists(), "nothing was created");
}

#[tokio::test]
async fn one_client_makes_only_so_many_short_links_without_a_key() {
    let server = Server::start();
    let http = client();
    let mut statuses = Vec::new();
    for i in 0..12 {
        let response = http
            .post(server.url("/api/v1/share-links"))
            .header("origin", server.origin())
            .json(&json!({
                "site": server.site_id,
                "token": format!("rateTok{i:05}"),
                "url": "http://localhost/page",
                "channel": "sms"
            }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 {
            let body: serde_json::Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("a minute"),
                "{body}"
            );
        }
    }
    // Ten at once, then no more until the minute refills the allowance
    // (one every two seconds: a slow run may see one of the two pass).
    assert_eq!(statuses[..10], [201; 10]);
    assert!(statuses[10..].contains(&429), "{statuses:?}");

    // Links made with a key are not limited.
    for _ in 0..3 {
        let response = http
            .post(server.url("/api/v1/links"))
            .bearer_auth(&server.api_key)
            .json(&json!({"url": "http://localhost/keyed"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
    }
}
