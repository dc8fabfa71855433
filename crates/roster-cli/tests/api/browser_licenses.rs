//! Manage licenses in headless Chromium: the service plans of a mixed selection,
//! and a page that holds up with 900 selected users. Screenshots are left in the
//! test's temporary directory.

use super::*;
use crate::browser::sign_in;
use roster_testkit::browser::Browser;
use std::time::Duration;

/// Selects `ids` from the users page, as its ticks do (the page's own form and
/// CSRF token), in chunks.
async fn select(b: &Browser, app: &TestApp, c: &TestCustomer, ids: &[String]) {
    b.goto(&format!("{}/customers/{}/users", app.address, c.id)).await;
    for chunk in ids.chunks(300) {
        let list = serde_json::to_string(chunk).unwrap();
        let status = b
            .js_async(&format!(
                "const done = arguments[0]; const f = document.querySelector('form[data-selection]'); \
                 const body = new URLSearchParams(); body.append('csrf', f.querySelector('[name=csrf]').value); \
                 body.append('ajax', '1'); for (const id of {list}) {{ body.append('on_page', id); body.append('ticked', id); }} \
                 fetch(f.getAttribute('action'), {{method: 'POST', credentials: 'same-origin', body}}).then(r => done(r.status))"
            ))
            .await;
        assert_eq!(status, json!(200));
    }
}

async fn licenses_of(app: &TestApp, c: &TestCustomer, id: &str) -> Value {
    app.get(&app.admin_token, &format!("/customers/{}/users/{id}", c.id)).await.body["licenses"].clone()
}

