//! Requests with headers of a test's choosing (`Idempotency-Key`, `If-Match`),
//! answered with their headers and raw text, and the activity log's counts.

use crate::*;
use reqwest::Method;
use reqwest::header::HeaderMap;

/// An answer with its headers and raw text, which a replay must repeat exactly.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: HeaderMap,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn replayed(&self) -> bool {
        self.header("idempotent-replayed") == Some("true")
    }
}

/// Sends a request with extra headers (such as `Idempotency-Key` or `If-Match`)
/// and an optional JSON body.
pub(crate) async fn send(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut request = app.http.request(method, app.url(&format!("/api/v1{path}"))).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    answer(request).await
}

pub(crate) async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("sending the request");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("reading the answer");
    let body =
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text.clone())) };
    Answer { status, body, text, headers }
}

/// How many events of `action` the customer's activity log holds.
pub(crate) async fn events(app: &TestApp, customer: &TestCustomer, action: &str) -> usize {
    let log = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=500", customer.id)).await;
    log.body["items"].as_array().map_or(0, |items| items.iter().filter(|e| e["action"] == action).count())
}
