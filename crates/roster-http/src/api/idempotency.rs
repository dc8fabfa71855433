//! `Idempotency-Key` on the API's POSTs: a layer around every route, so handlers
//! and services stay unaware of keys (the rules are `roster_core::idempotency`'s).
//!
//! A POST with the header:
//! - has its key checked (printable ASCII, 1 to 255 characters; else 400), its
//!   agent authenticated, and its body read (within the largest body any route
//!   takes; each route's own limit still applies when the handler reads it);
//! - with a key the partner has not used in the last 24 hours, runs, and its
//!   answer is kept: status, body, and the headers that describe the result
//!   (type, `ETag`, `Location`). Server errors (5xx) and 429 are not kept: the key
//!   is let go, so a retry runs again;
//! - with a key used for the same request (agent, method, path and query, body),
//!   gets that answer again without anything running, marked
//!   `Idempotent-Replayed: true`;
//! - with a key used for another request gets 422 `idempotency_key_reused`;
//! - while the first request with its key is still running gets 409
//!   `idempotency_key_in_use` with `Retry-After: 1`.
//!
//! The request runs in a task of its own, so a client that drops the connection
//! does not stop it halfway: its answer is kept, and the client's retry gets it.
//! The one gap left is an instance that stops between the work's commit and
//! keeping the answer; its hold on the key runs out after `LEASE`, and a retry
//! then runs again.
//!
//! Handing out an import's credentials takes no key: it gives the passwords
//! once, and a replay would give them again.

use super::error::ApiError;
use super::extract::AuthAgent;
use crate::startup::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, LOCATION};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use roster_core::idempotency::{self, Answer, IdempotencyKey};
use roster_core::services::KeyedRequest;
use std::sync::Arc;
use uuid::Uuid;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The answer header that marks a replay.
pub const REPLAYED: &str = "idempotent-replayed";

/// Routes whose POST ignores the header.
const UNKEYED: [&str; 1] = ["/customers/{cid}/imports/{jid}/credentials"];

/// The headers kept with an answer and sent again with its replay.
const KEPT_HEADERS: [HeaderName; 4] = [CONTENT_TYPE, ETAG, LOCATION, CACHE_CONTROL];

/// The layer's function (`axum::middleware::from_fn_with_state`).
pub async fn keyed(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(IDEMPOTENCY_KEY) else {
        return next.run(request).await;
    };
    let unkeyed =
        request.extensions().get::<MatchedPath>().is_some_and(|p| UNKEYED.iter().any(|u| p.as_str().ends_with(u)));
    if unkeyed {
        return next.run(request).await;
    }
    // Who asks comes first: without a valid token the answer is 401, whatever the key.
    let raw = raw.clone();
    let (mut parts, body) = request.into_parts();
    let agent = match AuthAgent::from_request_parts(&mut parts, &state).await {
        Ok(AuthAgent(agent)) => agent,
        Err(refused) => return refused.into_response(),
    };
    let key = match raw.to_str().map_err(|_| "must be printable ASCII").and_then(IdempotencyKey::parse) {
        Ok(key) => key,
        Err(problem) => {
            return ApiError::bad_request(Some("Idempotency-Key".into()), format!("the Idempotency-Key {problem}"))
                .into_response();
        }
    };
    let limit = state.config.max_body_bytes.max(roster_core::imports::MAX_BYTES);
    let declared =
        parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return ApiError::PayloadTooLarge.into_response();
    }
    let bytes = match read_within(body, limit).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused.into_response(),
    };
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let agent_id = agent.id.to_string();
    let fingerprint =
        idempotency::fingerprint(&[agent_id.as_bytes(), parts.method.as_str().as_bytes(), target.as_bytes(), &bytes]);
    let partner_id = agent.partner_id;
    match state.services.claim_idempotency_key(partner_id, &key, &fingerprint).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(KeyedRequest::Reused) => ApiError::IdempotencyKeyReused.into_response(),
        Ok(KeyedRequest::InUse) => ApiError::IdempotencyKeyInUse.into_response(),
        Ok(KeyedRequest::Replay(answer)) => replay(answer),
        Ok(KeyedRequest::Run) => {
            let request = Request::from_parts(parts, Body::from(bytes));
            let services = state.services.clone();
            match tokio::spawn(run_and_keep(services, partner_id, key, next, request)).await {
                Ok(response) => response,
                Err(e) => ApiError::from(roster_core::Error::internal(e)).into_response(),
            }
        }
    }
}

