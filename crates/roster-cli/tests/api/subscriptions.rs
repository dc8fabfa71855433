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
        let err = app.services.import_catalog(bad.as_bytes()).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("NOWHERE"), "{err}");
        assert_eq!(app.get(&app.admin_token, "/products").await.body["products"].as_array().map(Vec::len), Some(4));
        // Re-importing upserts by id.
        app.services.import_catalog(br#"{"products": [{"id": "GEO", "name": "Geo Everywhere"}]}"#).await.unwrap_or_else(|e| panic!("{e}"));
        let geo = app.get(&app.admin_token, "/products").await.body["products"][1].clone();
        assert_eq!((geo["name"].as_str(), geo["availableIn"].is_null()), (Some("Geo Everywhere"), true));
    }

    async fn customers_buy_seats_and_change_the_quantity(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let path = format!("/customers/{}/subscriptions", c.0);
        let r = app.post(&app.admin_token, &path, &json!({"productId": "MAIL_P1", "quantity": 10})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!((r.body["quantity"].as_i64(), r.body["assigned"].as_i64(), r.body["available"].as_i64()), (Some(10), Some(0), Some(10)));
        assert_eq!(r.body["productName"], "Mail Plan 1");
        let sid = r.body["id"].as_str().unwrap_or_default().to_owned();

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
        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events", c.0)).await.body;
        let actions: Vec<&str> = events["items"].as_array().map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
        assert_eq!(actions.iter().filter(|a| **a == "subscription.quantity_changed").count(), 2);
        assert!(actions.contains(&"subscription.created"));
    }

    async fn licenses_asked_for_at_creation_are_refused_honestly(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.0), &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        let users = format!("/customers/{}/users", c.0);
        let owned = app.post(&app.admin_token, &users, &json!({"userName": "a", "domain": c.1, "displayName": "A", "licenses": [{"productId": "MAIL_P1"}]})).await;
        assert_eq!((owned.status, owned.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("licenses")));
        let not_owned = app.post(&app.admin_token, &users, &json!({"userName": "a", "domain": c.1, "displayName": "A", "licenses": [{"productId": "MAIL_P2"}]})).await;
        assert_eq!((not_owned.status, not_owned.code()), (StatusCode::BAD_REQUEST, "product_not_owned"));
        assert_eq!(app.get(&app.admin_token, &users).await.body["totalCount"], 0);
    }
}
