//! The ceiling for the redirect benchmark: the same HTTP stack as hearsay
//! (tokio, hyper, axum) answering every `GET /{code}` with a fixed 302 and
//! doing nothing else. `bench/redirect.sh` runs it beside `hearsay serve`.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

async fn redirect() -> impl IntoResponse {
    (
        StatusCode::FOUND,
        [
            (
                header::LOCATION,
                HeaderValue::from_static("http://localhost/bench/page#hs=AAAAAAAAAAAA"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new().route("/{code}", get(redirect));
    axum::serve(listener, app).await
}
