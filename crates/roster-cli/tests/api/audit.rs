use crate::*;

both_backends! {
    async fn every_change_is_audited_with_before_and_after_and_no_secret(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let created = app.user(&c, "audited", json!({"displayName": "Before"})).await;
        let u = str_at(&created, "/user/id").to_owned();
        app.clock.advance(time::Duration::seconds(1));
        app.patch(&app.admin_token, &format!("{users}/{u}"), &json!({"displayName": "After"})).await;
        app.clock.advance(time::Duration::seconds(1));
        let reset = app.post(&app.admin_token, &format!("{users}/{u}/reset-password"), &json!({})).await;
        app.clock.advance(time::Duration::seconds(1));
        app.delete(&app.admin_token, &format!("{users}/{u}")).await;
        app.clock.advance(time::Duration::seconds(1));
        app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [u]})).await;

        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=3", c.id)).await.body;
        assert_eq!(events["totalCount"], 6);
        let first_page: Vec<&str> = events["items"].as_array().map(|a| a.iter().map(|e| e["action"].as_str().unwrap_or("")).collect()).unwrap_or_default();
        assert_eq!(first_page, vec!["user.restored", "user.deleted", "user.password_reset"]);
        let next = str_at(&events, "/cursors/next");
        let older = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=3&cursor={next}", c.id)).await.body;
        let second_page: Vec<&str> = older["items"].as_array().map(|a| a.iter().map(|e| e["action"].as_str().unwrap_or("")).collect()).unwrap_or_default();
        assert_eq!(second_page, vec!["user.updated", "user.created", "customer.created"]);
        let update = &older["items"][0];
        assert_eq!(update["before"]["displayName"], "Before");
        assert_eq!(update["after"]["displayName"], "After");
        assert_eq!(update["userIds"], json!([u]));
        assert!(update["agentId"].is_string());

        let everything = format!("{events}{older}");
        for secret in [str_at(&created, "/temporaryPassword"), str_at(&reset.body, "/temporaryPassword")] {
            assert!(!everything.contains(secret), "a temporary password reached the audit log");
        }
        assert!(!everything.contains("sha256:"), "a password digest reached the audit log");
    }

    async fn users_created_together_share_one_event_with_each_snapshot(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let batch = json!({"users": [
            {"userName": "g1", "domain": c.domain, "displayName": "Group One", "usageLocation": "FR"},
            {"userName": "g2", "domain": c.domain, "displayName": "Group Two"},
            {"userName": "g3", "domain": c.domain, "displayName": "Group Three"},
        ]});
        let created = app.post(&app.admin_token, &format!("{users}/batch"), &batch).await.body;
        let ids: Vec<&str> = (0..3).map(|i| str_at(&created, &format!("/results/{i}/user/id"))).collect();
        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events", c.id)).await.body;
        let created_events: Vec<&Value> =
            events["items"].as_array().map(|a| a.iter().filter(|e| e["action"] == "user.created").collect()).unwrap_or_default();
        assert_eq!(created_events.len(), 1, "{events}");
        let event = created_events[0];
        assert_eq!(event["userIds"], json!(ids));
        assert!(event["before"].is_null());
        let names: Vec<&str> = event["after"].as_array().map(|a| a.iter().map(|s| s["displayName"].as_str().unwrap_or("")).collect()).unwrap_or_default();
        assert_eq!(names, vec!["Group One", "Group Two", "Group Three"]);
        assert_eq!(event["after"][0]["usageLocation"], "FR");
        assert!(!event.to_string().contains(str_at(&created, "/results/0/temporaryPassword")));
    }

    async fn temporary_passwords_never_reach_the_logs(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let one = app.user(&c, "logged", json!({})).await;
        let batch = app.post(&app.admin_token, &format!("{users}/batch"), &json!({"users": [{"userName": "b1", "domain": c.domain, "displayName": "B1"}]})).await;
        let u = str_at(&one, "/user/id");
        let reset = app.post(&app.admin_token, &format!("{users}/{u}/reset-password"), &json!({})).await;
        // A failed sign-in with the password logs nothing of it either.
        let upn = str_at(&one, "/user/userPrincipalName");
        let _ = app.services.signin(upn, str_at(&reset.body, "/temporaryPassword"), std::net::Ipv4Addr::LOCALHOST.into()).await;
        let secrets = [
            str_at(&one, "/temporaryPassword").to_owned(),
            str_at(&batch.body, "/results/0/temporaryPassword").to_owned(),
            str_at(&reset.body, "/temporaryPassword").to_owned(),
        ];
        let logs = roster_testkit::logs::captured();
        assert!(logs.contains(&format!("/customers/{}/users", c.id)), "the capture sees this test's requests");
        for s in secrets {
            assert_eq!(s.len(), 16);
            assert!(!logs.contains(&s), "a temporary password was logged");
        }
        assert!(!logs.contains(&app.admin_token), "an API token was logged");
    }
}
