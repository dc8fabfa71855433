//! Extractors that turn every malformed request into a specific `ApiError`.

use super::error::ApiError;
use crate::startup::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use roster_core::model::Agent;
use serde::de::DeserializeOwned;

/// The agent behind the bearer token.
pub struct AuthAgent(pub Agent);

impl FromRequestParts<AppState> for AuthAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        match state.services.authenticate_token(token).await? {
            Some(agent) => Ok(Self(agent)),
            None => Err(ApiError::Unauthorized),
        }
    }
}

/// A JSON body; errors name the field by its path, such as `users[2].userName`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json"));
        }
        let bytes = read_body(req, state).await?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(value) => Ok(Self(value)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = if path == "." || path.is_empty() { None } else { Some(path) };
                // serde names an unknown field in the message, not in the path.
                let field = field.or_else(|| {
                    let msg = inner.to_string();
                    msg.split('`').nth(1).filter(|_| msg.starts_with("unknown field")).map(str::to_owned)
                });
                let message = if inner.is_syntax() || inner.is_eof() {
                    format!("the body is not valid JSON: {inner}")
                } else {
                    inner.to_string()
                };
                Err(ApiError::bad_request(field, message))
            }
        }
    }
}

/// Query parameters, refused with `validation_failed` when malformed.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from_str(query).map(Self)
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}").parse().map_err(|_| ApiError::bad_request(None, "malformed query string"))?,
    )
    .map(|q| q.0)
    // serde names an unknown parameter in its message: quote only the start of it.
    .map_err(|e| ApiError::bad_request(None, roster_core::domain::bounded_message(&e.body_text())))
}

/// Path ids; a malformed id is a bad request, not a server error.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(|p| Self(p.0)).map_err(|e| {
            ApiError::bad_request(Some("path".into()), roster_core::domain::bounded_message(&e.body_text()))
        })
    }
}

/// The whole body, within the route's limit: over it is 413 `payload_too_large`.
pub async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::bad_request(None, "the request body could not be read")
        }
    })
}
