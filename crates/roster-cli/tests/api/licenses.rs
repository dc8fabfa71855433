use crate::*;

struct Fixture {
    customer: TestCustomer,
    subs: std::collections::HashMap<String, String>,
}

/// A customer owning MAIL_P1 ×2, MAIL_P2 ×5, ARCHIVE ×5 and GEO ×5.
async fn fixture(app: &TestApp) -> Fixture {
    app.with_catalog().await;
    let customer = app.customer().await;
    let mut subs = std::collections::HashMap::new();
    for (p, q) in [("MAIL_P1", 2), ("MAIL_P2", 5), ("ARCHIVE", 5), ("GEO", 5)] {
        let r = app
            .post(
                &app.admin_token,
                &format!("/customers/{}/subscriptions", customer.id),
                &json!({"productId": p, "quantity": q}),
            )
            .await;
        subs.insert(p.to_owned(), str_at(&r.body, "/id").to_owned());
    }
    Fixture { customer, subs }
}

async fn user(app: &TestApp, f: &Fixture, name: &str, location: Option<&str>) -> String {
    str_at(&app.user(&f.customer, name, json!({"usageLocation": location})).await, "/user/id").to_owned()
}

async fn update(app: &TestApp, f: &Fixture, body: Value) -> Reply {
    app.post(&app.admin_token, &format!("/customers/{}/license-updates", f.customer.id), &body).await
}

async fn seats(app: &TestApp, f: &Fixture) -> std::collections::BTreeMap<String, (i64, i64)> {
    let list = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", f.customer.id)).await.body;
    list.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| {
            (
                s["productId"].as_str().unwrap_or("").to_owned(),
                (s["quantity"].as_i64().unwrap_or(-1), s["assigned"].as_i64().unwrap_or(-1)),
            )
        })
        .collect()
}

