use crate::*;

both_backends! {
    async fn the_catalog_lists_every_product_with_its_rules(app) {
        app.with_catalog().await;
        let r = app.get(&app.admin_token, "/products").await;
        assert_eq!(r.status, StatusCode::OK);
        let products = r.body["products"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = products.iter().filter_map(|p| p["id"].as_str()).collect();
        assert_eq!(ids, vec!["ARCHIVE", "GEO", "MAIL_P1", "MAIL_P2"]);
        let p1 = &products[2];
        assert_eq!(p1["excludes"], json!(["MAIL_P2"]));
        assert_eq!(p1["availableIn"], Value::Null);
        assert_eq!(p1["unavailableIn"], json!(["KP"]));
        assert_eq!(p1["servicePlans"][0], json!({"id": "MAILBOX", "name": "Mailbox"}));
        assert_eq!(products[1]["availableIn"], json!(["DE", "FR"]));

        // A bad file is refused whole, naming the problem; nothing of it is kept.
        let bad = r#"{"products": [{"id": "NEW", "name": "New"}, {"id": "BROKEN", "name": "B", "requires": ["NOWHERE"]}]}"#;
        let err = app.services.import_catalog(bad.as_bytes()).await.expect_err("a product requiring an unknown one is refused").to_string();
        assert!(err.contains("NOWHERE"), "{err}");
        assert_eq!(app.get(&app.admin_token, "/products").await.body["products"].as_array().map(Vec::len), Some(4));
        // Re-importing upserts by id.
        app.services.import_catalog(br#"{"products": [{"id": "GEO", "name": "Geo Everywhere"}]}"#).await.unwrap();
        let geo = app.get(&app.admin_token, "/products").await.body["products"][1].clone();
        assert_eq!((geo["name"].as_str(), geo["availableIn"].is_null()), (Some("Geo Everywhere"), true));
    }

    async fn customers_buy_seats_and_change_the_quantity(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let path = format!("/customers/{}/subscriptions", c.id);
        let r = app.post(&app.admin_token, &path, &json!({"productId": "MAIL_P1", "quantity": 10})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!((r.body["quantity"].as_i64(), r.body["assigned"].as_i64(), r.body["available"].as_i64()), (Some(10), Some(0), Some(10)));
        assert_eq!(r.body["productName"], "Mail Plan 1");
        let sid = str_at(&r.body, "/id").to_owned();

        let again = app.post(&app.admin_token, &path, &json!({"productId": "MAIL_P1", "quantity": 5})).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "subscription_exists"));
        let unknown = app.post(&app.admin_token, &path, &json!({"productId": "NOPE", "quantity": 5})).await;
        assert_eq!((unknown.status, unknown.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("productId")));
        let zero = app.post(&app.admin_token, &path, &json!({"productId": "MAIL_P2", "quantity": 0})).await;
        assert_eq!(zero.body["details"]["field"], "quantity");

        let sales = app.agent_token("sales").await;
        let more = app.patch(&sales, &format!("{path}/{sid}"), &json!({"quantity": 25})).await;
        assert_eq!((more.status, more.body["available"].as_i64()), (StatusCode::OK, Some(25)));
        let helpdesk = app.agent_token("helpdesk").await;
        assert_eq!(app.patch(&helpdesk, &format!("{path}/{sid}"), &json!({"quantity": 30})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&helpdesk, &path).await.status, StatusCode::OK);

        app.force_assigned(&sid, 7).await;
        let below = app.patch(&app.admin_token, &format!("{path}/{sid}"), &json!({"quantity": 6})).await;
        assert_eq!((below.status, below.code()), (StatusCode::CONFLICT, "quantity_below_assigned"));
        assert_eq!(below.body["details"]["assigned"], 7);
        let exact = app.patch(&app.admin_token, &format!("{path}/{sid}"), &json!({"quantity": 7})).await;
        assert_eq!((exact.status, exact.body["available"].as_i64()), (StatusCode::OK, Some(0)));

        let list = app.get(&app.admin_token, &path).await.body;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events", c.id)).await.body;
        let actions: Vec<&str> = events["items"].as_array().map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
        assert_eq!(actions.iter().filter(|a| **a == "subscription.quantity_changed").count(), 2);
        assert!(actions.contains(&"subscription.created"));
    }

    async fn licenses_asked_for_at_creation_are_assigned_in_the_same_transaction(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let subs = format!("/customers/{}/subscriptions", c.id);
        app.post(&app.admin_token, &subs, &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        app.post(&app.admin_token, &subs, &json!({"productId": "ARCHIVE", "quantity": 5})).await;
        let users = format!("/customers/{}/users", c.id);
        let new_user = |name: &str, licenses: Value| {
            json!({"userName": name, "domain": c.domain, "displayName": name, "usageLocation": "FR", "licenses": licenses})
        };
        let with_plan = json!([{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}, {"productId": "ARCHIVE"}]);
        let created = app.post(&app.admin_token, &users, &new_user("a", with_plan)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        assert_eq!(
            created.body["user"]["licenses"],
            json!([{"productId": "ARCHIVE", "disabledServicePlans": []}, {"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}])
        );
        let stored = app.get(&app.admin_token, &format!("{users}/{}", str_at(&created.body, "/user/id"))).await;
        assert_eq!(stored.body["licenses"], created.body["user"]["licenses"]);
        let seats = |list: Value| -> Vec<(String, i64)> {
            list.as_array().cloned().unwrap_or_default().iter().map(|s| (s["productId"].as_str().unwrap_or("").to_owned(), s["assigned"].as_i64().unwrap_or(-1))).collect()
        };
        let held = vec![("ARCHIVE".to_owned(), 1), ("MAIL_P1".to_owned(), 1)];
        assert_eq!(seats(app.get(&app.admin_token, &subs).await.body), held);

        // Each refusal names the product, and creates no user and takes no seat.
        for (body, status, code) in [
            (new_user("b", json!([{"productId": "MAIL_P1"}])), StatusCode::CONFLICT, "insufficient_licenses"),
            (new_user("b", json!([{"productId": "MAIL_P2"}])), StatusCode::BAD_REQUEST, "product_not_owned"),
            (new_user("b", json!([{"productId": "ARCHIVE"}])), StatusCode::BAD_REQUEST, "dependency_missing"),
            (new_user("b", json!([{"productId": "MAIL_P1", "disabledServicePlans": ["NOPE"]}])), StatusCode::BAD_REQUEST, "unknown_service_plan"),
            (json!({"userName": "b", "domain": c.domain, "displayName": "B", "licenses": [{"productId": "MAIL_P1"}]}), StatusCode::BAD_REQUEST, "usage_location_required"),
        ] {
            let r = app.post(&app.admin_token, &users, &body).await;
            assert_eq!((r.status, r.code()), (status, code), "{body}: {:?}", r.body);
            assert!(r.body["details"]["productId"].is_string(), "{:?}", r.body);
        }
        let twice = app.post(&app.admin_token, &users, &new_user("b", json!([{"productId": "ARCHIVE"}, {"productId": "ARCHIVE"}]))).await;
        assert_eq!((twice.status, twice.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("licenses[1].productId")));
        assert_eq!(app.get(&app.admin_token, &users).await.body["totalCount"], 1);
        assert_eq!(seats(app.get(&app.admin_token, &subs).await.body), held);

        // In a batch, seats go in order: the one left goes to the first who asks.
        app.post(&app.admin_token, &format!("/customers/{}/license-updates", c.id), &json!({"userIds": [created.body["user"]["id"]], "remove": ["MAIL_P1", "ARCHIVE"]})).await;
        let batch = app
            .post(&app.admin_token, &format!("{users}/batch"), &json!({"users": [new_user("c", json!([{"productId": "MAIL_P1"}])), new_user("d", json!([{"productId": "MAIL_P1"}])), new_user("e", json!([]))]}))
            .await;
        let outcome: Vec<(String, String)> = batch.body["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| (r["status"].as_str().unwrap_or("").to_owned(), r["error"]["code"].as_str().unwrap_or("").to_owned()))
            .collect();
        let expected = [("created", ""), ("failed", "insufficient_licenses"), ("created", "")];
        assert_eq!(outcome, expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec(), "{:?}", batch.body);
        assert_eq!(seats(app.get(&app.admin_token, &subs).await.body), vec![("ARCHIVE".to_owned(), 0), ("MAIL_P1".to_owned(), 1)]);
    }

    async fn a_licensed_user_keeps_a_location_where_its_licenses_are_sold(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "GEO", "quantity": 1})).await;
        let users = format!("/customers/{}/users", c.id);
        let created = app
            .post(&app.admin_token, &users, &json!({"userName": "g", "domain": c.domain, "displayName": "G", "usageLocation": "FR", "licenses": [{"productId": "GEO"}]}))
            .await;
        let user = format!("{users}/{}", str_at(&created.body, "/user/id"));
        let moved = app.patch(&app.admin_token, &user, &json!({"usageLocation": "US"})).await;
        assert_eq!((moved.status, moved.code()), (StatusCode::BAD_REQUEST, "not_available_in_usage_location"));
        let cleared = app.patch(&app.admin_token, &user, &json!({"usageLocation": null})).await;
        assert_eq!((cleared.status, cleared.code()), (StatusCode::BAD_REQUEST, "usage_location_required"));
        assert_eq!(app.get(&app.admin_token, &user).await.body["usageLocation"], "FR");
        let allowed = app.patch(&app.admin_token, &user, &json!({"usageLocation": "DE"})).await;
        assert_eq!((allowed.status, allowed.body["usageLocation"].as_str()), (StatusCode::OK, Some("DE")));
    }
}
