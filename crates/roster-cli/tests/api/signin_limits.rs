//! The sign-in limits under a burst: parallel wrong passwords get no more checks
//! than the limit, on one server or two, for agents and customer users alike; and
//! an account's owner signing in from another address is not locked out.

use crate::two_servers::serve;
use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

const BURST: usize = 40;
const LIMIT: usize = 5;

/// A client whose connections come from `source` (any 127.x.y.z reaches the
/// server on loopback).
fn client_from(source: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(source))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Fills in a sign-in form as a browser does: GET the page for its CSRF cookie and
/// field, then POST the fields. The answer's status.
async fn sign_in(client: &reqwest::Client, base: &str, page: &str, fields: &[(&str, &str)]) -> StatusCode {
    let form = client.get(format!("{base}{page}")).send().await.unwrap();
    let cookies: Vec<String> = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let html = form.text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a csrf field");
    let mut body: Vec<(&str, &str)> = fields.to_vec();
    body.push(("csrf", csrf));
    let answer = client.post(format!("{base}{page}")).header("cookie", cookies.join("; ")).form(&body).send().await;
    answer.unwrap().status()
}

/// Sends `BURST` wrong passwords at once, spread over `servers`; the statuses.
async fn burst(servers: &[String], page: &'static str, name_field: &'static str, account: &str) -> Vec<StatusCode> {
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..BURST {
        let (base, account) = (servers[i % servers.len()].clone(), account.to_owned());
        attempts.spawn(async move {
            let client = client_from(Ipv4Addr::LOCALHOST);
            sign_in(&client, &base, page, &[(name_field, account.as_str()), ("password", "a wrong password")]).await
        });
    }
    attempts.join_all().await
}

/// At most `LIMIT` passwords were checked (401); the rest were refused unchecked
/// (429). Attempts are recorded before they are counted, so when all of them are
/// recorded before any is counted, none is checked: the limit bounds the checks
/// from above only.
fn assert_limited(statuses: &[StatusCode]) {
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= LIMIT, "{checked} of {BURST} wrong passwords were checked: {statuses:?}");
    assert_eq!(checked + limited, BURST, "{statuses:?}");
}

both_backends! {
    async fn a_burst_of_wrong_passwords_for_a_user_gets_no_more_checks_than_the_limit(app) {
        let c = app.customer().await;
        let created = app.user(&c, "burst", json!({})).await;
        let upn = str_at(&created, "/user/userPrincipalName").to_owned();
        assert_limited(&burst(std::slice::from_ref(&app.address), "/signin", "user_name", &upn).await);

        // The same address stays locked out, even with the right password…
        let temporary = str_at(&created, "/temporaryPassword");
        let fields = [("user_name", upn.as_str()), ("password", temporary)];
        let here = client_from(Ipv4Addr::LOCALHOST);
        assert_eq!(sign_in(&here, &app.address, "/signin", &fields).await, StatusCode::TOO_MANY_REQUESTS);
        // …but the owner, somewhere else, signs in.
        let elsewhere = client_from(Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(sign_in(&elsewhere, &app.address, "/signin", &fields).await, StatusCode::SEE_OTHER);
    }

    async fn a_burst_of_wrong_passwords_for_an_agent_gets_no_more_checks_than_the_limit(app) {
        assert_limited(&burst(std::slice::from_ref(&app.address), "/login", "email", &app.admin_email).await);
        let fields = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
        let here = client_from(Ipv4Addr::LOCALHOST);
        assert_eq!(sign_in(&here, &app.address, "/login", &fields).await, StatusCode::TOO_MANY_REQUESTS);
        let elsewhere = client_from(Ipv4Addr::new(127, 0, 0, 3));
        assert_eq!(sign_in(&elsewhere, &app.address, "/login", &fields).await, StatusCode::SEE_OTHER);
    }

    async fn one_address_cannot_try_passwords_across_many_accounts(app) {
        // Each account is tried once; the address as a whole has 50 attempts.
        let client = client_from(Ipv4Addr::new(127, 0, 0, 4));
        for i in 0..50 {
            let account = format!("nobody{i}@nowhere.example");
            let status = sign_in(&client, &app.address, "/login", &[("email", &account), ("password", "guess")]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let fields = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
        assert_eq!(sign_in(&client, &app.address, "/login", &fields).await, StatusCode::TOO_MANY_REQUESTS);
        // Other addresses are not affected.
        assert_eq!(sign_in(&client_from(Ipv4Addr::LOCALHOST), &app.address, "/login", &fields).await, StatusCode::SEE_OTHER);
    }

    async fn a_correct_password_does_not_count_as_a_failure(app) {
        let fields = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
        let client = client_from(Ipv4Addr::LOCALHOST);
        for _ in 0..(LIMIT + 3) {
            assert_eq!(sign_in(&client, &app.address, "/login", &fields).await, StatusCode::SEE_OTHER);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_split_between_two_servers_gets_no_more_checks_than_the_limit() {
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (store, fixture) = fresh_store(Backend::Postgres).await;
    let services = Services::new(store, Arc::new(SystemClock), Policy::default());
    let partner = services.create_partner("Burst partner").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "burst@partner.example", "admin").await.unwrap();
    let database_url = fixture.database_url();
    let servers = [serve(&database_url), serve(&database_url)];
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    assert_limited(&burst(&urls, "/login", "email", &agent.email).await);
}