fn statuses(r: &Reply) -> Vec<String> {
    r.body["results"]
        .as_array()
        .map(|a| a.iter().map(|x| x["status"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

fn first_error(r: &Reply, i: usize) -> (String, String) {
    let e = &r.body["results"][i]["errors"][0];
    (e["productId"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned())
}

use roster_testkit::Reply;

both_backends! {
    async fn seats_run_out_in_the_order_users_are_given(app) {
        let f = fixture(&app).await;
        let a = user(&app, &f, "a", Some("US")).await;
        let b = user(&app, &f, "b", Some("US")).await;
        let c = user(&app, &f, "c", Some("US")).await;
        let r = update(&app, &f, json!({"userIds": [c, a, b], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(statuses(&r), vec!["succeeded", "succeeded", "failed"]);
        assert_eq!(first_error(&r, 2), ("MAIL_P1".into(), "insufficient_licenses".into()));
        assert_eq!(r.body["summary"], json!({"succeeded": 2, "failed": 1, "unchanged": 0}));
        assert_eq!((r.body["applied"].as_bool(), r.body["dryRun"].as_bool()), (Some(true), Some(false)));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
        let got = app.get(&app.admin_token, &format!("/customers/{}/users/{c}", f.customer.id)).await.body;
        assert_eq!(got["licenses"], json!([{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}]));
        let licensed = app.get(&app.admin_token, &format!("/customers/{}/users?license=MAIL_P1", f.customer.id)).await.body;
        assert_eq!(licensed["totalCount"], 2);
        assert_eq!(app.get(&app.admin_token, &format!("/customers/{}/users?license=none", f.customer.id)).await.body["totalCount"], 1);
        // Again: the holders are unchanged, the third still has no seat.
        let again = update(&app, &f, json!({"userIds": [c, a, b], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}]})).await;
        assert_eq!(statuses(&again), vec!["unchanged", "unchanged", "failed"]);
    }

    async fn every_rule_has_its_own_code(app) {
        let f = fixture(&app).await;
        let us = user(&app, &f, "us", Some("US")).await;
        let nowhere = user(&app, &f, "nowhere", None).await;
        let cases = [
            (json!({"userIds": [us], "assign": [{"productId": "ARCHIVE"}]}), "ARCHIVE", "dependency_missing"),
            (json!({"userIds": [us], "assign": [{"productId": "GEO"}]}), "GEO", "not_available_in_usage_location"),
            (json!({"userIds": [nowhere], "assign": [{"productId": "MAIL_P2"}]}), "MAIL_P2", "usage_location_required"),
            (json!({"userIds": [us], "assign": [{"productId": "UNSOLD"}]}), "UNSOLD", "product_not_owned"),
            (json!({"userIds": [us], "assign": [{"productId": "MAIL_P2", "disabledServicePlans": ["FAX"]}]}), "MAIL_P2", "unknown_service_plan"),
        ];
        for (body, product, code) in cases {
            let r = update(&app, &f, body.clone()).await;
            assert_eq!(statuses(&r), vec!["failed"], "{body}");
            assert_eq!(first_error(&r, 0), (product.into(), code.into()), "{body}");
        }
        // A requirement assigned in the same update counts.
        let both = update(&app, &f, json!({"userIds": [us], "assign": [{"productId": "ARCHIVE"}, {"productId": "MAIL_P1"}]})).await;
        assert_eq!(statuses(&both), vec!["succeeded"]);
        let excl = update(&app, &f, json!({"userIds": [us], "assign": [{"productId": "MAIL_P2"}]})).await;
        assert_eq!(first_error(&excl, 0), ("MAIL_P2".into(), "mutually_exclusive".into()));
        let drop_needed = update(&app, &f, json!({"userIds": [us], "remove": ["MAIL_P1"]})).await;
        assert_eq!(first_error(&drop_needed, 0), ("MAIL_P1".into(), "dependency_missing".into()));
        let drop_both = update(&app, &f, json!({"userIds": [us], "remove": ["MAIL_P1", "ARCHIVE"]})).await;
        assert_eq!(statuses(&drop_both), vec!["succeeded"]);
        assert_eq!(drop_both.body["results"][0]["removed"], json!(["ARCHIVE", "MAIL_P1"]));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 0));
        let missing = update(&app, &f, json!({"userIds": [crate::lifecycle::uuid_like()], "assign": [{"productId": "MAIL_P2"}]})).await;
        assert_eq!(missing.body["results"][0]["errors"][0]["code"], "user_not_found");
    }

    async fn atomic_and_dry_run_updates_change_nothing_when_they_say_so(app) {
        let f = fixture(&app).await;
        let ids: Vec<String> = futures_ids(&app, &f, 3).await;
        let atomic = update(&app, &f, json!({"userIds": ids, "assign": [{"productId": "MAIL_P1"}], "mode": "atomic"})).await;
        assert_eq!(statuses(&atomic), vec!["succeeded", "succeeded", "failed"]);
        assert_eq!(atomic.body["applied"], false);
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 0));
        let dry = update(&app, &f, json!({"userIds": ids, "assign": [{"productId": "MAIL_P1"}], "dryRun": true})).await;
        assert_eq!(statuses(&dry), vec!["succeeded", "succeeded", "failed"]);
        assert_eq!((dry.body["applied"].as_bool(), dry.body["dryRun"].as_bool()), (Some(false), Some(true)));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 0));
        let fits = update(&app, &f, json!({"userIds": &ids[..2], "assign": [{"productId": "MAIL_P1"}], "mode": "atomic"})).await;
        assert_eq!(fits.body["applied"], true);
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=2", f.customer.id)).await.body;
        // Both users went from nothing to MAIL_P1: one event names them both.
        assert_eq!(events["items"][0]["action"], "user.licenses_updated");
        assert_eq!(events["items"][0]["userIds"], json!(&ids[..2]));
        assert_eq!(events["items"][0]["before"], json!({}));
        assert_eq!(events["items"][0]["after"], json!({"MAIL_P1": []}));
    }

    async fn bad_license_updates_are_refused_before_anything_runs(app) {
        let f = fixture(&app).await;
        let a = user(&app, &f, "a", Some("US")).await;
        for (body, field) in [
            (json!({"userIds": [], "assign": [{"productId": "MAIL_P1"}]}), "userIds"),
            (json!({"userIds": [a, a], "assign": [{"productId": "MAIL_P1"}]}), "userIds"),
            (json!({"userIds": [a]}), "assign"),
            (json!({"userIds": [a], "assign": [{"productId": "MAIL_P1"}], "remove": ["MAIL_P1"]}), "remove"),
            (json!({"userIds": [a], "assign": [{"productId": "MAIL_P1"}], "mode": "yolo"}), "mode"),
            (json!({"userIds": [a], "assign": [{"productId": "bad id"}]}), "assign[0].productId"),
            (json!({"userIds": ["nope"], "assign": [{"productId": "MAIL_P1"}]}), "userIds[0]"),
        ] {
            let r = update(&app, &f, body.clone()).await;
            assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"), "{body}");
            assert_eq!(r.body["details"]["field"], field, "{body}: {:?}", r.body);
        }
        let helpdesk = app.agent_token("helpdesk").await;
        let r = app.post(&helpdesk, &format!("/customers/{}/license-updates", f.customer.id), &json!({"userIds": [a], "assign": [{"productId": "MAIL_P1"}]})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn delete_frees_seats_and_restore_brings_back_what_fits(app) {
        let f = fixture(&app).await;
        let users = format!("/customers/{}/users", f.customer.id);
        let a = user(&app, &f, "a", Some("US")).await;
        let b = user(&app, &f, "b", Some("US")).await;
        update(&app, &f, json!({"userIds": [a, b], "assign": [{"productId": "MAIL_P1"}]})).await;
        update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "ARCHIVE"}]})).await;
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
        app.delete(&app.admin_token, &format!("{users}/{a}")).await;
        let s = seats(&app, &f).await;
        assert_eq!((s["MAIL_P1"], s["ARCHIVE"]), ((2, 1), (5, 0)));
        assert_eq!(app.get(&app.admin_token, &format!("{users}/{a}")).await.body["licenses"].as_array().map(Vec::len), Some(2), "remembered");

        // Someone takes the freed seat; the restore gets the user back without it.
        let c = user(&app, &f, "c", Some("US")).await;
        update(&app, &f, json!({"userIds": [c], "assign": [{"productId": "MAIL_P1"}]})).await;
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [a]})).await;
        assert_eq!(r.body["results"][0]["status"], "restored");
        assert_eq!(r.body["results"][0]["restoredLicenses"], json!([]));
        assert_eq!(
            r.body["results"][0]["unrestoredLicenses"],
            json!([{"productId": "MAIL_P1", "code": "insufficient_licenses"}, {"productId": "ARCHIVE", "code": "dependency_missing"}])
        );
        let s = seats(&app, &f).await;
        assert_eq!((s["MAIL_P1"], s["ARCHIVE"]), ((2, 2), (5, 0)));

        // With enough seats everything comes back.
        app.delete(&app.admin_token, &format!("{users}/{b}")).await;
        app.patch(&app.admin_token, &format!("/customers/{}/subscriptions/{}", f.customer.id, f.subs["MAIL_P1"]), &json!({"quantity": 1})).await;
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [b]})).await;
        assert_eq!(r.body["results"][0]["unrestoredLicenses"][0]["code"], "insufficient_licenses");
        app.patch(&app.admin_token, &format!("/customers/{}/subscriptions/{}", f.customer.id, f.subs["MAIL_P1"]), &json!({"quantity": 3})).await;
        update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "MAIL_P1"}, {"productId": "ARCHIVE"}]})).await;
        app.delete(&app.admin_token, &format!("{users}/{a}")).await;
        let r = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [a]})).await;
        assert_eq!(r.body["results"][0]["restoredLicenses"], json!(["ARCHIVE", "MAIL_P1"]));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (3, 2));
    }

    async fn concurrent_single_creates_each_get_their_own_result(app) {
        // Single creates for one customer share transactions when they arrive
        // together; seats and usernames must still be judged per create, in order.
        let f = fixture(&app).await;
        let url = app.url(&format!("/api/v1/customers/{}/users", f.customer.id));
        let mut tasks = Vec::new();
        for i in 0..24 {
            let name = if i % 6 == 0 { "dup".to_owned() } else { format!("c{i:02}") };
            let body = json!({"userName": name, "domain": f.customer.domain, "displayName": name, "usageLocation": "FR",
                              "licenses": if name == "dup" { json!([]) } else { json!([{"productId": "MAIL_P1"}]) }});
            let (http, url, token) = (app.http.clone(), url.clone(), app.admin_token.clone());
            tasks.push(tokio::spawn(async move {
                let resp = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                (name, resp.status(), resp.json::<Value>().await.expect("a JSON body"))
            }));
        }
        let mut created = Vec::new();
        let mut refused = std::collections::BTreeMap::<String, usize>::new();
        for t in tasks {
            let (name, status, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => {
                    assert_eq!(body["user"]["userPrincipalName"], format!("{name}@{}", f.customer.domain));
                    assert_eq!(body["temporaryPassword"].as_str().map(str::len), Some(16));
                    created.push((name, str_at(&body, "/user/id").to_owned()));
                }
                StatusCode::CONFLICT => *refused.entry(str_at(&body, "/code").to_owned()).or_default() += 1,
                other => panic!("{name}: {other} {body}"),
            }
        }
        assert_eq!(created.iter().filter(|(n, _)| n == "dup").count(), 1, "one of the same username: {created:?}");
        assert_eq!(created.len(), 3, "two seats and one unlicensed user: {created:?}");
        assert_eq!(refused.get("username_taken"), Some(&3));
        assert_eq!(refused.get("insufficient_licenses"), Some(&18));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
        let users = app.get(&app.admin_token, &format!("/customers/{}/users", f.customer.id)).await.body;
        assert_eq!(users["totalCount"], 3);
        let events = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=200", f.customer.id)).await.body;
        let mut audited: Vec<String> = events["items"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["action"] == "user.created").flat_map(|e| e["userIds"].as_array().cloned().unwrap_or_default()).map(|v| v.as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default();
        audited.sort();
        let mut ids: Vec<String> = created.into_iter().map(|(_, id)| id).collect();
        ids.sort();
        assert_eq!(audited, ids, "each created user audited once");
    }

    async fn concurrent_updates_never_oversubscribe_a_subscription(app) {
        let f = fixture(&app).await;
        let ids = futures_ids(&app, &f, 24).await;
        let mut tasks = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let (http, url, token) = (app.http.clone(), app.url(&format!("/api/v1/customers/{}/license-updates", f.customer.id)), app.admin_token.clone());
            let body = if i % 3 == 2 { json!({"userIds": [id], "remove": ["MAIL_P2"]}) } else { json!({"userIds": [id], "assign": [{"productId": "MAIL_P2"}]}) };
            tasks.push(tokio::spawn(async move { http.post(url).bearer_auth(token).json(&body).send().await.map(|r| r.status()) }));
            if i % 4 == 0 {
                let (http, token) = (app.http.clone(), app.admin_token.clone());
                let url = app.url(&format!("/api/v1/customers/{}/subscriptions/{}", f.customer.id, f.subs["MAIL_P2"]));
                let quantity = 3 + (i as i64 % 5);
                tasks.push(tokio::spawn(async move { http.patch(url).bearer_auth(token).json(&json!({"quantity": quantity})).send().await.map(|r| r.status()) }));
            }
        }
        for t in tasks {
            let status = t.await.unwrap().unwrap();
            assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
        }
        let (quantity, assigned) = seats(&app, &f).await["MAIL_P2"];
        let holders = app.get(&app.admin_token, &format!("/customers/{}/users?license=MAIL_P2", f.customer.id)).await.body["totalCount"].as_i64();
        assert_eq!(Some(assigned), holders, "assigned must equal the real number of assignments");
        assert!(assigned <= quantity, "{assigned} > {quantity}");
    }
}

