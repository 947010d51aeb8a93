//! One line of an Apache/nginx access log in the combined format (the
//! common format, without referrer and user agent, is read too):
//!
//! `host ident user [time] "request" status bytes "referrer" "user agent"`

use std::net::IpAddr;

/// A parsed line. The address is only for the
/// visitor hash and is dropped after it.
#[derive(Debug, PartialEq)]
pub struct LogLine {
    pub ip: Option<IpAddr>,
    pub ts_ms: i64,
    pub method: String,
    /// The request target, query string included.
    pub target: String,
    pub status: u16,
    pub referrer: Option<String>,
    pub user_agent: String,
}

/// Why a line could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LineError {
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("bad time {0:?}")]
    Time(String),
    #[error("bad status {0:?}")]
    Status(String),
    #[error("{0} field is not a whole quoted string (truncated line?)")]
    Unterminated(&'static str),
    #[error("bad request line {0:?}")]
    Request(String),
}

/// Reads one line.
///
/// # Errors
///
/// Names the first field that is missing or malformed.
pub fn parse_line(line: &str) -> Result<LogLine, LineError> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (host, rest) = line
        .split_once(' ')
        .ok_or(LineError::Missing("client address"))?;
    let open = rest.find('[').ok_or(LineError::Missing("time"))?;
    let close = rest[open..].find(']').ok_or(LineError::Missing("time"))? + open;
    let time = &rest[open + 1..close];
    let ts_ms = chrono::DateTime::parse_from_str(time, "%d/%b/%Y:%H:%M:%S %z")
        .map_err(|_| LineError::Time(time.chars().take(60).collect()))?
        .timestamp_millis();
    let rest = rest[close + 1..].trim_start();

    let (request, rest) = quoted(rest).ok_or(LineError::Missing("request"))?;
    let mut parts = request.split(' ');
    let method = parts
        .next()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
    let target = parts
        .next()
        .filter(|t| t.starts_with('/') || t.contains("://"));
    let (Some(method), Some(target)) = (method, target) else {
        return Err(LineError::Request(request.chars().take(60).collect()));
    };

    let rest = rest.trim_start();
    let (status, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let status: u16 = status
        .parse()
        .ok()
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| LineError::Status(status.chars().take(60).collect()))?;
    let rest = rest.trim_start();
    let rest = rest
        .split_once(' ')
        .map_or("", |(_bytes, after)| after)
        .trim_start();

    // The common format ends here; the combined one has two more fields,
    // both quoted and both whole.
    let (referrer, user_agent) = if rest.is_empty() {
        (String::new(), String::new())
    } else {
        let (referrer, after) = quoted(rest).ok_or(LineError::Unterminated("referrer"))?;
        let (agent, _) = quoted(after.trim_start()).ok_or(LineError::Unterminated("user agent"))?;
        (referrer, agent)
    };
    Ok(LogLine {
        ip: host.parse().ok(),
        ts_ms,
        method: method.to_owned(),
        target: target.to_owned(),
        status,
        referrer: (!referrer.is_empty() && referrer != "-").then_some(referrer),
        user_agent: if user_agent == "-" {
            String::new()
        } else {
            user_agent
        },
    })
}

/// A `"…"` field at the start of `text` with `\"` and `\\` unescaped, and
/// the text after it. Borrowed unescaping is not worth it: escapes are
/// rare, so this copies.
fn quoted(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            }
            '"' => return Some((out, &body[i + 1..])),
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_line_from_the_real_log() {
        let line = r#"198.18.0.1 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#;
        let parsed = parse_line(line).unwrap();
        assert_eq!(parsed.ip, Some("198.18.0.1".parse().unwrap()));
        // 2015-05-17T10:05:03Z
        assert_eq!(parsed.ts_ms, 1_431_857_103_000);
        assert_eq!(parsed.method, "GET");
        assert_eq!(
            parsed.target,
            "/presentations/logstash-monitorama-2013/images/kibana-search.png"
        );
        assert_eq!(parsed.status, 200);
        assert_eq!(
            parsed.referrer.as_deref(),
            Some("http://semicomplete.com/presentations/logstash-monitorama-2013/")
        );
        assert!(parsed.user_agent.starts_with("Mozilla/5.0 (Macintosh"));
    }

    #[test]
    fn dashes_escapes_and_common_format() {
        let line =
            r#"::1 - - [01/Jan/2020:00:00:00 +0100] "HEAD / HTTP/1.0" 304 - "-" "say \"hi\"""#;
        let parsed = parse_line(line).unwrap();
        assert_eq!(parsed.referrer, None);
        assert_eq!(parsed.user_agent, "say \"hi\"");
        assert_eq!(parsed.ts_ms, 1_577_833_200_000);
        let common = r#"10.0.0.1 - - [01/Jan/2020:00:00:00 +0000] "GET /a HTTP/1.1" 200 12"#;
        assert_eq!(parse_line(common).unwrap().user_agent, "");
    }

    #[test]
    fn malformed_lines_name_the_field() {
        assert_eq!(
            parse_line("garbage"),
            Err(LineError::Missing("client address"))
        );
        assert!(matches!(
            parse_line(r#"1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 1"#),
            Err(LineError::Time(_))
        ));
        assert!(matches!(
            parse_line(r#"1.2.3.4 - - [01/Jan/2020:00:00:00 +0000] "\x16\x03\x01" 400 0 "-" "-""#),
            Err(LineError::Request(_))
        ));
        assert!(matches!(
            parse_line(r#"1.2.3.4 - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" abc 1"#),
            Err(LineError::Status(_))
        ));
    }
}
