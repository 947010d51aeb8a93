//! `hearsay classify`: prints the verdict for user agents read from standard
//! input (one a line) or for one request given by flags, with the rule that
//! decided it, for operators who want to know why.

use std::io::{BufRead, Write};

use anyhow::Context;
use serde::Serialize;

use crate::classify::{Channel, Classifier, Method, RequestFacts, Source, Verdict};

/// Arguments of `hearsay classify`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClassifyArgs {
    /// Write one JSON object a line (`class`, `channel`, `rule`, …), in the
    /// order the user agents came.
    #[arg(long)]
    pub json: bool,
    /// The HTTP method of the request(s): GET, HEAD, …
    #[arg(long, default_value = "GET", value_name = "METHOD")]
    pub method: String,
    /// The `Referer` of the request(s), read into a source and medium.
    #[arg(long, value_name = "URL")]
    pub referrer: Option<String>,
    /// Classify this user agent instead of reading standard input.
    #[arg(long = "user-agent", short = 'A', value_name = "UA")]
    pub user_agent: Option<String>,
    /// A domain of the site, for telling internal referrers (repeatable).
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
}

/// One verdict as `--json` prints it.
#[derive(Serialize)]
struct VerdictLine<'a> {
    user_agent: &'a str,
    method: &'static str,
    class: &'static str,
    channel: Option<Channel>,
    rule: &'static str,
    device: &'static str,
    os: Option<&'a str>,
    browser: Option<&'a str>,
    in_app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<ReferrerLine<'a>>,
}

/// The referrer part of a verdict line.
#[derive(Serialize)]
struct ReferrerLine<'a> {
    medium: &'static str,
    source: Option<&'a str>,
    channel: Option<Channel>,
}

/// Runs `hearsay classify`.
///
/// # Errors
///
/// Fails if the classifier cannot be built, standard input cannot be read
/// or standard output cannot be written.
pub fn run(args: &ClassifyArgs) -> anyhow::Result<()> {
    let classifier = Classifier::new().context("building the classifier")?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &args.user_agent {
        Some(ua) => write_verdict(&classifier, args, ua, &mut out)?,
        None => classify_lines(&classifier, args, std::io::stdin().lock(), &mut out)?,
    }
    out.flush().context("writing to standard output")
}

/// Classifies every line of `input` as a user agent, with the method and
/// referrer of `args`, and writes one verdict a line to `out`. A blank line
/// is an empty user agent and still gets its line, so the output lines up
/// with the input; bytes that are not UTF-8 are replaced.
///
/// # Errors
///
/// Fails if reading `input` or writing `out` fails.
pub fn classify_lines(
    classifier: &Classifier,
    args: &ClassifyArgs,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .context("reading user agents from standard input")?;
        if read == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let ua = text.strip_suffix('\n').unwrap_or(&text);
        let ua = ua.strip_suffix('\r').unwrap_or(ua);
        write_verdict(classifier, args, ua, out)?;
    }
}

fn write_verdict(
    classifier: &Classifier,
    args: &ClassifyArgs,
    user_agent: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let method = Method::from_name(&args.method.to_ascii_uppercase());
    let verdict = classifier.classify_request(&RequestFacts { method, user_agent });
    let source = args
        .referrer
        .as_deref()
        .map(|r| classifier.classify_referrer(r, &args.domains));
    let written = if args.json {
        let line = verdict_line(user_agent, method, &verdict, source.as_ref());
        // As an io::Error, so a closed pipe reads as one.
        serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
        writeln!(out)
    } else {
        writeln!(out, "{}", describe(user_agent, &verdict, source.as_ref()))
    };
    written.context("writing to standard output")
}

fn verdict_line<'a>(
    user_agent: &'a str,
    method: Method,
    verdict: &'a Verdict,
    source: Option<&'a Source>,
) -> VerdictLine<'a> {
    VerdictLine {
        user_agent,
        method: method.as_str(),
        class: verdict.class.as_str(),
        channel: verdict.channel,
        rule: verdict.rule,
        device: verdict.agent.device.as_str(),
        os: verdict.agent.os.as_deref(),
        browser: verdict.agent.browser.as_deref(),
        in_app: verdict.agent.in_app.as_deref(),
        referrer: source.map(|s| ReferrerLine {
            medium: s.medium.as_str(),
            source: s.source.as_deref(),
            channel: s.channel(),
        }),
    }
}