async fn futures_ids(app: &TestApp, f: &Fixture, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(user(app, f, &format!("u{i}"), Some("FR")).await);
    }
    ids
}

both_backends! {
    async fn license_filter_counts_from_counters_match_counting_the_users(app) {
        let f = fixture(&app).await;
        let users = format!("/customers/{}/users", f.customer.id);
        let ids: Vec<String> = futures_ids(&app, &f, 3).await;
        let counts = || async {
            let mut out = Vec::new();
            for q in ["license=none", "license=any", "license=MAIL_P1", "license=GEO"] {
                let fast = app.get(&app.admin_token, &format!("{users}?{q}")).await.body["totalCount"].as_i64();
                // Adding a filter that excludes nobody takes the counting path.
                let slow = app.get(&app.admin_token, &format!("{users}?{q}&signIn=allowed")).await.body["totalCount"].as_i64();
                assert_eq!(fast, slow, "{q}");
                out.push(fast.unwrap_or(-1));
            }
            out
        };
        assert_eq!(counts().await, vec![3, 0, 0, 0]);
        update(&app, &f, json!({"userIds": &ids[..2], "assign": [{"productId": "MAIL_P1"}, {"productId": "ARCHIVE"}]})).await;
        assert_eq!(counts().await, vec![1, 2, 2, 0]);
        update(&app, &f, json!({"userIds": [&ids[0]], "remove": ["ARCHIVE"]})).await;
        assert_eq!(counts().await, vec![1, 2, 2, 0]);
        app.delete(&app.admin_token, &format!("{users}/{}", ids[0])).await;
        assert_eq!(counts().await, vec![1, 1, 1, 0]);
        app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [&ids[0]]})).await;
        assert_eq!(counts().await, vec![1, 2, 2, 0]);
        update(&app, &f, json!({"userIds": &ids[..2], "remove": ["MAIL_P1", "ARCHIVE"]})).await;
        assert_eq!(counts().await, vec![3, 0, 0, 0]);
        let created = app.post(&app.admin_token, &users, &json!({"userName": "geo", "domain": f.customer.domain, "displayName": "Geo", "usageLocation": "FR", "licenses": [{"productId": "GEO"}]})).await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(counts().await, vec![3, 1, 0, 1]);
    }
}

