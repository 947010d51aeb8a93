//! `hearsay import`: read access logs (plain, `.gz`, or `-` for standard
//! input) into the store as classified events, in batches of one
//! transaction each. A malformed line is skipped, counted and reported
//! with its line number; it never stops the import.
//!
//! Visitor ids of imported lines are hashed under salts drawn for this
//! import only and never kept, so they cannot be joined with anything.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::access_log::{LineError, parse_line};
use crate::classify::{Classifier, Method, RequestClass, RequestFacts};
use crate::collect::DailySalts;
use crate::collect::salts::day_index;
use crate::content::{is_home_path, path_of};
use crate::event::{Event, EventKind};
use crate::store::SqliteStore;
use crate::store::sqlite::write::Batch;

const BATCH_LINES: usize = 10_000;
/// Lines read before the site's own domain is guessed.
const GUESS_LINES: usize = 20_000;
/// Malformed lines reported one by one; the rest are only counted.
const REPORTED_ERRORS: usize = 20;

/// What to import into.
#[derive(Default)]
pub struct ImportOptions {
    /// The site the lines belong to, if any.
    pub site_id: Option<String>,
    /// The site's own domains, for telling internal referrers apart. When
    /// empty, guessed from the most frequent referrer host.
    pub domains: Vec<String>,
    /// Import files even if the same bytes were imported before.
    pub again: bool,
}

/// A malformed line.
#[derive(Debug)]
pub struct SkippedLine {
    pub file: String,
    pub line: u64,
    pub error: LineError,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub lines: u64,
    pub imported: u64,
    pub malformed: u64,
    pub skipped: Vec<SkippedLine>,
    pub domains: Vec<String>,
    pub domains_guessed: bool,
    pub by_class: HashMap<RequestClass, u64>,
}

/// Static assets are requests, not page views.
const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "bmp", "css", "js", "mjs", "map", "woff",
    "woff2", "ttf", "otf", "eot", "xml", "rss", "atom", "txt", "json", "gz", "zip", "tar", "pdf",
    "mp3", "mp4", "webm", "swf", "tgz", "deb", "rpm",
];

/// Whether a request looks like a page view: a GET answered with a page
/// (2xx, or 304 for a page the browser had), not an asset or a feed.
pub fn is_page_view(method: &str, path: &str, status: u16) -> bool {
    if method != "GET" || !((200..300).contains(&status) || status == 304) {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((_, ext)) => !ASSET_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()),
        None => true,
    }
}

/// Imports `files` into `store`.
///
/// # Errors
///
/// Fails if a file cannot be opened or read, or the store fails. Lines
/// already written stay written.
pub fn import_files(
    store: &mut SqliteStore,
    classifier: &Classifier,
    files: &[PathBuf],
    options: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary {
        domains: options.domains.clone(),
        ..Default::default()
    };
    let salts = DailySalts::default();
    let site_id: Option<Arc<str>> = options.site_id.as_deref().map(Arc::from);
    let mut batch = Batch::default();

    // Every file must open, and be new to the store, before any is read,
    // so a mistyped name or a repeated file leaves nothing half imported.
    let mut inputs = Vec::with_capacity(files.len());
    let mut seen = HashMap::new();
    for file in files {
        let name = file.display().to_string();
        let fingerprint = match file.as_os_str() == "-" {
            true => None,
            false => Some(fingerprint(file).with_context(|| format!("opening {name}"))?),
        };
        if let Some(fingerprint) = fingerprint.filter(|_| !options.again) {
            if let Some(first) = seen.insert(fingerprint, name.clone()) {
                anyhow::bail!("{name} has the same bytes as {first}; give each file once");
            }
            if let Some((before, lines, at_ms)) = store.imported_before(&fingerprint)? {
                let day = chrono::DateTime::from_timestamp_millis(at_ms)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default();
                anyhow::bail!(
                    "{name} was imported before (as {before}, {lines} lines, {day}); \
                     importing it again would count its lines twice (pass --again to do so)"
                );
            }
        }
        inputs.push((
            open_input(file).with_context(|| format!("opening {name}"))?,
            name,
            fingerprint,
        ));
    }

    for ((reader, progress), name, fingerprint) in inputs {
        let lines_before = summary.lines;
        let mut lines = reader.lines_lossy();
        let mut pending: Vec<String> = Vec::new();
        if summary.domains.is_empty() && !summary.domains_guessed {
            while pending.len() < GUESS_LINES {
                match lines.next() {
                    Some(line) => pending.push(line.with_context(|| format!("reading {name}"))?),
                    None => break,
                }
            }
            summary.domains = guess_own_domain(&pending).into_iter().collect();
            summary.domains_guessed = true;
        }
        let mut number = 0u64;
        let mut process = |text: &str, summary: &mut ImportSummary, batch: &mut Batch| {
            number += 1;
            summary.lines += 1;
            if text.trim().is_empty() {
                return;
            }
            match parse_line(text) {
                Ok(line) => {
                    let event = line_event(classifier, &salts, &site_id, &summary.domains, &line);
                    *summary.by_class.entry(event.verdict.class).or_default() += 1;
                    summary.imported += 1;
                    batch.events.push(event);
                }
                Err(error) => {
                    summary.malformed += 1;
                    if summary.skipped.len() < REPORTED_ERRORS {
                        summary.skipped.push(SkippedLine {
                            file: name.clone(),
                            line: number,
                            error,
                        });
                    }
                }
            }
        };
        for text in pending.drain(..) {
            process(&text, &mut summary, &mut batch);
            flush_if_full(store, &mut batch)?;
        }
        for text in lines {
            let text = text.with_context(|| format!("reading {name}"))?;
            process(&text, &mut summary, &mut batch);
            flush_if_full(store, &mut batch)?;
            if summary.lines.is_multiple_of(4096) {
                progress.tick_to_position();
            }
        }
        store
            .write_batch(&batch)
            .context("writing imported events")?;
        batch.events.clear();
        if let Some(fingerprint) = &fingerprint {
            let lines = summary.lines - lines_before;
            store
                .record_import(fingerprint, &name, lines, crate::event::now_ms())
                .context("noting the import")?;
        }
        progress.finish();
    }
    Ok(summary)
}

