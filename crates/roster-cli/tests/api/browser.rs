//! The console end to end in headless Chromium, against a real server with a
//! real SQLite database and a real SMTP server. Each test leaves screenshots in
//! its temporary directory.

use super::*;
use roster_testkit::browser::{Browser, SmtpSink};
use std::time::Duration;

pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-browser-{name}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Two plain products: A1 with one seat, B1 with five, and thirty users.
async fn catalog_and_customer(app: &TestApp) -> TestCustomer {
    catalog_and_customer_with(app, [1, 5], 30).await
}

/// Two plain products, A1 and B1, with `seats` of each, and `users` users
/// named userNN ("User NN").
pub(crate) async fn catalog_and_customer_with(app: &TestApp, seats: [i64; 2], users: usize) -> TestCustomer {
    let catalog = r#"{"products": [
        {"id": "A1", "name": "Office A", "servicePlans": [{"id": "MAIL", "name": "Mail"}, {"id": "CHAT", "name": "Chat"}]},
        {"id": "B1", "name": "Storage B"}
    ]}"#;
    app.services.import_catalog(catalog.as_bytes()).await.unwrap();
    let c = app.customer().await;
    for (product, quantity) in [("A1", seats[0]), ("B1", seats[1])] {
        let r = app
            .post(
                &app.admin_token,
                &format!("/customers/{}/subscriptions", c.id),
                &json!({"productId": product, "quantity": quantity}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    if users > 0 {
        let users: Vec<Value> = (1..=users)
            .map(|i| json!({"userName": format!("user{i:02}"), "domain": c.domain, "displayName": format!("User {i:02}"), "usageLocation": "US"}))
            .collect();
        let r = app.post(&app.admin_token, &format!("/customers/{}/users/batch", c.id), &json!({"users": users})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    c
}

pub(crate) async fn sign_in(b: &Browser, app: &TestApp) {
    b.goto(&format!("{}/login", app.address)).await;
    b.fill("#email", &app.admin_email).await;
    b.fill("#password", &app.admin_password).await;
    b.submit("form button[type=submit]").await;
    assert!(b.text("h1").await.contains("Customers"), "{}", b.page_text().await);
}

/// The id of a user by its username, through the API.
pub(crate) async fn user_id(app: &TestApp, c: &TestCustomer, name: &str) -> String {
    let r = app.get(&app.admin_token, &format!("/customers/{}/users?search={name}&state=active", c.id)).await;
    let r = if r.body["items"].as_array().is_some_and(|a| !a.is_empty()) {
        r
    } else {
        app.get(&app.admin_token, &format!("/customers/{}/users?search={name}&state=deleted", c.id)).await
    };
    str_at(&r.body, "/items/0/id").to_owned()
}

async fn tick(b: &Browser, app: &TestApp, c: &TestCustomer, name: &str) {
    let id = user_id(app, c, name).await;
    b.click(&format!("#tick-{id}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_flows_in_chromium() {
    if !(SmtpSink::available() && Browser::available()) {
        return;
    }
    let dir = temp_dir("flows");
    let smtp = SmtpSink::start(&dir);
    let config = roster_http::ServerConfig {
        smtp: Some(roster_http::console::SmtpConfig::parse(&smtp.url(), "roster@partner.example").unwrap()),
        ..Default::default()
    };
    let app = roster_testkit::spawn_app_with(roster_testkit::Backend::Sqlite, config).await;
    let b = Browser::start(&dir).await;
    let c = catalog_and_customer(&app).await;
    // user01 already holds B1, so B1 starts as "some" of the selection below.
    let u01 = user_id(&app, &c, "user01").await;
    let r = app
        .post(
            &app.admin_token,
            &format!("/customers/{}/license-updates", c.id),
            &json!({"userIds": [u01], "assign": [{"productId": "B1"}]}),
        )
        .await;
    assert_eq!(r.body["summary"]["succeeded"], 1, "{:?}", r.body);
    let users = format!("{}/customers/{}/users", app.address, c.id);

    // Sign in.
    sign_in(&b, &app).await;
    b.screenshot("01-customers").await;
    // The policy holds and its refusals are seen: the sign-in and the list broke
    // nothing, and an inline style slipped into the page is refused and reported.
    // `close` checks the same for every page after this.
    assert_eq!(b.csp_violations().await, Vec::<String>::new());
    b.js("const s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s); return null")
        .await;
    let mut refused = Vec::new();
    for _ in 0..40 {
        refused.extend(b.csp_violations().await);
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused.iter().any(|m| m.contains("style-src")), "{refused:?}");

    // Add two users with "Add another user", then download and email the passwords.
    b.goto(&format!("{users}/new")).await;
    b.fill("#display_0", "Ada Lovelace").await;
    b.fill("#user_0", "ada").await;
    b.submit("button[name=add_another]").await;
    b.fill("#display_1", "Grace Hopper").await;
    b.fill("#user_1", "grace").await;
    b.click("#user-1 input[name=lic_1][value=B1]").await;
    b.screenshot("02-add-users").await;
    b.submit("button[name=save]").await;
    let confirmation = b.page_text().await;
    assert!(
        confirmation.contains(&format!("ada@{}", c.domain)) && confirmation.contains(&format!("grace@{}", c.domain)),
        "{confirmation}"
    );
    let passwords: Vec<String> = b
        .js("return Array.from(document.querySelectorAll('code.password')).map(e => e.textContent)")
        .await
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(passwords.len(), 2, "{confirmation}");
    assert!(passwords.iter().all(|p| p.len() == 16));
    b.screenshot("03-confirmation").await;
    b.click("#download-csv").await;
    let csv_path = b.downloads.join("temporary-passwords.csv");
    let mut csv = String::new();
    for _ in 0..100 {
        csv = std::fs::read_to_string(&csv_path).unwrap_or_default();
        if !csv.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(csv.contains(&format!("ada@{},Ada Lovelace,{}", c.domain, passwords[0])), "{csv}");
    assert!(csv.contains(&format!("grace@{},Grace Hopper,{}", c.domain, passwords[1])), "{csv}");
    b.fill("#email_to", "it-lead@customer.example").await;
    b.submit("#send-email").await;
    assert!(b.text(".notice").await.contains("it-lead@customer.example"));
    let mail = smtp.messages(Duration::from_secs(10)).join("\n");
    assert!(mail.contains("To: it-lead@customer.example"), "{mail}");
    assert!(mail.contains("Subject: Temporary passwords for new users"), "{mail}");
    assert!(mail.contains("text/csv temporary-passwords.csv"), "the CSV is attached: {mail}");
    for (name, p) in ["ada", "grace"].iter().zip(&passwords) {
        let line = format!("{name}@{}\t{p}", c.domain);
        assert!(mail.contains(&line), "the text lacks {line}: {mail}");
        let row = format!("{name}@{},", c.domain);
        assert_eq!(mail.matches(&row).count(), 1, "the attachment has {row}: {mail}");
    }
    // The passwords are on no other page: the users list does not show them.
    b.goto(&users).await;
    assert!(!b.client.source().await.expect("the page's source").contains(&passwords[0]));
    let grace =
        app.get(&app.admin_token, &format!("/customers/{}/users/{}", c.id, user_id(&app, &c, "grace").await)).await;
    assert_eq!(grace.body["licenses"][0]["productId"], "B1");

    // Filter "unlicensed": 30 seeded + ada, less user01.
    b.goto(&format!("{users}?filter=license:none")).await;
    assert!(b.text(".selection-bar .count").await.starts_with("30 users"), "{}", b.page_text().await);
    b.screenshot("04-unlicensed").await;

    // Select users on two pages, keeping the selection across paging.
    b.goto(&users).await;
    tick(&b, &app, &c, "user01").await;
    b.submit(".pager button[name=go]:nth-of-type(3)").await; // Next, the first enabled after two disabled
    assert!(b.text(".page-of").await.contains("Page 2 of 2"), "{}", b.page_text().await);
    tick(&b, &app, &c, "user30").await;
    // The ticks are saved as they change; a plain reload shows them.
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.goto(&users).await;
    let link = b.text("#selected-link").await;
    assert!(link.contains("(2)"), "{link}");
    b.submit("#selected-link").await;
    let only_selected = b.text("table.users tbody").await;
    assert!(
        only_selected.contains("User 01") && only_selected.contains("User 30") && !only_selected.contains("User 02"),
        "{only_selected}"
    );

    // Manage licenses: tri-state boxes, then one user fails for seats, one succeeds.
    b.submit("button[name=action][value=licenses]").await;
    assert!(b.text("h1").await.contains("Assign and revoke licenses"), "{}", b.page_text().await);
    let chips = b.text("ul.chips").await;
    assert!(chips.find("User 01") < chips.find("User 30"), "chips in sort order: {chips}");
    let state = |p: &str| {
        format!(
            "const b = document.getElementById('tri-{p}'); return [b.checked, b.indeterminate, document.getElementById('op-{p}').value]"
        )
    };
    assert_eq!(b.js(&state("A1")).await, json!([false, false, "keep"]), "nobody holds A1");
    assert_eq!(b.js(&state("B1")).await, json!([false, true, "keep"]), "some hold B1");
    b.click("#tri-B1").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.js(&state("B1")).await, json!([true, false, "assign"]));
    b.click("#tri-B1").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.js(&state("B1")).await, json!([false, false, "remove"]));
    b.click("#tri-B1").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.js(&state("B1")).await, json!([false, true, "keep"]), "back to some: no change");
    let tip = b.js("return document.getElementById('tip-B1').textContent").await;
    assert_eq!(tip, json!("User 01"));
    b.click("#tri-A1").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.js(&state("A1")).await, json!([true, false, "assign"]));
    b.screenshot("05-manage-licenses").await;
    b.submit("button[name=preview]").await;
    assert!(b.text("h1").await.contains("Preview"), "{}", b.page_text().await);
    b.submit("button[name=save]").await;
    assert_eq!(b.text("h1").await, "Licenses updated");
    let results = b.text("table.results").await;
    assert!(results.contains("No Office A licenses are left"), "{results}");
    assert_eq!(b.js("return document.querySelectorAll('tr.status-succeeded').length").await, json!(1), "{results}");
    assert_eq!(b.js("return document.querySelectorAll('tr.status-failed').length").await, json!(1), "{results}");
    b.screenshot("06-licenses-updated").await;

    // A1 has no seat left: Buy more raises the quantity in place.
    b.goto(&format!("{}/customers/{}/licenses", app.address, c.id)).await;
    b.submit("button[name=buy]").await;
    assert!(b.page_text().await.contains("The quantity was changed."));
    let subs = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await;
    let a1 = subs
        .body
        .as_array()
        .and_then(|a| a.iter().find(|s| s["productId"] == "A1").cloned())
        .expect("an A1 subscription");
    assert_eq!(a1["quantity"], 2, "{a1}");

    // Reset password: one selected user, a new password shown once.
    b.goto(&users).await;
    b.submit("button[name=action][value=clear]").await;
    tick(&b, &app, &c, "user02").await;
    b.submit("button[name=action][value=reset]").await;
    b.submit("form button.primary").await;
    let new_password = b.text("code.password").await;
    assert_eq!(new_password.len(), 16, "{}", b.page_text().await);
    let signin =
        app.services.signin(&format!("user02@{}", c.domain), &new_password, std::net::Ipv4Addr::LOCALHOST.into()).await;
    assert!(matches!(signin, Ok(roster_core::services::SigninOutcome::MustChangePassword { .. })), "{signin:?}");
    b.screenshot("07-reset-password").await;

    // Delete, then restore from "Deleted users (N)".
    b.goto(&users).await;
    b.submit("button[name=action][value=clear]").await;
    tick(&b, &app, &c, "user03").await;
    b.submit("button[name=action][value=delete]").await;
    b.submit("button.danger").await;
    assert!(b.text("nav.tabs a[aria-current]").await.contains("Deleted users (1)"), "{}", b.page_text().await);
    let deleted = b.text("table.users tbody").await;
    assert!(deleted.contains("User 03") && deleted.contains("30"), "days left: {deleted}");
    tick(&b, &app, &c, "user03").await;
    b.submit("button[name=action][value=restore]").await;
    assert!(b.text("h1").await.contains("Restore"));
    assert!(b.text("table").await.contains("Restored"));
    b.screenshot("08-restored").await;

    // A POST from the signed-in browser without the form's CSRF token is refused,
    // and changes nothing.
    let selection = format!("/customers/{}/users/selection", c.id);
    let forged = b
        .js_async(&format!(
            "const done = arguments[0]; fetch('{selection}', {{method: 'POST', credentials: 'same-origin', \
             body: new URLSearchParams({{on_page: '{u01}', ticked: '{u01}', action: 'delete'}})}}).then(r => done(r.status))"
        ))
        .await;
    assert_eq!(forged, json!(403));
    b.goto(&users).await;
    assert!(b.text("#selected-link").await.contains("(0)"), "the forged tick did not land");

    // Every language, by the switcher.
    b.goto(&users).await;
    for (tag, heading) in [
        ("fr", "Utilisateurs et licences"),
        ("ru", "Пользователи и лицензии"),
        ("zh-CN", "用户和许可证"),
        ("it", "Utenti e licenze"),
        ("en", "Users and licenses"),
    ] {
        b.submit(&format!("nav.langs a[hreflang='{tag}']")).await;
        assert_eq!(b.text("h1").await, heading, "{tag}");
        b.screenshot(&format!("09-lang-{tag}")).await;
    }
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_in_chromium_from_errors_to_passwords() {
    if !Browser::available() {
        return;
    }
    let dir = temp_dir("import");
    let app = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
    let b = Browser::start(&dir).await;
    let c = catalog_and_customer(&app).await;
    sign_in(&b, &app).await;
    b.goto(&format!("{}/customers/{}/users", app.address, c.id)).await;
    b.submit("a[href$='/import']").await;
    assert_eq!(b.text("h1").await, "Import users");

    // The template comes in the UI language.
    b.goto(&format!("{}/customers/{}/import?lang=fr", app.address, c.id)).await;
    b.click("#template-csv").await;
    let template = b.downloads.join("roster-users-template-fr.csv");
    let mut header = String::new();
    for _ in 0..100 {
        header = std::fs::read_to_string(&template).unwrap_or_default();
        if !header.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(header.contains("Prénom") && header.contains("Nom d'utilisateur"), "{header}");
    b.goto(&format!("{}/customers/{}/import?lang=en", app.address, c.id)).await;

    // A file with problems: each is shown by row and column, and nothing is created.
    let bad = dir.join("bad.csv");
    let domain = &c.domain;
    std::fs::write(
        &bad,
        format!(
            "First name,Last name,Display name,Username,Usage location,Roles,Licenses\r\n\
             Ann,Lee,Ann Lee,ann.lee@{domain},US,,\r\n\
             Bad,Name,Bad Name,bad name,US,,\r\n\
             Dup,One,Dup One,ann.lee,US,,\r\n\
             No,Product,No Product,noprod,US,,ZZZ\r\n"
        ),
    )
    .unwrap();
    b.find("#file").await.send_keys(&bad.display().to_string()).await.unwrap();
    b.submit("form[enctype] button[type=submit]").await;
    let problems = b.text("#problems").await;
    assert!(problems.contains("3 Username The username is not valid"), "{problems}");
    assert!(problems.contains("4 Username The username appears twice in the file"), "{problems}");
    assert!(problems.contains("5 Licenses The product is not known"), "{problems}");
    b.screenshot("10-import-errors").await;
    let none = app.get(&app.admin_token, &format!("/customers/{}/users?search=ann.lee", c.id)).await;
    assert_eq!(none.body["totalCount"], 0, "nothing was imported");

    // The fixed file: 2,000 rows, half without a usage location, which the page fills in.
    let good = dir.join("good.csv");
    let mut text = String::from("First name,Last name,Display name,Username,Usage location,Roles,Licenses\r\n");
    for i in 0..2000 {
        let location = if i % 2 == 0 { "US" } else { "" };
        text.push_str(&format!("Imp,{i},Imported {i:04},imported{i:04},{location},,\r\n"));
    }
    std::fs::write(&good, text).unwrap();
    b.fill("#location", "FR").await;
    b.find("#file").await.send_keys(&good.display().to_string()).await.unwrap();
    b.submit("form[enctype] button[type=submit]").await;
    assert_eq!(b.text("h1").await, "Importing users");
    assert!(b.js("return document.querySelector('progress#progress-bar') !== null").await == json!(true));
    b.screenshot("11-import-progress").await;
    // The page follows the job by itself, with no reload from the test.
    b.wait_for("#show-passwords", Duration::from_secs(60)).await;
    assert!(b.page_text().await.contains("2,000 created"), "{}", b.page_text().await);
    let max = b.js("const p = document.getElementById('progress-bar'); return [p.value, p.max]").await;
    assert_eq!(max, json!([2000, 2000]));
    b.screenshot("12-import-finished").await;
    let odd = app.get(&app.admin_token, &format!("/customers/{}/users?search=imported0001", c.id)).await;
    assert_eq!(odd.body["items"][0]["usageLocation"], "FR", "the chosen location fills the gaps");
    let even = app.get(&app.admin_token, &format!("/customers/{}/users?search=imported0002", c.id)).await;
    assert_eq!(even.body["items"][0]["usageLocation"], "US");

    // The same confirmation page as Add user, once.
    b.submit("#show-passwords").await;
    assert!(b.text("h1").await.contains("temporary passwords"));
    assert_eq!(b.js("return document.querySelectorAll('code.password').length").await, json!(2000));
    let first = b.js("return [...document.querySelectorAll('table.credentials tbody tr:first-child td')].slice(0, 2).map(td => td.textContent)").await;
    assert_eq!(first, json!([format!("imported0000@{domain}"), "Imported 0000"]));
    assert!(b.find("#download-csv").await.is_displayed().await.unwrap_or(false));
    b.screenshot("13-import-confirmation").await;
    b.client.back().await.unwrap();
    b.goto(b.client.current_url().await.expect("the page's URL").as_str()).await;
    assert!(b.page_text().await.contains("already shown"), "{}", b.page_text().await);
    b.close().await;
}