async fn plans_of(app: &TestApp, f: &Fixture, id: &str) -> Value {
    app.get(&app.admin_token, &format!("/customers/{}/users/{id}", f.customer.id)).await.body["licenses"].clone()
}

both_backends! {
    async fn assigning_a_held_product_keeps_each_holders_plans_unless_the_list_is_named(app) {
        let f = fixture(&app).await;
        let a = user(&app, &f, "a", Some("US")).await;
        let b = user(&app, &f, "b", Some("US")).await;
        let first = update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}]})).await;
        assert_eq!(statuses(&first), vec!["succeeded"]);
        // A mixed selection: `a` holds MAIL_P1 with ARCHIVE off, `b` holds nothing.
        let mixed = update(&app, &f, json!({"userIds": [a, b], "assign": [{"productId": "MAIL_P1"}]})).await;
        assert_eq!(mixed.status, StatusCode::OK, "{:?}", mixed.body);
        assert_eq!(statuses(&mixed), vec!["unchanged", "succeeded"]);
        assert_eq!(mixed.body["results"][0]["assigned"], json!([]));
        assert_eq!(mixed.body["results"][1]["assigned"], json!(["MAIL_P1"]));
        assert_eq!(plans_of(&app, &f, &a).await, json!([{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}]));
        assert_eq!(plans_of(&app, &f, &b).await, json!([{"productId": "MAIL_P1", "disabledServicePlans": []}]));
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
        // `null` is the list left out.
        let null = update(&app, &f, json!({"userIds": [a, b], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": null}]})).await;
        assert_eq!(statuses(&null), vec!["unchanged", "unchanged"]);
        // Naming the list replaces it, for every user.
        let named = update(&app, &f, json!({"userIds": [a, b], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": []}], "dryRun": true})).await;
        assert_eq!(statuses(&named), vec!["succeeded", "unchanged"]);
        let named = update(&app, &f, json!({"userIds": [a, b], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": ["MAILBOX"]}]})).await;
        assert_eq!(statuses(&named), vec!["succeeded", "succeeded"]);
        for id in [&a, &b] {
            assert_eq!(plans_of(&app, &f, id).await, json!([{"productId": "MAIL_P1", "disabledServicePlans": ["MAILBOX"]}]));
        }
        assert_eq!(seats(&app, &f).await["MAIL_P1"], (2, 2));
    }
}

both_backends! {
    async fn a_failed_user_names_every_product_asked_for_and_the_other_party(app) {
        let f = fixture(&app).await;
        let a = user(&app, &f, "a", Some("US")).await;
        let r = update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "ARCHIVE"}, {"productId": "MAIL_P2"}], "remove": ["GEO"]})).await;
        assert_eq!(statuses(&r), vec!["failed"]);
        let result = &r.body["results"][0];
        assert_eq!(first_error(&r, 0), ("ARCHIVE".into(), "dependency_missing".into()));
        assert_eq!(result["errors"][0]["message"], "Archive add-on requires Mail Plan 1");
        assert_eq!((&result["notApplied"], &result["unchanged"]), (&json!(["MAIL_P2"]), &json!(["GEO"])));
        assert_eq!(seats(&app, &f).await["MAIL_P2"], (5, 0));
        // A removal that would break a dependency names what needs it.
        let both = update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "ARCHIVE"}, {"productId": "MAIL_P1"}]})).await;
        assert_eq!(statuses(&both), vec!["succeeded"]);
        assert_eq!(both.body["results"][0]["notApplied"], json!([]));
        let removal = update(&app, &f, json!({"userIds": [a], "remove": ["MAIL_P1"]})).await;
        assert_eq!(first_error(&removal, 0), ("MAIL_P1".into(), "dependency_missing".into()));
        assert_eq!(removal.body["results"][0]["errors"][0]["message"], "Archive add-on requires Mail Plan 1");
        let excl = update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "MAIL_P2"}]})).await;
        assert_eq!(excl.body["results"][0]["errors"][0]["message"], "Mail Plan 2 cannot be held together with Mail Plan 1");
        let geo = update(&app, &f, json!({"userIds": [a], "assign": [{"productId": "GEO"}]})).await;
        assert_eq!(geo.body["results"][0]["errors"][0]["message"], "Geo is not sold in US, the user's usage location");
    }
}

/// A user a product cannot reach for want of a usage location is linked to
/// their page, where the location is set.
#[tokio::test]
async fn the_console_links_a_missing_usage_location_to_the_user_s_page() {
    let app = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
    let f = fixture(&app).await;
    let nowhere = user(&app, &f, "nowhere", None).await;
    let session = crate::console::login(&app, &app.admin_email, &app.admin_password).await;
    let csrf = session.csrf().await;
    let cid = &f.customer.id;
    let picked = session
        .post(
            &format!("/customers/{cid}/users/selection"),
            &[("csrf", &csrf), ("on_page", &nowhere), ("ticked", &nowhere)],
        )
        .await;
    assert!(picked.status.is_redirection(), "{}", picked.body);
    let saved = session
        .post(
            &format!("/customers/{cid}/licenses"),
            &[("csrf", &csrf), ("op_MAIL_P2", "assign"), ("mode", "partial"), ("save", "1")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let result = session.get(&saved.location).await;
    assert_eq!(result.status, StatusCode::OK);
    let link = format!("href=\"/customers/{cid}/users/{nowhere}\" class=\"set-location\"");
    assert!(result.body.contains(&link), "{}", result.body);
}
