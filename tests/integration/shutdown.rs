//! SIGTERM under load: the server stops accepting, drains its queue to
//! disk and exits 0, and every event it accepted is in the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_loses_no_accepted_event() {
    let mut server = Server::start_with(&[("HEARSAY_FLUSH_INTERVAL_MS", "200")]);
    let code = server.create_link("http://localhost/load", &[]);
    let url = Arc::new(server.url(&format!("/{code}")));
    let answered = Arc::new(AtomicU64::new(0));
    let stop_at = Instant::now() + Duration::from_secs(20);

    let mut clients = Vec::new();
    for i in 0..8 {
        let (url, answered) = (url.clone(), answered.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            let ua = if i % 2 == 0 {
                IPHONE_SAFARI
            } else {
                DESKTOP_CHROME
            };
            // Bounded in count and time; ends when the server goes away.
            for _ in 0..50_000 {
                if Instant::now() > stop_at {
                    break;
                }
                match http.get(url.as_str()).header("user-agent", ua).send().await {
                    Ok(r) if r.status().as_u16() == 302 => {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    while answered.load(Ordering::Relaxed) < 2_000 {
        assert!(Instant::now() < stop_at, "load never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let status = tokio::task::block_in_place(|| server.terminate());
    for client in clients {
        client.await.unwrap();
    }
    assert!(status.success(), "exit status {status:?}");

    let logs: Vec<String> = server.stderr.try_iter().collect();
    let last = logs
        .iter()
        .rev()
        .find(|l| l.contains("events.accepted="))
        .expect("final log line");
    let accepted: i64 = last
        .split("events.accepted=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let dropped: &str = last
        .split("events.dropped=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_eq!(dropped, "0", "{last}");

    let stored = server.query_i64("SELECT COUNT(*) FROM events WHERE kind = 'redirect'");
    let answered = answered.load(Ordering::Relaxed) as i64;
    assert_eq!(stored, accepted, "every accepted event is in the store");
    assert!(
        stored >= answered,
        "each answered redirect was recorded first ({stored} < {answered})"
    );
    let clicks = server.query_i64(&format!("SELECT clicks FROM links WHERE code = '{code}'"));
    assert_eq!(
        clicks, stored,
        "the link's click count matches its stored clicks"
    );
}

/// A connection to `server` that has sent `start` of a request and will
/// send no more; reads on it give up after ten seconds.
fn stalled_request(server: &Server, start: &[u8]) -> std::net::TcpStream {
    use std::io::Write;

    let address = server.base.trim_start_matches("http://");
    let mut stalled = std::net::TcpStream::connect(address).unwrap();
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stalled.write_all(start).unwrap();
    stalled
}

#[test]
fn a_client_that_never_finishes_its_request_does_not_hold_the_stop() {
    let mut server = Server::start();
    let stalled = stalled_request(&server, b"GET /abcdefg HTTP/1.1\r\nHost: x\r\n");
    std::thread::sleep(Duration::from_millis(200));

    // Before the grace period, this waited for the client (terminate gives
    // up after 30 s).
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    drop(stalled);
}

#[test]
fn a_client_that_never_finishes_its_request_is_let_go() {
    use std::io::{Read, Write};

    let server = Server::start_with(&[("HEARSAY_HEADER_READ_TIMEOUT_MS", "300")]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stalled = stalled_request(&server, b"GET /abcdefg HTTP/1.1\r\nHost: x\r\n");
    // The server closes the connection (answering 408 or not); a read
    // that times out means it kept waiting.
    let mut answer = Vec::new();
    match stalled.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(error) => assert!(
            error.kind() == std::io::ErrorKind::ConnectionReset,
            "the server kept the stalled connection: {error}"
        ),
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );

    // Others are served as before.
    let mut good = std::net::TcpStream::connect(&address).unwrap();
    good.write_all(b"GET /widget.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut page = String::new();
    good.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
}

#[tokio::test]
async fn a_stop_does_not_wait_out_a_long_flush_interval() {
    let mut server = Server::start_with(&[("HEARSAY_FLUSH_INTERVAL_MS", "60000")]);
    let code = server.create_link("http://localhost/slow", &[]);
    let (status, _, _) = fetch(
        reqwest::Method::GET,
        &server.url(&format!("/{code}")),
        Some(IPHONE_SAFARI),
    )
    .await;
    assert_eq!(status, 302);
    // Before the writer could be woken, this took the whole minute
    // (terminate gives up after 30 s).
    assert!(server.terminate().success());
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM events WHERE is_click = 1"),
        1
    );
}

#[test]
fn a_body_that_never_comes_is_answered_408() {
    use std::io::Read;

    let server = Server::start_with(&[("HEARSAY_HEADER_READ_TIMEOUT_MS", "300")]);
    let mut stalled = stalled_request(
        &server,
        b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\
          Content-Length: 60000\r\n\r\n{\"site\":",
    );
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("not complete within 300 ms"), "{text}");
}

#[test]
fn connections_past_the_cap_wait_for_a_free_one() {
    use std::io::{Read, Write};

    let server = Server::start_with(&[("HEARSAY_MAX_CONNECTIONS", "2")]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let held: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));

    // A third connection is not served while the two are held...
    let mut third = std::net::TcpStream::connect(&address).unwrap();
    third
        .write_all(b"GET /widget.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(third.read(&mut buf).is_err(), "served past the cap");

    // ...and is once one of them closes.
    drop(held);
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut page = String::new();
    third.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
}
