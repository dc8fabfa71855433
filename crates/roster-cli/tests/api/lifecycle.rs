use crate::*;
use time::Duration;

fn uid(v: &Value) -> String {
    str_at(v, "/user/id").to_owned()
}

both_backends! {
    async fn deleting_moves_a_user_to_the_deleted_tab_for_30_days(app) {
        let c = app.customer().await;
        let u = uid(&app.user(&c, "dora", json!({})).await);
        let users = format!("/customers/{}/users", c.id);
        let r = app.delete(&app.admin_token, &format!("{users}/{u}")).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let got = app.get(&app.admin_token, &format!("{users}/{u}")).await.body;
        assert_eq!(got["state"], "deleted");
        assert_eq!(got["deletedAt"], "2026-01-05T10:00:00Z");
        assert_eq!(got["purgeAt"], "2026-02-04T10:00:00Z");
        assert_eq!(app.get(&app.admin_token, &users).await.body["totalCount"], 0);
        let deleted = app.get(&app.admin_token, &format!("{users}?state=deleted")).await.body;
        assert_eq!(deleted["totalCount"], 1);
        let customer = app.get(&app.admin_token, &format!("/customers/{}", c.id)).await.body;
        assert_eq!((customer["userCount"].as_i64(), customer["deletedUserCount"].as_i64()), (Some(0), Some(1)));

        let again = app.delete(&app.admin_token, &format!("{users}/{u}")).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "user_deleted"));
        let reset = app.post(&app.admin_token, &format!("{users}/{u}/reset-password"), &json!({})).await;
        assert_eq!(reset.code(), "user_deleted");
        let patch = app.patch(&app.admin_token, &format!("{users}/{u}"), &json!({"displayName": "x"})).await;
        assert_eq!(patch.code(), "user_deleted");
        let missing = app.delete(&app.admin_token, &format!("{users}/{}", uuid_like())).await;
        assert_eq!((missing.status, missing.code()), (StatusCode::NOT_FOUND, "user_not_found"));
    }

    async fn restore_brings_users_back_until_exactly_the_end_of_the_window(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let early = uid(&app.user(&c, "early", json!({})).await);
        let late = uid(&app.user(&c, "late", json!({})).await);
        app.delete(&app.admin_token, &format!("{users}/{early}")).await;
        app.delete(&app.admin_token, &format!("{users}/{late}")).await;

        app.clock.advance(Duration::days(30) - Duration::seconds(1));
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [early]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["results"][0]["status"], "restored");
        assert_eq!(r.body["results"][0]["restoredLicenses"], json!([]));
        assert_eq!(r.body["results"][0]["unrestoredLicenses"], json!([]));
        assert_eq!(app.get(&app.admin_token, &format!("{users}/{early}")).await.body["state"], "active");

        app.clock.advance(Duration::seconds(2));
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [late, early, uuid_like()]})).await;
        let codes: Vec<&str> = r.body["results"].as_array().map(|a| a.iter().map(|x| x["error"]["code"].as_str().unwrap_or("")).collect()).unwrap_or_default();
        assert_eq!(codes, vec!["restore_window_expired", "user_not_deleted", "user_not_found"]);

        // The purge removes the user for good; then it is simply gone.
        assert_eq!(app.services.purge_expired().await.unwrap(), 1);
        assert_eq!(app.get(&app.admin_token, &format!("{users}/{late}")).await.status, StatusCode::NOT_FOUND);
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [late]})).await;
        assert_eq!(r.body["results"][0]["error"]["code"], "user_not_found");
        assert_eq!(app.get(&app.admin_token, &format!("/customers/{}", c.id)).await.body["deletedUserCount"], 0);
    }

    async fn restore_fails_with_username_taken_when_the_name_was_reused(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let old = uid(&app.user(&c, "sam", json!({})).await);
        app.delete(&app.admin_token, &format!("{users}/{old}")).await;
        let new = uid(&app.user(&c, "SAM", json!({})).await);
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [old]})).await;
        assert_eq!(r.body["results"][0]["status"], "failed");
        assert_eq!(r.body["results"][0]["error"]["code"], "username_taken");
        app.delete(&app.admin_token, &format!("{users}/{new}")).await;
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [old]})).await;
        assert_eq!(r.body["results"][0]["status"], "restored");
    }

    async fn the_background_purger_removes_expired_users_on_its_own(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let u = uid(&app.user(&c, "gone", json!({})).await);
        app.delete(&app.admin_token, &format!("{users}/{u}")).await;
        let purger = roster_http::spawn_purger(app.services.clone(), std::time::Duration::from_millis(20));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(app.get(&app.admin_token, &format!("{users}/{u}")).await.status, StatusCode::OK, "inside the window");
        app.clock.advance(Duration::days(30) + Duration::seconds(1));
        let mut gone = false;
        for _ in 0..100 {
            if app.get(&app.admin_token, &format!("{users}/{u}")).await.status == StatusCode::NOT_FOUND {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        purger.abort();
        assert!(gone, "the purger should have removed the user");
    }
}

pub fn uuid_like() -> String {
    "01900000-0000-7000-8000-000000000000".into()
}
