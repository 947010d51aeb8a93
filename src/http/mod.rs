//! The HTTP surface: the redirect, the collector, the widget script, the
//! demo page and the JSON API, on one port.
//!
//! [`router`] builds the whole surface from an [`AppState`], so tests can
//! drive it with or without a socket.

pub mod auth;
pub mod collector;
pub mod error;
pub mod links;
pub mod listing;
pub mod pages;
pub mod redirect;
pub mod request;
pub mod serve;
pub mod sites;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::classify::Classifier;
use crate::collect::{DailySalts, EventQueue, WriteOp};
use crate::config::Config;
use crate::event::Event;
use crate::links::LinkTable;
use crate::sites::table::SiteTable;
use crate::store::SqliteStore;

/// What every handler shares.
pub struct AppState {
    pub config: Config,
    pub classifier: Arc<Classifier>,
    /// Recent previews per link code, to tie follow-up fetches (X's HEADs,
    /// Discord's proxy) to the preview before them.
    pub followups: crate::classify::followup::FollowupTracker,
    /// Email shares of the last minute, to tell a mail gateway's visit from
    /// the recipient's.
    pub email_shares: crate::classify::scan_timing::RecentEmailShares,
    pub links: Arc<LinkTable>,
    pub sites: SiteTable,
    pub queue: Arc<EventQueue>,
    pub salts: DailySalts,
    /// A connection for catalog reads and writes (sites, links): never
    /// used on the redirect's path except for a code not in memory.
    pub catalog: Mutex<SqliteStore>,
    /// The base of short links, e.g. `http://127.0.0.1:8080`.
    pub public_base: String,
    /// The demo site, when the store was created by this server.
    pub demo_site_id: Option<String>,
    /// Reads that scan events ([`AppState::with_reader`]) running at once.
    pub readers: tokio::sync::Semaphore,
    /// How many short links each client has made through the widget's
    /// endpoint lately (by a keyed hash of its address, never the address).
    pub share_link_rate: links::ShareLinkRate,
}

impl AppState {
    /// Runs `f` on the catalog connection off the async threads.
    pub async fn with_catalog<T, F>(self: &Arc<Self>, f: F) -> Result<T, error::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> Result<T, error::ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = state.catalog.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
        .await
        .map_err(error::ApiError::internal)?
    }

    /// Runs `f` on a connection of its own, off the async threads: for
    /// reads that scan events (reports, listings), which must not hold the
    /// catalog connection that key checks and link creation wait on.
    pub async fn with_reader<T, F>(self: &Arc<Self>, f: F) -> Result<T, error::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, error::ApiError> + Send + 'static,
    {
        // A few at a time: each scans events on a core of its own, and
        // the redirect needs the others.
        let _permit = self
            .readers
            .acquire()
            .await
            .map_err(error::ApiError::internal)?;
        let data = self.config.data.clone();
        tokio::task::spawn_blocking(move || f(&SqliteStore::open(&data)?))
            .await
            .map_err(error::ApiError::internal)?
    }

    /// The visitor id of a request under today's salt (drawing and keeping
    /// a new salt on the first request of a day).
    pub fn visitor_id(
        &self,
        site_id: &str,
        ip: std::net::IpAddr,
        user_agent: &str,
        ts_ms: i64,
    ) -> i64 {
        let day = crate::collect::salts::day_index(ts_ms);
        let (hasher, new_salt) = self.salts.hasher_for(day);
        if let Some(salt) = new_salt
            && !self.queue.try_send(WriteOp::Salt(day, salt))
        {
            tracing::warn!("event queue full; today's salt is kept in memory only");
        }
        hasher.visitor_id(site_id, ip, user_agent)
    }

    /// Queues an event; a full queue drops and counts it (see
    /// [`crate::collect::queue`]).
    pub fn record(&self, event: Event) {
        self.queue.push(event);
    }
}

/// The whole HTTP surface.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.max_body_bytes;
    let api = Router::new()
        .route("/sites", post(sites::create_site))
        .route("/links", post(links::create_link))
        .route(
            "/share-links",
            post(links::create_share_link).options(request::preflight),
        )
        .route(
            "/events",
            post(collector::collect_events)
                .options(request::preflight)
                .get(listing::list_events),
        )
        .route("/shares", get(listing::list_shares))
        .route("/report", get(listing::site_report))
        .route("/health", get(listing::health))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request::body_deadline,
        ));
    Router::new()
        .route("/", get(pages::demo_page))
        .route("/widget.js", get(pages::widget_script))
        .route("/{code}", get(redirect::follow_link))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .with_state(state)
}
