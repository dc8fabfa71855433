//! The console over plain HTTP: sign-in, sessions kept in the database, CSRF,
//! rate limits, languages and partner scope. The browser flows are in browser.rs.

use super::*;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};

/// A console session as a browser would hold it: its cookie and the page's CSRF token.
pub(crate) struct Session<'a> {
    app: &'a TestApp,
    cookie: String,
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub location: String,
    set_cookies: Vec<String>,
    pub body: String,
    /// The answer's `X-Request-Id`.
    pub request_id: String,
}

pub(crate) fn field(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let value = body.split(&marker).nth(1).and_then(|rest| rest.split('"').next());
    value.unwrap_or_else(|| panic!("no field {name} in the page: {body}")).to_owned()
}

async fn fetch(req: reqwest::RequestBuilder) -> Page {
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let set_cookies =
        resp.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect();
    let request_id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    Page { status, location, set_cookies, body: resp.text().await.expect("reading the page"), request_id }
}

fn cookie_value(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap_or_default().to_owned()))
}

/// Signs in through the form: GET /login for its CSRF cookie, then POST it.
async fn try_login(app: &TestApp, email: &str, password: &str) -> Page {
    let form = fetch(app.http.get(format!("{}/login", app.address))).await;
    let csrf_cookie = cookie_value(&form.set_cookies, "roster_login_csrf").expect("the form sets its CSRF cookie");
    let csrf = field(&form.body, "csrf");
    fetch(
        app.http
            .post(format!("{}/login", app.address))
            .header(COOKIE, format!("roster_login_csrf={csrf_cookie}"))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password), ("next", "/customers")]),
    )
    .await
}

pub(crate) async fn login<'a>(app: &'a TestApp, email: &str, password: &str) -> Session<'a> {
    let page = try_login(app, email, password).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let cookie = cookie_value(&page.set_cookies, "roster_agent_session").unwrap_or_default();
    assert!(!cookie.is_empty(), "{:?}", page.set_cookies);
    Session { app, cookie }
}

impl Session<'_> {
    pub async fn get(&self, path: &str) -> Page {
        fetch(self.app.http.get(format!("{}{path}", self.app.address)).header(COOKIE, self.cookie_header())).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        fetch(self.app.http.post(format!("{}{path}", self.app.address)).header(COOKIE, self.cookie_header()).form(form))
            .await
    }

    fn cookie_header(&self) -> String {
        format!("roster_agent_session={}", self.cookie)
    }

    /// A file the page links to: its status, content type and bytes.
    async fn download(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let resp = self
            .app
            .http
            .get(format!("{}{path}", self.app.address))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (status, content_type, resp.bytes().await.expect("reading the file").to_vec())
    }

    /// The CSRF token the session's pages carry.
    pub async fn csrf(&self) -> String {
        field(&self.get("/customers").await.body, "csrf")
    }
}

