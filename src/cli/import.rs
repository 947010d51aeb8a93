//! `hearsay import FILE…`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use super::Cli;
use crate::classify::{Classifier, RequestClass};
use crate::ingest::import::{ImportOptions, import_files};
use crate::sites::domain::normalize_domain;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Access logs: plain, .gz, or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The site the log belongs to (its domains mark internal referrers).
    #[arg(long)]
    pub site: Option<String>,
    /// The log's own domain, to tell internal referrers apart; repeat for
    /// more. Guessed from the most frequent referrer when not given.
    #[arg(long = "domain")]
    pub domains: Vec<String>,
    /// Import files whose bytes were imported before (their lines are then
    /// counted twice).
    #[arg(long)]
    pub again: bool,
}

pub fn run(cli: &Cli, args: &ImportArgs) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let mut store = super::open_store(&config)?;
    let mut options = ImportOptions {
        again: args.again,
        ..Default::default()
    };
    if let Some(key) = &args.site {
        let site = super::find_site(&store, key)?;
        options.domains = site.domains.clone();
        options.site_id = Some(site.id);
    }
    for domain in &args.domains {
        options.domains.push(normalize_domain(domain)?);
    }
    let classifier = Classifier::new().context("loading classification rules")?;

    let started = Instant::now();
    let summary = import_files(&mut store, &classifier, &args.files, &options)?;
    let seconds = started.elapsed().as_secs_f64();

    for skipped in &summary.skipped {
        eprintln!(
            "{}:{}: skipped malformed line: {}",
            skipped.file, skipped.line, skipped.error
        );
    }
    if summary.malformed > summary.skipped.len() as u64 {
        eprintln!(
            "… and {} more malformed lines",
            summary.malformed - summary.skipped.len() as u64
        );
    }
    if summary.domains_guessed {
        match summary.domains.first() {
            Some(domain) => eprintln!(
                "treating {domain} (the most frequent referrer) as the site's own domain; pass --domain to change"
            ),
            None => eprintln!("no own domain given or guessed: no referrer counts as internal"),
        }
    }
    let rate = summary.lines as f64 / seconds.max(1e-9);
    println!(
        "imported {} of {} lines ({} malformed) in {:.2} s, {:.0} lines/s",
        summary.imported, summary.lines, summary.malformed, seconds, rate
    );
    let classes: Vec<String> = RequestClass::ALL
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c.as_str(),
                summary.by_class.get(c).copied().unwrap_or(0)
            )
        })
        .collect();
    println!("by class: {}", classes.join(", "));
    if summary.imported == 0 && summary.lines > 0 {
        anyhow::bail!("no line of the input could be read as an access log line");
    }
    Ok(())
}
