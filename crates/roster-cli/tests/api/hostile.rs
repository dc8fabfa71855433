//! Hostile input (issue 15): a NUL or another control character wherever text
//! enters answers 4xx with a specific code on both backends, never 500;
//! answers quote at most an excerpt of what was sent; and XLSX bombs sent to a
//! real `roster serve` are refused while the server's peak memory stays low.

use crate::imports::customer_with_domain;
use crate::two_servers::serve_with;
use crate::*;
use roster_core::paging::{Key, Position, SortValue, encode_cursor};
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, Reply, backend_available, fresh_store, xlsx};
use std::sync::Arc;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn assert_refused(r: &Reply, status: StatusCode, code: &str, what: &str) {
    assert_eq!(
        (r.status, r.code()),
        (status, code),
        "{what}: {}",
        r.body.to_string().chars().take(500).collect::<String>()
    );
}

/// A cursor as a client could forge it: JSON with a NUL in its text.
fn forged_cursor(sort: &str) -> String {
    let key = Key { value: SortValue::Text("a\u{0}b".into()), id: uuid::Uuid::now_v7() };
    encode_cursor(&Position::After(key), sort)
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn utf32(text: &str, bom: bool) -> Vec<u8> {
    let body = text.chars().flat_map(|c| (c as u32).to_le_bytes());
    if bom { [0xFF, 0xFE, 0, 0].into_iter().chain(body).collect() } else { body.collect() }
}

/// The rows of a dry run's report, as (row, column, code).
fn row_problems(r: &Reply) -> Vec<(i64, String, String)> {
    let rows = r.body.pointer("/details/rows").or_else(|| r.body.get("rows")).cloned().unwrap_or_default();
    rows.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .flat_map(|row| {
            let n = row["row"].as_i64().unwrap_or(0);
            row["errors"].as_array().cloned().unwrap_or_default().into_iter().map(move |e| {
                (n, e["column"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned())
            })
        })
        .collect()
}

/// The value of a form field in a page.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        .to_owned()
}

/// The `name=value` of a cookie an answer sets.
fn cookie_set(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

both_backends! {
    async fn the_console_import_page_quotes_only_an_excerpt(app) {
        let cid = customer_with_domain(&app, "console-excerpt.example").await;
        let form = app.http.get(app.url("/login")).send().await.unwrap();
        let login_cookie = cookie_set(&form, "roster_login_csrf");
        let csrf = field(&form.text().await.unwrap(), "csrf");
        let signed_in = app.http.post(app.url("/login")).header("cookie", &login_cookie)
            .form(&[("csrf", csrf.as_str()), ("email", app.admin_email.as_str()), ("password", app.admin_password.as_str()), ("next", "/customers")])
            .send().await.unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let session = cookie_set(&signed_in, "roster_agent_session");
        let page = app.http.get(app.url("/customers")).header("cookie", &session).send().await.unwrap();
        let csrf = field(&page.text().await.unwrap(), "csrf");
        let boundary = "hostile-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        ).into_bytes();
        body.extend_from_slice(format!("Display name,Username,{}\nA,a,b\n", "H".repeat(5 << 20)).as_bytes());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = app.http.post(app.url(&format!("/customers/{cid}/import"))).header("cookie", &session)
            .header("content-type", format!("multipart/form-data; boundary={boundary}")).body(body)
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let page = r.text().await.unwrap();
        assert!(page.contains("32767 characters") && !page.contains(&"H".repeat(200)), "{}", &page[..page.len().min(2000)]);
        assert!(page.len() < 64 * 1024, "{} bytes", page.len());
    }

    async fn a_nul_in_any_query_parameter_or_cursor_is_a_bad_request(app) {
        let customer = app.customer().await;
        let users = format!("/customers/{}/users", customer.id);
        let token = &app.admin_token;
        for path in [
            "/customers?search=%00".to_owned(),
            "/customers?search=a%01b".to_owned(),
            format!("/customers?cursor={}", forged_cursor("companyName")),
            format!("{users}?search=%00"),
            format!("{users}?license=%00"),
            format!("{users}?role=%00"),
            format!("{users}?usageLocation=%00"),
            format!("{users}?sort=%00"),
            format!("{users}?state=%00"),
            format!("{users}?signIn=%00"),
            format!("{users}?cursor={}", forged_cursor("displayName")),
            format!("/customers/{}/audit-events?cursor={}", customer.id, forged_cursor("-at")),
            format!("{users}/export?lang=%00"),
            format!("{users}/export?format=%00"),
            "/imports/template?lang=%00".to_owned(),
        ] {
            assert_refused(&app.get(token, &path).await, StatusCode::BAD_REQUEST, "validation_failed", &path);
        }
        let r = app.get(token, "/customers?search=%00").await;
        assert_eq!(r.body["details"]["field"], "search");
        let r = app.get(token, &format!("{users}?cursor={}", forged_cursor("displayName"))).await;
        assert_eq!(r.body["details"]["field"], "cursor");
    }

    async fn a_nul_in_any_json_string_is_a_bad_request(app) {
        app.with_catalog().await;
        let customer = app.customer().await;
        let users = format!("/customers/{}/users", customer.id);
        let token = &app.admin_token;
        let user = |patch: Value| {
            let mut body = json!({"userName": "ok", "domain": customer.domain, "displayName": "Ok"});
            for (k, v) in patch.as_object().cloned().unwrap_or_default() {
                body[k] = v;
            }
            body
        };
        for (body, code) in [
            (user(json!({"userName": "a\u{0}b"})), "invalid_username"),
            (user(json!({"domain": "a\u{0}.example"})), "validation_failed"),
            (user(json!({"displayName": "a\u{0}"})), "validation_failed"),
            (user(json!({"firstName": "\u{0}"})), "validation_failed"),
            (user(json!({"lastName": "a\u{1}"})), "validation_failed"),
            (user(json!({"usageLocation": "F\u{0}"})), "validation_failed"),
            (user(json!({"roles": ["user-admin\u{0}"]})), "validation_failed"),
            (user(json!({"licenses": [{"productId": "MAIL\u{0}"}]})), "validation_failed"),
            (user(json!({"usageLocation": "FR", "licenses": [{"productId": "MAIL_P1", "disabledServicePlans": ["\u{0}"]}]})), "validation_failed"),
        ] {
            let r = app.post(token, &users, &body).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, code, &body.to_string());
        }
        let created = app.user(&customer, "patched", json!({})).await;
        let id = str_at(&created, "/user/id");
        for body in [json!({"displayName": "\u{0}"}), json!({"firstName": "a\u{0}"}), json!({"usageLocation": "\u{0}"}), json!({"roles": ["\u{0}"]})] {
            let r = app.patch(token, &format!("{users}/{id}"), &body).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", &body.to_string());
        }
        for body in [
            json!({"userIds": [id], "assign": [{"productId": "MAIL\u{0}"}]}),
            json!({"userIds": [id], "assign": [{"productId": "MAIL_P1", "disabledServicePlans": ["X\u{0}"]}]}),
            json!({"userIds": [id], "remove": ["\u{0}"]}),
        ] {
            let r = app.post(token, &format!("/customers/{}/license-updates", customer.id), &body).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", &body.to_string());
        }
        for body in [
            json!({"companyName": "A\u{0}", "domains": ["nul-company.example"], "country": "US"}),
            json!({"companyName": "A", "domains": ["nul\u{0}.example"], "country": "US"}),
            json!({"companyName": "A", "domains": ["nul-country.example"], "country": "U\u{0}"}),
        ] {
            let r = app.post(token, "/customers", &body).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", &body.to_string());
        }
    }

    async fn nul_bytes_in_import_files_are_refused_or_reported_by_row(app) {
        let cid = customer_with_domain(&app, "nul.example").await;
        let dry_run = format!("/customers/{cid}/imports?dryRun=true");
        let token = &app.admin_token;
        // A NUL in a UTF-8 file: not text.
        for csv in ["Display name,Username\nA,a\u{0}b\n", "Display name,Username\nA,a@nul\u{0}.example\n"] {
            let r = app.upload(token, &dry_run, CSV, csv.as_bytes().to_vec()).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", csv);
            assert!(r.body["message"].as_str().unwrap_or("").contains("NUL"), "{}", r.body);
        }
        // UTF-16 without a BOM and UTF-32 with or without: read as what they are.
        let text = "Display name,Username\nZoë,zoe\n";
        for bytes in [utf16le(text), utf32(text, true), utf32(text, false)] {
            let r = app.upload(token, &dry_run, CSV, bytes).await;
            assert_eq!((r.status, &r.body["valid"]), (StatusCode::OK, &json!(1)), "{}", r.body);
        }
        // Other control characters reach the cells, and each is a row error.
        let csv = "Display name,Username,First name,Last name,Usage location,Roles,Licenses\n\
                   A\u{1},a\u{1}b,F\u{2},L\u{3},F\u{4},user-admin\u{5},X\u{6}\n\
                   B,b@nul\u{7f}.example,,,,,\n";
        let r = app.upload(token, &dry_run, CSV, csv.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut columns: Vec<(i64, String)> = row_problems(&r).into_iter().map(|(row, column, _)| (row, column)).collect();
        columns.dedup();
        assert_eq!(columns, [
            (2, "First name"), (2, "Last name"), (2, "Display name"), (2, "Username"),
            (2, "Usage location"), (2, "Roles"), (2, "Licenses"), (3, "Username"),
        ].map(|(row, c)| (row, c.to_owned())));
        // XLSX writes a NUL as _x0000_, which calamine reads back as one.
        let sheet = xlsx::sheet(&format!("{}{}", xlsx::header(), xlsx::row(2, &["A_x0000_", "a_x0000_b"])));
        let r = app.upload(token, &dry_run, XLSX, sheet).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let codes: Vec<(i64, String, String)> = row_problems(&r);
        assert_eq!(codes, [(2, "Display name", "invalid_value"), (2, "Username", "invalid_username")]
            .map(|(row, c, code)| (row, c.to_owned(), code.to_owned())));
    }

    async fn a_nul_at_sign_in_is_only_wrong_credentials(app) {
        // The agents' console.
        let form = app.http.get(app.url("/login")).send().await.unwrap();
        let cookie = form.headers().get_all("set-cookie").iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .find(|c| c.starts_with("roster_login_csrf=")).expect("the login form's CSRF cookie");
        let page = form.text().await.unwrap();
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        for email in ["a\u{0}@partner-a.example", "\u{0}", &format!("{}\u{1}", app.admin_email)] {
            let r = app.http.post(app.url("/login")).header("cookie", &cookie)
                .form(&[("csrf", csrf.as_str()), ("email", email), ("password", "wrong"), ("next", "/")])
                .send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{email:?}");
        }
        // The customer users' sign-in.
        let form = app.http.get(app.url("/signin")).send().await.unwrap();
        let cookies: Vec<String> = form.headers().get_all("set-cookie").iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned)).collect();
        let page = form.text().await.unwrap();
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        for user in ["a\u{0}@x.example", "\u{0}"] {
            let r = app.http.post(app.url("/signin")).header("cookie", cookies.join("; "))
                .form(&[("user_name", user), ("password", "wrong"), ("csrf", csrf.as_str())])
                .send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{user:?}");
        }
    }

    async fn answers_quote_only_an_excerpt_of_what_was_sent(app) {
        let cid = customer_with_domain(&app, "excerpt.example").await;
        let dry_run = format!("/customers/{cid}/imports?dryRun=true");
        let token = &app.admin_token;
        let huge = "H".repeat(5 << 20);
        let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
            ("a 5 MiB header", format!("Display name,Username,{huge}\nA,a,b\n").into_bytes(), StatusCode::BAD_REQUEST),
            ("a 5 MiB header cell of many", format!("Display name,Username,{}\nA,a\n", "x,".repeat(1 << 20)).into_bytes(), StatusCode::BAD_REQUEST),
            ("a 19 MiB cell", format!("Display name,Username\n{},a\n", "C".repeat(19 << 20)).into_bytes(), StatusCode::BAD_REQUEST),
            ("an XLSX header of 30,000 characters", xlsx::sheet(&xlsx::row(1, &[&"H".repeat(30_000), "Username"])), StatusCode::BAD_REQUEST),
        ];
        for (what, file, status) in cases {
            let r = app.upload(token, &dry_run, if file.starts_with(b"PK") { XLSX } else { CSV }, file).await;
            assert_refused(&r, status, "validation_failed", what);
            assert!(r.body.to_string().len() < 2048, "{what}: {} bytes", r.body.to_string().len());
        }
        // A file's rows: a 30,000-character role is named in a short message.
        let csv = format!("Display name,Username,Roles,Usage location,Licenses\nA,a,{},{},{}\n", "R".repeat(30_000), "L".repeat(30_000), "P".repeat(30_000));
        let r = app.upload(token, &dry_run, CSV, csv.into_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body.to_string().len());
        assert!(r.body.to_string().len() < 4096, "{} bytes", r.body.to_string().len());
        // API inputs that are echoed.
        let long = "Z".repeat(1 << 20);
        let customer = app.customer().await;
        let users = format!("/customers/{}/users", customer.id);
        // 7,000 characters: long, yet under the 8 KiB a URI may have (longer ones
        // get 414 `uri_too_long` before any parameter is read).
        for path in [
            format!("{users}?role={}", &long[..7_000]),
            format!("{users}?usageLocation={}", &long[..7_000]),
            format!("{users}?{}=1", &long[..7_000]),
            format!("/customers?{}=1", &long[..7_000]),
            format!("/customers/{}?a=1", &long[..7_000]),
        ] {
            let r = app.get(token, &path).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", "a long query parameter");
            assert!(r.body.to_string().len() < 1024, "{}", r.body.to_string().len());
        }
        for body in [
            json!({"userName": "a", "domain": customer.domain, "displayName": "A", "roles": [long]}),
            json!({"userName": "a", "domain": customer.domain, "displayName": "A", "usageLocation": long}),
        ] {
            let r = app.post(token, &users, &body).await;
            assert_refused(&r, StatusCode::BAD_REQUEST, "validation_failed", "a long JSON field");
            assert!(r.body.to_string().len() < 1024, "{}", r.body.to_string().len());
        }
    }
}

