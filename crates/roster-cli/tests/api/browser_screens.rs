//! The console's screens in headless Chromium: Post/Redirect/Get after every
//! form that changes data (a reload or Back shows the result again and changes
//! nothing), and the result pages bound to the session. Screenshots are left in
//! each test's temporary directory.

use super::*;
use crate::browser::{catalog_and_customer_with, sign_in, temp_dir, user_id};
use crate::console::{field, login};
use roster_testkit::browser::Browser;

/// A1 with one seat, B1 with five, and ten users.
async fn catalog_and_customer(app: &TestApp) -> TestCustomer {
    catalog_and_customer_with(app, [1, 5], 10).await
}

/// What a repeated POST would change: the audit log's length, the users, and
/// each subscription's quantity and assigned seats.
async fn state_of(app: &TestApp, c: &TestCustomer) -> Value {
    let audit = app.get(&app.admin_token, &format!("/customers/{}/audit-events?limit=1", c.id)).await;
    let active = app.get(&app.admin_token, &format!("/customers/{}/users?limit=1&state=active", c.id)).await;
    let deleted = app.get(&app.admin_token, &format!("/customers/{}/users?limit=1&state=deleted", c.id)).await;
    let subs = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await;
    let seats: Vec<Value> =
        subs.body.as_array().unwrap().iter().map(|s| json!([s["productId"], s["quantity"], s["assigned"]])).collect();
    json!({
        "audit": audit.body["totalCount"],
        "active": active.body["totalCount"],
        "deleted": deleted.body["totalCount"],
        "seats": seats,
    })
}

/// After a POST the browser is on a page it read by GET: a reload, Back and
/// Forward show pages again without asking to resubmit, and change nothing.
async fn reload_and_back_change_nothing(b: &Browser, app: &TestApp, c: &TestCustomer, what: &str) -> String {
    let url = b.client.current_url().await.unwrap().to_string();
    let entry = b.js("const n = performance.getEntriesByType('navigation')[0]; return n ? n.type : ''").await;
    assert_ne!(entry, json!("back_forward"), "{what}");
    let before = state_of(app, c).await;
    let heading = b.text("h1").await;
    b.client.refresh().await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().to_string(), url, "{what}: the reload stays on the page");
    assert_eq!(b.text("h1").await, heading, "{what}: the reload shows the page again");
    assert_eq!(
        b.js("return performance.getEntriesByType('navigation')[0].type").await,
        json!("reload"),
        "{what}: a plain reload, no resubmission"
    );
    b.client.back().await.unwrap();
    b.find("h1").await;
    b.client.forward().await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().to_string(), url, "{what}");
    assert_eq!(b.text("h1").await, heading, "{what}: Forward shows the page again");
    assert_eq!(state_of(app, c).await, before, "{what}: nothing changed twice");
    url
}

