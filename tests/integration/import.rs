//! `hearsay import` on the real log, and the report on it.
//!
//! The expected figures were worked out apart from hearsay's code, by
//! `tests/fixtures/access_2015_expected.py` (a few lines of Python over the
//! same file with its own page-view rule and a plain bot regex). Where
//! hearsay's classifier and that script may differ on a handful of user
//! agents (a Facebook preview the script counts as a person), the test
//! allows 1%.

use std::process::Command;

use crate::common::BIN;

const LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/access-2015.log"
);

fn near(got: i64, expected: i64, what: &str) {
    let slack = (expected as f64 * 0.01).ceil() as i64;
    assert!(
        (got - expected).abs() <= slack,
        "{what}: got {got}, expected {expected} ± {slack}"
    );
}

#[test]
fn real_log_comes_apart_by_class_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(LOG)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("imported 9999 of 10000 lines (1 malformed)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("access-2015.log:8899: skipped malformed line"),
        "{stderr}"
    );

    let out = Command::new(BIN)
        .args(["report", "--json", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let classes = &report["requests_by_class"];
    let total: i64 = [
        "person",
        "preview",
        "scan",
        "crawler",
        "automation",
        "unknown",
    ]
    .iter()
    .map(|c| classes[c].as_i64().unwrap())
    .sum();
    assert_eq!(total, 9999);

    // 1,397 parsed lines have a user agent matching bot|crawl|spider|slurp.
    let machines = total - classes["person"].as_i64().unwrap();
    assert!(
        machines >= 1397 * 97 / 100,
        "machines {machines}: {classes}"
    );

    let sources = &report["sources"];
    let get = |k: &str| sources[k].as_i64().unwrap();
    near(get("search"), 467, "search");
    near(get("internal"), 529, "internal");
    near(get("direct_deep"), 422, "direct_deep");
    near(get("direct_home"), 44, "direct_home");
    assert!(get("direct_deep") > 3 * get("direct_home"));
    let views: i64 = [
        "search",
        "social",
        "email",
        "messaging",
        "internal",
        "referral",
        "direct_home",
        "direct_deep",
    ]
    .iter()
    .map(|k| get(k))
    .sum();
    near(views, 1652, "page views by people");
    assert_eq!(
        report["dark_social_estimate"]["direct_deep"],
        sources["direct_deep"]
    );
}

#[test]
fn unreadable_input_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.log");
    std::fs::write(&junk, "this is not\nan access log\n").unwrap();
    let out = Command::new(BIN)
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&junk)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("junk.log:1: skipped malformed line"),
        "{stderr}"
    );
    assert!(stderr.contains("no line of the input"), "{stderr}");

    let out = Command::new(BIN)
        .args(["import", "--data"])
        .arg(dir.path())
        .arg("/nonexistent/x.log")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("opening /nonexistent/x.log"));

    // A good file before a missing one: nothing is imported, so the run can
    // be repeated once the name is fixed.
    let good = dir.path().join("good.log");
    std::fs::copy(LOG, &good).unwrap();
    let data = dir.path().join("two");
    let out = Command::new(BIN)
        .args(["import", "--data"])
        .arg(&data)
        .arg(&good)
        .arg(dir.path().join("missing.log"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing.log"),
        "{out:?}"
    );
    let events: i64 = rusqlite::Connection::open(data.join("hearsay.db"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 0);
}

#[test]
fn gzip_and_stdin_read_the_same_lines() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(LOG).unwrap();
    let first_100: Vec<u8> = text
        .split(|&b| b == b'\n')
        .take(100)
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect();
    let gz = dir.path().join("part.log.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&first_100).unwrap();
    encoder.finish().unwrap();

    // Gzip is known by its bytes, not its name.
    let renamed = dir.path().join("part.log");
    std::fs::copy(&gz, &renamed).unwrap();
    for (store, file) in [("a", &gz), ("c", &renamed)] {
        let out = Command::new(BIN)
            .args(["import", "--data"])
            .arg(dir.path().join(store))
            .arg(file)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("imported 100 of 100 lines"),
            "{file:?}: {out:?}"
        );
    }

    let mut child = Command::new(BIN)
        .args(["import", "--data"])
        .arg(dir.path().join("b"))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&first_100).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 100 of 100 lines"),
        "{out:?}"
    );
}

#[test]
fn the_same_log_is_not_imported_twice_by_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let import = |extra: &[&str]| {
        Command::new(BIN)
            .args(["import", "--data"])
            .arg(&data)
            .args(extra)
            .arg(LOG)
            .output()
            .unwrap()
    };
    let events = || -> i64 {
        rusqlite::Connection::open(data.join("hearsay.db"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    assert!(import(&[]).status.success());
    assert_eq!(events(), 9_999);

    let again = import(&[]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("was imported before") && stderr.contains("10000 lines"),
        "{stderr}"
    );
    assert_eq!(events(), 9_999, "nothing was added");

    assert!(import(&["--again"]).status.success());
    assert_eq!(events(), 19_998);
}

#[test]
fn a_report_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(LOG)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut child = Command::new(BIN)
        .args(["report", "--json", "--data"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}
