//! Request heads over the server's limits, refused before routing.
//!
//! hyper refuses a head past its own fixed limits (a URI over 64 KiB, a head over
//! about 400 KiB, more than 100 headers) with a bare 414 or 431 and no body, before
//! any of Roster's code sees the request. These limits sit well below that, so a
//! client over them gets the API's error body under `/api/v1`, and plain text on
//! the console's and the sign-in pages' paths.

use super::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest path and query string taken, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most bytes of header names and values taken, all headers together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// A middleware: answers 414 or 431 to a request over the limits.
pub async fn refuse_oversized_heads(req: Request, next: Next) -> Response {
    let uri_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let header_bytes: usize = req.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    let refusal = if uri_bytes > MAX_URI_BYTES {
        ApiError::UriTooLong
    } else if header_bytes > MAX_HEADER_BYTES {
        ApiError::HeadersTooLarge
    } else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        return refusal.into_response();
    }
    let message = refusal.to_string();
    (refusal.into_response().status(), message).into_response()
}
