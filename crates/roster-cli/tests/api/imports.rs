use crate::*;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A customer whose first domain is `fixtures.example`, as the fixtures expect.
pub async fn fixtures_customer(app: &TestApp) -> String {
    customer_with_domain(app, "fixtures.example").await
}

pub async fn customer_with_domain(app: &TestApp, domain: &str) -> String {
    let r = app
        .post(
            &app.admin_token,
            "/customers",
            &json!({"companyName": "Fixtures Ltd", "domains": [domain], "country": "US"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    str_at(&r.body, "/id").to_owned()
}

/// Uploads a file, waits for its job to end, and returns the job with its results.
pub async fn import(app: &TestApp, cid: &str, file: Vec<u8>, content_type: &str, query: &str) -> Value {
    let started = app.upload(&app.admin_token, &format!("/customers/{cid}/imports{query}"), content_type, file).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    let job = str_at(&started.body, "/id").to_owned();
    for _ in 0..400 {
        let r = app.get(&app.admin_token, &format!("/customers/{cid}/imports/{job}")).await;
        if r.body["status"] == "succeeded" || r.body["status"] == "failed" {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import job {job} did not finish");
}

fn display_names(job: &Value) -> Vec<String> {
    job["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| r["status"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn users_by_upn(app: &TestApp, cid: &str) -> std::collections::BTreeMap<String, Value> {
    let page = app.get(&app.admin_token, &format!("/customers/{cid}/users?limit=200")).await.body;
    page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u["userPrincipalName"].as_str().unwrap_or("").to_owned(), u))
        .collect()
}

both_backends! {
    async fn every_encoding_and_delimiter_excel_saves_imports_the_same_users(app) {
        for name in [
            "utf8.csv",
            "utf8-bom-crlf.csv",
            "unicode-text-utf16le.txt",
            "utf16be.csv",
            "french-excel-cp1252.csv",
            "italian-excel-cp1252.csv",
            "russian-utf8.csv",
            "chinese-utf8.csv",
            "users.xlsx",
        ] {
            // Domains are unique across customers; bare usernames take the customer's.
            let domain = format!("{}.example", name.replace('.', "-"));
            let cid = customer_with_domain(&app, &domain).await;
            let content_type = if name.ends_with(".xlsx") { XLSX } else { CSV };
            let job = import(&app, &cid, fixture(name), content_type, "?location=GB").await;
            assert_eq!(job["status"], "succeeded", "{name}: {job}");
            let users = users_by_upn(&app, &cid).await;
            let upn = |name: &str| format!("{name}@{domain}");
            let zoe = &users[&upn("zoe.muller")];
            assert_eq!((zoe["displayName"].as_str(), zoe["lastName"].as_str()), (Some("Zoë Müller"), Some("Müller")), "{name}");
            assert_eq!(zoe["usageLocation"], "DE", "{name}");
            assert_eq!(users[&upn("amelie.dubois")]["roles"], json!(["user-admin"]), "{name}");
            // The row without a location took the one chosen for the file.
            assert_eq!(users[&upn("ivan.petrov")]["usageLocation"], "GB", "{name}");
            if name.ends_with(".xlsx") {
                // A username typed as a number comes back as the digits.
                assert_eq!(users[&upn("12345")]["displayName"], "Numbered User");
            }
            assert_eq!(users.len(), if name.ends_with(".xlsx") { 4 } else { 3 }, "{name}");
            // Every temporary password is shown once in the job, and signs in.
            let results = job["results"].as_array().cloned().unwrap_or_default();
            assert!(results.iter().all(|r| r["temporaryPassword"].as_str().is_some_and(|p| p.len() == 16)), "{name}");
        }
    }

    async fn quoted_newlines_and_partner_centers_template_import(app) {
        let cid = fixtures_customer(&app).await;
        let job = import(&app, &cid, fixture("quoted-newlines.csv"), CSV, "").await;
        assert_eq!(display_names(&job), vec!["created", "created", "created"]);
        // Rows are numbered as a spreadsheet shows them, quoted newlines and all.
        let rows: Vec<i64> = job["results"].as_array().cloned().unwrap_or_default().iter().filter_map(|r| r["row"].as_i64()).collect();
        assert_eq!(rows, vec![2, 3, 4]);
        let users = users_by_upn(&app, &cid).await;
        assert_eq!(users["jo.oneil@fixtures.example"]["displayName"], "Jo \"JJ\" O'Neil, Jr.");
        // A cell with a line break (Alt+Enter) lists one role per line.
        assert_eq!(users["multi.line@fixtures.example"]["roles"], json!(["global-admin", "user-admin"]));

        let cid = customer_with_domain(&app, "pc.example").await;
        let file = String::from_utf8(fixture("partner-center.csv")).expect("the fixture is UTF-8").replace("fixtures.example", "pc.example");
        let job = import(&app, &cid, file.into_bytes(), CSV, "?location=US").await;
        assert_eq!(display_names(&job), vec!["created", "created"]);
        assert!(users_by_upn(&app, &cid).await.contains_key("kenji.nakamura@pc.example"));
    }

    async fn a_file_with_one_error_of_each_kind_is_reported_exactly_and_writes_nothing(app) {
        let cid = fixtures_customer(&app).await;
        let taken = app.post(&app.admin_token, &format!("/customers/{cid}/users"), &json!({"userName": "taken", "domain": "fixtures.example", "displayName": "Taken"})).await;
        assert_eq!(taken.status, StatusCode::CREATED);
        app.with_catalog().await;
        let path = format!("/customers/{cid}/imports");
        let expected = json!([
            {"row": 3, "errors": [{"column": "Display name", "code": "required"}]},
            {"row": 4, "errors": [{"column": "Username", "code": "required"}]},
            {"row": 5, "errors": [{"column": "Username", "code": "invalid_username"}]},
            {"row": 6, "errors": [{"column": "Username", "code": "domain_not_owned"}]},
            {"row": 7, "errors": [{"column": "Username", "code": "duplicate_username"}]},
            {"row": 8, "errors": [{"column": "Username", "code": "username_taken"}]},
            {"row": 9, "errors": [{"column": "Roles", "code": "unknown_role"}]},
            {"row": 10, "errors": [{"column": "Licenses", "code": "unknown_product"}]},
            {"row": 11, "errors": [{"column": "Usage location", "code": "invalid_country"}]},
            {"row": 12, "errors": [{"column": "Display name", "code": "too_long"}]},
        ]);
        let shape = |rows: &Value| -> Value {
            Value::Array(rows.as_array().cloned().unwrap_or_default().iter().map(|r| json!({
                "row": r["row"],
                "errors": r["errors"].as_array().cloned().unwrap_or_default().iter().map(|e| json!({"column": e["column"], "code": e["code"]})).collect::<Vec<_>>(),
            })).collect())
        };
        let dry = app.upload(&app.admin_token, &format!("{path}?dryRun=true"), CSV, fixture("one-error-of-each-kind.csv")).await;
        assert_eq!(dry.status, StatusCode::OK, "{:?}", dry.body);
        assert_eq!((dry.body["total"].as_i64(), dry.body["valid"].as_i64()), (Some(11), Some(1)));
        assert_eq!(shape(&dry.body["rows"]), expected);
        assert!(dry.body["rows"][4]["errors"][0]["message"].as_str().unwrap_or("").contains("row 2"), "{:?}", dry.body["rows"][4]);

        let refused = app.upload(&app.admin_token, &path, CSV, fixture("one-error-of-each-kind.csv")).await;
        assert_eq!((refused.status, refused.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
        assert_eq!(shape(&refused.body["details"]["rows"]), expected);
        assert_eq!(app.get(&app.admin_token, &format!("/customers/{cid}/users")).await.body["totalCount"], 1, "nothing imported");
    }

    async fn whole_file_problems_have_their_own_codes(app) {
        let cid = fixtures_customer(&app).await;
        let path = format!("/customers/{cid}/imports");
        let json = app.upload(&app.admin_token, &path, "application/json", b"{}".to_vec()).await;
        assert_eq!((json.status, json.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
        let unknown = app.upload(&app.admin_token, &path, CSV, b"Display name,Username,Shoe size\nA,a,42\n".to_vec()).await;
        assert_eq!((unknown.status, unknown.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
        assert_eq!(unknown.body["details"], json!({"position": 3, "header": "Shoe size"}));
        let missing = app.upload(&app.admin_token, &path, CSV, b"Display name\nA\n".to_vec()).await;
        assert_eq!(missing.body["details"], json!({"column": "Username"}));
        let broken = app.upload(&app.admin_token, &path, XLSX, b"PK\x03\x04 not really a zip".to_vec()).await;
        assert_eq!((broken.status, broken.code()), (StatusCode::BAD_REQUEST, "validation_failed"));
        let mut rows = String::from("Display name,Username\n");
        for i in 0..100_001 {
            rows.push_str(&format!("U{i},u{i}\n"));
        }
        let many = app.upload(&app.admin_token, &path, CSV, rows.into_bytes()).await;
        assert_eq!((many.status, many.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
        let huge = app.upload(&app.admin_token, &path, CSV, vec![b'a'; roster_core::imports::MAX_BYTES + 1]).await;
        assert_eq!((huge.status, huge.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
        let helpdesk = app.agent_token("helpdesk").await;
        let forbidden = app.upload(&helpdesk, &path, CSV, fixture("utf8.csv")).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        let other = app.other_partner_token().await;
        let hidden = app.upload(&other, &path, CSV, fixture("utf8.csv")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    }

    async fn licenses_in_the_file_take_seats_in_row_order_and_passwords_are_handed_out_once(app) {
        app.with_catalog().await;
        let cid = fixtures_customer(&app).await;
        app.post(&app.admin_token, &format!("/customers/{cid}/subscriptions"), &json!({"productId": "MAIL_P1", "quantity": 2})).await;
        let file = "Display name;Username;Usage location;Licenses\nA;a;FR;MAIL_P1\nB;b;FR;MAIL_P1\nC;c;FR;\n";
        let job = import(&app, &cid, file.as_bytes().to_vec(), CSV, "").await;
        assert_eq!(display_names(&job), vec!["created", "created", "created"]);
        let users = users_by_upn(&app, &cid).await;
        assert_eq!(users["a@fixtures.example"]["licenses"], json!([{"productId": "MAIL_P1", "disabledServicePlans": []}]));
        let subs = app.get(&app.admin_token, &format!("/customers/{cid}/subscriptions")).await.body;
        assert_eq!(subs[0]["assigned"], 2);
        // A third seat is not there: the check says so by row before anything runs.
        let more = "Display name;Username;Usage location;Licenses\nD;d;FR;MAIL_P1\n";
        let dry = app.upload(&app.admin_token, &format!("/customers/{cid}/imports?dryRun=true"), CSV, more.as_bytes().to_vec()).await;
        assert_eq!(dry.body["rows"][0]["errors"][0]["code"], "insufficient_licenses");

        let job_id = str_at(&job, "/id");
        let credentials = format!("/customers/{cid}/imports/{job_id}/credentials");
        // Another partner sees neither the job nor its passwords.
        let other = app.other_partner_token().await;
        assert_eq!(app.get(&other, &format!("/customers/{cid}/imports/{job_id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.post(&other, &credentials, &json!({})).await.status, StatusCode::NOT_FOUND);
        let helpdesk = app.agent_token("helpdesk").await;
        assert_eq!(app.post(&helpdesk, &credentials, &json!({})).await.status, StatusCode::FORBIDDEN);
        let taken = app.post(&app.admin_token, &credentials, &json!({})).await;
        let handed: Vec<&str> = taken.body["credentials"].as_array().map(|c| c.iter().filter_map(|x| x["userPrincipalName"].as_str()).collect()).unwrap_or_default();
        assert_eq!(handed, vec!["a@fixtures.example", "b@fixtures.example", "c@fixtures.example"]);
        let names: Vec<&str> = taken.body["credentials"].as_array().map(|c| c.iter().filter_map(|x| x["displayName"].as_str()).collect()).unwrap_or_default();
        assert_eq!(names, vec!["A", "B", "C"]);
        let shown = job["results"][0]["temporaryPassword"].clone();
        assert_eq!(taken.body["credentials"][0]["temporaryPassword"], shown);
        // Delivered: gone from the store and from the job.
        assert_eq!(app.post(&app.admin_token, &credentials, &json!({})).await.body["credentials"], json!([]));
        let again = app.get(&app.admin_token, &format!("/customers/{cid}/imports/{job_id}")).await.body;
        assert!(again["results"][0].get("temporaryPassword").is_none(), "{again}");
        // The password works once at sign-in: it is the one the user was created with.
        let upn = "a@fixtures.example";
        assert!(crate::signin::temporary_password_signs_in(&app, upn, shown.as_str().expect("a temporary password")).await);
    }

    async fn kept_passwords_are_sealed_and_forgotten_after_an_hour(app) {
        let cid = fixtures_customer(&app).await;
        let job = import(&app, &cid, fixture("utf8.csv"), CSV, "?location=US").await;
        let password = str_at(&job, "/results/0/temporaryPassword").to_owned();
        let stored = app.raw_import_credentials().await;
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|c| !c.windows(password.len()).any(|w| w == password.as_bytes())), "stored in the clear");
        app.clock.advance(time::Duration::hours(1) - time::Duration::seconds(1));
        app.services.purge_expired().await.unwrap();
        assert_eq!(app.raw_import_credentials().await.len(), 3, "kept for the hour");
        app.clock.advance(time::Duration::seconds(1));
        app.services.purge_expired().await.unwrap();
        assert!(app.raw_import_credentials().await.is_empty(), "forgotten at the hour");
        let job_id = str_at(&job, "/id");
        let after = app.get(&app.admin_token, &format!("/customers/{cid}/imports/{job_id}")).await.body;
        assert!(after["results"][0].get("temporaryPassword").is_none());
        assert!(!roster_testkit::logs::captured().contains(&password), "a temporary password reached the log");
    }
}

async fn download(app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = app.http.get(app.url(&format!("/api/v1{path}"))).bearer_auth(&app.admin_token).send().await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, content_type, resp.bytes().await.expect("reading the file").to_vec())
}

/// What makes two users the same, whatever their ids.
fn comparable(users: &std::collections::BTreeMap<String, Value>) -> Vec<Value> {
    users
        .values()
        .map(|u| {
            json!([
                u["userPrincipalName"],
                u["firstName"],
                u["lastName"],
                u["displayName"],
                u["usageLocation"],
                u["roles"],
                u["licenses"].as_array().map(|l| l.iter().map(|x| x["productId"].clone()).collect::<Vec<_>>())
            ])
        })
        .collect()
}

async fn all_users(app: &TestApp, cid: &str) -> std::collections::BTreeMap<String, Value> {
    let mut users = std::collections::BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .get(
                &app.admin_token,
                &format!(
                    "/customers/{cid}/users?limit=500{}",
                    cursor.map(|c| format!("&cursor={c}")).unwrap_or_default()
                ),
            )
            .await
            .body;
        for u in page["items"].as_array().cloned().unwrap_or_default() {
            users.insert(u["userPrincipalName"].as_str().unwrap_or("").to_owned(), u);
        }
        match page["cursors"]["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return users,
        }
    }
}

both_backends! {
    async fn roles_and_products_may_be_named_as_the_console_names_them(app) {
        app.with_catalog().await;
        let cid = customer_with_domain(&app, "named.example").await;
        app.post(&app.admin_token, &format!("/customers/{cid}/subscriptions"), &json!({"productId": "MAIL_P1", "quantity": 5})).await;
        let file = "Display name,Username,Usage location,Roles,Licenses\n\
                    Amélie,amelie,FR,Administrateur des utilisateurs,mail plan 1\n\
                    Wei,wei,FR,全局管理员;license-admin,MAIL_P1\n\
                    Ivan,ivan,FR,Global admin,\n";
        let job = import(&app, &cid, file.as_bytes().to_vec(), CSV, "").await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let users = users_by_upn(&app, &cid).await;
        let amelie = &users["amelie@named.example"];
        assert_eq!((&amelie["roles"], &amelie["licenses"][0]["productId"]), (&json!(["user-admin"]), &json!("MAIL_P1")));
        assert_eq!(users["wei@named.example"]["roles"], json!(["global-admin", "license-admin"]));
        assert_eq!(users["ivan@named.example"]["roles"], json!(["global-admin"]));
    }

    async fn an_export_imported_into_an_empty_customer_recreates_the_same_users(app) {
        app.with_catalog().await;
        let cid = customer_with_domain(&app, "round.example").await;
        app.post(&app.admin_token, &format!("/customers/{cid}/subscriptions"), &json!({"productId": "MAIL_P1", "quantity": 5})).await;
        // More users than one page, so the export streams several.
        let plain: Vec<Value> = (0..620)
            .map(|i| json!({"userName": format!("u{i:04}"), "domain": "round.example", "displayName": format!("User {i:04}"), "usageLocation": "US"}))
            .collect();
        for chunk in plain.chunks(500) {
            let r = app.post(&app.admin_token, &format!("/customers/{cid}/users/batch"), &json!({"users": chunk})).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        for special in [
            json!({"userName": "zoe", "domain": "round.example", "firstName": "Zoë", "lastName": "Müller, \"Jr\"", "displayName": "Zoë Müller", "usageLocation": "DE", "roles": ["global-admin", "user-admin"], "licenses": [{"productId": "MAIL_P1"}]}),
            json!({"userName": "formula", "domain": "round.example", "displayName": "=HYPERLINK(\"http://x\")", "usageLocation": "FR"}),
            json!({"userName": "wei", "domain": "round.example", "firstName": "伟", "lastName": "王", "displayName": "王伟", "usageLocation": "FR", "licenses": [{"productId": "MAIL_P1"}]}),
        ] {
            let r = app.post(&app.admin_token, &format!("/customers/{cid}/users"), &special).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        let source = all_users(&app, &cid).await;
        assert_eq!(source.len(), 623);

        let (status, content_type, csv) = download(&app, &format!("/customers/{cid}/users/export?format=csv")).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
        let text = String::from_utf8(csv.clone()).expect("the CSV export is UTF-8");
        assert!(text.starts_with("\u{feff}First name,Last name,Display name,Username"), "{}", &text[..80]);
        assert!(text.contains(",\"'=HYPERLINK"), "a formula-like cell is defused");
        let (_, _, xlsx) = download(&app, &format!("/customers/{cid}/users/export?format=xlsx")).await;
        assert!(xlsx.starts_with(b"PK\x03\x04"));

        for (file, content_type) in [(csv, CSV), (xlsx, XLSX)] {
            // A separate installation: the same domain can belong to a customer there.
            let target = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
            target.with_catalog().await;
            let empty = customer_with_domain(&target, "round.example").await;
            target.post(&target.admin_token, &format!("/customers/{empty}/subscriptions"), &json!({"productId": "MAIL_P1", "quantity": 5})).await;
            let job = import(&target, &empty, file, content_type, "").await;
            assert_eq!(job["created"], 623, "{content_type}");
            assert_eq!(comparable(&all_users(&target, &empty).await), comparable(&source), "{content_type}");
        }

        let (status, _, template) = download(&app, "/imports/template?lang=fr").await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&template).contains("Prénom,Nom,Nom d'affichage,Nom d'utilisateur"));
        let (status, _, _) = download(&app, "/imports/template?lang=de").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let other = app.other_partner_token().await;
        let hidden = app.get(&other, &format!("/customers/{cid}/users/export")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    }
}