async fn screens_post_redirect_get(backend: roster_testkit::Backend) {
    if !Browser::available() || !roster_testkit::backend_available(backend).await {
        return;
    }
    let dir = temp_dir("prg");
    let app = roster_testkit::spawn_app(backend).await;
    let b = Browser::start(&dir).await;
    let c = catalog_and_customer(&app).await;
    let users = format!("{}/customers/{}/users", app.address, c.id);
    sign_in(&b, &app).await;

    // Add user: the passwords page is a result read by GET, shown again on reload.
    b.goto(&format!("{users}/new")).await;
    b.fill("#display_0", "Ada Lovelace").await;
    b.fill("#user_0", "ada").await;
    b.submit("button[name=save]").await;
    let url = reload_and_back_change_nothing(&b, &app, &c, "add user").await;
    assert!(url.contains("/results/"), "{url}");
    let password = b.text("code.password").await;
    assert_eq!(password.len(), 16, "{}", b.page_text().await);
    b.screenshot("01-added").await;
    for (body, sealed) in app.raw_console_results().await {
        assert!(!body.contains(&password), "a temporary password is kept in clear: {body}");
        assert!(!sealed.unwrap_or_default().windows(16).any(|w| w == password.as_bytes()));
    }

    // Manage licenses, Save: "Licenses updated" is a result too.
    b.goto(&users).await;
    b.click(&format!("#tick-{}", user_id(&app, &c, "user01").await)).await;
    b.click(&format!("#tick-{}", user_id(&app, &c, "user02").await)).await;
    b.submit("button[name=action][value=licenses]").await;
    b.click("#tri-A1").await;
    b.submit("button[name=save]").await;
    assert_eq!(b.text("h1").await, "Licenses updated", "{}", b.page_text().await);
    let url = reload_and_back_change_nothing(&b, &app, &c, "save licenses").await;
    assert!(url.contains("/results/"), "{url}");
    b.screenshot("02-licenses-updated").await;

    // Buy more on Manage licenses: one seat more, once.
    b.goto(&format!("{}/customers/{}/licenses", app.address, c.id)).await;
    b.fill("input[name^=more_]", "1").await;
    b.submit("button[name=buy]").await;
    reload_and_back_change_nothing(&b, &app, &c, "buy more").await;
    let seats = state_of(&app, &c).await["seats"].clone();
    assert!(seats.as_array().unwrap().contains(&json!(["A1", 2, 1])), "{seats}");

    // Reset password for two selected users: the same confirmation page as Add
    // user, with the same passwords on reload.
    b.goto(&users).await;
    b.submit("button[name=action][value=clear]").await;
    b.click(&format!("#tick-{}", user_id(&app, &c, "user03").await)).await;
    b.click(&format!("#tick-{}", user_id(&app, &c, "user05").await)).await;
    b.submit("button[name=action][value=reset]").await;
    let confirm = b.text("ul.reset-users").await;
    assert!(confirm.contains("User 03") && confirm.contains("User 05"), "{confirm}");
    b.submit("form button.primary").await;
    assert_eq!(b.text("h1").await, "Passwords reset: temporary passwords");
    let passwords = "return [...document.querySelectorAll('code.password')].map(e => e.textContent)";
    let first = b.js(passwords).await;
    assert_eq!(first.as_array().map(Vec::len), Some(2), "{first}");
    assert!(b.find("#download-csv").await.is_displayed().await.unwrap());
    reload_and_back_change_nothing(&b, &app, &c, "reset").await;
    assert_eq!(b.js(passwords).await, first, "the reload shows the same passwords, made once");
    for (i, name) in ["user03", "user05"].iter().enumerate() {
        let p = first[i].as_str().unwrap();
        let signin =
            app.services.signin(&format!("{name}@{}", c.domain), p, std::net::Ipv4Addr::LOCALHOST.into()).await;
        assert!(matches!(signin, Ok(roster_core::services::SigninOutcome::MustChangePassword { .. })), "{signin:?}");
    }
    b.screenshot("03-reset").await;

    // Delete, then Restore: each once; Restore clears the selection as Delete does.
    b.goto(&users).await;
    b.submit("button[name=action][value=clear]").await;
    b.click(&format!("#tick-{}", user_id(&app, &c, "user04").await)).await;
    b.submit("button[name=action][value=delete]").await;
    b.submit("button.danger").await;
    reload_and_back_change_nothing(&b, &app, &c, "delete").await;
    assert!(b.text("#selected-link").await.contains("(0)"));
    b.click(&format!("#tick-{}", user_id(&app, &c, "user04").await)).await;
    b.submit("button[name=action][value=restore]").await;
    assert!(b.text("table").await.contains("Restored"), "{}", b.page_text().await);
    let url = reload_and_back_change_nothing(&b, &app, &c, "restore").await;
    assert!(url.contains("/results/"), "{url}");
    b.screenshot("04-restored").await;
    b.goto(&users).await;
    assert!(b.text("#selected-link").await.contains("(0)"), "Restore cleared the selection");

    // The user page, opened from the list: edit, block, delete, restore, each once.
    b.goto(&users).await;
    let u06 = user_id(&app, &c, "user06").await;
    b.submit(&format!("a[href$='/users/{u06}']")).await;
    assert_eq!(b.text("h1").await, "User 06");
    b.fill("#display", "Sixth User").await;
    b.fill("#first", "Sixth").await;
    b.click("input[name=roles][value=billing-admin]").await;
    b.submit("#save-user").await;
    assert!(b.text(".notice").await.contains("The user was saved."), "{}", b.page_text().await);
    reload_and_back_change_nothing(&b, &app, &c, "save user").await;
    let saved = app.get(&app.admin_token, &format!("/customers/{}/users/{u06}", c.id)).await.body;
    assert_eq!(
        (saved["displayName"].as_str(), saved["firstName"].as_str()),
        (Some("Sixth User"), Some("Sixth")),
        "{saved}"
    );
    assert_eq!(saved["roles"], json!(["billing-admin"]), "{saved}");
    let activity = b.text("table.activity").await;
    assert!(
        activity.contains("User changed") && activity.contains("Display name") && !activity.contains("displayName"),
        "{activity}"
    );
    b.screenshot("05-user-page").await;
    b.submit("#block-user").await;
    assert!(b.text("#sign-in-state").await.contains("Blocked"));
    reload_and_back_change_nothing(&b, &app, &c, "block user").await;
    b.submit("#delete-user").await;
    assert!(b.page_text().await.contains("days left to restore this user"), "{}", b.page_text().await);
    reload_and_back_change_nothing(&b, &app, &c, "delete user").await;
    b.screenshot("06-user-deleted").await;
    b.submit("#restore-user").await;
    assert!(b.text("table").await.contains("Restored"), "{}", b.page_text().await);
    reload_and_back_change_nothing(&b, &app, &c, "restore user").await;

    // The activity log reads like a log: actions in words, users by name, linked.
    b.goto(&format!("{}/customers/{}/activity", app.address, c.id)).await;
    let log = b.page_text().await;
    assert!(log.contains("User restored") && log.contains("Sixth User") && log.contains(&app.admin_email), "{log}");
    b.screenshot("07-activity").await;

    // Subscriptions: Buy more, once.
    b.goto(&format!("{}/customers/{}/subscriptions", app.address, c.id)).await;
    b.fill("input[name=add]", "2").await;
    b.submit("input[name=add] + button").await;
    reload_and_back_change_nothing(&b, &app, &c, "subscriptions buy more").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_post_redirects_to_a_get_page_sqlite() {
    screens_post_redirect_get(roster_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_post_redirects_to_a_get_page_postgres() {
    screens_post_redirect_get(roster_testkit::Backend::Postgres).await;
}

both_backends! {
    async fn a_post_whose_session_expired_comes_back_to_its_page_after_sign_in(app) {
        let c = app.customer().await;
        let path = format!("/customers/{}/users/selection", c.id);
        let from = format!("/customers/{}/users?page=2&sort=-createdAt", c.id);
        let post = |referer: String| {
            app.http
                .post(format!("{}{path}", app.address))
                .header(reqwest::header::REFERER, referer)
                .form(&[("csrf", "x"), ("action", "clear")])
                .send()
        };
        let expired = post(format!("{}{from}", app.address)).await.unwrap();
        assert_eq!(expired.status(), StatusCode::SEE_OTHER);
        let location = expired.headers()["location"].to_str().unwrap().to_owned();
        let next: String = reqwest::Url::parse(&format!("http://roster{location}"))
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        assert_eq!(next, from, "back to the page the form was on");
        for foreign in ["http://evil.example/customers", "https://evil.example//x", "javascript:alert(1)"] {
            let elsewhere = post(foreign.to_owned()).await.unwrap();
            let location = elsewhere.headers()["location"].to_str().unwrap().to_owned();
            assert!(location.ends_with("next=%2F"), "{foreign}: {location}");
        }

        // A customer opens on Users and licenses.
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let list = session.get("/customers").await.body;
        assert!(list.contains(&format!("href=\"/customers/{}/users\"", c.id)), "{list}");

        // Errors are drawn inside the console's frame, in the page's language:
        // a query Roster cannot read, a path no route serves, an id that is no id.
        for (path, status, words) in [
            (format!("/customers/{}/users?limit=abc&lang=fr", c.id), StatusCode::BAD_REQUEST, "n’est pas valide : limit"),
            (format!("/customers/{}/nowhere?lang=ru", c.id), StatusCode::NOT_FOUND, "не существует"),
            ("/customers/not-an-id/users?lang=it".to_owned(), StatusCode::BAD_REQUEST, "non riesce a leggere"),
        ] {
            let page = session.get(&path).await;
            assert_eq!(page.status, status, "{path}");
            assert!(page.body.contains(words), "{path}: {}", page.body);
            assert!(page.body.contains("action=\"/logout\"") && page.body.contains(&app.admin_email), "{path}: in the frame");
        }
        let anonymous = app.http.get(format!("{}/nowhere?lang=zh-CN", app.address)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
        assert!(anonymous.text().await.unwrap().contains("此页面或项目不存在"));
    }

    async fn a_result_belongs_to_its_session_and_keeps_no_password_in_clear(app) {
        let c = app.customer().await;
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let csrf = session.csrf().await;
        let path = format!("/customers/{}/users/new", c.id);
        let saved = session
            .post(&path, &[("csrf", &csrf), ("count", "1"), ("display_0", "Bo"), ("user_0", "bo"), ("domain_0", &c.domain), ("save", "")])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert!(saved.location.contains("/results/"), "{}", saved.location);
        let page = session.get(&saved.location).await;
        assert_eq!(page.status, StatusCode::OK);
        let password = page.body.split("<code class=\"password\">").nth(1).and_then(|r| r.split('<').next()).unwrap().to_owned();
        assert_eq!(password.len(), 16, "{}", page.body);
        assert_eq!(session.get(&saved.location).await.status, StatusCode::OK, "shown again on reload");
        assert_eq!(field(&page.body, "result").len(), 36);

        // Another session of the same agent, and another partner's agent, find nothing.
        let other = login(&app, &app.admin_email, &app.admin_password).await;
        let theirs = other.get(&saved.location).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert!(!theirs.body.contains(&password));
        assert!(theirs.body.contains("nav"), "the error is inside the console's frame");
        let stolen = other
            .post(&format!("/customers/{}/credentials", c.id), &[("csrf", &other.csrf().await), ("result", &field(&page.body, "result")), ("op", "csv")])
            .await;
        assert_eq!(stolen.status, StatusCode::NOT_FOUND);
        assert!(!stolen.body.contains(&password));

        for (body, sealed) in app.raw_console_results().await {
            assert!(!body.contains(&password), "{body}");
            assert!(!sealed.unwrap_or_default().windows(16).any(|w| w == password.as_bytes()));
        }

        // The user page keeps the version it showed: a stale save changes nothing.
        let bo = user_id(&app, &c, "bo").await;
        let user_path = format!("/customers/{}/users/{bo}", c.id);
        let shown = session.get(&user_path).await;
        assert_eq!(shown.status, StatusCode::OK);
        let version = field(&shown.body, "version");
        let renamed = app.patch(&app.admin_token, &user_path, &json!({"displayName": "Bo Meanwhile"})).await;
        assert_eq!(renamed.status, StatusCode::OK);
        let stale = session
            .post(&user_path, &[("csrf", &csrf), ("version", &version), ("op", "save"), ("display", "Bo Stale")])
            .await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        assert!(stale.body.contains("Bo Meanwhile"));
        let now = app.get(&app.admin_token, &user_path).await.body;
        assert_eq!(now["displayName"], "Bo Meanwhile");

        // The activity log filters by action, agent, user and date, and its CSV
        // has the same columns and filters.
        let log = format!("/customers/{}/activity", c.id);
        let table = |body: String| body.split("<tbody>").nth(1).unwrap_or_default().to_owned();
        let updated = session.get(&format!("{log}?action=user.updated&agent={}", app.admin_email)).await;
        assert_eq!(updated.status, StatusCode::OK);
        let rows = table(updated.body);
        assert!(rows.contains("User changed") && !rows.contains("User created"), "{rows}");
        assert!(rows.contains("Bo Meanwhile") && rows.contains(&format!("/customers/{}/users/{bo}", c.id)), "{rows}");
        let of_bo = table(session.get(&format!("{log}?user={bo}")).await.body);
        assert!(of_bo.contains("User created") && of_bo.contains("User changed"), "{of_bo}");
        let later = session.get(&format!("{log}?from=2026-01-06")).await.body;
        assert!(later.contains("No activity yet."), "{later}");
        let that_day = table(session.get(&format!("{log}?from=2026-01-05&to=2026-01-05&user={bo}")).await.body);
        assert!(that_day.contains("User created"), "{that_day}");
        for bad in ["agent=nobody@x.example", "from=yesterday", "action=drop", "user=x"] {
            assert_eq!(session.get(&format!("{log}?{bad}")).await.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        let csv = session.get(&format!("/customers/{}/activity.csv?action=user.updated&lang=fr", c.id)).await.body;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "\u{feff}Date,Agent,Action,Utilisateurs,Modification", "{csv}");
        assert_eq!(lines.len(), 2, "one change of a user: {csv}");
        assert!(lines[1].contains("Bo Meanwhile") && lines[1].contains("Nom d'affichage: Bo → Bo Meanwhile"), "{csv}");

        // An hour later the result is gone.
        app.clock.advance(time::Duration::minutes(61));
        assert_eq!(session.get(&saved.location).await.status, StatusCode::NOT_FOUND);
    }
}
