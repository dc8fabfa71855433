//! Helpers for the modifiers that add what every matching operation shares to
//! the OpenAPI document (`Idempotency-Key` on changing POSTs, `If-Match` and
//! `ETag` on users, subscriptions and customers), so each handler's annotation
//! stays about its own request and answers.

use axum::http::StatusCode;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// The operation of `method` at `path`, if the document has it.
pub fn operation<'a>(openapi: &'a mut OpenApi, path: &str, method: &str) -> Option<&'a mut Operation> {
    let item = openapi.paths.paths.get_mut(path)?;
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// Adds an error answer with the API's error body; where the operation already
/// documents the status, adds the description to that answer's.
pub fn error_response(op: &mut Operation, status: StatusCode, description: &str) {
    match op.responses.responses.get_mut(status.as_str()) {
        Some(RefOr::T(documented)) => {
            if documented.description.is_empty() {
                documented.description = description.to_owned();
            } else if !documented.description.contains(description) {
                documented.description = format!("{}; {description}", documented.description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let response = ResponseBuilder::new()
                .description(description)
                .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
                .build();
            op.responses.responses.insert(status.as_str().to_owned(), response.into());
        }
    }
}
