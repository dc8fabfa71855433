//! The API's rate limits (`roster_core::services::RateLimiter`), before anything
//! else reads the request: per token (as sent, valid or not) and per source
//! address. Over either, 429 `rate_limited` with `Retry-After`.

use super::error::ApiError;
use crate::startup::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster_core::services::RateVerdict;
use std::net::SocketAddr;

/// A middleware on every route of the API.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let source = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match state.limiter.check(&state.services, token, source).await {
        Ok(RateVerdict::Allowed) => next.run(req).await,
        Ok(RateVerdict::Limited { retry_after }) => ApiError::RateLimited { retry_after }.into_response(),
        Err(e) => ApiError::Domain(e).into_response(),
    }
}
