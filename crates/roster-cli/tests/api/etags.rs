//! `ETag` and `If-Match` on users, subscriptions and customers: an `If-Match`
//! that no longer matches gives 412 `precondition_failed` and changes nothing,
//! decided in the writing transaction, so of two writes based on one version
//! only one goes through.

use crate::requests::{Answer, events, send};
use crate::*;
use reqwest::Method;

async fn with_if_match(app: &TestApp, method: Method, path: &str, etag: &str, body: Option<&Value>) -> Answer {
    send(app, &app.admin_token, method, path, &[("If-Match", etag)], body).await
}

async fn etag_of(app: &TestApp, path: &str) -> String {
    let read = send(app, &app.admin_token, Method::GET, path, &[], None).await;
    assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
    read.header("etag").unwrap_or_else(|| panic!("{path} has no ETag")).to_owned()
}

both_backends! {
    async fn a_user_changed_since_its_etag_is_neither_patched_nor_deleted(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        let created = app.user(&c, "ana", json!({"usageLocation": "FR"})).await;
        let user = format!("/customers/{}/users/{}", c.id, str_at(&created, "/user/id"));
        let loaded = etag_of(&app, &user).await;
        assert!(loaded.starts_with('"') && loaded.ends_with('"') && !loaded.starts_with("W/"), "a strong tag: {loaded}");
        assert_eq!(etag_of(&app, &user).await, loaded, "reading does not change it");

        let renamed = with_if_match(&app, Method::PATCH, &user, &loaded, Some(&json!({"displayName": "Ana B"}))).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
        let current = renamed.header("etag").unwrap().to_owned();
        assert_ne!(current, loaded);
        assert_eq!(etag_of(&app, &user).await, current, "the PATCH answers the user's new ETag");

        // A second agent's edit, based on what it loaded before the first one saved.
        let stale = with_if_match(&app, Method::PATCH, &user, &loaded, Some(&json!({"displayName": "Overwritten"}))).await;
        assert_eq!((stale.status, stale.code()), (StatusCode::PRECONDITION_FAILED, "precondition_failed"), "{}", stale.text);
        let deleted = with_if_match(&app, Method::DELETE, &user, &loaded, None).await;
        assert_eq!(deleted.code(), "precondition_failed");
        let empty = with_if_match(&app, Method::PATCH, &user, &loaded, Some(&json!({}))).await;
        assert_eq!(empty.code(), "precondition_failed", "even a PATCH that changes nothing checks");
        assert_eq!(app.get(&app.admin_token, &user).await.body["displayName"], "Ana B");
        assert_eq!(app.get(&app.admin_token, &user).await.body["state"], "active");

        // A license change is a change of the user: its ETag moves.
        let update = json!({"userIds": [str_at(&created, "/user/id")], "assign": [{"productId": "MAIL_P1"}]});
        app.post(&app.admin_token, &format!("/customers/{}/license-updates", c.id), &update).await;
        let licensed = etag_of(&app, &user).await;
        assert_ne!(licensed, current);
        let before_license = with_if_match(&app, Method::PATCH, &user, &current, Some(&json!({"signInBlocked": true}))).await;
        assert_eq!(before_license.code(), "precondition_failed");

        // Any of several tags may match; a weak tag never does; `*` asks for nothing.
        let listed = with_if_match(&app, Method::PATCH, &user, &format!("{loaded}, {licensed}"), Some(&json!({"signInBlocked": true}))).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        let now = listed.header("etag").unwrap().to_owned();
        let weak = with_if_match(&app, Method::PATCH, &user, &format!("W/{now}"), Some(&json!({"signInBlocked": false}))).await;
        assert_eq!(weak.code(), "precondition_failed");
        let bad = with_if_match(&app, Method::PATCH, &user, "no-quotes", Some(&json!({"signInBlocked": false}))).await;
        assert_eq!((bad.status, bad.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("If-Match")));
        let any = with_if_match(&app, Method::PATCH, &user, "*", Some(&json!({"signInBlocked": false}))).await;
        assert_eq!(any.status, StatusCode::OK);

        let gone = with_if_match(&app, Method::DELETE, &user, &etag_of(&app, &user).await, None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text);
        let subs = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await.body;
        assert_eq!(subs[0]["assigned"], 0, "the delete freed the seat");
        let missing = with_if_match(&app, Method::PATCH, &format!("/customers/{}/users/{}", c.id, uuid::Uuid::now_v7()), &now, Some(&json!({"displayName": "X"}))).await;
        assert_eq!(missing.code(), "user_not_found");
    }

    async fn of_several_writes_based_on_one_etag_exactly_one_goes_through(app) {
        let c = app.customer().await;
        let created = app.user(&c, "bo", json!({})).await;
        let user = format!("/customers/{}/users/{}", c.id, str_at(&created, "/user/id"));
        let loaded = etag_of(&app, &user).await;
        let writes: Vec<_> = (0..6)
            .map(|i| {
                let request = app.http.patch(app.url(&format!("/api/v1{user}"))).bearer_auth(&app.admin_token);
                let request = request.header("If-Match", loaded.clone()).json(&json!({"displayName": format!("Editor {i}")}));
                tokio::spawn(async move { request.send().await.unwrap().status() })
            })
            .collect();
        let mut statuses = Vec::new();
        for w in writes {
            statuses.push(w.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::PRECONDITION_FAILED).count(), 5, "{statuses:?}");
        assert_eq!(events(&app, &c, "user.updated").await, 1);
    }

    async fn subscriptions_and_customers_carry_an_etag_too(app) {
        app.with_catalog().await;
        let created = send(&app, &app.admin_token, Method::POST, "/customers", &[], Some(&json!({"companyName": "Tagged", "domains": ["tagged.example"], "country": "FR"}))).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let customer = format!("/customers/{}", str_at(&created.body, "/id"));
        assert_eq!(created.header("etag").map(str::to_owned), Some(etag_of(&app, &customer).await));
        let c = TestCustomer { id: str_at(&created.body, "/id").to_owned(), domain: "tagged.example".into() };
        let before_users = etag_of(&app, &customer).await;
        let ana = app.user(&c, "ana", json!({"usageLocation": "FR"})).await;
        assert_ne!(etag_of(&app, &customer).await, before_users, "its user count is part of it");

        let bought = send(&app, &app.admin_token, Method::POST, &format!("{customer}/subscriptions"), &[], Some(&json!({"productId": "MAIL_P1", "quantity": 2}))).await;
        let sub = format!("{customer}/subscriptions/{}", str_at(&bought.body, "/id"));
        let loaded = etag_of(&app, &sub).await;
        assert_eq!(bought.header("etag"), Some(loaded.as_str()));
        assert_eq!(app.get(&app.admin_token, &sub).await.body["quantity"], 2);

        // Assigning a seat changes `assigned`, and so the subscription's ETag.
        let update = json!({"userIds": [str_at(&ana, "/user/id")], "assign": [{"productId": "MAIL_P1"}]});
        app.post(&app.admin_token, &format!("{customer}/license-updates"), &update).await;
        let assigned = etag_of(&app, &sub).await;
        assert_ne!(assigned, loaded);
        let stale = with_if_match(&app, Method::PATCH, &sub, &loaded, Some(&json!({"quantity": 10}))).await;
        assert_eq!((stale.status, stale.code()), (StatusCode::PRECONDITION_FAILED, "precondition_failed"));
        let stale_seats = with_if_match(&app, Method::POST, &format!("{sub}/seats"), &loaded, Some(&json!({"add": 1}))).await;
        assert_eq!(stale_seats.code(), "precondition_failed");
        assert_eq!(app.get(&app.admin_token, &sub).await.body["quantity"], 2, "neither changed it");
        let set = with_if_match(&app, Method::PATCH, &sub, &assigned, Some(&json!({"quantity": 10}))).await;
        assert_eq!((set.status, set.body["quantity"].as_i64()), (StatusCode::OK, Some(10)), "{}", set.text);
        let more = with_if_match(&app, Method::POST, &format!("{sub}/seats"), set.header("etag").unwrap(), Some(&json!({"add": 1}))).await;
        assert_eq!((more.status, more.body["quantity"].as_i64()), (StatusCode::OK, Some(11)), "{}", more.text);
        assert_eq!(more.header("etag").map(str::to_owned), Some(etag_of(&app, &sub).await));

        let other = app.other_partner_token().await;
        assert_eq!(send(&app, &other, Method::GET, &sub, &[], None).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_openapi_document_names_etags_if_match_and_idempotency_keys(app) {
        let doc = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json::<Value>().await.unwrap();
        let names = |op: &Value| -> Vec<String> {
            op["parameters"].as_array().map(|a| a.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
        };
        let paths = &doc["paths"];
        for (path, method) in [("/customers/{cid}/users/{uid}", "patch"), ("/customers/{cid}/users/{uid}", "delete"), ("/customers/{cid}/subscriptions/{sid}", "patch"), ("/customers/{cid}/subscriptions/{sid}/seats", "post")] {
            let op = &paths[path][method];
            assert!(names(op).contains(&"If-Match".to_owned()), "{method} {path}: {op}");
            assert!(op["responses"]["412"].is_object(), "{method} {path}");
        }
        assert!(paths["/customers/{cid}/users/{uid}"]["get"]["responses"]["200"]["headers"]["ETag"].is_object());
        assert!(paths["/customers/{cid}/subscriptions/{sid}"]["get"].is_object());
        for path in ["/customers", "/customers/{cid}/users", "/customers/{cid}/users/batch", "/customers/{cid}/users/{uid}/reset-password", "/customers/{cid}/users/restore", "/customers/{cid}/license-updates", "/customers/{cid}/imports", "/customers/{cid}/subscriptions", "/customers/{cid}/subscriptions/{sid}/seats"] {
            let op = &paths[path]["post"];
            assert!(names(op).contains(&"Idempotency-Key".to_owned()), "POST {path}");
            assert!(op["responses"]["422"]["description"].as_str().is_some_and(|d| d.contains("idempotency_key_reused")), "POST {path}");
            assert!(op["responses"]["409"]["description"].as_str().is_some_and(|d| d.contains("idempotency_key_in_use")), "POST {path}");
        }
        assert!(!names(&paths["/customers/{cid}/imports/{jid}/credentials"]["post"]).contains(&"Idempotency-Key".to_owned()));
        assert!(paths["/customers/{cid}/subscriptions"]["post"]["responses"]["409"]["description"].as_str().is_some_and(|d| d.contains("subscription_exists")), "a documented 409 keeps its words");
    }
}
