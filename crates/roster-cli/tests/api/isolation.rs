use crate::*;

both_backends! {
    async fn another_partners_agent_gets_404_on_every_customer_route(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let u = str_at(&app.user(&c, "private", json!({})).await, "/user/id").to_owned();
        let other = app.other_partner_token().await;
        let base = format!("/customers/{}", c.id);
        let user = format!("{base}/users/{u}");
        let replies = vec![
            app.get(&other, &base).await,
            app.get(&other, &format!("{base}/users")).await,
            app.get(&other, &format!("{base}/users?state=deleted")).await,
            app.post(&other, &format!("{base}/users"), &json!({"userName": "x", "domain": c.domain, "displayName": "X"})).await,
            app.post(&other, &format!("{base}/users/batch"), &json!({"users": [{"userName": "x", "domain": c.domain, "displayName": "X"}]})).await,
            app.get(&other, &user).await,
            app.patch(&other, &user, &json!({"displayName": "Pwned"})).await,
            app.post(&other, &format!("{user}/reset-password"), &json!({})).await,
            app.delete(&other, &user).await,
            app.post(&other, &format!("{base}/users/restore"), &json!({"userIds": [u]})).await,
            app.get(&other, &format!("{base}/audit-events")).await,
            app.get(&other, &format!("{base}/subscriptions")).await,
            app.post(&other, &format!("{base}/license-updates"), &json!({"userIds": [u], "assign": [{"productId": "MAIL_P1"}]})).await,
            app.post(&other, &format!("{base}/subscriptions"), &json!({"productId": "MAIL_P1", "quantity": 1})).await,
            app.patch(&other, &format!("{base}/subscriptions/{}", crate::lifecycle::uuid_like()), &json!({"quantity": 1})).await,
        ];
        for (i, r) in replies.iter().enumerate() {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "route {i}: {:?}", r.body);
            assert_eq!(r.code(), "not_found", "route {i}");
        }
        assert_eq!(app.get(&other, "/customers").await.body["totalCount"], 0);
        // And nothing changed.
        let mine = app.get(&app.admin_token, &user).await.body;
        assert_eq!((mine["displayName"].as_str(), mine["state"].as_str()), (Some("private"), Some("active")));
    }
}