/// A customer and an API token on a fresh database, for a `roster serve` of its own.
async fn serve_setup(backend: Backend) -> (roster_testkit::Fixture, String, String) {
    let (store, fixture) = fresh_store(backend).await;
    let services = Services::new(store, Arc::new(SystemClock), Policy::default());
    let partner = services.create_partner("Bombs").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "admin@bombs.example", "admin").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    let customer = services.create_customer(&agent, "Bombs", &["bombs.example".into()], "US").await.unwrap();
    (fixture, token.expose().to_owned(), customer.id.to_string())
}

/// The most memory a process has held (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's /proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc status");
    kib * 1024
}

/// The bombs of issue 15, each sent to a real server: a short 4xx answer, and
/// the server's peak memory stays under 200 MB.
async fn xlsx_bombs_leave_the_server_small(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (fixture, token, cid) = serve_setup(backend).await;
    let server = serve_with(&fixture.database_url(), &[]);
    let pid = server.child.id();
    let started = peak_rss(pid);
    let bombs = [
        ("a cell that inflates to 500 MB", xlsx::cell_bomb(500 << 20), StatusCode::PAYLOAD_TOO_LARGE),
        ("shared strings that inflate to 500 MB", xlsx::shared_strings_bomb(500 << 20), StatusCode::PAYLOAD_TOO_LARGE),
        // The zip reader stops at the size declared, and calls the rest malformed.
        (
            "a central directory that lies about sizes",
            xlsx::declaring_size(xlsx::cell_bomb(500 << 20), 1000),
            StatusCode::BAD_REQUEST,
        ),
        (
            "a size declared past the budget",
            xlsx::declaring_size(xlsx::cell_bomb(500 << 20), u32::MAX),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        ("four billion shared strings declared", xlsx::unique_count_bomb(), StatusCode::BAD_REQUEST),
        ("a million rows out to XFD1048576", xlsx::far_cells_bomb(1_000_000), StatusCode::PAYLOAD_TOO_LARGE),
        ("a cell at XFD1048576", xlsx::far_cells_bomb(10_000), StatusCode::BAD_REQUEST),
    ];
    let http = reqwest::Client::new();
    for (what, bomb, status) in bombs {
        assert!(bomb.len() < roster_core::imports::MAX_BYTES, "{what}: the bomb is {} bytes", bomb.len());
        let r = http
            .post(format!("{}/api/v1/customers/{cid}/imports?dryRun=true", server.url))
            .bearer_auth(&token)
            .header("content-type", XLSX)
            .body(bomb)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{what}");
        let body = r.text().await.unwrap();
        assert!(body.len() < 1024, "{what}: {} bytes", body.len());
        let code = if status == StatusCode::BAD_REQUEST { "validation_failed" } else { "payload_too_large" };
        assert!(body.contains(code), "{what}: {body}");
    }
    let peak = peak_rss(pid);
    println!("roster serve: {} MB at start, {} MB at the peak after the bombs", started >> 20, peak >> 20);
    assert!(peak < 200_000_000, "the server's memory peaked at {} MB", peak >> 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_bombs_leave_a_server_on_sqlite_small() {
    xlsx_bombs_leave_the_server_small(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_bombs_leave_a_server_on_postgresql_small() {
    xlsx_bombs_leave_the_server_small(Backend::Postgres).await;
}
