//! Buying more seats is one atomic increment, in the API, the CLI and the
//! console: purchases made at the same time all count. Set quantity in the
//! console carries the version it was loaded at.

use crate::console::{field, login};
use crate::requests::events;
use crate::*;

/// A customer with a MAIL_P1 subscription of `quantity` seats: (customer, its
/// subscriptions path, the subscription's id).
async fn subscribed(app: &TestApp, quantity: i64) -> (TestCustomer, String, String) {
    app.with_catalog().await;
    let c = app.customer().await;
    let subs = format!("/customers/{}/subscriptions", c.id);
    let r = app.post(&app.admin_token, &subs, &json!({"productId": "MAIL_P1", "quantity": quantity})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let sid = str_at(&r.body, "/id").to_owned();
    (c, subs, sid)
}

async fn quantity(app: &TestApp, subs: &str) -> i64 {
    app.get(&app.admin_token, subs).await.body[0]["quantity"].as_i64().expect("a quantity")
}

both_backends! {
    async fn purchases_made_at_once_all_count(app) {
        let (c, subs, sid) = subscribed(&app, 1).await;
        let seats = format!("{subs}/{sid}/seats");
        let buys: Vec<_> = (0..20)
            .map(|_| {
                let request = app.http.post(app.url(&format!("/api/v1{seats}"))).bearer_auth(&app.admin_token);
                tokio::spawn(request.json(&json!({"add": 1})).send())
            })
            .collect();
        for b in buys {
            assert_eq!(b.await.unwrap().unwrap().status(), StatusCode::OK);
        }
        assert_eq!(quantity(&app, &subs).await, 21, "twenty purchases of one seat add twenty");
        assert_eq!(events(&app, &c, "subscription.seats_added").await, 20);
        // Each purchase started from the one before it.
        let log = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=100", c.id)).await.body;
        let mut steps: Vec<(i64, i64)> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "subscription.seats_added")
            .map(|e| (e["before"]["quantity"].as_i64().unwrap(), e["after"]["quantity"].as_i64().unwrap()))
            .collect();
        steps.sort();
        assert_eq!(steps, (1..=20).map(|q| (q, q + 1)).collect::<Vec<_>>());

        let more = app.post(&app.admin_token, &seats, &json!({"add": 4})).await;
        assert_eq!((more.status, more.body["quantity"].as_i64(), more.body["available"].as_i64()), (StatusCode::OK, Some(25), Some(25)));
        for add in [json!(0), json!(-1), json!(10_000_000)] {
            let refused = app.post(&app.admin_token, &seats, &json!({"add": add})).await;
            assert_eq!((refused.status, refused.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("add")), "{add}: {:?}", refused.body);
        }
        let past = app.post(&app.admin_token, &seats, &json!({"add": 9_999_976})).await;
        assert_eq!((past.code(), past.body["details"]["field"].as_str()), ("validation_failed", Some("add")), "past the most a subscription holds");
        let to_the_top = app.post(&app.admin_token, &seats, &json!({"add": 9_999_975})).await;
        assert_eq!(to_the_top.body["quantity"], 10_000_000);
        let unknown = app.post(&app.admin_token, &format!("{subs}/{}/seats", uuid::Uuid::now_v7()), &json!({"add": 1})).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let helpdesk = app.agent_token("helpdesk").await;
        assert_eq!(app.post(&helpdesk, &seats, &json!({"add": 1})).await.status, StatusCode::FORBIDDEN);
        let sales = app.agent_token("sales").await;
        assert_eq!(app.post(&sales, &format!("{subs}/{sid}/seats"), &json!({"add": 1})).await.code(), "validation_failed");
        let other = app.other_partner_token().await;
        assert_eq!(app.post(&other, &seats, &json!({"add": 1})).await.status, StatusCode::NOT_FOUND);
        let typo = app.post(&app.admin_token, &seats, &json!({"quantity": 1})).await;
        assert_eq!(typo.status, StatusCode::BAD_REQUEST);
        assert_eq!(quantity(&app, &subs).await, 10_000_000);
    }

    async fn the_cli_adds_seats(app) {
        let (c, subs, sid) = subscribed(&app, 2).await;
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .env("ROSTER_LOG", "warn")
            .args(["subscriptions", "add-seats", "--server", &app.address, "--token", &app.admin_token, "--customer", &c.id, "--subscription", &sid, "--add", "3"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let table = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(table.lines().nth(1).is_some_and(|l| l.split_whitespace().rev().take(3).collect::<Vec<_>>() == ["5", "0", "5"]), "{table}");
        assert_eq!(quantity(&app, &subs).await, 5);
    }

    async fn buy_more_in_the_console_adds_atomically_and_set_quantity_never_overwrites_a_change(app) {
        let (c, subs, sid) = subscribed(&app, 1).await;
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let page = session.get(&format!("/customers/{}/subscriptions", c.id)).await;
        let (csrf, version) = (field(&page.body, "csrf"), field(&page.body, "version"));
        let form = format!("/customers/{}/subscriptions/{sid}", c.id);

        // Two agents press Buy 1 more at once: both purchases count.
        let buy_one = [("csrf", csrf.as_str()), ("add", "1")];
        let (a, b) = tokio::join!(session.post(&form, &buy_one), session.post(&form, &buy_one));
        for p in [&a, &b] {
            assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, format!("/customers/{}/subscriptions?notice=notice-quantity-changed", c.id).as_str()));
        }
        assert_eq!(quantity(&app, &subs).await, 3);

        // Set quantity from the page loaded before those purchases: refused, shown again as it is now.
        let stale = session.post(&form, &[("csrf", &csrf), ("version", &version), ("quantity", "2")]).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        assert!(stale.body.contains("Someone changed this after you opened the page"), "{}", stale.body);
        assert!(stale.body.contains("value=\"3\""), "the page shows the quantity as it is now");
        assert_eq!(quantity(&app, &subs).await, 3, "nothing was overwritten");
        let stale_fr = session.post(&format!("{form}?lang=fr"), &[("csrf", &csrf), ("version", &version), ("quantity", "2")]).await;
        assert!(stale_fr.body.contains("rien n'a été enregistré") || stale_fr.body.contains("rien n&#39;a été enregistré"), "{}", stale_fr.body);

        // From the page as it is now, the change goes through.
        let current = field(&stale.body, "version");
        let saved = session.post(&form, &[("csrf", &csrf), ("version", &current), ("quantity", "7")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(quantity(&app, &subs).await, 7);

        // Buy more on Manage licenses is the same increment, and comes back to
        // the page with the choices already made.
        let ana = app.user(&c, "ana", json!({"usageLocation": "FR"})).await;
        let uid = str_at(&ana, "/user/id").to_owned();
        let ticked = session.post(&format!("/customers/{}/users/selection", c.id), &[("csrf", &csrf), ("on_page", &uid), ("ticked", &uid)]).await;
        assert_eq!(ticked.status, StatusCode::SEE_OTHER, "{}", ticked.body);
        let buy = format!("/customers/{}/licenses/buy", c.id);
        let more = format!("more_{sid}");
        let fields = [("csrf", csrf.as_str()), ("op_MAIL_P1", "assign"), ("mode", "atomic"), ("buy", sid.as_str()), (more.as_str(), "2")];
        let (a, b) = tokio::join!(session.post(&buy, &fields), session.post(&buy, &fields));
        for p in [&a, &b] {
            assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
            assert!(p.location.starts_with(&format!("/customers/{}/licenses?", c.id)), "{}", p.location);
        }
        assert_eq!(quantity(&app, &subs).await, 11);
        let back = session.get(&a.location).await;
        assert!(back.body.contains("The quantity was changed."), "{}", back.body);
        assert!(back.body.contains("<option value=\"assign\" selected>"), "the choice made is kept");
        assert!(back.body.contains("name=\"mode\" value=\"atomic\" checked"), "and the mode");
    }
}