/// A hash of a file's bytes (as stored, compressed or not).
fn fingerprint(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(*hasher.finalize().as_bytes())
}

fn flush_if_full(store: &mut SqliteStore, batch: &mut Batch) -> anyhow::Result<()> {
    if batch.events.len() >= BATCH_LINES {
        store
            .write_batch(batch)
            .context("writing imported events")?;
        batch.events.clear();
    }
    Ok(())
}

fn line_event(
    classifier: &Classifier,
    salts: &DailySalts,
    site_id: &Option<Arc<str>>,
    domains: &[String],
    line: &super::access_log::LogLine,
) -> Event {
    let method = Method::from_name(&line.method);
    let verdict = classifier.classify_request(&RequestFacts {
        method,
        user_agent: &line.user_agent,
    });
    let path = path_of(&line.target);
    let mut event = Event::new(EventKind::Import, line.ts_ms, verdict);
    event.site_id = site_id.clone();
    event.method = Some(method);
    event.status = Some(line.status);
    if !line.user_agent.is_empty() {
        event.user_agent = Some(Arc::from(line.user_agent.as_str()));
    }
    event.referrer =
        Some(classifier.read_referrer(line.referrer.as_deref().unwrap_or(""), domains));
    event.pageview = is_page_view(&line.method, path, line.status);
    event.home = Some(is_home_path(path));
    event.url = Some(path.to_owned());
    if let Some(ip) = line.ip {
        let (hasher, _) = salts.hasher_for(day_index(line.ts_ms));
        event.visitor_id =
            Some(hasher.visitor_id(site_id.as_deref().unwrap_or(""), ip, &line.user_agent));
    }
    event
}

/// The most frequent referrer host, without `www.`, when it is frequent
/// enough to be the site itself (a tenth of the referred lines).
pub fn guess_own_domain(lines: &[String]) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut referred = 0usize;
    for line in lines {
        let Ok(parsed) = parse_line(line) else {
            continue;
        };
        let Some(host) = parsed
            .referrer
            .as_deref()
            .and_then(crate::classify::referrer::referrer_host)
        else {
            continue;
        };
        referred += 1;
        let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
        *counts.entry(host).or_default() += 1;
    }
    let (host, count) = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (count * 10 >= referred && count >= 10).then_some(host)
}

/// A reader over a file, `.gz` decompressed, or standard input for `-`,
/// with a progress bar on a terminal.
fn open_input(path: &Path) -> std::io::Result<(LossyLines, Progress)> {
    if path == Path::new("-") {
        let reader = ungzip(BufReader::new(std::io::stdin()))?;
        return Ok((LossyLines(reader), Progress::spinner()));
    }
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    let progress = Progress::bar(len);
    let counted = BufReader::with_capacity(256 * 1024, progress.wrap(file));
    Ok((LossyLines(ungzip(counted)?), progress))
}

/// The reader itself, or its gzip decoding when it starts with gzip's
/// magic bytes (whatever the file is called).
fn ungzip<R: BufRead + 'static>(mut reader: R) -> std::io::Result<Box<dyn BufRead>> {
    if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::new(
            flate2::bufread::MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

/// Lines, with invalid UTF-8 replaced rather than fatal (real logs have it).
struct LossyLines(Box<dyn BufRead>);

impl LossyLines {
    fn lines_lossy(self) -> impl Iterator<Item = std::io::Result<String>> {
        let mut reader = self.0;
        let mut buf = Vec::new();
        std::iter::from_fn(move || {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => None,
                Ok(_) => Some(Ok(String::from_utf8_lossy(&buf).into_owned())),
                Err(e) => Some(Err(e)),
            }
        })
    }
}

/// A progress bar over bytes read, drawn only on a terminal.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn bar(len: u64) -> Progress {
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template"),
        );
        Progress { bar }
    }

    fn spinner() -> Progress {
        Progress {
            bar: ProgressBar::new_spinner(),
        }
    }

    fn wrap<R: Read>(&self, reader: R) -> indicatif::ProgressBarIter<R> {
        self.bar.wrap_read(reader)
    }

    fn tick_to_position(&self) {
        self.bar.tick();
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_views_are_pages_not_assets() {
        assert!(is_page_view("GET", "/", 200));
        assert!(is_page_view("GET", "/blog/2015/post/", 200));
        assert!(is_page_view("GET", "/projects/xdotool/", 304));
        assert!(is_page_view("GET", "/index.html", 200));
        assert!(!is_page_view("GET", "/style.css", 200));
        assert!(!is_page_view("GET", "/images/logo.PNG", 200));
        assert!(!is_page_view("GET", "/blog/feed.xml", 200));
        assert!(!is_page_view("GET", "/missing", 404));
        assert!(!is_page_view("POST", "/form", 200));
    }
}
