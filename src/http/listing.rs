//! Reading back over the API (site key): shares, recent events, the
//! report; and the health check.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::AppState;
use super::auth::require_site;
use super::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /api/v1/shares`.
pub async fn list_shares(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(listing): Query<Listing>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let site = require_site(&state, &headers).await?;
    let limit = listing.limit.unwrap_or(1000).min(10_000);
    let shares = state
        .with_catalog(move |store| Ok(store.shares(&site.id, limit)?))
        .await?;
    Ok(Json(serde_json::json!({ "shares": shares })))
}

/// `GET /api/v1/events?type=arrival`.
pub async fn list_events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(listing): Query<Listing>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let site = require_site(&state, &headers).await?;
    let limit = listing.limit.unwrap_or(1000).min(10_000);
    let events = state
        .with_reader(move |store| {
            Ok(store.recent_events(&site.id, listing.kind.as_deref(), limit)?)
        })
        .await?;
    Ok(Json(serde_json::json!({ "events": events })))
}

/// `GET /api/v1/report`: the report of the key's site.
pub async fn site_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<crate::query::report::Report>, ApiError> {
    let site = require_site(&state, &headers).await?;
    let report = state
        .with_reader(move |store| Ok(crate::query::report::build_report(store, Some(&site.id))?))
        .await?;
    Ok(Json(report))
}

/// `GET /api/v1/health`: queue figures, no personal data.
pub async fn health(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "links": state.links.len(),
        "events_accepted": state.queue.accepted(),
        "events_dropped": state.queue.dropped(),
    }))
}
