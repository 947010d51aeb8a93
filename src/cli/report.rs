//! `hearsay report [--json]`: the report for the terminal or as JSON.

use std::fmt::Write as _;

use anyhow::Context;

use super::Cli;
use crate::query::report::{Report, SOURCE_BUCKETS, build_report};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Only this site (id or name); the whole store by default.
    #[arg(long)]
    pub site: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let store = super::open_existing_store(&config)?;
    let site_id = match &args.site {
        Some(key) => Some(super::find_site(&store, key)?.id),
        None => None,
    };
    let report = build_report(&store, site_id.as_deref()).context("building the report")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The report as text tables.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let requests: i64 = report.requests_by_class.values().sum();
    let _ = writeln!(out, "Requests by class ({requests} in all)");
    for (class, n) in &report.requests_by_class {
        let _ = writeln!(out, "  {class:<12} {n:>9}  {:>6}", percent(*n, requests));
    }

    let views = report.dark_social_estimate.page_views;
    let _ = writeln!(out, "\nPage views by people, by source ({views} in all)");
    for bucket in SOURCE_BUCKETS {
        let n = report.sources.get(bucket).copied().unwrap_or(0);
        let label = match bucket {
            "direct_home" => "direct, home page",
            "direct_deep" => "direct, deep page",
            other => other,
        };
        let _ = writeln!(out, "  {label:<18} {n:>9}  {:>6}", percent(n, views));
    }
    let _ = writeln!(
        out,
        "  likely dark social (direct, deep page): {} of {} page views ({})",
        report.dark_social_estimate.direct_deep,
        views,
        percent(report.dark_social_estimate.direct_deep, views)
    );

    let _ = writeln!(
        out,
        "\nShares {}, clicks {}, previews {}, clicks per share {}, unknown codes {}",
        report.shares,
        report.clicks,
        report.previews,
        report
            .clicks_per_share
            .map_or("-".into(), |r| format!("{r:.2}")),
        report.misses
    );
    let _ = writeln!(
        out,
        "  dark:   {} shares, {} clicks, {} previews",
        report.dark.shares, report.dark.clicks, report.dark.previews
    );
    let _ = writeln!(
        out,
        "  public: {} shares, {} clicks, {} previews",
        report.public.shares, report.public.clicks, report.public.previews
    );
    if !report.channels.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<12} {:>6} {:>8} {:>8} {:>7} {:>8} {:>10}",
            "channel", "dark", "shares", "declared", "clicks", "previews", "clicks/sh"
        );
        for c in &report.channels {
            let _ = writeln!(
                out,
                "  {:<12} {:>6} {:>8} {:>8} {:>7} {:>8} {:>10}",
                c.channel,
                if c.dark { "dark" } else { "public" },
                c.shares,
                c.shares_declared,
                c.clicks,
                c.previews,
                c.clicks_per_share.map_or("-".into(), |r| format!("{r:.2}"))
            );
        }
    }
    if !report.learnt_channels.is_empty() {
        let _ = writeln!(
            out,
            "\n  what clicks and previews said of shares (declared → inferred)"
        );
        for l in &report.learnt_channels {
            let _ = writeln!(
                out,
                "  {:<12} → {:<12} {:>6}",
                l.declared.as_deref().unwrap_or("-"),
                l.inferred,
                l.shares
            );
        }
    }
    if !report.devices.is_empty() {
        let _ = writeln!(out, "\nDevices            clicks  page views");
        for d in &report.devices {
            let _ = writeln!(
                out,
                "  {:<14} {:>8} {:>11}",
                d.device, d.clicks, d.page_views
            );
        }
    }
    if !report.top_content.is_empty() {
        let _ = writeln!(out, "\nTop content by shares");
        for c in &report.top_content {
            let _ = writeln!(
                out,
                "  {:>5}  {}  {}",
                c.shares,
                c.title.as_deref().unwrap_or(""),
                c.url
            );
        }
    }
    if !report.top_crawler_rules.is_empty() {
        let _ = writeln!(out, "\nCrawlers, by the rule that named them");
        for (rule, n) in &report.top_crawler_rules {
            let _ = writeln!(out, "  {n:>7}  {rule}");
        }
    }
    if report.events_dropped > 0 {
        let _ = writeln!(
            out,
            "\nEvents dropped because the queue was full: {}",
            report.events_dropped
        );
    }
    out
}
