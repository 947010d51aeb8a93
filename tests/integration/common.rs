//! Starting and stopping a real server, and reading its store.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_hearsay");

pub const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
pub const DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

/// A running `hearsay serve` and what it printed on first start.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub data: PathBuf,
    pub site_id: String,
    pub api_key: String,
    pub admin_key: String,
    pub stderr: mpsc::Receiver<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts a server on a fresh store.
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// Starts a server on a fresh store with extra environment.
    pub fn start_with(env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut server = Server::start_in(&data, env);
        server._dir = Some(dir);
        server
    }

    /// Starts a server on the store in `data`.
    pub fn start_in(data: &Path, env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("starting hearsay serve");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (out_tx, out_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if out_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });

        let mut site_id = String::new();
        let mut api_key = String::new();
        let mut admin_key = String::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let base = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = out_rx
                .recv_timeout(left)
                .expect("hearsay serve did not print its address in time");
            if let Some(v) = line.strip_prefix("demo site id: ") {
                site_id = v.to_owned();
            } else if let Some(v) = line.strip_prefix("demo site api key: ") {
                api_key = v.to_owned();
            } else if let Some(v) = line.strip_prefix("admin key: ") {
                admin_key = v.to_owned();
            } else if let Some(v) = line.strip_prefix("listening on ") {
                break v.to_owned();
            }
        };
        Server {
            child,
            base,
            data: data.to_path_buf(),
            site_id,
            api_key,
            admin_key,
            stderr: err_rx,
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The port, for an Origin on the demo site's domains.
    pub fn origin(&self) -> String {
        self.base.replace("127.0.0.1", "localhost")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop within 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs the CLI against this server's store.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(BIN)
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .output()
            .unwrap()
    }

    /// Makes a link with the CLI; returns its code.
    pub fn create_link(&self, url: &str, extra: &[&str]) -> String {
        let mut args = vec!["links", "create", "--site", "demo", url];
        args.extend_from_slice(extra);
        let out = self.cli(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout.trim().rsplit('/').next().unwrap().to_owned()
    }

    /// A read-only connection to the store, after waiting for the writer
    /// to flush (its interval is 100 ms).
    pub fn store(&self) -> rusqlite::Connection {
        std::thread::sleep(Duration::from_millis(400));
        rusqlite::Connection::open(self.data.join("hearsay.db")).unwrap()
    }

    /// Moves the making of every link an hour back, as if its mail had gone
    /// out long ago (out of the delivery window in which email links' hits
    /// are scans). The server loads a link made by the CLI on its first
    /// request, so this must come before any.
    pub fn age_links(&self) {
        self.store()
            .execute("UPDATE links SET created_ms = created_ms - 3600000", [])
            .unwrap();
    }

    /// One number from the store.
    pub fn query_i64(&self, sql: &str) -> i64 {
        self.store().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One request; returns status, Location and Cache-Control.
pub async fn fetch(
    method: reqwest::Method,
    url: &str,
    user_agent: Option<&str>,
) -> (u16, Option<String>, Option<String>) {
    let mut request = client().request(method, url);
    if let Some(ua) = user_agent {
        request = request.header("user-agent", ua);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    (
        response.status().as_u16(),
        header("location"),
        header("cache-control"),
    )
}
