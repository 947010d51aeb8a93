//! The redirect, the hot path: `GET`/`HEAD /{code}` answers at once from
//! the in-memory link table and queues the classified request.
//!
//! Every request is recorded with its class; only a person's `GET` of a
//! live link is a click and spends the link's allowance. Previews, scans
//! and the rest are still redirected.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::plain_page;
use super::request::{client_ip, referrer, user_agent};
use std::time::Instant;

use crate::classify::inference::evidence_channel;
use crate::classify::scan_timing::delivery_window_scan;
use crate::classify::{Channel, Method, RequestClass, RequestFacts};
use crate::event::{Event, EventKind, now_ms};
use crate::links::Link;
use crate::links::code::looks_like_code;
use crate::links::link::LinkState;

const NOT_FOUND: &str = "This link does not exist. Check that it was copied whole.\n";
const GONE: &str = "This link has expired and no longer leads anywhere.\n";

/// `GET /{code}` (axum routes `HEAD` here too).
pub async fn follow_link(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    // The request itself, not the `HeaderMap` and `Path` extractors: they
    // copy every header and the code, on the hottest path there is. Codes
    // are base62, so the raw path needs no decoding.
    let code = request.uri().path().trim_start_matches('/');
    let headers = request.headers();
    let now = now_ms();
    let method = Method::from_name(request.method().as_str());
    let ua = user_agent(headers);
    let ua = ua.as_ref();
    let ip = client_ip(headers, peer, state.config.trust_forwarded_for);
    let facts = RequestFacts {
        method,
        user_agent: ua,
    };
    let verdict = state.classifier.classify_request_from(&facts, ip);

    let link = match state.links.get(code) {
        Some(link) => Some(link),
        None => find_in_store(&state, code).await,
    };
    let Some(link) = link else {
        let mut event = Event::new(EventKind::Miss, now, verdict);
        event.method = Some(method);
        event.status = Some(404);
        if !ua.is_empty() {
            event.user_agent = Some(Arc::from(ua));
        }
        event.link_code = looks_like_code(code).then(|| Arc::from(code));
        state.record(event);
        return plain_page(StatusCode::NOT_FOUND, NOT_FOUND);
    };

    // Only links are followed up: a flood of previews of made-up codes
    // must not fill the tracker.
    let verdict = state.followups.judge(&link.code, verdict, Instant::now());
    let verdict = match delivery_window_scan(&verdict, link.channel, link.created_ms, now) {
        Some(scan) => Arc::new(scan),
        None => verdict,
    };

    let mut live = link.state(now) == LinkState::Live;
    if live && verdict.class == RequestClass::Person && method == Method::Get {
        live = link.spend_click();
    }
    let status = if live { 302 } else { 410 };

    let mut event = Event::new(EventKind::Redirect, now, verdict);
    event.site_id = Some(link.site_id.clone());
    event.method = Some(method);
    event.status = Some(status);
    event.link_code = Some(link.code.clone());
    event.link_channel = link.channel;
    event.share_token = Some(link.share_token.clone());
    if !ua.is_empty() {
        event.user_agent = Some(Arc::from(ua));
    }
    if let Some(referrer) = referrer(headers) {
        event.referrer = Some(state.classifier.read_referrer(referrer, &[]));
    }
    event.evidence_channel = event_evidence(&event);
    event.visitor_id = Some(state.visitor_id(&link.site_id, ip, ua, now));
    state.record(event);

    if live {
        redirect_to(&link)
    } else {
        plain_page(StatusCode::GONE, GONE)
    }
}

/// The channel an event's own evidence names for its share.
pub fn event_evidence(event: &Event) -> Option<Channel> {
    evidence_channel(&event.verdict, event.referrer.as_ref().map(|r| &r.source))
}

fn redirect_to(link: &Link) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, link.location.clone()),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// A code not in memory may have been made by another process (the CLI);
/// look it up once and keep it. Codes that cannot be codes never reach
/// the store.
async fn find_in_store(state: &Arc<AppState>, code: &str) -> Option<Arc<Link>> {
    if !looks_like_code(code) {
        return None;
    }
    let owned = code.to_owned();
    let found = state
        .with_catalog(move |store| Ok(store.links(Some(&owned))?.pop()))
        .await
        .ok()
        .flatten()?;
    Some(state.links.insert_if_absent(found))
}
