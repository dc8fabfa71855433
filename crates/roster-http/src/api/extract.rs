//! Extractors that turn every malformed request into a specific `ApiError`.

use super::error::ApiError;
use crate::startup::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use roster_core::model::Agent;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// A JSON body: one JSON object and nothing after it. Errors name the field by
/// its path, such as `users[2].userName`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Serialize> FromRequest<AppState> for ApiJson<T> {
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
        parse_object(&bytes).map(Self)
    }
}

/// Reads `bytes` as one JSON object of type `T`. serde alone would also take an
/// array, binding its items to the fields by position, and would stop reading
/// after the value, leaving whatever follows unread.
pub fn parse_object<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, ApiError> {
    match bytes.iter().find(|b| !is_json_whitespace(**b)) {
        Some(b'{') => {}
        None => return Err(ApiError::bad_request(None, "the body is empty; send a JSON object")),
        Some(_) => return Err(ApiError::bad_request(None, "the body must be a JSON object")),
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(deserialize_error)?;
    de.end().map_err(|_| ApiError::bad_request(None, "the body must end after its JSON object"))?;
    if let Some(path) = array_read_as_object(bytes, &value) {
        return Err(ApiError::bad_request(Some(path), "must be a JSON object, not an array"));
    }
    Ok(value)
}

fn is_json_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn deserialize_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
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
    ApiError::bad_request(field, message)
}

/// The path of the first object inside the body that serde read from an array.
/// Written back, whatever serde read as a struct is an object; where the body
/// held an array in that place, the fields were taken by position.
fn array_read_as_object<T: Serialize>(bytes: &[u8], value: &T) -> Option<String> {
    // Below the top (an object, checked first) only an array can be read so.
    if !bytes.contains(&b'[') {
        return None;
    }
    let sent: Value = serde_json::from_slice(bytes).ok()?;
    let read = serde_json::to_value(value).ok()?;
    first_array_read_as_object(&sent, &read, String::new())
}

fn first_array_read_as_object(sent: &Value, read: &Value, path: String) -> Option<String> {
    match (sent, read) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Array(sent), Value::Array(read)) => sent
            .iter()
            .zip(read)
            .enumerate()
            .find_map(|(i, (s, r))| first_array_read_as_object(s, r, format!("{path}[{i}]"))),
        (Value::Object(sent), Value::Object(read)) => sent.iter().find_map(|(key, s)| {
            let r = read.get(key)?;
            let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            first_array_read_as_object(s, r, path)
        }),
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use roster_api::{LicenseUpdateInput, NewCustomerRequest, QuantityRequest};

    fn refusal<T: DeserializeOwned + Serialize + std::fmt::Debug>(body: &str) -> (Option<String>, String) {
        match parse_object::<T>(body.as_bytes()) {
            Err(ApiError::BadRequest { field, message }) => (field, message),
            other => panic!("{body} gave {other:?}"),
        }
    }

    #[test]
    fn only_one_object_is_read() {
        assert!(parse_object::<QuantityRequest>(b" {\"quantity\": 7}\r\n").is_ok_and(|q| q.quantity == 7));
        let (field, message) = refusal::<QuantityRequest>("[7]");
        assert_eq!((field, message.as_str()), (None, "the body must be a JSON object"));
        let (_, message) = refusal::<NewCustomerRequest>(r#"["Array Co",["arr.example"],"FR"]"#);
        assert_eq!(message, "the body must be a JSON object");
        let (_, message) = refusal::<QuantityRequest>("{\"quantity\": 7} x");
        assert_eq!(message, "the body must end after its JSON object");
        let (_, message) = refusal::<QuantityRequest>("{\"quantity\": 7}{}");
        assert_eq!(message, "the body must end after its JSON object");
        assert_eq!(refusal::<QuantityRequest>("  ").1, "the body is empty; send a JSON object");
    }

    #[test]
    fn an_object_inside_is_not_read_from_an_array_either() {
        let (field, _) = refusal::<LicenseUpdateInput>(
            r#"{"userIds": ["01900000-0000-7000-8000-000000000001"], "assign": [["MAIL_P1", []]]}"#,
        );
        assert_eq!(field.as_deref(), Some("assign[0]"));
        let plain = r#"{"userIds": ["01900000-0000-7000-8000-000000000001"], "assign": [{"productId": "MAIL_P1"}]}"#;
        assert!(parse_object::<LicenseUpdateInput>(plain.as_bytes()).is_ok());
    }

    #[test]
    fn errors_keep_naming_the_field() {
        let (field, _) = refusal::<QuantityRequest>(r#"{"quantity": "7"}"#);
        assert_eq!(field.as_deref(), Some("quantity"));
        let (field, _) = refusal::<QuantityRequest>(r#"{"quantity": 7, "colour": 1}"#);
        assert_eq!(field.as_deref(), Some("colour"));
    }
}