both_backends! {
    async fn sign_in_keeps_the_session_in_the_database_and_every_form_needs_its_token(app) {
        let anonymous = fetch(app.http.get(format!("{}/", app.address))).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.location, "/login?next=%2F");

        let bad = try_login(&app, &app.admin_email, "not the password").await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert!(bad.body.contains("The email or password is incorrect."));
        let no_token = fetch(
            app.http.post(format!("{}/login", app.address)).form(&[("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())]),
        )
        .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN, "a sign-in without the form's token is refused");

        let good = try_login(&app, &app.admin_email, &app.admin_password).await;
        assert_eq!(good.location, "/customers");
        let session_cookie = good.set_cookies.iter().find(|c| c.starts_with("roster_agent_session=")).expect("a session cookie");
        assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"), "{session_cookie}");
        let session = Session { app: &app, cookie: cookie_value(&good.set_cookies, "roster_agent_session").expect("a session cookie") };
        assert_eq!(session.get("/customers").await.status, StatusCode::OK);

        // A second server over the same database serves the same session.
        let second = roster_http::Application::build(
            app.services.clone(),
            roster_http::ServerConfig { listen: "127.0.0.1:0".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let second_address = format!("http://127.0.0.1:{}", second.port());
        tokio::spawn(second.run_until_stopped());
        let elsewhere = fetch(app.http.get(format!("{second_address}/customers")).header(COOKIE, session.cookie_header())).await;
        assert_eq!(elsewhere.status, StatusCode::OK);

        // Forms without the session's CSRF token change nothing.
        let c = app.customer().await;
        let u = str_at(&app.user(&c, "picked", json!({})).await, "/user/id").to_owned();
        let selection = format!("/customers/{}/users/selection", c.id);
        for token in ["", "forged-token"] {
            let refused = session.post(&selection, &[("csrf", token), ("on_page", &u), ("ticked", &u)]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "token {token:?}");
        }
        let refused_delete = session.post(&format!("/customers/{}/users/delete", c.id), &[("user", &u)]).await;
        assert_eq!(refused_delete.status, StatusCode::FORBIDDEN);
        let list = session.get(&format!("/customers/{}/users", c.id)).await;
        assert!(list.body.contains("Selected users (0)"), "nothing was selected");
        let csrf = session.csrf().await;
        let ok = session.post(&selection, &[("csrf", &csrf), ("on_page", &u), ("ticked", &u)]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert!(session.get(&format!("/customers/{}/users", c.id)).await.body.contains("Selected users (1)"));

        // Signing out ends the session everywhere.
        assert_eq!(session.post("/logout", &[("csrf", &csrf)]).await.location, "/login");
        let after = fetch(app.http.get(format!("{second_address}/customers")).header(COOKIE, session.cookie_header())).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER);
        assert!(after.location.starts_with("/login"));
    }

    async fn failed_sign_ins_are_rate_limited_per_agent(app) {
        for _ in 0..5 {
            assert_eq!(try_login(&app, &app.admin_email, "wrong password!").await.status, StatusCode::UNAUTHORIZED);
        }
        let limited = try_login(&app, &app.admin_email, &app.admin_password).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        assert!(limited.body.contains("Too many failed attempts"));
        app.clock.advance(time::Duration::minutes(16));
        assert_eq!(try_login(&app, &app.admin_email, &app.admin_password).await.status, StatusCode::SEE_OTHER);
    }

    async fn language_comes_from_the_query_then_the_cookie_then_accept_language(app) {
        let login_page = |lang: Option<&str>, cookie: Option<&str>, accept: Option<&str>| {
            let mut req = app.http.get(format!("{}/login{}", app.address, lang.map(|l| format!("?lang={l}")).unwrap_or_default()));
            if let Some(c) = cookie {
                req = req.header(COOKIE, format!("lang={c}"));
            }
            if let Some(a) = accept {
                req = req.header(ACCEPT_LANGUAGE, a);
            }
            fetch(req)
        };
        assert!(login_page(None, None, None).await.body.contains("<h1>Sign in to Roster</h1>"));
        assert!(login_page(None, None, Some("de-DE,fr-CA;q=0.9,en;q=0.5")).await.body.contains("<h1>Se connecter à Roster</h1>"));
        assert!(login_page(None, Some("it"), Some("fr")).await.body.contains("<h1>Accedi a Roster</h1>"));
        let chosen = login_page(Some("zh-CN"), Some("it"), Some("fr")).await;
        assert!(chosen.body.contains("<h1>登录 Roster</h1>"));
        assert!(chosen.set_cookies.iter().any(|c| c.starts_with("lang=zh-CN")), "{:?}", chosen.set_cookies);
        assert!(login_page(Some("ru"), None, None).await.body.contains("<h1>Вход в Roster</h1>"));

        // Numbers and dates in the locale's form.
        let c = app.customer().await;
        app.with_users(&c, 1200, |i| (format!("u{i:04}"), format!("User {i:04}"))).await;
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let fr = session.get(&format!("/customers/{}/users?lang=fr&limit=10", c.id)).await.body;
        assert!(fr.contains("1\u{202f}200 utilisateurs"), "French groups thousands with a narrow space");
        assert!(fr.contains("05/01/2026"), "French dates are day/month/year");
        let en = session.get(&format!("/customers/{}/users?lang=en&limit=10", c.id)).await.body;
        assert!(en.contains("1,200 users") && en.contains("Jan 5, 2026") && en.contains("Page 1 of 120"));
    }

    async fn another_partners_customer_is_not_found_and_roles_hold(app) {
        let c = app.customer().await;
        let u = str_at(&app.user(&c, "someone", json!({})).await, "/user/id").to_owned();
        let other = app.services.create_partner("Partner B").await.unwrap();
        let (stranger, stranger_password) = app
            .services
            .create_agent(other.id, "stranger@partner-b.example", "admin")
            .await
            .unwrap();
        let stranger = login(&app, &stranger.email, stranger_password.expose()).await;
        for path in ["", "/users", "/subscriptions", "/activity", "/users/new", "/import", "/activity.csv"] {
            let page = stranger.get(&format!("/customers/{}{path}", c.id)).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        }
        let csrf = stranger.csrf().await;
        let forged = stranger.post(&format!("/customers/{}/users/selection", c.id), &[("csrf", &csrf), ("on_page", &u), ("ticked", &u)]).await;
        assert_eq!(forged.status, StatusCode::NOT_FOUND);

        let (helpdesk, helpdesk_password) = app
            .services
            .create_agent(app.partner_id, "helpdesk@partner-a.example", "helpdesk")
            .await
            .unwrap();
        let helpdesk = login(&app, &helpdesk.email, helpdesk_password.expose()).await;
        let csrf = helpdesk.csrf().await;
        let form = [
            ("csrf", csrf.as_str()), ("count", "1"), ("display_0", "Nope"), ("user_0", "nope"), ("domain_0", c.domain.as_str()), ("save", "1"),
        ];
        let refused = helpdesk.post(&format!("/customers/{}/users/new", c.id), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("Your role does not allow this."));
        let listed = app.get(&app.admin_token, &format!("/customers/{}/users?search=nope", c.id)).await;
        assert_eq!(listed.body["totalCount"], 0);
    }
}

both_backends! {
    async fn block_unblock_and_the_activity_log_export(app) {
        let c = app.customer().await;
        let a = str_at(&app.user(&c, "ana", json!({})).await, "/user/id").to_owned();
        let b = str_at(&app.user(&c, "ben", json!({})).await, "/user/id").to_owned();
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let csrf = session.csrf().await;
        let selection = format!("/customers/{}/users/selection", c.id);
        let blocked = session
            .post(&selection, &[("csrf", &csrf), ("on_page", &a), ("on_page", &b), ("ticked", &a), ("ticked", &b), ("action", "block")])
            .await;
        assert_eq!(blocked.status, StatusCode::SEE_OTHER);
        assert!(blocked.location.contains("notice=notice-blocked&n=2"), "{}", blocked.location);
        let shown = session.get(&blocked.location).await.body;
        assert!(shown.contains("Sign-in blocked for 2 users."));
        let listed = app.get(&app.admin_token, &format!("/customers/{}/users?signIn=blocked", c.id)).await;
        assert_eq!(listed.body["totalCount"], 2);
        let only_a = session.post(&selection, &[("csrf", &csrf), ("on_page", &a), ("on_page", &b), ("ticked", &a), ("action", "unblock")]).await;
        assert!(only_a.location.contains("n=1"));
        let listed = app.get(&app.admin_token, &format!("/customers/{}/users?signIn=blocked", c.id)).await;
        assert_eq!(listed.body["items"][0]["id"], b.as_str());

        let page = session.get(&format!("/customers/{}/activity?limit=2", c.id)).await;
        assert!(page.body.contains("User changed") && page.body.contains("Page 1 of"), "{}", page.body);
        let csv = session.get(&format!("/customers/{}/activity.csv", c.id)).await.body;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "\u{feff}When,Agent,Action,Users,Change");
        assert!(lines.iter().filter(|l| l.contains("User created")).count() >= 1, "{csv}");
        assert!(lines.len() >= 5, "{csv}");
    }

    async fn the_import_template_and_the_export_buttons_give_files_in_the_ui_language(app) {
        use roster_core::imports::{Column, FileError, read};
        let c = app.customer().await;
        app.user(&c, "ana", json!({"firstName": "Ana", "usageLocation": "FR"})).await;
        app.user(&c, "ben", json!({})).await;
        let session = login(&app, &app.admin_email, &app.admin_password).await;

        let (status, _, csv) = session.download(&format!("/customers/{}/import/template?format=csv&lang=it", c.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&csv).starts_with("\u{feff}Nome,"), "{}", String::from_utf8_lossy(&csv));
        let (status, _, xlsx) = session.download(&format!("/customers/{}/import/template?format=xlsx&lang=it", c.id)).await;
        assert_eq!(status, StatusCode::OK);
        // Every header was recognised; only the users are missing.
        assert_eq!(read(&xlsx).err(), Some(FileError::NoRows));

        let (status, content_type, csv) = session.download(&format!("/customers/{}/users/export?format=csv&lang=fr", c.id)).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
        assert!(String::from_utf8_lossy(&csv).starts_with("\u{feff}Prénom,"), "{}", String::from_utf8_lossy(&csv));
        let (status, _, xlsx) = session.download(&format!("/customers/{}/users/export?format=xlsx&lang=fr", c.id)).await;
        assert_eq!(status, StatusCode::OK);
        for file in [csv, xlsx] {
            let sheet = read(&file).unwrap();
            let users: Vec<(&str, &str, &str)> = sheet
                .rows
                .iter()
                .map(|r| (r.get(Column::FirstName), r.get(Column::Username), r.get(Column::UsageLocation)))
                .collect();
            assert_eq!(users, vec![("Ana", format!("ana@{}", c.domain).as_str(), "FR"), ("", format!("ben@{}", c.domain).as_str(), "")]);
        }
        let (status, _, _) = session.download(&format!("/customers/{}/users/export?format=csv", uuid::Uuid::now_v7())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another customer id");
    }

    async fn a_selection_acts_only_on_the_customers_own_users(app) {
        let c = app.customer().await;
        let other = app.customer().await;
        let own = str_at(&app.user(&c, "own-user", json!({})).await, "/user/id").to_owned();
        let foreign = str_at(&app.user(&other, "foreign-user", json!({})).await, "/user/id").to_owned();
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let csrf = session.csrf().await;
        // A forged form ticks another customer's user beside one of this customer's.
        let selection = format!("/customers/{}/users/selection", c.id);
        let ticked = session
            .post(&selection, &[("csrf", &csrf), ("on_page", &own), ("on_page", &foreign), ("ticked", &own), ("ticked", &foreign)])
            .await;
        assert_eq!(ticked.status, StatusCode::SEE_OTHER);
        let shown = session.get(&format!("/customers/{}/users?selected=1", c.id)).await.body;
        assert!(shown.contains("own-user") && !shown.contains("foreign-user"), "{shown}");
        let blocked = session.post(&selection, &[("csrf", &csrf), ("action", "block")]).await;
        assert!(blocked.location.contains("notice=notice-blocked&n=1"), "{}", blocked.location);
        let foreign_now = app.get(&app.admin_token, &format!("/customers/{}/users/{foreign}", other.id)).await;
        assert_eq!(foreign_now.body["signInBlocked"], false, "{:?}", foreign_now.body);
    }
}

/// The console's import form as a browser posts it: multipart, with the file.
async fn upload_import(session: &Session<'_>, cid: &str, csrf: &str, file: &[u8]) -> Page {
    upload_import_form(session, &format!("/customers/{cid}/import"), &[("csrf", csrf)], file).await
}

/// The import form posted to `path` (which may carry `?lang=`), with `fields`
/// (`csrf`, `check_only`, `location`) before the file.
pub(crate) async fn upload_import_form(
    session: &Session<'_>,
    path: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> Page {
    let boundary = "roster-console-test";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    ));
    let mut body = body.into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    fetch(
        session
            .app
            .http
            .post(format!("{}{path}", session.app.address))
            .header(COOKIE, session.cookie_header())
            .header(reqwest::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(body),
    )
    .await
}

both_backends! {
    async fn the_console_refuses_with_the_apis_status_inside_its_own_frame(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let subs = format!("/customers/{}/subscriptions", c.id);
        for (product, quantity) in [("MAIL_P1", 1), ("ARCHIVE", 5)] {
            let r = app.post(&app.admin_token, &subs, &json!({"productId": product, "quantity": quantity})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        app.user(&c, "holder", json!({"usageLocation": "FR", "licenses": [{"productId": "MAIL_P1"}]})).await;
        let session = login(&app, &app.admin_email, &app.admin_password).await;
        let csrf = session.csrf().await;

        // Seats that ran out conflict; a broken license rule is a bad request.
        let add = format!("/customers/{}/users/new", c.id);
        for (name, product, status, words) in [
            ("late", "MAIL_P1", StatusCode::CONFLICT, "Not enough licenses available"),
            ("alone", "ARCHIVE", StatusCode::BAD_REQUEST, "A product it requires is missing"),
        ] {
            let form = [
                ("csrf", csrf.as_str()), ("count", "1"), ("display_0", name), ("user_0", name), ("domain_0", c.domain.as_str()),
                ("location_0", "FR"), ("lic_0", product), ("save", "1"),
            ];
            let refused = session.post(&add, &form).await;
            assert_eq!(refused.status, status, "{product}: {}", refused.body);
            assert!(refused.body.contains(&format!("{name}@{}", c.domain)) && refused.body.contains(words), "{}", refused.body);
        }
        assert_eq!(app.get(&app.admin_token, &format!("/customers/{}/users", c.id)).await.body["totalCount"], 1);

        // A file without users is a bad request; one over the row limit is too large.
        let empty = upload_import(&session, &c.id, &csrf, b"Display name,Username\n").await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
        assert!(empty.body.contains("the file has a header row but no users"), "{}", empty.body);
        let mut rows = String::from("Display name,Username\n");
        for i in 0..100_001 {
            rows.push_str(&format!("U{i},u{i}\n"));
        }
        let many = upload_import(&session, &c.id, &csrf, rows.as_bytes()).await;
        assert_eq!(many.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(many.body.contains("The file is too large"), "{}", many.body);

        // Error pages keep the console around them: the agent and Sign out.
        let missing = session.get(&format!("/customers/{}/users", uuid::Uuid::now_v7())).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("<h1>Not found</h1>") && missing.body.contains("action=\"/logout\""), "{}", missing.body);
        let forged = session.post(&format!("/customers/{}/users/selection", c.id), &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(forged.body.contains("<h1>The form expired</h1>") && forged.body.contains(&app.admin_email), "{}", forged.body);
    }
}
