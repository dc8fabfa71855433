use crate::*;

fn names(r: &Value) -> Vec<String> {
    r["items"]
        .as_array()
        .map(|a| a.iter().map(|u| u["displayName"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

async fn page(app: &TestApp, path: &str, cursor: &Value) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    let r = app.get(&app.admin_token, &format!("{path}{sep}cursor={}", cursor.as_str().expect("a cursor"))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

both_backends! {
    async fn display_names_sort_without_regard_to_case_or_accents(app) {
        let c = app.customer().await;
        let people = ["Zoë Adams", "Élodie Martin", "eve Stone", "Ørjan Berg", "adam Price", "Émile Zola"];
        app.with_users(&c, people.len(), |i| (format!("p{i}"), people[i].to_owned())).await;
        let expected = ["adam Price", "Élodie Martin", "Émile Zola", "eve Stone", "Ørjan Berg", "Zoë Adams"];
        let path = format!("/customers/{}/users?limit=2", c.id);
        let mut seen = Vec::new();
        let mut body = app.get(&app.admin_token, &path).await.body;
        loop {
            seen.extend(names(&body));
            if body["cursors"]["next"].is_null() {
                break;
            }
            body = page(&app, &path, &body["cursors"]["next"]).await;
        }
        assert_eq!(seen, expected, "pages walk the folded order");
        let desc = app.get(&app.admin_token, &format!("/customers/{}/users?sort=-displayName", c.id)).await.body;
        assert_eq!(names(&desc), expected.iter().rev().map(|s| s.to_string()).collect::<Vec<_>>());

        // A database written before keys were folded is re-keyed once, at start.
        app.raw_execute("UPDATE users SET display_name_key = 'zz-old-key' WHERE display_name = 'Élodie Martin'").await;
        app.raw_execute("INSERT INTO maintenance_pending (task) VALUES ('fold_display_name_keys')").await;
        let stale = app.get(&app.admin_token, &format!("/customers/{}/users", c.id)).await.body;
        assert_eq!(names(&stale).last().map(String::as_str), Some("Élodie Martin"), "the old key sorts last");
        app.services.store.migrate().await.expect("migrating again");
        let rekeyed = app.get(&app.admin_token, &format!("/customers/{}/users", c.id)).await.body;
        assert_eq!(names(&rekeyed), expected);
        app.services.store.migrate().await.expect("a second start finds nothing to do");
    }

    async fn pages_move_first_next_prev_and_last_with_a_total(app) {
        let c = app.customer().await;
        app.with_users(&c, 23, |i| (format!("user{i:02}"), format!("User {i:02}"))).await;
        let path = format!("/customers/{}/users?limit=10", c.id);
        let first = app.get(&app.admin_token, &path).await.body;
        assert_eq!(first["totalCount"], 23);
        assert_eq!(names(&first)[0], "User 00");
        assert!(first["cursors"]["prev"].is_null());
        let second = page(&app, &path, &first["cursors"]["next"]).await;
        assert_eq!(names(&second)[0], "User 10");
        let third = page(&app, &path, &second["cursors"]["next"]).await;
        assert_eq!(names(&third), vec!["User 20", "User 21", "User 22"]);
        assert!(third["cursors"]["next"].is_null());
        let back = page(&app, &path, &third["cursors"]["prev"]).await;
        assert_eq!(names(&back), names(&second));
        let last = page(&app, &path, &first["cursors"]["last"]).await;
        assert_eq!(names(&last).last().map(String::as_str), Some("User 22"));
        assert_eq!(names(&last).len(), 10);
        assert!(last["cursors"]["next"].is_null());
        let again = page(&app, &path, &last["cursors"]["first"]).await;
        assert_eq!(names(&again), names(&first));

        let desc = app.get(&app.admin_token, &format!("/customers/{}/users?limit=2&sort=-displayName", c.id)).await.body;
        assert_eq!(names(&desc), vec!["User 22", "User 21"]);
        let by_upn = app.get(&app.admin_token, &format!("/customers/{}/users?limit=1&sort=-userPrincipalName", c.id)).await.body;
        assert_eq!(names(&by_upn), vec!["User 22"]);
        let stale = app.get(&app.admin_token, &format!("/customers/{}/users?sort=createdAt&cursor={}", c.id, str_at(&first, "/cursors/next"))).await;
        assert_eq!((stale.status, stale.body["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")));
    }

    async fn a_common_search_term_pages_the_same_as_a_rare_one(app) {
        // From 2,000 matches up a search walks the sort order instead of a name
        // index; both ways must give the same pages and totals.
        let c = app.customer().await;
        let name_of = |i: usize| {
            let (user, name) = if i.is_multiple_of(41) { ("rare", "Rare") } else { ("common", "Kaya") };
            (format!("{user}{i:04}"), format!("{name} {i:04}"))
        };
        app.with_users(&c, 2_050, name_of).await;
        for term in ["kaya", "kaya 00", "rare 1"] {
            let mut expected: Vec<String> =
                (0..2_050).map(name_of).map(|(_, display_name)| display_name).filter(|n| n.to_lowercase().contains(term)).collect();
            expected.sort();
            let path = format!("/customers/{}/users?limit=20&search={}", c.id, term.replace(' ', "%20"));
            let first = app.get(&app.admin_token, &path).await.body;
            assert_eq!(first["totalCount"], expected.len(), "{term}");
            let mut seen = names(&first);
            let mut next = first["cursors"]["next"].clone();
            while !next.is_null() {
                let more = page(&app, &path, &next).await;
                seen.extend(names(&more));
                next = more["cursors"]["next"].clone();
            }
            assert_eq!(seen, expected, "{term}: every match once, in display-name order");
            let last = page(&app, &path, &first["cursors"]["last"]).await;
            assert_eq!(names(&last).last(), expected.last(), "{term}: the last page");
        }
        assert_eq!((0..2_050usize).filter(|i| !i.is_multiple_of(41)).count(), 2_000, "\"kaya\" takes the walking plan");
    }

    async fn location_counts_from_counters_match_counting_the_users(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let counts = || async {
            let mut out = Vec::new();
            for location in ["FR", "DE", "IT"] {
                let fast = app.get(&app.admin_token, &format!("{users}?usageLocation={location}")).await.body["totalCount"].as_i64();
                // A filter that excludes nobody takes the counting path.
                let slow = app.get(&app.admin_token, &format!("{users}?usageLocation={location}&signIn=allowed")).await.body["totalCount"].as_i64();
                assert_eq!(fast, slow, "{location}");
                out.push(fast.unwrap_or(-1));
            }
            out
        };
        let mut ids = Vec::new();
        for (name, location) in [("fr1", json!("FR")), ("fr2", json!("FR")), ("fr3", json!("FR")), ("de1", json!("DE")), ("none", Value::Null)] {
            let created = app.user(&c, name, json!({"usageLocation": location})).await;
            ids.push(str_at(&created, "/user/id").to_owned());
        }
        assert_eq!(counts().await, vec![3, 1, 0]);
        app.patch(&app.admin_token, &format!("{users}/{}", ids[0]), &json!({"usageLocation": "DE"})).await;
        assert_eq!(counts().await, vec![2, 2, 0]);
        app.patch(&app.admin_token, &format!("{users}/{}", ids[1]), &json!({"usageLocation": "FR"})).await;
        app.patch(&app.admin_token, &format!("{users}/{}", ids[3]), &json!({"usageLocation": null})).await;
        assert_eq!(counts().await, vec![2, 1, 0]);
        app.patch(&app.admin_token, &format!("{users}/{}", ids[4]), &json!({"usageLocation": "IT"})).await;
        assert_eq!(counts().await, vec![2, 1, 1]);
        app.delete(&app.admin_token, &format!("{users}/{}", ids[1])).await;
        assert_eq!(counts().await, vec![1, 1, 1]);
        let restored = app.post(&app.admin_token, &format!("{users}/restore"), &json!({"userIds": [&ids[1]]})).await;
        assert_eq!(restored.body["results"][0]["status"], "restored");
        assert_eq!(counts().await, vec![2, 1, 1]);
        let batch = json!({"users": [
            {"userName": "it2", "domain": c.domain, "displayName": "It 2", "usageLocation": "IT"},
            {"userName": "it3", "domain": c.domain, "displayName": "It 3", "usageLocation": "IT"},
            {"userName": "fr1", "domain": c.domain, "displayName": "Taken", "usageLocation": "FR"},
        ]});
        let created = app.post(&app.admin_token, &format!("{users}/batch"), &batch).await;
        assert_eq!(created.body["results"][2]["error"]["code"], "username_taken", "{:?}", created.body);
        assert_eq!(counts().await, vec![2, 1, 3]);
    }

    async fn filters_combine_and_count(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let alice = app.user(&c, "alice", json!({"displayName": "Alice Admin", "roles": ["global-admin"], "usageLocation": "FR"})).await;
        let bob = app.user(&c, "bob", json!({"displayName": "Bob Helpdesk", "roles": ["helpdesk-admin"], "usageLocation": "US"})).await;
        let carol = app.user(&c, "carol", json!({"displayName": "Carol Plain", "usageLocation": "FR"})).await;
        let dave = app.user(&c, "dave", json!({"displayName": "Dave Gone"})).await;
        let id = |v: &Value| str_at(v, "/user/id").to_owned();
        app.patch(&app.admin_token, &format!("{users}/{}", id(&carol)), &json!({"signInBlocked": true})).await;
        app.delete(&app.admin_token, &format!("{users}/{}", id(&dave))).await;
        app.with_catalog().await;
        for (product, user) in [("MAIL_P1", &alice), ("MAIL_P2", &bob)] {
            app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": product, "quantity": 1})).await;
            let r = app.post(&app.admin_token, &format!("/customers/{}/license-updates", c.id), &json!({"userIds": [id(user)], "assign": [{"productId": product}]})).await;
            assert_eq!(r.body["summary"]["succeeded"], 1, "{:?}", r.body);
        }

        for (query, expected) in [
            ("", vec!["Alice Admin", "Bob Helpdesk", "Carol Plain"]),
            ("role=any", vec!["Alice Admin", "Bob Helpdesk"]),
            ("role=helpdesk-admin", vec!["Bob Helpdesk"]),
            ("usageLocation=fr", vec!["Alice Admin", "Carol Plain"]),
            ("signIn=blocked", vec!["Carol Plain"]),
            ("signIn=allowed&usageLocation=FR", vec!["Alice Admin"]),
            ("search=HELP", vec!["Bob Helpdesk"]),
            ("search=carol@", vec!["Carol Plain"]),
            ("search=%25", vec![]),
            ("license=none", vec!["Carol Plain"]),
            ("license=any", vec!["Alice Admin", "Bob Helpdesk"]),
            ("license=MAIL_P2", vec!["Bob Helpdesk"]),
            ("license=any&role=global-admin", vec!["Alice Admin"]),
            ("state=deleted", vec!["Dave Gone"]),
            ("state=deleted&search=alice", vec![]),
        ] {
            let r = app.get(&app.admin_token, &format!("{users}?{query}")).await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
            assert_eq!(names(&r.body), expected, "{query}");
            assert_eq!(r.body["totalCount"], expected.len(), "{query}");
        }
        for bad in ["state=gone", "role=root", "usageLocation=XX", "signIn=maybe", "sort=password", "license=a%20b", "limit=501"] {
            let r = app.get(&app.admin_token, &format!("{users}?{bad}")).await;
            assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"), "{bad}");
        }
    }
}
