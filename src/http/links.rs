//! Creating links over HTTP: `POST /api/v1/links` (site key, for
//! marketers) and `POST /api/v1/share-links` (from the site's pages, for
//! the widget's short links).

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
use super::auth::require_site;
use super::collector::find_site;
use super::error::ApiError;
use super::request::{body_bytes, check_origin, client_ip, parse_json_body, with_cors};
use crate::classify::Channel;
use crate::event::now_ms;
use crate::links::Link;
use crate::links::create::{CreateLinkError, LinkRequest};
use crate::links::token::check_token;
use crate::sites::Site;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub url: String,
    #[serde(default)]
    pub channel: Option<String>,
    /// RFC 3339 time after which the link answers 410.
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub max_clicks: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShareLink {
    pub site: String,
    pub token: String,
    pub url: String,
    pub channel: String,
}

/// Reads a channel name.
///
/// # Errors
///
/// 400 naming the unknown channel.
pub fn parse_channel(name: &str) -> Result<Channel, ApiError> {
    Channel::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        ApiError::bad_request(format!(
            "unknown channel {name:?}; known: {}",
            known.join(", ")
        ))
    })
}

/// `POST /api/v1/links`.
pub async fn create_link(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let site = require_site(&state, &headers).await?;
    let new: NewLink = parse_json_body(&body_bytes(body, state.config.max_body_bytes)?)?;
    let expires_ms = match &new.expires_at {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|e| {
                    ApiError::bad_request(format!(
                        "expires_at {text:?} is not an RFC 3339 time: {e}"
                    ))
                })?
                .timestamp_millis(),
        ),
        None => None,
    };
    let request = LinkRequest {
        url: new.url,
        channel: new.channel.as_deref().map(parse_channel).transpose()?,
        share_token: None,
        expires_ms,
        max_clicks: new.max_clicks,
    };

    let link = store_link(&state, site, request).await?;

    Ok((StatusCode::CREATED, Json(describe(&state, &link))))
}

/// Short links one client may make a minute through the widget's
/// endpoint (a person shares a few pages a minute, by SMS or X).
pub const SHARE_LINKS_PER_MINUTE: u32 = 30;

/// The rate of the widget's short links, per client.
pub type ShareLinkRate = governor::DefaultKeyedRateLimiter<i64>;

/// A limiter of [`SHARE_LINKS_PER_MINUTE`] per client, ten at once.
pub fn share_link_rate() -> ShareLinkRate {
    let per_minute = std::num::NonZeroU32::new(SHARE_LINKS_PER_MINUTE).expect("not zero");
    let burst = std::num::NonZeroU32::new(10).expect("not zero");
    governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute).allow_burst(burst))
}

/// `POST /api/v1/share-links`: a short link for a share the widget minted.
pub async fn create_share_link(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let new: NewShareLink = parse_json_body(&body_bytes(body, state.config.max_body_bytes)?)?;
        let site = find_site(&state, &new.site).await?;
        let origin = check_origin(&headers, &site)?;
        // Anyone can call this without a key: each client makes only so
        // many links, or the table in memory would grow without end.
        let ip = client_ip(&headers, peer, state.config.trust_forwarded_for);
        let client = state.visitor_id("share-links", ip, "", now_ms());
        if state.share_link_rate.check_key(&client).is_err() {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many short links from one client; at most {SHARE_LINKS_PER_MINUTE} a minute"
                ),
            ));
        }
        check_token(&new.token).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let request = LinkRequest {
            url: new.url,
            channel: Some(parse_channel(&new.channel)?),
            share_token: Some(new.token),
            expires_ms: None,
            max_clicks: None,
        };
        let link = store_link(&state, (*site).clone(), request).await?;
        Ok::<_, ApiError>((origin, link))
    }
    .await;
    match result {
        Ok((origin, link)) => with_cors(
            (StatusCode::CREATED, Json(describe(&state, &link))).into_response(),
            origin,
        ),
        Err(error) => error.into_response(),
    }
}

async fn store_link(
    state: &Arc<AppState>,
    site: Site,
    request: LinkRequest,
) -> Result<Arc<Link>, ApiError> {
    let link = state
        .with_catalog(move |store| {
            crate::links::create::create_link(store, &site, &request, now_ms()).map_err(|error| {
                match error {
                    CreateLinkError::Target(target) => {
                        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, target.to_string())
                    }
                    CreateLinkError::MaxClicks | CreateLinkError::ExpiresInPast(_) => {
                        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
                    }
                    CreateLinkError::ForeignToken(_) => {
                        ApiError::new(StatusCode::CONFLICT, error.to_string())
                    }
                    CreateLinkError::Store(store) => ApiError::from(store),
                }
            })
        })
        .await?;
    Ok(state.links.insert(link))
}

fn describe(state: &AppState, link: &Link) -> serde_json::Value {
    serde_json::json!({
        "code": &*link.code,
        "short_url": format!("{}/{}", state.public_base, link.code),
        "target_url": link.target_url,
        "token": &*link.share_token,
        "channel": link.channel.map(|c| c.as_str()),
        "expires_ms": link.expires_ms,
        "max_clicks": link.max_clicks,
    })
}
