//! One short link as the redirect holds it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::HeaderValue;

use crate::classify::Channel;

/// A short link: a code that redirects to a target on the site's domains,
/// carrying the token of the share it belongs to.
#[derive(Debug)]
pub struct Link {
    pub code: Arc<str>,
    pub site_id: Arc<str>,
    /// The target as stored: the URL given, byte for byte, with its host in
    /// ASCII form.
    pub target_url: String,
    pub share_token: Arc<str>,
    /// The declared channel of the link's share, if any.
    pub channel: Option<Channel>,
    /// The `Location` the redirect answers with: the target plus the token,
    /// made once so the redirect only copies a reference.
    pub location: HeaderValue,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub max_clicks: Option<i64>,
    /// Clicks so far; counted in memory, persisted by the writer.
    pub clicks: AtomicI64,
}

/// What the redirect may do with a link right now.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Expired,
    Exhausted,
}

impl Link {
    /// Whether the link still redirects at `now_ms`.
    pub fn state(&self, now_ms: i64) -> LinkState {
        if self.expires_ms.is_some_and(|at| now_ms >= at) {
            return LinkState::Expired;
        }
        if self
            .max_clicks
            .is_some_and(|max| self.clicks.load(Ordering::Relaxed) >= max)
        {
            return LinkState::Exhausted;
        }
        LinkState::Live
    }

    /// Spends one click of the link's allowance. Returns `false` when the
    /// allowance was already spent (another request took the last one).
    pub fn spend_click(&self) -> bool {
        match self.max_clicks {
            None => {
                self.clicks.fetch_add(1, Ordering::Relaxed);
                true
            }
            Some(max) => self
                .clicks
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                    (c < max).then_some(c + 1)
                })
                .is_ok(),
        }
    }
}
