//! `GET /metrics` in Prometheus' text format (OpenMetrics 1.0), off unless a token
//! is configured; then only `Authorization: Bearer <token>` reads it. The request
//! counters are kept by `track`, a layer around every route, by route template.

use crate::startup::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Instant;

/// The token that reads `/metrics`; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// `None` for an empty token: an empty setting leaves `/metrics` off.
    pub fn new(token: impl Into<String>) -> Option<Self> {
        let token = token.into();
        (!token.is_empty()).then_some(Self(token))
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

/// `/metrics`, only when a token is configured: otherwise the path is unknown (404).
pub fn router(state: &AppState) -> axum::Router<AppState> {
    if state.config.metrics_token.is_some() {
        axum::Router::new().route("/metrics", get(metrics))
    } else {
        axum::Router::new()
    }
}

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

/// 200 with every metric, or 401 without the configured token.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !bearer(&headers).is_some_and(|given| crate::cookies::constant_time_eq(given, &token.0)) {
        let mut r = (StatusCode::UNAUTHORIZED, "a bearer token is required\n").into_response();
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    let store = match state.services.store.store_metrics().await {
        Ok(store) => store,
        Err(e) => {
            crate::errors::log_background(&e);
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut r = state.services.metrics.render(&store).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Counts every answer and its time by method, route template (`unmatched` for
/// none: a raw path could be anything) and status.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state.services.metrics.observe_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
