//! A clock that jumps. Roster stores the instants a window ends (a deleted
//! user's `purge_at`, a temporary password's `password_expires_at`) and compares
//! them with the clock when it is asked, so a jump back reopens what has not yet
//! been acted on and a jump forward closes it early; only the purge, once it has
//! run, is final. Sign-in failures stamped later than the clock still count until
//! the clock passes them by the 15-minute window, so a jump back never unlocks an
//! account. README ("Clocks") says the same.

use super::*;
use roster_core::services::SigninOutcome;
use roster_testkit::EPOCH;
use roster_testkit::bulk::check_invariants;
use time::Duration as Span;

/// Restores one user over the API: its result's status and code.
async fn restore(app: &TestApp, c: &TestCustomer, id: &str) -> (String, String) {
    let r = app.post(&app.admin_token, &format!("/customers/{}/users/restore", c.id), &json!({"userIds": [id]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let result = &r.body["results"][0];
    (result["status"].as_str().unwrap_or("").to_owned(), result["error"]["code"].as_str().unwrap_or("").to_owned())
}

async fn delete(app: &TestApp, c: &TestCustomer, id: &str) {
    let r = app.delete(&app.admin_token, &format!("/customers/{}/users/{id}", c.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}

async fn signin(app: &TestApp, upn: &str, password: &str) -> SigninOutcome {
    app.services.signin(upn, password, "203.0.113.7".parse().unwrap()).await.unwrap()
}

fn must_change(outcome: &SigninOutcome) -> bool {
    matches!(outcome, SigninOutcome::MustChangePassword { .. })
}

both_backends! {
    async fn the_restore_window_follows_the_clock_both_ways_until_the_purge_runs(app) {
        let window = roster_core::Policy::default().retention;
        let c = app.customer().await;
        let first = str_at(&app.user(&c, "jump1", json!({})).await, "/user/id").to_owned();
        let second = str_at(&app.user(&c, "jump2", json!({})).await, "/user/id").to_owned();
        delete(&app, &c, &first).await;
        delete(&app, &c, &second).await;

        // Forward past the window: refused, but the user is still there.
        app.clock.set(EPOCH + window + Span::seconds(1));
        assert_eq!(restore(&app, &c, &first).await, ("failed".into(), "restore_window_expired".into()));
        // Back inside it: the stored end of the window decides, so it restores.
        app.clock.set(EPOCH + window - Span::days(1));
        assert_eq!(restore(&app, &c, &first).await, ("restored".into(), String::new()));
        // Forward again, and the purge runs: the second user is gone for good.
        app.clock.set(EPOCH + window + Span::days(1));
        assert_eq!(app.services.purge_expired().await.unwrap(), 1);
        app.clock.set(EPOCH + window - Span::days(1));
        assert_eq!(restore(&app, &c, &second).await, ("failed".into(), "user_not_found".into()));

        // Deleted now, then the clock goes back before the deletion: the window is
        // measured to its stored end, so the user restores, and a purge leaves it.
        delete(&app, &c, &first).await;
        app.clock.set(EPOCH - Span::days(2));
        assert_eq!(app.services.purge_expired().await.unwrap(), 0);
        assert_eq!(restore(&app, &c, &first).await, ("restored".into(), String::new()));
        check_invariants(&app.fixture).await;
    }

    async fn temporary_passwords_expire_by_the_clock_both_ways(app) {
        let ttl = roster_core::Policy::default().temporary_password_ttl;
        let c = app.customer().await;
        let created = app.user(&c, "temp1", json!({})).await;
        let (upn, password) = (str_at(&created, "/user/userPrincipalName"), str_at(&created, "/temporaryPassword"));

        // Forward past its expiry: refused as a wrong password is.
        app.clock.set(EPOCH + ttl + Span::seconds(1));
        assert!(matches!(signin(&app, upn, password).await, SigninOutcome::InvalidCredentials));
        // Back before it: valid again (it was never used), once.
        app.clock.set(EPOCH + ttl - Span::seconds(1));
        assert!(must_change(&signin(&app, upn, password).await));
        assert!(matches!(signin(&app, upn, password).await, SigninOutcome::InvalidCredentials));

        // A password reset at a clock ahead lasts to that clock's expiry; back
        // before its making, it still works.
        app.clock.set(EPOCH + Span::days(100));
        let reset = app.post(&app.admin_token, &format!("/customers/{}/users/{}/reset-password", c.id, str_at(&created, "/user/id")), &json!({})).await;
        assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
        let fresh = str_at(&reset.body, "/temporaryPassword").to_owned();
        app.clock.set(EPOCH);
        assert!(must_change(&signin(&app, upn, &fresh).await));
    }

    async fn sign_in_failures_keep_counting_across_a_jump_back(app) {
        let c = app.customer().await;
        let created = app.user(&c, "limit1", json!({})).await;
        let (upn, password) = (str_at(&created, "/user/userPrincipalName"), str_at(&created, "/temporaryPassword"));
        for _ in 0..5 {
            assert!(matches!(signin(&app, upn, "wrong").await, SigninOutcome::InvalidCredentials));
        }
        assert!(matches!(signin(&app, upn, password).await, SigninOutcome::RateLimited));
        // A day back: the failures, stamped later than the clock, still count.
        app.clock.set(EPOCH - Span::days(1));
        assert!(matches!(signin(&app, upn, password).await, SigninOutcome::RateLimited));
        // Past the window after them: the right password works.
        app.clock.set(EPOCH + Span::minutes(16));
        assert!(must_change(&signin(&app, upn, password).await));
    }
}
