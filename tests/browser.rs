//! The share widget's end-to-end tests (tests/browser/*.test.mjs), run in
//! Debian's Chromium by Playwright against this build's `hearsay serve`.
//!
//! They need `chromium`, Node.js and `tests/browser/node_modules`; `.ci/run`
//! installs all three. Without Chromium the test says so and stops, except
//! under CI (`CI` set), where a missing browser is a failure.

use std::path::Path;
use std::process::Command;

#[test]
fn widget_end_to_end_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{chromium} is missing; .ci/run installs it"
        );
        eprintln!("browser tests not run: {chromium} is missing (.ci/run installs it)");
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/run.sh");
    let output = Command::new("bash")
        .arg(script)
        .env("E2E_HEARSAY_BIN", env!("CARGO_BIN_EXE_hearsay"))
        .output()
        .expect("running tests/browser/run.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(output.status.success(), "browser tests failed");
}
