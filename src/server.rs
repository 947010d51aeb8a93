//! `hearsay serve`: open the store (creating the demo site on first start),
//! load links and sites into memory, start the writer, serve HTTP, and on
//! SIGTERM or Ctrl-C stop accepting, drain the queue to disk and return.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use crate::classify::Classifier;
use crate::collect::{DailySalts, EventQueue, WriteOp, WriterConfig, spawn_writer};
use crate::config::Config;
use crate::event::now_ms;
use crate::http::serve::ServeLimits;
use crate::http::{AppState, router};
use crate::links::LinkTable;
use crate::sites::table::SiteTable;
use crate::store::SqliteStore;

/// How long a stop waits for open requests before it closes them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Reports and listings that scan events at once; the rest wait.
const READERS: usize = 2;

/// Name of the site made on first start.
pub const DEMO_SITE: &str = "demo";

/// Creates the demo site and an admin key in an empty store, and prints
/// them once. Returns whether it did.
///
/// # Errors
///
/// Fails if the store does.
pub fn bootstrap(store: &mut SqliteStore, public_base: &str) -> anyhow::Result<bool> {
    if !store.sites()?.is_empty() {
        return Ok(false);
    }
    let domains = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let (site, key) = crate::sites::create::create_site(
        store,
        DEMO_SITE,
        &domains,
        Default::default(),
        now_ms(),
    )?;
    let admin_key = crate::sites::api_key::new_api_key();
    store.add_admin_key(&crate::sites::api_key::hash_api_key(&admin_key), now_ms())?;
    println!("first start: created site {DEMO_SITE:?} for localhost");
    println!("demo site id: {}", site.id);
    println!("demo site api key: {key}");
    println!("admin key: {admin_key}");
    println!("(keys are shown this once and stored only as hashes)");
    println!("open {public_base}/ to share the demo article");
    Ok(true)
}

/// Runs the server until a stop signal, then drains and returns.
///
/// # Errors
///
/// Fails if the store cannot be opened, the address cannot be bound, or
/// the writer cannot start.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let mut catalog = SqliteStore::open(&config.data)
        .with_context(|| format!("opening store in {}", config.data.display()))?;
    let _lock = lock_data_dir(&config.data)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let local = listener.local_addr().context("reading the bound address")?;
    let public_base = match &config.public_url {
        Some(_) => config.public_base(),
        None => format!("http://{local}"),
    };
    bootstrap(&mut catalog, &public_base)?;

    let sites = catalog.sites().context("loading sites")?;
    let demo_site_id = sites
        .iter()
        .find(|s| s.name == DEMO_SITE)
        .map(|s| s.id.clone());
    let links = catalog.links(None).context("loading links")?;
    let salts = catalog.salts().context("loading salts")?;
    tracing::info!(
        store = "sqlite",
        path = %catalog.path().display(),
        sites = sites.len(),
        links = links.len(),
        "store opened"
    );

    let writer_store =
        SqliteStore::open(&config.data).context("opening the writer's connection")?;
    let (queue, receiver) = EventQueue::new(config.queue_capacity);
    let queue = Arc::new(queue);
    let links = Arc::new(LinkTable::from_links(links));
    let writer = spawn_writer(
        writer_store,
        receiver,
        queue.clone(),
        links.clone(),
        WriterConfig {
            flush_interval_ms: config.flush_interval_ms,
            flush_max_events: config.flush_max_events,
            user_agent_retention_days: config.user_agent_retention_days,
        },
    )
    .context("starting the event writer")?;

    let state = Arc::new(AppState {
        classifier: Arc::new(load_classifier(&config)?),
        followups: Default::default(),
        email_shares: Default::default(),
        links,
        sites: SiteTable::from_sites(sites),
        queue: queue.clone(),
        salts: DailySalts::from_stored(salts),
        catalog: Mutex::new(catalog),
        public_base: public_base.clone(),
        demo_site_id,
        share_link_rate: crate::http::links::share_link_rate(),
        readers: tokio::sync::Semaphore::new(READERS),
        config,
    });

    // The rate of the widget's short links only needs the last minute.
    let rates = state.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            rates.share_link_rate.retain_recent();
            rates.share_link_rate.shrink_to_fit();
        }
    });

    // The CLI prints short links under the address of the running server.
    let url_file = state_url_file(&state.config.data);
    if let Err(error) = std::fs::write(&url_file, &public_base) {
        tracing::warn!(path = %url_file.display(), error = %error, "cannot record the server's address");
    }
    println!("listening on http://{local}");
    tracing::info!(listen = %local, "listening");
    let limits = ServeLimits {
        header_read_timeout: Duration::from_millis(state.config.header_read_timeout_ms),
        grace: SHUTDOWN_GRACE,
        max_connections: state.config.max_connections,
    };
    crate::http::serve::serve(listener, router(state.clone()), limits, stop_signal()).await;

    tracing::info!("draining the event queue");
    let _ = std::fs::remove_file(&url_file);
    queue.send_blocking(WriteOp::Stop);
    writer.thread().unpark();
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .context("waiting for the writer")?
        .map_err(|_| anyhow::anyhow!("the event writer panicked"))?;
    tracing::info!(
        events.accepted = queue.accepted(),
        events.dropped = queue.dropped(),
        "stopped"
    );
    Ok(())
}

/// Holds the data directory for this server: a second `hearsay serve` on
/// the same store would load links the first one changes under it. The
/// lock goes with the returned file (and with the process).
///
/// # Errors
///
/// Fails, saying so, if another server holds the directory.
fn lock_data_dir(data: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let path = data.join("serve.lock");
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another hearsay serve is running on {}; stop it or give another --data",
            data.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// The file in the data directory where a running server notes the base
/// URL of its short links.
pub fn state_url_file(data: &std::path::Path) -> std::path::PathBuf {
    data.join("server.url")
}

/// The base URL for short links printed by the CLI: the configured
/// `public_url`, else the running server's, else the configured listen
/// address.
pub fn short_link_base(config: &Config) -> String {
    if config.public_url.is_some() {
        return config.public_base();
    }
    std::fs::read_to_string(state_url_file(&config.data))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| config.public_base())
}

/// The classifier with the configured scanner networks, if any.
///
/// # Errors
///
/// Fails if the rules do not compile or the networks file is unreadable.
pub fn load_classifier(config: &Config) -> anyhow::Result<Classifier> {
    let classifier = Classifier::new().context("loading classification rules")?;
    Ok(match &config.scanner_networks_path {
        Some(path) => classifier.with_scanner_networks(
            crate::classify::scanner_network::ScannerNetworks::from_path(path)
                .with_context(|| format!("loading scanner networks from {}", path.display()))?,
        ),
        None => classifier,
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
