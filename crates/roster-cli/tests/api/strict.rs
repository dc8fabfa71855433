//! The API's edges (issue 15): only a JSON object is read as a body, every
//! refusal carries the error body, and the OpenAPI document is exact.

use crate::*;

/// POSTs or PATCHes `body` as it is, JSON or not.
async fn send_raw(app: &TestApp, method: reqwest::Method, path: &str, body: &'static str) -> (StatusCode, Value) {
    let r = app
        .http
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.expect("a JSON error body"))
}

both_backends! {
    async fn a_body_is_one_json_object_and_nothing_after_it(app) {
        let post = reqwest::Method::POST;
        let (status, body) = send_raw(&app, post.clone(), "/customers",
            r#"{"companyName": "Trailing Co", "domains": ["trailing.example"], "country": "FR"} garbage"#).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation_failed")), "{body}");
        assert_eq!(body["message"], "the body must end after its JSON object");
        let (status, body) = send_raw(&app, post.clone(), "/customers", r#"["Array Co",["arr.example"],"FR"]"#).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation_failed")), "{body}");
        assert_eq!(body["message"], "the body must be a JSON object");
        // Neither created a customer.
        assert_eq!(app.get(&app.admin_token, "/customers").await.body["totalCount"], 0);

        app.with_catalog().await;
        let c = app.customer().await;
        let subs = format!("/customers/{}/subscriptions", c.id);
        let bought = app.post(&app.admin_token, &subs, &json!({"productId": "MAIL_P1", "quantity": 3})).await;
        assert_eq!(bought.status, StatusCode::CREATED);
        let sid = str_at(&bought.body, "/id");
        let (status, body) = send_raw(&app, reqwest::Method::PATCH, &format!("{subs}/{sid}"), "[7]").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation_failed")), "{body}");
        assert_eq!(app.get(&app.admin_token, &subs).await.body[0]["quantity"], 3);

        // Below the top, an object given as an array is refused too, and named.
        let user = app.user(&c, "ana", json!({})).await;
        let uid = str_at(&user, "/user/id").to_owned();
        let r = app.post(&app.admin_token, &format!("/customers/{}/license-updates", c.id),
            &json!({"userIds": [uid], "assign": [["MAIL_P1", []]]})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"), "{:?}", r.body);
        assert_eq!(r.body["details"]["field"], "assign[0]");
        assert_eq!(app.get(&app.admin_token, &subs).await.body[0]["assigned"], 0);
    }

    async fn a_method_a_path_does_not_take_gets_405_with_allow_and_a_body(app) {
        let c = app.customer().await;
        for (method, path, allow) in [
            (reqwest::Method::PUT, "/customers".to_owned(), "GET,HEAD,POST"),
            (reqwest::Method::DELETE, format!("/customers/{}", c.id), "GET,HEAD"),
            (reqwest::Method::POST, format!("/customers/{}/users/{}", c.id, c.id), "GET,HEAD,PATCH,DELETE"),
            (reqwest::Method::GET, format!("/customers/{}/license-updates", c.id), "POST"),
        ] {
            let r = app.send(method.clone(), &app.admin_token, &path, None).await;
            assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "{method} {path}");
            assert!(r.body["message"].is_string());
            let sent = app.http.request(method.clone(), app.url(&format!("/api/v1{path}"))).send().await.unwrap();
            let mut allowed: Vec<String> = sent.headers()["allow"].to_str().unwrap().split(',').map(str::to_owned).collect();
            let mut expected: Vec<String> = allow.split(',').map(str::to_owned).collect();
            allowed.sort();
            expected.sort();
            assert_eq!(allowed, expected, "{method} {path}");
        }
        // The console's pages keep axum's plain answer: no JSON there.
        let r = app.http.put(app.url("/login")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(!r.headers().get("content-type").is_some_and(|t| t.to_str().unwrap_or("").contains("json")));
    }

    async fn an_over_long_uri_or_headers_get_414_or_431_with_a_body(app) {
        let long = "a".repeat(roster_http::api::limits::MAX_URI_BYTES);
        let r = app.get(&app.admin_token, &format!("/customers?search={long}")).await;
        assert_eq!((r.status, r.code()), (StatusCode::URI_TOO_LONG, "uri_too_long"));
        let big = "b".repeat(roster_http::api::limits::MAX_HEADER_BYTES);
        let r = app.http.get(app.url("/api/v1/customers")).bearer_auth(&app.admin_token).header("x-big", &big).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(body["code"], "headers_too_large");
        // The console's answer is plain text.
        let r = app.http.get(app.url(&format!("/login?next={long}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::URI_TOO_LONG);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        // Just under the limits, the request reaches the API, which judges the
        // parameter itself (a search is at most 256 characters).
        let fits = "a".repeat(roster_http::api::limits::MAX_URI_BYTES - "/api/v1/customers?search=".len());
        let r = app.http.get(app.url(&format!("/api/v1/customers?search={fits}"))).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["details"]["field"], "search");
    }

    async fn the_openapi_document_declares_every_refusal_and_the_limits(app) {
        let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            if item.get("servers").is_some() {
                // The operator's endpoints at the server's root (health): no
                // sign-in, and bodies of their own.
                assert_eq!(item["servers"], json!([{"url": "/"}]), "{path}");
                // `/metrics` takes its own token, not the API's.
                let security = if path == "/metrics" { json!([{"metricsToken": []}]) } else { json!([]) };
                assert_eq!(item["get"]["security"], security, "{path}");
                continue;
            }
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let responses = op["responses"].as_object().unwrap();
                for status in ["401", "500"] {
                    assert!(responses.contains_key(status), "{method} {path} does not declare {status}");
                }
                if op["requestBody"].is_object() {
                    for status in ["400", "413", "415"] {
                        assert!(responses.contains_key(status), "{method} {path} does not declare {status}");
                    }
                }
                if path.contains("{cid}") {
                    assert!(responses.contains_key("404"), "{method} {path} does not declare 404");
                }
                for (status, response) in responses {
                    assert!(response["description"].is_string(), "{method} {path} {status} has no description");
                    if status.starts_with('4') || status.starts_with('5') {
                        assert_eq!(response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody");
                    }
                }
            }
        }
        assert_eq!(operations, 24);
        for path in ["/customers", "/customers/{cid}/users", "/customers/{cid}/audit-events"] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
            assert_eq!((&limit["schema"]["minimum"], &limit["schema"]["maximum"]), (&json!(1), &json!(500)), "{path}");
        }
        let users = doc["paths"]["/customers/{cid}/users"]["get"]["parameters"].as_array().unwrap();
        let state = users.iter().find(|p| p["name"] == "state").unwrap();
        assert_eq!(state["schema"]["enum"], json!(["active", "deleted"]));
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["NewCustomerRequest"]["additionalProperties"], false);
        assert!(schemas["NewCustomerRequest"]["properties"]["country"]["enum"].as_array().unwrap().contains(&json!("FR")));
        assert!(schemas["NewUser"]["properties"]["displayName"]["pattern"].is_string());
        assert_eq!(schemas["UserDto"]["properties"]["state"]["enum"], json!(["active", "deleted"]));
        let created = &doc["paths"]["/customers/{cid}/users"]["post"]["responses"]["201"]["links"]["GetUser"];
        assert_eq!(created["operationId"], "get_user");
    }
}
