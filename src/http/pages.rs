//! The pages hearsay serves itself: the demo article at `/`, the share
//! widget at `/widget.js`, and the page for addresses that lead nowhere.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;

/// The widget, built into the binary.
pub const WIDGET_JS: &str = include_str!("../../web/widget.js");
const DEMO_HTML: &str = include_str!("../../web/demo.html");

/// `GET /`: the demo article, wired to the demo site.
pub async fn demo_page(State(state): State<Arc<AppState>>) -> Response {
    match &state.demo_site_id {
        Some(id) => Html(DEMO_HTML.replace("{{SITE_ID}}", id)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "hearsay is running; this store has no demo site.\n",
        )
            .into_response(),
    }
}

/// `GET /widget.js`.
pub async fn widget_script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        WIDGET_JS,
    )
        .into_response()
}

/// Any other address: a plain page that says so (`/code/`, `/a/b`).
pub async fn not_found() -> Response {
    super::error::plain_page(
        StatusCode::NOT_FOUND,
        "Nothing here. A short link is one code after the host, as it was shared.\n",
    )
}
