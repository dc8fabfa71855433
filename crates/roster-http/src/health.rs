//! `GET /healthz` (the process answers) and `GET /readyz` (this instance can take
//! work: its database answers with the schema this binary knows, and its import
//! worker runs). Neither needs a sign-in, and neither says more than its status:
//! which check failed goes to the log, not to whoever asks.

use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header::CACHE_CONTROL};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

fn answer(status: StatusCode, word: &'static str) -> Response {
    let mut r = (status, Json(json!({ "status": word }))).into_response();
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// 200 `{"status":"ok"}` whenever the process serves requests.
pub async fn healthz() -> Response {
    answer(StatusCode::OK, "ok")
}

/// 200 `{"status":"ready"}`, or 503 `{"status":"unavailable"}`.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = state.services.readiness().await;
    if readiness.is_ready() {
        answer(StatusCode::OK, "ready")
    } else {
        tracing::warn!(
            database = readiness.database,
            migrations_current = readiness.migrations_current,
            import_worker = readiness.import_worker,
            "not ready"
        );
        answer(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    }
}
