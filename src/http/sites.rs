//! `POST /api/v1/sites`: create a site (admin key).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::AppState;
use super::auth::require_admin;
use super::error::ApiError;
use super::request::{body_bytes, parse_json_body};
use crate::event::now_ms;
use crate::sites::SiteSettings;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    pub name: String,
    pub domains: Vec<String>,
    /// Days raw user agents are kept; the server's default when absent.
    #[serde(default)]
    pub user_agent_retention_days: Option<u32>,
}

/// Creates a site; the answer carries its API key, shown this once.
pub async fn create_site(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    require_admin(&state, &headers).await?;
    let request: NewSite = parse_json_body(&body_bytes(body, state.config.max_body_bytes)?)?;

    let (site, key) = state
        .with_catalog(move |store| {
            let settings = SiteSettings {
                user_agent_retention_days: request.user_agent_retention_days,
                ..Default::default()
            };
            crate::sites::create::create_site(
                store,
                &request.name,
                &request.domains,
                settings,
                now_ms(),
            )
            .map_err(|error| match error.downcast::<crate::store::StoreError>() {
                Ok(store_error) => ApiError::from(store_error),
                Err(other) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{other:#}")),
            })
        })
        .await?;
    state.sites.insert(site.clone());

    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": site.id,
            "name": site.name,
            "domains": site.domains,
            "user_agent_retention_days": site.settings.user_agent_retention_days,
            "api_key": key,
        })),
    ))
}