/// The body, refused with 413 past `limit` (at the first chunk over it).
async fn read_within(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request(None, "the request body could not be read"))?;
        if read.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        read.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(read))
}

/// Runs the request, extending its hold on the key while it runs, then keeps
/// its answer (or lets the key go).
async fn run_and_keep(
    services: Arc<roster_core::Services>,
    partner_id: Uuid,
    key: IdempotencyKey,
    next: Next,
    request: Request,
) -> Response {
    let work = next.run(request);
    tokio::pin!(work);
    let mut renewal = tokio::time::interval(idempotency::LEASE_RENEWAL);
    renewal.tick().await;
    let response = loop {
        tokio::select! {
            response = &mut work => break response,
            _ = renewal.tick() => {
                if let Err(e) = services.hold_idempotency_key(partner_id, &key).await {
                    crate::errors::log_internal(&e);
                }
            }
        }
    };
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            if let Err(e) = services.release_idempotency_key(partner_id, &key).await {
                crate::errors::log_internal(&e);
            }
            crate::errors::log_internal(&e);
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let kept = if parts.status.is_server_error() || parts.status == StatusCode::TOO_MANY_REQUESTS {
        services.release_idempotency_key(partner_id, &key).await
    } else {
        let answer =
            Answer { status: parts.status.as_u16(), headers: kept_headers(&parts.headers), body: body.to_vec() };
        services.keep_idempotent_answer(partner_id, &key, &answer).await
    };
    // The answer goes out either way; the key's hold runs out and a retry runs again.
    if let Err(e) = kept {
        crate::errors::log_internal(&e);
    }
    Response::from_parts(parts, Body::from(body))
}

fn kept_headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| Some((name.as_str().to_owned(), headers.get(name)?.to_str().ok()?.to_owned())))
        .collect()
}

/// A kept answer, sent again.
fn replay(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// The OpenAPI document's part of this: the header on every POST that takes it,
/// and the two refusals.
pub struct IdempotencyDoc;

impl utoipa::Modify for IdempotencyDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        let posts: Vec<String> = openapi
            .paths
            .paths
            .iter()
            .filter(|(path, item)| item.post.is_some() && !UNKEYED.iter().any(|u| path.ends_with(u)))
            .map(|(path, _)| path.clone())
            .collect();
        for path in posts {
            let Some(op) = super::openapi_doc::operation(openapi, &path, "post") else { continue };
            let parameter = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "1 to 255 printable ASCII characters naming this request. The same key with the same request \
                     within 24 hours replays the first answer (status, body, ETag and Location) without doing the \
                     work again, marked `Idempotent-Replayed: true`; temporary passwords in it are replayed for \
                     an hour, then as null. Keys are per partner; another agent's or another request's use of \
                     the key is refused.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(IdempotencyKey::MAX_LEN))
                        .pattern(Some("^[ -~]+$")),
                ))
                .build();
            op.parameters.get_or_insert_with(Vec::new).push(parameter.into());
            super::openapi_doc::error_response(
                op,
                StatusCode::CONFLICT,
                "idempotency_key_in_use: the first request with this key is still running (Retry-After)",
            );
            super::openapi_doc::error_response(
                op,
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused: the key was used for another request",
            );
            super::openapi_doc::error_response(op, StatusCode::BAD_REQUEST, "validation_failed");
        }
    }
}
