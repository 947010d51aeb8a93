//! The collector: `POST /api/v1/events` takes a batch of share, arrival,
//! pageview and conversion events from a site's pages.
//!
//! A batch is checked whole before anything is queued: one bad event
//! refuses the batch with a 4xx naming it, and nothing of it is stored.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::redirect::event_evidence;
use super::request::{body_bytes, check_origin, client_ip, parse_json_body, user_agent, with_cors};
use crate::classify::scan_timing::delivery_window_scan;
use crate::classify::{Channel, Method, RequestFacts};
use crate::content::{is_home_path, normalize_content_url, path_of};
use crate::event::{ContentFacts, Event, EventKind, ShareFacts, now_ms};
use crate::links::token::{check_token, check_visitor_id};
use crate::sites::Site;

/// A batch as pages send it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub site: String,
    pub events: Vec<PageEvent>,
}

/// One event as a page sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(default)]
    pub canonical: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    #[serde(default)]
    pub dnt: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
}

/// `POST /api/v1/events`.
pub async fn collect_events(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body_bytes(body, state.config.max_body_bytes) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let batch: EventBatch = match parse_json_body(&body) {
        Ok(batch) => batch,
        Err(error) => return error.into_response(),
    };
    let site = match find_site(&state, &batch.site).await {
        Ok(site) => site,
        Err(error) => return error.into_response(),
    };
    let origin = match check_origin(&headers, &site) {
        Ok(origin) => origin,
        Err(error) => return error.into_response(),
    };

    let answer = match build_events(&state, &site, &batch, &headers, peer) {
        Ok(events) => {
            let accepted = events.len();
            for event in &events {
                if event.kind == EventKind::Share
                    && event.channel == Some(Channel::Email)
                    && let Some(token) = &event.share_token
                {
                    state.email_shares.record(&site.id, token, event.ts_ms);
                }
            }
            for event in events {
                state.record(event);
            }
            (
                StatusCode::ACCEPTED,
                Json(serde_json::json!({ "accepted": accepted })),
            )
                .into_response()
        }
        Err(error) => error.into_response(),
    };
    with_cors(answer, origin)
}

/// The site a page names, from memory or, failing that, the store.
pub async fn find_site(state: &Arc<AppState>, id: &str) -> Result<Arc<Site>, ApiError> {
    if let Some(site) = state.sites.get(id) {
        return Ok(site);
    }
    let owned = id.to_owned();
    let found = state
        .with_catalog(move |store| Ok(store.find_site(&owned)?.filter(|s| s.id == owned)))
        .await?;
    match found {
        Some(site) => Ok(state.sites.insert(site)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("unknown site {id:?}"),
        )),
    }
}

