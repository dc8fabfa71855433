use crate::*;

both_backends! {
    async fn creating_a_user_returns_it_with_a_temporary_password_once(app) {
        let c = app.customer().await;
        let created = app.user(&c, "Alex.Wilber", json!({"firstName": "Alex", "lastName": "Wilber", "usageLocation": "fr", "roles": ["user-admin"]})).await;
        let password = str_at(&created, "/temporaryPassword");
        assert_eq!(password.chars().count(), 16);
        let user = &created["user"];
        assert_eq!(user["userPrincipalName"], format!("Alex.Wilber@{}", c.domain));
        assert_eq!(user["usageLocation"], "FR");
        assert_eq!(user["roles"], json!(["user-admin"]));
        assert_eq!(user["state"], "active");
        assert_eq!(user["signInBlocked"], false);
        assert_eq!(user["licenses"], json!([]));
        assert_eq!(user["createdAt"], "2026-01-05T10:00:00Z");

        let got = app.get(&app.admin_token, &format!("/customers/{}/users/{}", c.id, str_at(user, "/id"))).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, *user);
        assert!(!got.body.to_string().contains(password), "the password is never readable again");

        // The full name@domain form works too, and usernames are case-insensitive.
        let r = app.post(&app.admin_token, &format!("/customers/{}/users", c.id), &json!({"userName": format!("alex.wilber@{}", c.domain), "displayName": "Dup"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "username_taken"));
    }

    async fn a_batch_reports_a_result_for_every_user(app) {
        let c = app.customer().await;
        let body = json!({"users": [
            {"userName": "ann", "domain": c.domain, "displayName": "Ann"},
            {"userName": "bad name", "domain": c.domain, "displayName": "Bad"},
            {"userName": "ANN", "domain": c.domain, "displayName": "Ann again"},
            {"userName": "bob", "domain": "other.example", "displayName": "Bob"},
            {"userName": "cy", "domain": c.domain, "displayName": "Cy", "usageLocation": "DE"},
        ]});
        let r = app.post(&app.admin_token, &format!("/customers/{}/users/batch", c.id), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let results = r.body["results"].as_array().cloned().unwrap_or_default();
        let statuses: Vec<(u64, &str, &str)> = results
            .iter()
            .map(|x| (x["index"].as_u64().unwrap_or(99), x["status"].as_str().unwrap_or(""), x["error"]["code"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(statuses, vec![
            (0, "created", ""),
            (1, "failed", "invalid_username"),
            (2, "failed", "username_taken"),
            (3, "failed", "domain_not_owned"),
            (4, "created", ""),
        ]);
        assert_eq!(results[0]["temporaryPassword"].as_str().map(str::len), Some(16));
        assert!(results[1].get("temporaryPassword").is_none());
        assert_eq!(app.get(&app.admin_token, &format!("/customers/{}/users", c.id)).await.body["totalCount"], 2);

        let empty = app.post(&app.admin_token, &format!("/customers/{}/users/batch", c.id), &json!({"users": []})).await;
        assert_eq!((empty.status, empty.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
    }

    async fn patching_changes_only_the_fields_sent(app) {
        let c = app.customer().await;
        let created = app.user(&c, "meg", json!({"firstName": "Meg", "usageLocation": "US"})).await;
        let path = format!("/customers/{}/users/{}", c.id, str_at(&created, "/user/id"));
        app.clock.advance(time::Duration::minutes(5));
        let r = app.patch(&app.admin_token, &path, &json!({"displayName": "Megan Bowen", "roles": ["global-admin", "billing-admin"], "usageLocation": null})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["displayName"], "Megan Bowen");
        assert_eq!(r.body["firstName"], "Meg");
        assert_eq!(r.body["usageLocation"], Value::Null);
        assert_eq!(r.body["roles"], json!(["global-admin", "billing-admin"]));
        assert_eq!(r.body["updatedAt"], "2026-01-05T10:05:00Z");
        let r = app.patch(&app.admin_token, &path, &json!({"signInBlocked": true, "firstName": null})).await;
        assert_eq!((r.body["signInBlocked"].as_bool(), r.body["firstName"].is_null()), (Some(true), true));
        let r = app.patch(&app.admin_token, &path, &json!({"usageLocation": "Narnia"})).await;
        assert_eq!(r.body["details"]["field"], "usageLocation");
        let r = app.patch(&app.admin_token, &path, &json!({"state": "deleted"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
    }

    async fn helpdesk_agents_block_sign_in_and_reset_ordinary_users_only(app) {
        let c = app.customer().await;
        let helpdesk = app.agent_token("helpdesk").await;
        let plain = str_at(&app.user(&c, "pat", json!({})).await, "/user/id").to_owned();
        let admin = str_at(&app.user(&c, "root", json!({"roles": ["global-admin"]})).await, "/user/id").to_owned();
        let users = format!("/customers/{}/users", c.id);

        assert_eq!(app.get(&helpdesk, &users).await.status, StatusCode::OK);
        let r = app.patch(&helpdesk, &format!("{users}/{plain}"), &json!({"signInBlocked": true})).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app.patch(&helpdesk, &format!("{users}/{plain}"), &json!({"displayName": "Nope"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
        let r = app.post(&helpdesk, &format!("{users}/{plain}/reset-password"), &json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app.post(&helpdesk, &format!("{users}/{admin}/reset-password"), &json!({})).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
        let r = app.delete(&helpdesk, &format!("{users}/{plain}")).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
        let r = app.post(&helpdesk, &users, &json!({"userName": "new", "domain": c.domain, "displayName": "New"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let sales = app.agent_token("sales").await;
        let r = app.post(&sales, &format!("{users}/{plain}/reset-password"), &json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.patch(&sales, &format!("{users}/{plain}"), &json!({"signInBlocked": false})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn resetting_a_password_gives_a_new_temporary_one_that_expires_in_14_days(app) {
        let c = app.customer().await;
        let created = app.user(&c, "rita", json!({})).await;
        let path = format!("/customers/{}/users/{}/reset-password", c.id, str_at(&created, "/user/id"));
        let r = app.post(&app.admin_token, &path, &json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        let new = str_at(&r.body, "/temporaryPassword");
        assert_eq!(new.len(), 16);
        assert_ne!(new, str_at(&created, "/temporaryPassword"));
        assert_eq!(r.body["expiresAt"], "2026-01-19T10:00:00Z");
    }
}
