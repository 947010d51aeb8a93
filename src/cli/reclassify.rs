//! `hearsay reclassify [--since DATE] [--site S] [--dry-run]`: today's rules
//! over stored events (see [`crate::classify::replay`]).

use std::collections::BTreeMap;

use anyhow::Context;

use super::Cli;
use crate::classify::Classifier;
use crate::classify::replay::{Replay, VerdictChange};
use crate::event::now_ms;
use crate::store::SqliteStore;

/// Events read from the store at a time.
const CHUNK: usize = 10_000;

/// Events before `--since` replayed for context only, so a follow-up or a
/// sweep that began just before it is still seen whole.
const CONTEXT_MS: i64 = 10 * 60_000;

#[derive(clap::Args)]
pub struct ReclassifyArgs {
    /// Only events at or after this UTC day (YYYY-MM-DD) or time (RFC
    /// 3339). Default: every stored event.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only the events of this site (id or name).
    #[arg(long)]
    pub site: Option<String>,
    /// Count what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(cli: &Cli, args: &ReclassifyArgs) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let mut store = super::open_existing_store(&config)?;
    let since_ms = match &args.since {
        Some(text) => parse_since(text)?,
        None => i64::MIN / 2,
    };
    let site_id = match &args.site {
        Some(key) => Some(super::find_site(&store, key)?.id),
        None => None,
    };
    let site = site_id.as_deref();

    if !args.dry_run {
        let dropped = store
            .drop_expired_user_agents(now_ms(), config.user_agent_retention_days)
            .context("dropping user agents past their retention")?;
        if dropped > 0 {
            println!("dropped {dropped} raw user agents past their site's retention");
        }
    }
    let classifier = Classifier::new().context("loading classification rules")?;
    let links = store.link_facts().context("reading links")?;
    let email_shares = store.email_share_times().context("reading shares")?;
    let mut replay = Replay::new(&classifier, links, email_shares);

    let mut tally = Tally::default();
    let mut after_id = 0;
    let mut first_id: Option<i64> = None;
    loop {
        let events = store
            .recorded_events(since_ms - CONTEXT_MS, site, after_id, CHUNK)
            .context("reading stored events")?;
        let Some(last) = events.last() else { break };
        after_id = last.id;
        let mut changes: Vec<VerdictChange> = Vec::new();
        for event in &events {
            let judged = replay.judge(event);
            changes.extend(judged.changes);
            if event.ts_ms < since_ms {
                continue;
            }
            first_id.get_or_insert(event.id);
            tally.read += 1;
            tally.evidence_dropped += usize::from(judged.evidence_dropped);
        }
        apply(&mut store, &mut tally, first_id, changes, args.dry_run)?;
    }
    let last = replay.finish();
    apply(&mut store, &mut tally, first_id, last, args.dry_run)?;

    let (shares, agents) = if args.dry_run {
        (0, 0)
    } else {
        let shares = store
            .set_share_evidence(since_ms, site, replay.share_evidence())
            .context("storing the shares' inferred channels")?;
        let agents = store
            .reparse_user_agents(&classifier)
            .context("reading user agents again")?;
        (shares, agents)
    };
    tally.print(args.dry_run, shares, agents);
    Ok(())
}

/// Counts and, unless `dry_run`, stores the changes of events at or after
/// `first_id` (events before it were replayed for context only).
fn apply(
    store: &mut SqliteStore,
    tally: &mut Tally,
    first_id: Option<i64>,
    mut changes: Vec<VerdictChange>,
    dry_run: bool,
) -> anyhow::Result<()> {
    changes.retain(|c| first_id.is_some_and(|first| c.id >= first));
    for change in &changes {
        *tally.changed.entry(change.class.as_str()).or_default() += 1;
    }
    if !dry_run {
        let clicks = store
            .update_verdicts(&changes)
            .context("storing the new verdicts")?;
        tally.clicks += clicks.values().sum::<i64>();
    }
    Ok(())
}

/// What a run found.
#[derive(Default)]
struct Tally {
    read: usize,
    evidence_dropped: usize,
    /// Changed events by their new class.
    changed: BTreeMap<&'static str, usize>,
    /// The change in clicks.
    clicks: i64,
}

impl Tally {
    fn print(&self, dry_run: bool, shares: usize, agents: usize) {
        let changed: usize = self.changed.values().sum();
        let by_class: Vec<String> = self
            .changed
            .iter()
            .map(|(class, n)| format!("{class} {n}"))
            .collect();
        let verb = if dry_run { "would change" } else { "changed" };
        println!(
            "read {} events; {verb} {changed}{}",
            self.read,
            if by_class.is_empty() {
                String::new()
            } else {
                format!(" (now {})", by_class.join(", "))
            }
        );
        if self.evidence_dropped > 0 {
            println!(
                "kept the verdict of {} events whose raw user agent was dropped after retention",
                self.evidence_dropped
            );
        }
        if !dry_run {
            println!("clicks {:+}", self.clicks);
            println!("shares whose inferred channel changed: {shares}");
            println!("user agents read anew: {agents}");
        }
    }
}

/// Milliseconds since the epoch of a UTC day or an RFC 3339 time.
fn parse_since(text: &str) -> anyhow::Result<i64> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(midnight.and_utc().timestamp_millis());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            anyhow::anyhow!("--since {text:?} is neither a day (YYYY-MM-DD) nor an RFC 3339 time")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_days_and_times() {
        assert_eq!(parse_since("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(parse_since("1970-01-01T00:00:01+00:00").unwrap(), 1_000);
        let err = parse_since("yesterday").unwrap_err().to_string();
        assert!(err.contains("yesterday"), "{err}");
    }
}
