//! The command line: parses arguments, loads the configuration, and hands
//! over to the command. `main.rs` only calls [`run`].

pub mod classify;
pub mod import;
pub mod links;
pub mod reclassify;
pub mod report;
pub mod serve;
pub mod sites;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigLayer};
use crate::sites::Site;
use crate::store::SqliteStore;

/// hearsay: dark social analytics.
#[derive(Parser)]
#[command(name = "hearsay", version, about)]
pub struct Cli {
    /// TOML configuration file (see hearsay.example.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of the embedded store [default: ./hearsay-data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the redirect, the collector, the widget and the API.
    Serve(serve::ServeArgs),
    /// Create and list sites.
    #[command(subcommand)]
    Sites(sites::SitesCommand),
    /// Create short links.
    #[command(subcommand)]
    Links(links::LinksCommand),
    /// Import web server access logs (combined format; .gz; - for stdin).
    Import(import::ImportArgs),
    /// Print the report from the store.
    Report(report::ReportArgs),
    /// Explain how hearsay classifies user agents (one a line on stdin) or
    /// one request.
    Classify(classify::ClassifyArgs),
    /// Apply today's classification rules to stored events.
    Reclassify(reclassify::ReclassifyArgs),
}

impl Cli {
    /// The configuration in force for this invocation.
    pub fn load_config(&self, listen: Option<std::net::SocketAddr>) -> anyhow::Result<Config> {
        Config::load(
            self.config.as_deref(),
            std::env::vars(),
            ConfigLayer {
                listen,
                data: self.data.clone(),
                ..Default::default()
            },
        )
    }
}

/// Opens the store the configuration names.
///
/// # Errors
///
/// Fails, naming the directory, if the store cannot be opened.
pub fn open_store(config: &Config) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(&config.data)
        .with_context(|| format!("opening store in {}", config.data.display()))
}

/// Opens the store the configuration names, which must exist: commands
/// that only read would otherwise show an empty new store.
///
/// # Errors
///
/// Fails, naming the directory, if there is no store there or it cannot
/// be opened.
pub fn open_existing_store(config: &Config) -> anyhow::Result<SqliteStore> {
    let file = config.data.join(crate::store::sqlite::FILE_NAME);
    if !file.exists() {
        anyhow::bail!(
            "no store in {}: run hearsay serve or hearsay import first, or give --data",
            config.data.display()
        );
    }
    open_store(config)
}

/// The site whose id or name is `key`.
///
/// # Errors
///
/// Fails if there is none, or the store fails.
pub fn find_site(store: &SqliteStore, key: &str) -> anyhow::Result<Site> {
    store
        .find_site(key)?
        .with_context(|| format!("no site with id or name {key:?}"))
}

/// Parses the arguments and runs the command.
///
/// # Errors
///
/// Whatever the command fails with; `main` prints the chain.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging();
    if !matches!(cli.command, Command::Serve(_)) {
        quit_quietly_on_closed_pipe();
    }
    match &cli.command {
        Command::Serve(args) => serve::run(&cli, args),
        Command::Sites(command) => sites::run(&cli, command),
        Command::Links(command) => links::run(&cli, command),
        Command::Import(args) => import::run(&cli, args),
        Command::Report(args) => report::run(&cli, args),
        Command::Classify(args) => classify::run(args),
        Command::Reclassify(args) => reclassify::run(&cli, args),
    }
}

/// Lets a command whose reader has gone (`hearsay report | head`) end
/// quietly, as other command-line tools do, instead of panicking in
/// `println!`. Not for `serve`, where a client that leaves must not stop
/// the server.
fn quit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal, before any thread
    // that could be writing has started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_logging() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The HTTP stack logs client addresses at debug and trace; they are
    // never logged, whatever RUST_LOG asks (docs/logging.md).
    for quiet in ["axum::serve=info", "hyper=info", "hyper_util=info"] {
        filter = filter.add_directive(quiet.parse().expect("directive parses"));
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
