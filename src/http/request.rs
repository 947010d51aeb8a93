//! What handlers read off a request: the client address (used, then
//! dropped), the user agent, the Origin, CORS for the collector, and the
//! body within its deadline.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::sites::Site;

/// The client's address: the socket peer, or the first `X-Forwarded-For`
/// hop when the operator trusts a proxy in front.
pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        && let Ok(ip) = first.trim().parse()
    {
        return ip;
    }
    peer.ip()
}

/// The `User-Agent` header, empty when absent. Bytes past ASCII are read
/// as UTF-8 (some apps send their names so), anything invalid replaced.
pub fn user_agent(headers: &HeaderMap) -> std::borrow::Cow<'_, str> {
    match headers.get(header::USER_AGENT) {
        // Visible ASCII, nearly always: checked faster than UTF-8 is.
        Some(value) => match value.to_str() {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(value.as_bytes()),
        },
        None => std::borrow::Cow::Borrowed(""),
    }
}

/// The `Referer` header, if any.
pub fn referrer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::REFERER).and_then(|v| v.to_str().ok())
}

/// Checks that a browser request comes from a page on the site: the
/// `Origin` header (or, without one, the `Referer`) must name one of the
/// site's domains. Returns the origin to echo in CORS headers.
///
/// # Errors
///
/// 403 when the header is missing or names another host.
pub fn check_origin(headers: &HeaderMap, site: &Site) -> Result<Option<HeaderValue>, ApiError> {
    let origin = headers.get(header::ORIGIN);
    let claimed = origin
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null")
        .or_else(|| referrer(headers));
    let Some(claimed) = claimed else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing Origin header: events are accepted from the site's own pages only",
        ));
    };
    let host = url::Url::parse(claimed)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()));
    match host {
        Some(host) if site.owns_host(&host) => Ok(origin.cloned()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "origin {claimed:?} is not on the site's domains ({})",
                site.domains.join(", ")
            ),
        )),
    }
}

/// Adds the CORS headers that let the site's pages read the answer.
pub fn with_cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// Answers a CORS preflight for the collector. The site is not known yet
/// (it is in the body), so the real check happens on the POST.
pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    if let Some(origin) = headers.get(header::ORIGIN) {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        out.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

/// The body, or a JSON 413 naming the limit when it is over it (axum's own
/// rejection is plain text).
///
/// # Errors
///
/// 413 over the limit, 400 if the body could not be read.
pub fn body_bytes(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is larger than the limit of {limit} bytes"),
            )
        } else {
            ApiError::bad_request(format!("request body could not be read: {rejection}"))
        }
    })
}

/// Reads a JSON body whatever its content type (the widget sends
/// `text/plain` to avoid a preflight).
///
/// # Errors
///
/// 400 naming the problem: not UTF-8 (with the byte offset), not JSON, or
/// not the expected shape (with the field).
pub fn parse_json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::bad_request(format!(
            "request body is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "request body is empty; expected JSON",
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(format!(
            "request body is not valid JSON for this endpoint: {e}"
        ))
    })
}

/// Answers 408 when a request with a body (POST) is not done within the
/// configured `header_read_timeout_ms`: hyper's header timer ends when the
/// head has arrived, and a client that then never sends its body would
/// hold the connection.
pub async fn body_deadline(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<super::AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let deadline = std::time::Duration::from_millis(state.config.header_read_timeout_ms);
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request was not complete within {} ms",
                deadline.as_millis()
            ),
        )
        .into_response(),
    }
}
