//! The console's layout in headless Chromium: a display name of 256 characters
//! without a space, a username of 64, and 900 more users never make a page
//! scroll sideways, at 1024 px and at a phone's 390 px, in every language; the
//! long name shows whole on hover and keyboard focus. Screenshots are left in
//! the test's temporary directory.

use super::*;
use crate::browser::temp_dir;
use roster_core::clock::Clock;
use roster_testkit::browser::Browser;
use roster_testkit::bulk::{Seed, seed_users};

const LANGUAGES: [&str; 5] = ["en", "fr", "ru", "it", "zh-CN"];

/// A page to check: its name, its path, and the selector of the element that
/// shows the long name with that name.
type Page<'a> = (&'a str, String, Option<(String, &'a str)>);

/// `path` in `lang`, whatever query it already has.
fn in_lang(address: &str, path: &str, lang: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{address}{path}{sep}lang={lang}")
}

/// The page does not scroll sideways, and at `fits` no table scrolls inside its
/// own container either (all of it is on screen at once).
async fn assert_no_sideways_scroll(b: &Browser, what: &str, fits: bool) {
    let page =
        b.js("return [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]").await;
    let [scroll, inner, body] = [0, 1, 2].map(|i| page[i].as_i64().unwrap());
    assert!(scroll <= inner && body <= inner, "{what}: the page scrolls sideways ({scroll} and {body} > {inner})");
    if fits {
        let wide = b
            .js("return [...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.firstElementChild.className + ' ' + e.scrollWidth + '>' + e.clientWidth)")
            .await;
        assert_eq!(wide, json!([]), "{what}: a table is wider than the page");
    }
}

/// The long name's element on the page: it carries the whole name in its title
/// (a result names the user with the username, "Name (username)"),
/// holds all of it, is narrower than the viewport and, when `on_screen`, all on it.
async fn assert_long_name_held(b: &Browser, css: &str, name: &str, what: &str, on_screen: bool) {
    let found = b
        .js(&format!(
            "const e = document.querySelector({css:?}); if (!e) return null; const r = e.getBoundingClientRect(); \
             return [e.title.includes({name:?}), e.textContent.includes(e.title), r.width < window.innerWidth, \
             r.left >= 0 && r.right <= window.innerWidth]"
        ))
        .await;
    assert_eq!(
        found.as_array().and_then(|a| a.get(0..3)).map(<[Value]>::to_vec),
        Some(vec![json!(true); 3]),
        "{what}: {css}: {found}"
    );
    assert!(!on_screen || found[3] == json!(true), "{what}: {css} is off screen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_names_and_many_users_never_scroll_sideways() {
    if !Browser::available() {
        return;
    }
    let started = std::time::Instant::now();
    let dir = temp_dir("pages");
    let app = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
    let c = crate::browser::catalog_and_customer_with(&app, [5, 1000], 0).await;
    // 900 users, seeded by SQL (the service layer would hash 900 passwords).
    let partner_id = app.partner_id;
    let customer_id = c.id.parse().unwrap();
    let now = app.clock.now();
    let seed = Seed {
        partner_id,
        customer_id,
        domain: &c.domain,
        prefix: "bulk",
        count: 900,
        location: "US",
        licenses: &[],
        deleted: None,
        now,
    };
    seed_users(&app.fixture, &seed).await;
    // A second long name, deleted, for the Deleted users tab.
    let gone_name = format!("B{}", "x".repeat(255));
    let gone = app.user(&c, &"g".repeat(64), json!({"displayName": gone_name, "usageLocation": "US"})).await;
    let gone_id = str_at(&gone, "/user/id").to_owned();
    let r = app.delete(&app.admin_token, &format!("/customers/{}/users/{gone_id}", c.id)).await;
    assert!(r.status.is_success(), "{:?}", r.body);

    let b = Browser::start(&dir).await;
    b.viewport(1024, 768).await;
    b.goto(&format!("{}/login", app.address)).await;
    b.fill("#email", &app.admin_email).await;
    b.fill("#password", &app.admin_password).await;
    b.submit("form button[type=submit]").await;
    let users = format!("/customers/{}/users", c.id);

    // The long name comes in through Add user, so its passwords page shows it.
    let long_name = format!("A{}", "w".repeat(255));
    let long_user = "l".repeat(64);
    b.goto(&format!("{}{users}/new", app.address)).await;
    b.fill("#display_0", &long_name).await;
    b.fill("#user_0", &long_user).await;
    b.fill("#location_0", "US").await;
    b.submit("button[name=save]").await;
    assert!(b.page_text().await.contains(&format!("{long_user}@{}", c.domain)), "{}", b.page_text().await);
    let credentials = b.client.current_url().await.unwrap().path().to_owned();
    let long_id = str_at(
        &app.get(&app.admin_token, &format!("/customers/{}/users?search={long_user}", c.id)).await.body,
        "/items/0/id",
    )
    .to_owned();

    // Save licenses for it: the results table.
    b.goto(&format!("{}{users}?sort=displayName", app.address)).await;
    b.click(&format!("#tick-{long_id}")).await;
    b.submit("button[name=action][value=licenses]").await;
    b.click("#tri-A1").await;
    b.submit("button[name=save]").await;
    assert_eq!(b.text("h1").await, "Licenses updated", "{}", b.page_text().await);
    let updated = b.client.current_url().await.unwrap().path().to_owned();

    // Delete and restore it from its page: the restore results.
    let user_page = format!("{users}/{long_id}");
    b.goto(&format!("{}{user_page}", app.address)).await;
    b.submit("#delete-user").await;
    b.submit("#restore-user").await;
    assert!(b.text("table").await.contains("Restored"), "{}", b.page_text().await);
    let restored = b.client.current_url().await.unwrap().path().to_owned();

    // Manage licenses for all 901 active users (two pages of 500).
    b.goto(&format!("{}{users}?limit=500", app.address)).await;
    b.submit("button[name=action][value=clear]").await;
    b.goto(&format!("{}{users}?limit=500", app.address)).await;
    b.submit("button[name=action][value=select_page]").await;
    b.submit(".pager button[name=go]:nth-of-type(3)").await;
    b.submit("button[name=action][value=select_page]").await;
    assert!(b.text("#selected-link").await.contains("901"), "{}", b.text("#selected-link").await);
    b.submit("button[name=action][value=licenses]").await;
    let licenses = b.client.current_url().await.unwrap().path().to_owned();

    // Each page, and the element that shows the long name on it.
    let title = |n: &str| format!("[title*=\"{n}\"]");
    let pages: Vec<Page> = vec![
        ("customers", "/customers".to_owned(), None),
        (
            "users",
            format!("{users}?sort=displayName&limit=100"),
            Some((format!("table.users a{}", title(&long_name)), long_name.as_str())),
        ),
        (
            "deleted",
            format!("{users}?state=deleted"),
            Some((format!("table.users a{}", title(&gone_name)), gone_name.as_str())),
        ),
        ("add-user", format!("{users}/new"), None),
        ("licenses", licenses, None),
        ("subscriptions", format!("/customers/{}/subscriptions", c.id), None),
        (
            "activity",
            format!("/customers/{}/activity", c.id),
            Some((format!("table.activity a{}", title(&long_name)), long_name.as_str())),
        ),
        ("import", format!("/customers/{}/import", c.id), None),
        ("user", user_page.clone(), Some((format!("h1{}", title(&long_name)), long_name.as_str()))),
        ("credentials", credentials, Some((format!("table.credentials {}", title(&long_name)), long_name.as_str()))),
        ("updated", updated, Some((format!("table.results {}", title(&long_name)), long_name.as_str()))),
        ("restored", restored, Some((format!("table {}", title(&long_name)), long_name.as_str()))),
    ];
    for (width, height) in [(1024, 768), (390, 844)] {
        b.viewport(width, height).await;
        for lang in LANGUAGES {
            for (name, path, long) in &pages {
                b.goto(&in_lang(&app.address, path, lang)).await;
                let what = format!("{name} in {lang} at {width} px");
                if lang == "en" || lang == "ru" || *name == "users" {
                    b.screenshot(&format!("{width}-{lang}-{name}")).await;
                }
                assert_eq!(b.js("return window.innerWidth").await, json!(width), "{what}");
                assert_no_sideways_scroll(&b, &what, width == 1024).await;
                if let Some((css, full)) = long {
                    // At 390 px a table may scroll in its box, the users' name column first.
                    let on_screen = width == 1024 || *name == "users" || *name == "deleted" || *name == "user";
                    assert_long_name_held(&b, css, full, &what, on_screen).await;
                }
            }
        }
    }

    // The list cuts the name with an ellipsis, and shows it whole, wrapped in
    // place, on keyboard focus and on hover, without widening the page.
    b.viewport(1024, 768).await;
    b.goto(&in_lang(&app.address, &format!("{users}?sort=displayName"), "en")).await;
    let link = format!("table.users a[title=\"{long_name}\"]");
    let shape = format!(
        "const e = document.querySelector('{link}'); return [getComputedStyle(e).whiteSpace, e.scrollWidth > e.clientWidth, e.getBoundingClientRect().height]"
    );
    let cut = b.js(&shape).await;
    assert_eq!((&cut[0], &cut[1]), (&json!("nowrap"), &json!(true)), "cut with an ellipsis: {cut}");
    b.js(&format!("document.querySelector('{link}').focus(); return null")).await;
    let focused = b.js(&shape).await;
    assert_eq!((&focused[0], &focused[1]), (&json!("normal"), &json!(false)), "whole on focus: {focused}");
    assert!(focused[2].as_f64().unwrap() > 3.0 * cut[2].as_f64().unwrap(), "wrapped on several lines: {focused}");
    assert_no_sideways_scroll(&b, "the focused long name", true).await;
    b.screenshot("focused-long-name").await;
    b.js("document.activeElement.blur(); return null").await;
    assert_eq!(b.js(&shape).await[0], json!("nowrap"), "cut again once focus leaves");
    b.hover(&link).await;
    let hovered = b.js(&shape).await;
    assert_eq!((&hovered[0], &hovered[1]), (&json!("normal"), &json!(false)), "whole on hover: {hovered}");
    b.screenshot("hovered-long-name").await;

    // At 390 px the users table scrolls in its own box, with the actions on screen.
    b.viewport(390, 844).await;
    b.goto(&in_lang(&app.address, &users, "en")).await;
    let reachable = b
        .js("return [...document.querySelectorAll('.actions > *')].every(e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; })")
        .await;
    assert_eq!(reachable, json!(true), "every action is on screen at 390 px");
    b.js("document.querySelector('table.users').scrollIntoView(); return null").await;
    b.screenshot("390-users-table").await;
    b.close().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(120), "took {:?}", started.elapsed());
}
