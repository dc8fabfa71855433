use crate::*;

both_backends! {
    async fn missing_and_bad_tokens_get_401(app) {
        let r = app.get("", "/customers").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));
        let r = app.get("rst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/customers").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));
        let r = app.get("garbage", "/customers").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    async fn malformed_requests_get_specific_errors_never_500(app) {
        let c = app.customer().await;
        let path = format!("/customers/{}/users", c.id);
        let url = app.url(&format!("/api/v1{path}"));
        let send = |body: &'static str, content_type: &'static str| {
            app.http.post(url.clone()).bearer_auth(&app.admin_token).header("content-type", content_type).body(body).send()
        };
        let r = send("{\"userName\": ", "application/json").await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(body["code"], "validation_failed");

        let r = send("{}", "text/plain").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(body["code"], "unsupported_media_type");

        let r = send("{\"userName\": 5, \"domain\": \"x\", \"displayName\": \"X\"}", "application/json").await.unwrap();
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(body["details"]["field"], "userName");

        // The server reads a body up to its limit, answers 413 at the first byte over
        // it and closes the connection. Bytes sent past that byte would be left unread,
        // and their reset could lose the answer, so the body ends one byte over the
        // limit. A client of its own keeps the closed connection off the shared pool.
        let over = "x".repeat(roster_http::ServerConfig::default().max_body_bytes + 1);
        let r = reqwest::Client::new().post(url.clone()).bearer_auth(&app.admin_token).header("content-type", "application/json").body(over).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(body["code"], "payload_too_large");

        let r = app.get(&app.admin_token, "/customers/not-a-uuid").await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
        let r = app.get(&app.admin_token, "/nowhere").await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
        let r = app.get(&app.admin_token, &format!("{path}?limit=0")).await;
        assert_eq!(r.body["details"]["field"], "limit");
        let r = app.get(&app.admin_token, &format!("{path}?colour=red")).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
    }

    async fn user_fields_are_validated_with_the_field_named(app) {
        let c = app.customer().await;
        let path = format!("/customers/{}/users", c.id);
        let long = "x".repeat(257);
        let cases = [
            (json!({"userName": "a b", "domain": c.domain, "displayName": "X"}), "invalid_username", "userName"),
            (json!({"userName": "..a", "domain": c.domain, "displayName": "X"}), "invalid_username", "userName"),
            (json!({"userName": "a", "domain": c.domain, "displayName": long}), "validation_failed", "displayName"),
            (json!({"userName": "a", "domain": c.domain, "displayName": "X", "firstName": "y".repeat(65)}), "validation_failed", "firstName"),
            (json!({"userName": "a", "domain": c.domain, "displayName": "X", "usageLocation": "QQ"}), "validation_failed", "usageLocation"),
            (json!({"userName": "a", "domain": c.domain, "displayName": "X", "roles": ["root"]}), "validation_failed", "roles"),
            (json!({"userName": "a", "domain": c.domain, "displayName": "X", "password": "x"}), "validation_failed", "password"),
            (json!({"userName": "a", "domain": c.domain}), "validation_failed", "displayName"),
        ];
        for (body, code, field) in cases {
            let r = app.post(&app.admin_token, &path, &body).await;
            assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, code), "{body} → {:?}", r.body);
            let named = r.body["details"]["field"].as_str().unwrap_or("").to_owned() + r.body["message"].as_str().unwrap_or("");
            assert!(named.contains(field), "{body} → {:?}", r.body);
        }
        let r = app.post(&app.admin_token, &path, &json!({"userName": "a", "domain": "elsewhere.example", "displayName": "X"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "domain_not_owned"));
        let r = app.post(&app.admin_token, &path, &json!({"userName": "a", "domain": c.domain, "displayName": "X", "licenses": [{"productId": "MAIL_P1"}]})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "product_not_owned"));
        // Nothing above created a user.
        assert_eq!(app.get(&app.admin_token, &path).await.body["totalCount"], 0);
    }
}
