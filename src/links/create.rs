//! Creating a short link: check the target, draw a free code, store the
//! link with its share.

use super::Link;
use super::code::new_code;
use super::target::normalize_target;
use super::token::new_token;
use crate::classify::Channel;
use crate::sites::Site;
use crate::store::{SqliteStore, StoreError};

/// What a new link needs besides its site.
#[derive(Debug, Default, Clone)]
pub struct LinkRequest {
    pub url: String,
    pub channel: Option<Channel>,
    /// The share the link belongs to; a new token when `None`.
    pub share_token: Option<String>,
    pub expires_ms: Option<i64>,
    pub max_clicks: Option<i64>,
}

/// Why a link was not made.
#[derive(Debug, thiserror::Error)]
pub enum CreateLinkError {
    #[error(transparent)]
    Target(#[from] super::target::TargetError),
    #[error("max_clicks must be at least 1")]
    MaxClicks,
    #[error("the link would expire before it is made (expires_ms {0} is in the past)")]
    ExpiresInPast(i64),
    #[error("share token {0:?} belongs to another site")]
    ForeignToken(String),
    #[error("store")]
    Store(#[from] StoreError),
}

/// Creates a link on `site`.
///
/// # Errors
///
/// [`CreateLinkError::Target`] for a target off the site's domains (the
/// message names the allowed ones), a limit of no clicks, an expiry in the
/// past, a share token of another site, or a store failure.
pub fn create_link(
    store: &mut SqliteStore,
    site: &Site,
    request: &LinkRequest,
    now_ms: i64,
) -> Result<Link, CreateLinkError> {
    let target = normalize_target(&request.url, site)?;
    if request.max_clicks.is_some_and(|m| m < 1) {
        return Err(CreateLinkError::MaxClicks);
    }
    if let Some(at) = request.expires_ms.filter(|at| *at <= now_ms) {
        return Err(CreateLinkError::ExpiresInPast(at));
    }
    let token = request.share_token.clone().unwrap_or_else(new_token);
    if store
        .share_site(&token)?
        .is_some_and(|owner| owner != site.id)
    {
        return Err(CreateLinkError::ForeignToken(token));
    }
    for _ in 0..8 {
        let code = new_code();
        let new = crate::store::sqlite::catalog::NewLink {
            code: &code,
            site,
            target_url: &target,
            share_token: &token,
            channel: request.channel,
            created_ms: now_ms,
            expires_ms: request.expires_ms,
            max_clicks: request.max_clicks,
        };
        match store.create_link(&new) {
            Ok(link) => return Ok(link),
            Err(StoreError::Conflict(_)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Conflict("no free code after 8 draws".into()).into())
}