fn build_events(
    state: &AppState,
    site: &Site,
    batch: &EventBatch,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Vec<Event>, ApiError> {
    let limit = state.config.max_batch_events;
    if batch.events.len() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "batch has {} events; at most {limit} are accepted",
                batch.events.len()
            ),
        ));
    }
    let now = now_ms();
    let ua = user_agent(headers);
    let ua = ua.as_ref();
    let ip = client_ip(headers, peer, state.config.trust_forwarded_for);
    let verdict = state.classifier.classify_request_from(
        &RequestFacts {
            method: Method::Get,
            user_agent: ua,
        },
        ip,
    );
    let site_id: Arc<str> = Arc::from(site.id.as_str());
    let param = site.settings.token_param.as_str();

    let mut events = Vec::with_capacity(batch.events.len());
    for (index, page) in batch.events.iter().enumerate() {
        let fail = |what: String| ApiError::bad_request(format!("event {index}: {what}"));
        let kind = match page.kind.as_str() {
            "share" => EventKind::Share,
            "arrival" => EventKind::Arrival,
            "pageview" => EventKind::Pageview,
            "conversion" => EventKind::Conversion,
            other => {
                return Err(fail(format!(
                    "unknown type {other:?}; expected share, arrival, pageview or conversion"
                )));
            }
        };
        let page_url = page.canonical.as_deref().unwrap_or(&page.url);
        let url = normalize_content_url(page_url, param)
            .ok_or_else(|| fail(format!("url {page_url:?} is not an http(s) URL")))?;
        let host = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        if !host.is_some_and(|h| site.owns_host(h.trim_matches(['[', ']']))) {
            return Err(fail(format!(
                "url {url:?} is not on the site's domains ({})",
                site.domains.join(", ")
            )));
        }
        for token in [&page.token, &page.parent].into_iter().flatten() {
            check_token(token).map_err(|e| fail(e.to_string()))?;
        }
        let channel = match &page.channel {
            Some(name) => Some(
                Channel::parse(name).ok_or_else(|| fail(format!("unknown channel {name:?}")))?,
            ),
            None => None,
        };
        if let Some(visitor) = &page.visitor {
            check_visitor_id(visitor).map_err(|e| fail(e.to_string()))?;
        }
        if kind == EventKind::Share && (page.token.is_none() || channel.is_none()) {
            return Err(fail("a share needs a token and a channel".into()));
        }
        if kind == EventKind::Arrival && page.token.is_none() {
            return Err(fail("an arrival needs the token it arrived with".into()));
        }

        // A mail gateway that runs the page's script reports an arrival
        // seconds after the email share it scans.
        let sent = match kind {
            EventKind::Arrival => page
                .token
                .as_deref()
                .and_then(|t| state.email_shares.sent_at(&site.id, t)),
            _ => None,
        };
        let verdict = match sent
            .and_then(|sent| delivery_window_scan(&verdict, Some(Channel::Email), sent, now))
        {
            Some(scan) => Arc::new(scan),
            None => verdict.clone(),
        };
        let mut event = Event::new(kind, now, verdict);
        event.site_id = Some(site_id.clone());
        event.method = Some(Method::Get);
        if !ua.is_empty() {
            event.user_agent = Some(Arc::from(ua));
        }
        event.url = Some(url.clone());
        event.share_token = page.token.as_deref().map(Arc::from);
        event.value = page.value;
        event.visitor_id = if page.dnt {
            None
        } else if let Some(visitor) = &page.visitor {
            Some(consent_visitor_id(&site.id, visitor))
        } else {
            Some(state.visitor_id(&site.id, ip, ua, now))
        };

        if matches!(kind, EventKind::Arrival | EventKind::Pageview) {
            event.referrer = Some(
                state
                    .classifier
                    .read_referrer(page.referrer.as_deref().unwrap_or(""), &site.domains),
            );
            event.pageview = true;
            event.home = Some(is_home_path(path_of(&url)));
            event.content = Some(ContentFacts {
                url: url.clone(),
                title: page.title.clone().filter(|t| !t.is_empty()),
                topics: page.topics.clone(),
            });
        }
        match kind {
            EventKind::Share => {
                event.channel = channel;
                event.share = Some(ShareFacts {
                    token: page.token.clone().unwrap_or_default(),
                    channel,
                    declared: true,
                    parent: page.parent.clone(),
                    content_url: Some(url.clone()),
                });
            }
            EventKind::Arrival => {
                // If nobody registered this token, the share is created
                // after the fact, its channel inferred from what the
                // arrival shows (in-app browser, referrer), else `copy`.
                event.evidence_channel = event_evidence(&event);
                let inferred = event.evidence_channel.unwrap_or(Channel::Copy);
                event.share = Some(ShareFacts {
                    token: page.token.clone().unwrap_or_default(),
                    channel: Some(inferred),
                    declared: false,
                    parent: None,
                    content_url: Some(url.clone()),
                });
            }
            _ => {}
        }
        if kind == EventKind::Conversion {
            event.label = page.name.clone();
        }
        events.push(event);
    }
    Ok(events)
}

/// The id of a visitor who consented to a first-party id: stable across
/// days, and never the raw id the page keeps.
fn consent_visitor_id(site_id: &str, visitor: &str) -> i64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"hearsay consent id\0");
    hasher.update(site_id.as_bytes());
    hasher.update(&[0]);
    hasher.update(visitor.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    i64::from_le_bytes(first)
}
