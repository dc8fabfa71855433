use crate::*;
use std::process::{Command, Output};

fn roster(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .env("ROSTER_DATABASE_URL", database_url)
        .env("ROSTER_LOG", "warn")
        .args(args)
        .output()
        .expect("running roster")
}

fn json_out(o: &Output) -> Value {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[tokio::test]
async fn operator_commands_set_up_a_partner_its_agents_and_tokens() {
    let dir = std::env::temp_dir().join(format!("roster-cli-{}", uuid_simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("cli.db").display());
    let init =
        json_out(&roster(&url, &["init", "--partner", "Acme Partner", "--admin-email", "Boss@Acme.example", "--json"]));
    for key in ["partnerId", "agentId", "password", "apiToken"] {
        assert!(init[key].is_string(), "{key} missing from {init}");
    }
    assert!(str_at(&init, "/apiToken").starts_with("rst_"));
    let partner = str_at(&init, "/partnerId");
    let agent = json_out(&roster(
        &url,
        &["agent", "create", "--partner", partner, "--email", "desk@acme.example", "--role", "helpdesk", "--json"],
    ));
    assert_eq!(agent["role"], "helpdesk");
    let token = json_out(&roster(&url, &["token", "create", "--agent", "desk@acme.example", "--json"]));
    assert!(str_at(&token, "/token").starts_with("rst_"));
    let again =
        roster(&url, &["agent", "create", "--partner", partner, "--email", "DESK@acme.example", "--role", "admin"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already used"));
    let other = json_out(&roster(&url, &["partner", "create", "--name", "Second", "--json"]));
    assert!(other["partnerId"].is_string());
    assert!(roster(&url, &["migrate"]).status.success());

    let catalog = dir.join("catalog.json");
    std::fs::write(&catalog, r#"{"products": [{"id": "MAIL_P1", "name": "Mail Plan 1"}]}"#).unwrap();
    let imported = roster(&url, &["catalog", "import", &catalog.display().to_string()]);
    assert!(String::from_utf8_lossy(&imported.stdout).contains("imported 1 products"), "{imported:?}");
    std::fs::write(&catalog, r#"{"products": [{"id": "X", "name": "X", "unavailableIn": ["ZZ"]}]}"#).unwrap();
    let refused = roster(&url, &["catalog", "import", &catalog.display().to_string()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unavailableIn"), "{refused:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn uuid_simple() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

both_backends! {
    async fn user_commands_drive_the_api(app) {
        let c = app.customer().await;
        let client = |args: &[&str]| {
            let mut all = vec!["users"];
            all.extend_from_slice(&args[..1]);
            all.extend_from_slice(&["--server", &app.address, "--token", &app.admin_token]);
            all.extend_from_slice(&args[1..]);
            roster("sqlite://unused.db", &all)
        };
        let created = json_out(&client(&["create", "--customer", &c.id, "--user-name", "cli.user", "--domain", &c.domain, "--display-name", "Cli User", "--role", "user-admin", "--json"]));
        assert_eq!(created["temporaryPassword"].as_str().map(str::len), Some(16));
        let id = str_at(&created, "/user/id").to_owned();

        let listed = client(&["list", "--customer", &c.id, "--role", "any", "--csv"]);
        let csv = String::from_utf8_lossy(&listed.stdout).into_owned();
        assert!(csv.starts_with("id,userPrincipalName,displayName"), "{csv}");
        assert!(csv.contains(&format!("cli.user@{}", c.domain)));

        let got = json_out(&client(&["get", "--customer", &c.id, "--user", &id, "--json"]));
        assert_eq!(got["displayName"], "Cli User");
        let reset = json_out(&client(&["reset-password", "--customer", &c.id, "--user", &id, "--json"]));
        assert_eq!(reset["temporaryPassword"].as_str().map(str::len), Some(16));
        assert!(client(&["delete", "--customer", &c.id, "--user", &id]).status.success());
        let table = client(&["restore", "--customer", &c.id, "--user", &id]);
        assert!(String::from_utf8_lossy(&table.stdout).contains("restored"));
        app.with_catalog().await;
        let sub = |args: &[&str]| {
            let mut all = vec!["subscriptions", args[0], "--server", &app.address, "--token", &app.admin_token];
            all.extend_from_slice(&args[1..]);
            roster("sqlite://unused.db", &all)
        };
        let bought = json_out(&sub(&["buy", "--customer", &c.id, "--product", "MAIL_P1", "--quantity", "5", "--json"]));
        let sid = str_at(&bought, "/0/id").to_owned();
        json_out(&sub(&["set-quantity", "--customer", &c.id, "--subscription", &sid, "--quantity", "8", "--json"]));
        let table = String::from_utf8_lossy(&sub(&["list", "--customer", &c.id]).stdout).into_owned();
        assert!(table.contains("MAIL_P1") && table.contains("AVAILABLE"), "{table}");
        assert!(table.lines().nth(1).is_some_and(|l| l.split_whitespace().rev().take(3).collect::<Vec<_>>() == ["8", "0", "8"]), "{table}");

        let bad = client(&["create", "--customer", &c.id, "--user-name", "bad name", "--domain", &c.domain, "--display-name", "X"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_username"));
    }
}

both_backends! {
    async fn license_commands_take_users_from_a_file_or_a_filter(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 2})).await;
        let mut users = Vec::new();
        for name in ["ana", "ben", "cy"] {
            users.push(app.user(&c, name, json!({"usageLocation": "US"})).await["user"].clone());
        }
        let dir = std::env::temp_dir().join(format!("roster-cli-{}", uuid_simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("users.txt");
        let upn = str_at(&users[1], "/userPrincipalName").to_uppercase();
        std::fs::write(&file, format!("# two users\n{}\n{upn}\n", str_at(&users[0], "/id"))).unwrap();
        let file = file.display().to_string();
        let licenses = |args: &[&str]| {
            let mut all = vec!["licenses", args[0], "--server", &app.address, "--token", &app.admin_token, "--customer", &c.id];
            all.extend_from_slice(&args[1..]);
            roster("sqlite://unused.db", &all)
        };
        let dry = licenses(&["assign", "--users", &file, "--product", "MAIL_P1", "--dry-run"]);
        assert!(String::from_utf8_lossy(&dry.stderr).contains("2 succeeded, 0 failed, 0 unchanged (dry run"), "{dry:?}");
        let seats = || async { app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await.body[0]["assigned"].as_i64() };
        assert_eq!(seats().await, Some(0));
        let done = licenses(&["assign", "--users", &file, "--product", "MAIL_P1", "--disable-plan", "ARCHIVE"]);
        assert!(String::from_utf8_lossy(&done.stdout).contains("succeeded"), "{done:?}");
        assert_eq!(seats().await, Some(2));
        let rest = licenses(&["assign", "--filter", "license=none", "--product", "MAIL_P1"]);
        let table = String::from_utf8_lossy(&rest.stdout).into_owned();
        assert!(table.contains("MAIL_P1: insufficient_licenses"), "{table}");
        let removed = json_out(&licenses(&["remove", "--filter", "license=MAIL_P1", "--product", "MAIL_P1", "--json"]));
        assert_eq!(removed["summary"]["succeeded"], 2);
        assert_eq!(seats().await, Some(0));
        let bad = licenses(&["assign", "--users", "/nonexistent", "--product", "MAIL_P1"]);
        assert!(!bad.status.success());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

both_backends! {
    async fn import_command_checks_runs_and_writes_credentials_only_its_owner_can_read(app) {
        use std::os::unix::fs::PermissionsExt;
        let cid = crate::imports::fixtures_customer(&app).await;
        let dir = std::env::temp_dir().join(format!("roster-cli-{}", uuid_simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let fixture = |name: &str| format!("{}/../../tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
        let import = |args: &[&str]| {
            let mut all = vec!["import", "users", "--server", &app.address, "--token", &app.admin_token, "--customer", &cid];
            all.extend_from_slice(args);
            roster("sqlite://unused.db", &all)
        };
        let bad = import(&["--dry-run", &fixture("one-error-of-each-kind.csv")]);
        assert!(!bad.status.success());
        let table = String::from_utf8_lossy(&bad.stdout).into_owned();
        let row3: Vec<&str> = table.lines().find(|l| l.starts_with("3 ")).map(|l| l.split_whitespace().collect()).expect("the table has a row 3");
        assert_eq!(row3[..4], ["3", "Display", "name", "required"], "{table}");
        // Every kind but username_taken: no user is taken in this customer.
        assert!(String::from_utf8_lossy(&bad.stderr).contains("9 rows have problems"), "{bad:?}");

        let out = dir.join("credentials.csv");
        let done = import(&["--location", "US", "--credentials-out", &out.display().to_string(), &fixture("french-excel-cp1252.csv")]);
        assert!(done.status.success(), "{done:?}");
        assert!(String::from_utf8_lossy(&done.stderr).contains("3 created, 0 failed of 3"), "{done:?}");
        let mode = std::fs::metadata(&out).expect("the credentials file was written").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let written = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written.lines().count(), 4, "{written}");
        assert!(written.starts_with("\u{feff}Username,Display name,Temporary password\r\n"), "{written}");
        assert!(written.contains("zoe.muller@fixtures.example,Zoë Müller,"), "{written}");
        // Delivered once: the passwords are no longer shown by the job.
        assert!(!String::from_utf8_lossy(&done.stdout).contains("TEMPORARY PASSWORD"));

        let exported = dir.join("users.xlsx");
        let args = ["users", "export", "--server", &app.address, "--token", &app.admin_token, "--customer", &cid, "--format", "xlsx", "--out"];
        let mut all = args.to_vec();
        let out_path = exported.display().to_string();
        all.push(&out_path);
        let export = roster("sqlite://unused.db", &all);
        assert!(export.status.success(), "{export:?}");
        let sheet = roster_core::imports::read(&std::fs::read(&exported).expect("the export was written")).unwrap();
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[0].get(roster_core::imports::Column::DisplayName), "Amélie Dubois");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
