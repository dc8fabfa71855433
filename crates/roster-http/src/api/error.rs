//! API errors.
//!
//! Policy: every error leaves as `{code, message, details?, requestId}` with a
//! stable `code`; `requestId` is the request's `X-Request-Id`.
//! Domain errors keep their own message and take their status from the map the
//! console shares ([`crate::errors::status`]); internal errors are logged with
//! their whole cause chain and reach the client only as `internal_error`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use roster_core::imports::{FileError, ImportError};
use serde_json::json;

use crate::errors::log_internal;

pub type ApiResult<T> = Result<T, ApiError>;

pub use roster_api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] Error),
    #[error("a valid API token is required")]
    Unauthorized,
    #[error("{message}")]
    BadRequest { field: Option<String>, message: String },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    #[error("no such route")]
    RouteNotFound,
    #[error("this path does not answer that method; the Allow header lists those it does")]
    MethodNotAllowed,
    #[error("the URI is longer than {} bytes", super::limits::MAX_URI_BYTES)]
    UriTooLong,
    #[error("the request headers are larger than {} bytes", super::limits::MAX_HEADER_BYTES)]
    HeadersTooLarge,
    #[error("this Idempotency-Key was used for another request; send a new key with a new request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still running; try again in a moment")]
    IdempotencyKeyInUse,
    #[error("too many requests for this token or address; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("the request did not arrive, or could not be answered, within the server's time limit")]
    RequestTimeout,
}

impl ApiError {
    pub fn bad_request(field: Option<String>, message: impl Into<String>) -> Self {
        Self::BadRequest { field, message: message.into() }
    }
}

impl From<crate::files::FileParamError> for ApiError {
    fn from(e: crate::files::FileParamError) -> Self {
        Self::bad_request(Some(e.field.into()), e.message)
    }
}

/// The body for a domain error; internal details never leave.
pub fn domain_body(e: &Error) -> ErrorBody {
    let details = match e {
        Error::Validation { field, .. } | Error::InvalidUsername { field, .. } => Some(json!({"field": field})),
        Error::UsernameTaken(upn) => Some(json!({"userPrincipalName": upn})),
        Error::DomainNotOwned(d) | Error::DomainTaken(d) => Some(json!({"domain": d})),
        Error::ProductNotOwned(p) | Error::SubscriptionExists(p) | Error::License { product_id: p, .. } => {
            Some(json!({"productId": p}))
        }
        Error::QuantityBelowAssigned(assigned) => Some(json!({"assigned": assigned})),
        Error::Import(ImportError::Rows(rows)) => Some(json!({"rows": rows})),
        Error::Import(ImportError::File(file)) => match file {
            FileError::Csv { row, .. } => Some(json!({"row": row})),
            FileError::UnknownColumn { position, header, .. } => Some(json!({"position": position, "header": header})),
            FileError::MissingColumn(c) | FileError::DuplicateColumn(c) => Some(json!({"column": c.name()})),
            FileError::TooManyRows(_) => Some(json!({"maxRows": roster_core::imports::MAX_ROWS})),
            _ => None,
        },
        _ => None,
    };
    let message = match e {
        Error::Internal(_) => "something went wrong on our side; it has been logged".to_owned(),
        other => other.to_string(),
    };
    ErrorBody { code: e.code().to_owned(), message, details, request_id: None }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, mut body) = match &self {
            ApiError::Domain(e) => {
                if matches!(e, Error::Internal(_)) {
                    log_internal(e);
                }
                (crate::errors::status(e), domain_body(e))
            }
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorBody { code: "unauthorized".into(), message: self.to_string(), details: None, request_id: None },
            ),
            ApiError::BadRequest { field, message } => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    code: "validation_failed".into(),
                    message: message.clone(),
                    details: field.as_ref().map(|f| json!({"field": f})),
                    request_id: None,
                },
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorBody {
                    code: "payload_too_large".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorBody {
                    code: "unsupported_media_type".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::RouteNotFound => (
                StatusCode::NOT_FOUND,
                ErrorBody { code: "not_found".into(), message: self.to_string(), details: None, request_id: None },
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorBody {
                    code: "method_not_allowed".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::UriTooLong => (
                StatusCode::URI_TOO_LONG,
                ErrorBody { code: "uri_too_long".into(), message: self.to_string(), details: None, request_id: None },
            ),
            ApiError::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                ErrorBody {
                    code: "headers_too_large".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    code: "idempotency_key_reused".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::IdempotencyKeyInUse => (
                StatusCode::CONFLICT,
                ErrorBody {
                    code: "idempotency_key_in_use".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorBody {
                    code: "request_timeout".into(),
                    message: self.to_string(),
                    details: None,
                    request_id: None,
                },
            ),
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorBody { code: "rate_limited".into(), message: self.to_string(), details: None, request_id: None },
            ),
        };
        body.request_id = crate::request_id::current();
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE || matches!(self, ApiError::IdempotencyKeyInUse) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        if let ApiError::RateLimited { retry_after } = self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}
