//! `ETag` and `If-Match` on users, subscriptions and customers.
//!
//! A resource's `ETag` is its version (`roster_core::versions`), a strong tag that
//! changes whenever anything its representation shows does. A write with
//! `If-Match` goes ahead only while the resource is still at one of the tags
//! listed; otherwise it answers 412 `precondition_failed` and changes nothing.
//! `If-Match: *` asks only that the resource exists, as every such write does.
//! Weak tags (`W/"…"`) never match: `If-Match` compares strongly.

use super::dto::IntoApi;
use super::error::ApiError;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_core::versions::{Expected, Version, Versioned};

/// The versions an `If-Match` header accepts; `None` without one (or with `*`).
pub struct IfMatch(pub Option<Expected>);

impl IfMatch {
    pub fn expected(&self) -> Option<&Expected> {
        self.0.as_ref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(IF_MATCH).iter().peekable();
        if values.peek().is_none() {
            return Ok(Self(None));
        }
        let mut versions = Vec::new();
        for value in values {
            let text = value.to_str().map_err(|_| refused("If-Match must be ASCII entity tags"))?;
            if text.trim() == "*" {
                return Ok(Self(None));
            }
            let tags = entity_tags(text)
                .ok_or_else(|| refused("If-Match takes entity tags in double quotes, such as the ETag answered"))?;
            // A tag that cannot be one of ours, or a weak one, matches no version.
            versions
                .extend(tags.into_iter().filter(|(weak, _)| !weak).filter_map(|(_, opaque)| Version::parse(opaque)));
        }
        Ok(Self(Some(Expected::new(versions))))
    }
}

/// An `If-Match` list as RFC 9110 writes it: entity tags (`"…"` or `W/"…"`, whose
/// quoted text may hold commas) separated by commas and optional whitespace.
/// Each as (weak, opaque text); `None` when the list is not one. An empty list
/// is one (RFC 9110's `#entity-tag`), and no version matches it.
fn entity_tags(mut text: &str) -> Option<Vec<(bool, &str)>> {
    let mut tags = Vec::new();
    loop {
        text = text.trim_start_matches([' ', '\t', ',']);
        if text.is_empty() {
            return Some(tags);
        }
        let weak = text.starts_with("W/");
        let quoted = text.strip_prefix("W/").unwrap_or(text).strip_prefix('"')?;
        let end = quoted.find('"')?;
        let (opaque, rest) = (&quoted[..end], &quoted[end + 1..]);
        if !opaque.bytes().all(|b| b == 0x21 || (0x23..=0x7E).contains(&b)) {
            return None;
        }
        tags.push((weak, opaque));
        text = rest.trim_start_matches([' ', '\t']);
        if !(text.is_empty() || text.starts_with(',')) {
            return None;
        }
    }
}

/// The OpenAPI pattern of such a list (empty elements and all), or `*`.
pub(super) const IF_MATCH_PATTERN: &str = r#"^(?:[ \t]*\*[ \t]*|[ \t,]*(?:(?:W/)?"[\x21\x23-\x7E]*"[ \t]*(?:,[ \t,]*(?:W/)?"[\x21\x23-\x7E]*"[ \t]*)*)?[ \t,]*)$"#;

fn refused(message: &str) -> ApiError {
    ApiError::bad_request(Some("If-Match".into()), message)
}

/// The `ETag` header value of a version.
pub fn etag(version: &Version) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// An answer about one resource, with its `ETag`.
pub struct Tagged<T>(pub Version, pub T);

impl<A> Tagged<Json<A>> {
    /// A resource as JSON, tagged with its version.
    pub fn json<R: Versioned + IntoApi<Api = A>>(resource: R) -> Self {
        Self(resource.version(), Json(resource.into_api()))
    }
}

impl<A> Tagged<(StatusCode, Json<A>)> {
    /// A resource just created, as JSON, tagged with its version.
    pub fn created<R: Versioned + IntoApi<Api = A>>(resource: R) -> Self {
        Self(resource.version(), (StatusCode::CREATED, Json(resource.into_api())))
    }
}

impl<T: IntoResponse> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        response.headers_mut().insert(ETAG, etag(&self.0));
        response
    }
}

/// The OpenAPI document's part of this: `If-Match` on the writes that take it,
/// their 412, and the `ETag` of the answers that carry one.
pub struct PreconditionsDoc;

/// (path, method) of the writes that take `If-Match`.
const CONDITIONAL: [(&str, &str); 4] = [
    ("/customers/{cid}/users/{uid}", "patch"),
    ("/customers/{cid}/users/{uid}", "delete"),
    ("/customers/{cid}/subscriptions/{sid}", "patch"),
    ("/customers/{cid}/subscriptions/{sid}/seats", "post"),
];

/// (path, method, status) of the answers that carry an `ETag`.
const TAGGED: [(&str, &str, &str); 8] = [
    ("/customers", "post", "201"),
    ("/customers/{cid}", "get", "200"),
    ("/customers/{cid}/users/{uid}", "get", "200"),
    ("/customers/{cid}/users/{uid}", "patch", "200"),
    ("/customers/{cid}/subscriptions", "post", "201"),
    ("/customers/{cid}/subscriptions/{sid}", "get", "200"),
    ("/customers/{cid}/subscriptions/{sid}", "patch", "200"),
    ("/customers/{cid}/subscriptions/{sid}/seats", "post", "200"),
];

impl utoipa::Modify for PreconditionsDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{Object, ObjectBuilder, Required, Type};
        for (path, method) in CONDITIONAL {
            let Some(op) = super::openapi_doc::operation(openapi, path, method) else { continue };
            let parameter = ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The ETag this change is based on; if the resource has changed since, nothing is changed and \
                     the answer is 412 precondition_failed. `*` or no header: no check.",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(IF_MATCH_PATTERN))))
                .build();
            op.parameters.get_or_insert_with(Vec::new).push(parameter.into());
            super::openapi_doc::error_response(
                op,
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed: the resource changed since the ETag in If-Match",
            );
            super::openapi_doc::error_response(op, StatusCode::BAD_REQUEST, "validation_failed");
        }
        for (path, method, status) in TAGGED {
            let Some(op) = super::openapi_doc::operation(openapi, path, method) else { continue };
            if let Some(utoipa::openapi::RefOr::T(response)) = op.responses.responses.get_mut(status) {
                let header = HeaderBuilder::new()
                    .schema(Some(Object::with_type(Type::String)))
                    .description(Some("The resource's version, for If-Match"))
                    .build();
                response.headers.insert("ETag".into(), header.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::entity_tags;

    #[test]
    fn if_match_lists_are_read_as_rfc_9110_writes_them() {
        assert_eq!(entity_tags(r#""abc""#), Some(vec![(false, "abc")]));
        assert_eq!(entity_tags(r#"W/"a,b" , "", "c""#), Some(vec![(true, "a,b"), (false, ""), (false, "c")]));
        assert_eq!(entity_tags(""), Some(vec![]));
        assert_eq!(entity_tags(" , "), Some(vec![]));
        for bad in [r#"abc"#, r#""abc"#, r#""a"b""#, r#"W/abc"#, "\"a\"x", "\"\u{e9}\""] {
            assert_eq!(entity_tags(bad), None, "{bad}");
        }
    }
}
