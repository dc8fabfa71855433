//! A request id on every request: the client's `X-Request-Id` when it is 1 to
//! 128 visible ASCII characters, else a new UUID. It is answered in the same
//! header, recorded in a tracing span around the request (so every log line the
//! request causes carries it), written into every API error body (`requestId`)
//! and shown on the console's error pages.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";
/// The longest request id taken from a client.
pub const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered, inside a request's task.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The client's id, if it is one Roster keeps: visible ASCII, 1 to `MAX_LEN` bytes.
fn accepted(value: &HeaderValue) -> Option<String> {
    let bytes = value.as_bytes();
    let fits = !bytes.is_empty() && bytes.len() <= MAX_LEN && bytes.iter().all(|b| (0x21..=0x7e).contains(b));
    fits.then(|| String::from_utf8_lossy(bytes).into_owned())
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let id = req.headers().get(HEADER).and_then(accepted).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut response = CURRENT.scope(id.clone(), next.run(req)).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_ascii_ids_are_taken() {
        let take = |s: &[u8]| HeaderValue::from_bytes(s).ok().and_then(|v| accepted(&v));
        assert_eq!(take(b"abc-123_X.y:z"), Some("abc-123_X.y:z".into()));
        assert_eq!(take(&[b'a'; MAX_LEN]).map(|s| s.len()), Some(MAX_LEN));
        assert_eq!(take(&[b'a'; MAX_LEN + 1]), None);
        assert_eq!(take(b""), None);
        assert_eq!(take(b"with space"), None);
        assert_eq!(take(b"tab\there"), None);
        assert_eq!(take("caf\u{e9}".as_bytes()), None);
    }
}