async fn no_sideways_scroll(b: &Browser, width: u32) {
    b.client.set_window_size(width, 900).await.expect("resizing the window");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fits = b.js("return [document.documentElement.scrollWidth, window.innerWidth]").await;
    let (scroll, inner) = (fits[0].as_i64().unwrap_or(i64::MAX), fits[1].as_i64().unwrap_or(0));
    assert!(scroll <= inner, "the page scrolls sideways at {width} px: {fits}");
    let top = b
        .js("const t = document.querySelector('table.products'); return t.getBoundingClientRect().top + window.scrollY")
        .await;
    assert!(top.as_f64().unwrap_or(f64::MAX) < 900.0, "the product table starts at {top} px at {width} px");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manage_licenses_shows_and_keeps_service_plans_and_holds_up_with_900_users() {
    if !Browser::available() {
        return;
    }
    let dir = crate::browser::temp_dir("licenses");
    let app = roster_testkit::spawn_app(roster_testkit::Backend::Sqlite).await;
    let c = crate::browser::catalog_and_customer_with(&app, [100, 100], 0).await;
    // A mixed selection: Alice holds A1 with Chat off, Bob holds A1 with every
    // plan on, Carol does not hold A1.
    let mut mixed = vec![];
    for (name, display, licenses) in [
        ("alice", "Alice A", json!([{"productId": "A1", "disabledServicePlans": ["CHAT"]}])),
        ("bob", "Bob B", json!([{"productId": "A1"}])),
        ("carol", "Carol C", json!([])),
    ] {
        let extra = json!({"displayName": display, "usageLocation": "US", "licenses": licenses});
        mixed.push(str_at(&app.user(&c, name, extra).await, "/user/id").to_owned());
    }
    let b = Browser::start(&dir).await;
    sign_in(&b, &app).await;
    select(&b, &app, &c, &mixed).await;
    b.goto(&format!("{}/customers/{}/licenses", app.address, c.id)).await;
    assert_eq!(b.text("h1").await, "Assign and revoke licenses");
    b.js("document.querySelectorAll('details.plans').forEach(d => { d.open = true; })").await;
    let state = |id: &str| {
        format!(
            "const b = document.getElementById('tri-{id}'); return [b.checked, b.indeterminate, document.getElementById('{}').value]",
            if id.contains('-') { format!("plan-{id}") } else { format!("op-{id}") }
        )
    };
    assert_eq!(b.js(&state("A1")).await, json!([false, true, "keep"]), "two of three hold A1");
    assert_eq!(b.js(&state("A1-MAIL")).await, json!([true, false, "MAIL:keep"]), "Mail is on for both holders");
    assert_eq!(b.js(&state("A1-CHAT")).await, json!([false, true, "CHAT:keep"]), "Chat is mixed");
    // The holders tooltip scrolls rather than growing without end.
    let tip =
        b.js("const s = getComputedStyle(document.getElementById('tip-A1')); return [s.overflowY, s.maxHeight]").await;
    assert_eq!(tip[0], "auto", "{tip}");
    assert_ne!(tip[1], "none", "{tip}");
    // The admin turns Mail off, and touches nothing else.
    b.click("#tri-A1-MAIL").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.js(&state("A1-MAIL")).await, json!([false, false, "MAIL:off"]));
    b.screenshot("01-mixed-plans").await;
    b.submit("button[name=save]").await;
    assert_eq!(b.text("h1").await, "Licenses updated", "{}", b.page_text().await);
    let results = b.text("table.results").await;
    assert_eq!(b.js("return document.querySelectorAll('tr.status-succeeded').length").await, json!(2), "{results}");
    assert_eq!(b.js("return document.querySelectorAll('tr.status-unchanged').length").await, json!(1), "{results}");
    assert_eq!(results.matches("Service plans changed: Office A").count(), 2, "products by name: {results}");
    assert!(!results.contains("Already as asked"), "Carol was asked nothing: {results}");
    b.screenshot("02-plans-updated").await;
    assert_eq!(
        licenses_of(&app, &c, &mixed[0]).await,
        json!([{"productId": "A1", "disabledServicePlans": ["CHAT", "MAIL"]}])
    );
    assert_eq!(licenses_of(&app, &c, &mixed[1]).await, json!([{"productId": "A1", "disabledServicePlans": ["MAIL"]}]));
    assert_eq!(licenses_of(&app, &c, &mixed[2]).await, json!([]), "Carol did not get A1");

    // 900 selected users, two of them with the same display name.
    app.with_users(&c, 900, |i| match i {
        0 => ("same1".into(), "Sam Same".into()),
        1 => ("same2".into(), "Sam Same".into()),
        _ => (format!("p{i:03}"), format!("Person {i:03}")),
    })
    .await;
    let users = format!("/customers/{}/users", c.id);
    let mut ids = std::collections::BTreeSet::new();
    for sort in ["userPrincipalName", "-userPrincipalName"] {
        let page = app.get(&app.admin_token, &format!("{users}?limit=500&sort={sort}")).await;
        for u in page.body["items"].as_array().cloned().unwrap_or_default() {
            if !mixed.iter().any(|m| u["id"] == m.as_str()) {
                ids.insert(u["id"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    assert_eq!(ids.len(), 900);
    b.goto(&format!("{}{users}", app.address)).await;
    b.submit("button[name=action][value=clear]").await;
    select(&b, &app, &c, &ids.into_iter().collect::<Vec<_>>()).await;
    // The chips follow the list's sort: descending by display name here.
    b.goto(&format!("{}{users}?sort=-displayName", app.address)).await;
    b.submit("button[name=action][value=licenses]").await;
    assert_eq!(b.text("h1").await, "Assign and revoke licenses", "{}", b.page_text().await);
    let chips = b
        .js("return Array.from(document.querySelectorAll('.selected-chips > ul.chips > li')).map(e => e.textContent)")
        .await;
    let chips: Vec<String> =
        chips.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default();
    assert_eq!(chips.len(), 20, "{chips:?}");
    assert_eq!(chips[0], format!("Sam Same (same2@{})", c.domain), "{chips:?}");
    assert_eq!(chips[1], format!("Sam Same (same1@{})", c.domain), "{chips:?}");
    assert_eq!(chips[2], "Person 899", "{chips:?}");
    assert_eq!(b.text(".more-chips summary").await, "+880 more");
    for width in [1024, 390] {
        no_sideways_scroll(&b, width).await;
        b.screenshot(&format!("03-900-chips-{width}")).await;
    }
    b.close().await;
}
