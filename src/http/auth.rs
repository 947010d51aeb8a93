//! API keys on requests: `Authorization: Bearer KEY`, a site's key or an
//! admin key.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};

use super::AppState;
use super::error::ApiError;
use crate::sites::Site;
use crate::sites::api_key::hash_api_key;

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing API key: send the header 'Authorization: Bearer KEY'",
            )
        })
}

/// The site whose key the request carries.
///
/// # Errors
///
/// 401 without a key or with an unknown one.
pub async fn require_site(state: &Arc<AppState>, headers: &HeaderMap) -> Result<Site, ApiError> {
    let hash = hash_api_key(&bearer(headers)?);
    state
        .with_catalog(move |store| {
            store
                .site_by_key_hash(&hash)?
                .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unknown API key"))
        })
        .await
}

/// Checks that the request carries an admin key.
///
/// # Errors
///
/// 401 without a key, 403 with a key that is not an admin's.
pub async fn require_admin(state: &Arc<AppState>, headers: &HeaderMap) -> Result<(), ApiError> {
    let hash = hash_api_key(&bearer(headers)?);
    let ok = state
        .with_catalog(move |store| Ok(store.is_admin_key(&hash)?))
        .await?;
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this key may not create sites; use the admin key printed on first start",
        ))
    }
}