/// A verdict in words, e.g.
/// `preview, channel whatsapp (rule preview:whatsapp); device unknown, …`.
pub fn describe(user_agent: &str, verdict: &Verdict, source: Option<&Source>) -> String {
    let dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let channel = verdict
        .channel
        .map_or_else(String::new, |c| format!(", channel {c}"));
    let mut text = format!(
        "{}{channel} (rule {}); device {}, os {}, browser {}, in-app {}",
        verdict.class.as_str(),
        verdict.rule,
        verdict.agent.device.as_str(),
        dash(verdict.agent.os.as_deref()),
        dash(verdict.agent.browser.as_deref()),
        dash(verdict.agent.in_app.as_deref()),
    );
    if let Some(source) = source {
        let named = source
            .channel()
            .map_or_else(String::new, |c| format!(", channel {c}"));
        text.push_str(&format!(
            "; referrer {} {}{named}",
            source.medium.as_str(),
            dash(source.source.as_deref()),
        ));
    }
    text.push_str(&format!(" | {user_agent:?}"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

    fn run_on(args: &ClassifyArgs, input: &str) -> Vec<String> {
        let mut out = Vec::new();
        classify_lines(&CLASSIFIER, args, input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn json_args() -> ClassifyArgs {
        ClassifyArgs {
            json: true,
            method: "GET".to_owned(),
            ..ClassifyArgs::default()
        }
    }

    #[test]
    fn json_lines_come_out_in_input_order() {
        let input = "WhatsApp/2.23.20.0 A\nTwitterbot/1.0\r\n\ncurl/8.5.0\n";
        let lines = run_on(&json_args(), input);
        assert_eq!(lines.len(), 4);
        let fields: Vec<(String, serde_json::Value, String)> = lines
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["class"].as_str().unwrap().to_owned(),
                    v["channel"].clone(),
                    v["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                (
                    "preview".into(),
                    "whatsapp".into(),
                    "preview:whatsapp".into()
                ),
                ("preview".into(), "x".into(), "preview:x".into()),
                ("unknown".into(), serde_json::Value::Null, "ua:empty".into()),
                (
                    "automation".into(),
                    serde_json::Value::Null,
                    "automation:http-client".into()
                ),
            ]
        );
    }

    #[test]
    fn the_method_flag_applies() {
        let args = ClassifyArgs {
            method: "head".to_owned(),
            ..json_args()
        };
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        let v: serde_json::Value = serde_json::from_str(&run_on(&args, ua)[0]).unwrap();
        assert_eq!(
            (v["class"].as_str(), v["rule"].as_str()),
            (Some("scan"), Some("method:head"))
        );
    }

    #[test]
    fn the_referrer_flag_is_read() {
        let args = ClassifyArgs {
            referrer: Some("android-app://com.google.android.gm".to_owned()),
            ..json_args()
        };
        let v: serde_json::Value = serde_json::from_str(&run_on(&args, "x")[0]).unwrap();
        assert_eq!(v["referrer"]["medium"], "email");
        assert_eq!(v["referrer"]["source"], "gmail");
        assert_eq!(v["referrer"]["channel"], "email");
    }

    #[test]
    fn the_readable_form_names_the_rule() {
        let args = ClassifyArgs {
            method: "GET".to_owned(),
            ..ClassifyArgs::default()
        };
        let lines = run_on(&args, "facebookexternalhit/1.1;line-poker/1.0\n");
        assert!(
            lines[0].starts_with("preview, channel line (rule preview:line)"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn invalid_utf8_still_gets_a_line() {
        let mut out = Vec::new();
        let input: &[u8] = b"WhatsApp/2 \xff\nWhatsApp\n";
        classify_lines(&CLASSIFIER, &json_args(), input, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
    }
}
