//! `X-Request-Id`: taken from the client when it is short visible ASCII, made
//! otherwise, answered in the header, in every API error body and on the
//! console's error pages, and on every log line of the request.

use crate::*;

async fn get_with_id(app: &TestApp, path: &str, id: Option<&str>) -> (StatusCode, String, Value) {
    let mut req = app.http.get(app.url(path)).bearer_auth(&app.admin_token);
    if let Some(id) = id {
        req = req.header("x-request-id", id);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let answered = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, answered, body)
}

both_backends! {
    async fn a_request_id_is_kept_or_made_and_answered_in_errors(app) {
        // The client's own id comes back, in the header and in the error body.
        let (status, answered, body) = get_with_id(&app, "/api/v1/customers/not-a-uuid", Some("client-id.42")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answered, "client-id.42");
        assert_eq!(body["requestId"], "client-id.42", "{body}");
        // Too long, or not visible ASCII: a new one is made instead.
        let long = "x".repeat(129);
        for bad in [long.as_str(), "has space", "tab\there"] {
            let (_, answered, body) = get_with_id(&app, "/api/v1/customers/not-a-uuid", Some(bad)).await;
            assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{bad:?} gave {answered:?}");
            assert_eq!(body["requestId"], answered.as_str());
        }
        // None sent: one is made, different each time; successes carry it too.
        let (status, first, body) = get_with_id(&app, "/api/v1/customers", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.get("requestId").is_none(), "a success body is the resource's own");
        let (_, second, _) = get_with_id(&app, "/api/v1/customers", None).await;
        assert!(uuid::Uuid::parse_str(&first).is_ok() && first != second, "{first} {second}");
        // Every kind of refusal: unknown routes, 405, 401, and the head limits.
        let (status, answered, body) = get_with_id(&app, "/api/v1/nowhere", None).await;
        assert_eq!((status, body["requestId"].as_str()), (StatusCode::NOT_FOUND, Some(answered.as_str())));
        let r = app.http.put(app.url("/api/v1/customers")).bearer_auth(&app.admin_token).send().await.unwrap();
        let answered = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "method_not_allowed");
        assert_eq!(body["requestId"], answered.as_str());
        let r = app.http.get(app.url("/api/v1/customers")).send().await.unwrap();
        let answered = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: Value = r.json().await.unwrap();
        assert_eq!((body["code"].as_str(), body["requestId"].as_str()), (Some("unauthorized"), Some(answered.as_str())));
        let (status, answered, body) = get_with_id(&app, &format!("/api/v1/customers?search={}", "a".repeat(9000)), None).await;
        assert_eq!(status, StatusCode::URI_TOO_LONG);
        assert_eq!(body["requestId"], answered.as_str());
        // The documented error body names it.
        let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["requestId"].is_object());
    }

    async fn console_error_pages_show_the_request_id(app) {
        let session = crate::console::login(&app, &app.admin_email, &app.admin_password).await;
        let missing = format!("/customers/{}", uuid::Uuid::now_v7());
        let page = session.get(&missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(!page.request_id.is_empty());
        assert!(page.body.contains(&format!("Request ID: <code>{}</code>", page.request_id)), "{}", page.body);
        let page = session.get(&format!("{missing}?lang=fr")).await;
        assert!(page.body.contains(&format!("Identifiant de la requête : <code>{}</code>", page.request_id)), "{}", page.body);
    }
}

/// Every line a request logs carries its id, through the span around it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_of_a_request_carry_its_id() {
    let app = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
    let (status, answered, _) = get_with_id(&app, "/api/v1/customers", Some("logged-id-7")).await;
    assert_eq!((status, answered.as_str()), (StatusCode::OK, "logged-id-7"));
    let text = roster_testkit::logs::captured();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("request_id=logged-id-7")).collect();
    assert!(!lines.is_empty(), "no line of the request carries its id");
}
