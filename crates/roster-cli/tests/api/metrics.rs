//! `GET /metrics`: off without a token, refused without the right one, and with it
//! counters that move and seat gauges that match the API.

use crate::*;
use roster_http::ServerConfig;
use roster_http::metrics::MetricsToken;
use roster_testkit::Backend;
use std::collections::BTreeMap;

const TOKEN: &str = "metrics-token-for-tests";

both_backends! {
    async fn metrics_are_off_without_a_token(app) {
        let r = app.http.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

/// Every sample line as (name with labels, value); panics on a line that is not
/// `name{labels} value`.
fn samples(body: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in body.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let name_end = key.find('{').unwrap_or(key.len());
        let name = &key[..name_end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad name in {line}"
        );
        if name_end < key.len() {
            assert!(key.ends_with('}'), "bad labels in {line}");
        }
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line}"));
        out.insert(key.to_owned(), value);
    }
    out
}

/// The sum of every sample of `name` whose labels contain each of `labels`.
fn total(samples: &BTreeMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(k, _)| k.split('{').next() == Some(name) && labels.iter().all(|l| k.contains(l)))
        .map(|(_, v)| v)
        .sum()
}

async fn scrape(app: &TestApp) -> BTreeMap<String, f64> {
    let r = app.http.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/openmetrics-text; version=1.0.0"), "{kind}");
    let body = r.text().await.unwrap();
    assert!(body.ends_with("# EOF\n"), "{body}");
    samples(&body)
}

async fn metrics_need_the_token_and_count(backend: Backend) {
    if !roster_testkit::backend_available(backend).await {
        return;
    }
    let config = ServerConfig { metrics_token: MetricsToken::new(TOKEN), ..ServerConfig::default() };
    let app = roster_testkit::spawn_app_with(backend, config).await;
    for auth in [None, Some("wrong"), Some("metrics-token-for-tests-")] {
        let mut r = app.http.get(app.url("/metrics"));
        if let Some(t) = auth {
            r = r.bearer_auth(t);
        }
        assert_eq!(r.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{auth:?}");
    }
    let before = scrape(&app).await;

    app.with_catalog().await;
    let customer = app.customer().await;
    for (p, q) in [("MAIL_P1", 2), ("ARCHIVE", 5)] {
        let path = format!("/customers/{}/subscriptions", customer.id);
        app.post(&app.admin_token, &path, &json!({"productId": p, "quantity": q})).await;
    }
    let mut ids = Vec::new();
    for name in ["ann", "bob", "cy"] {
        ids.push(str_at(&app.user(&customer, name, json!({"usageLocation": "US"})).await, "/user/id").to_owned());
    }
    // Two seats of MAIL_P1 for three users: one fails.
    let r = app
        .post(
            &app.admin_token,
            &format!("/customers/{}/license-updates", customer.id),
            &json!({"userIds": ids, "assign": [{"productId": "MAIL_P1"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let refused = app.services.signin("nobody@nowhere.example", "wrong", "127.0.0.1".parse().unwrap()).await.unwrap();
    assert!(matches!(refused, roster_core::services::SigninOutcome::InvalidCredentials));

    let after = scrape(&app).await;
    let route = "route=\"/api/v1/customers/{cid}/license-updates\"";
    assert_eq!(total(&after, "roster_http_requests_total", &[route, "status=\"200\""]), 1.0, "{after:?}");
    assert_eq!(total(&after, "roster_http_request_duration_seconds_count", &[route]), 1.0);
    assert!(!after.keys().any(|k| k.contains(&customer.id)), "raw paths never label a metric");
    assert!(total(&after, "roster_http_requests_total", &["route=\"/metrics\""]) >= 1.0);
    let moved = |name: &str, labels: &[&str]| total(&after, name, labels) - total(&before, name, labels);
    assert_eq!(moved("roster_license_updates_total", &["outcome=\"ok\""]), 1.0);
    assert!(moved("roster_license_update_failures_total", &[]) >= 1.0, "{after:?}");
    assert_eq!(moved("roster_signin_failures_total", &["who=\"user\"", "reason=\"invalid_credentials\""]), 1.0);
    assert!(total(&after, "roster_db_pool_connections", &[]) >= 1.0);
    assert_eq!(total(&after, "roster_import_jobs", &["status=\"queued\""]), 0.0);

    // The seat gauges are the API's numbers.
    let list = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", customer.id)).await.body;
    for s in list.as_array().unwrap() {
        let (p, q, a) =
            (s["productId"].as_str().unwrap(), s["quantity"].as_f64().unwrap(), s["assigned"].as_f64().unwrap());
        let label = format!("product=\"{p}\"");
        assert_eq!(total(&after, "roster_seats_assigned", &[&label]), a, "{p}");
        assert_eq!(total(&after, "roster_seats_available", &[&label]), q - a, "{p}");
    }
    assert_eq!(total(&after, "roster_seats_assigned", &["product=\"MAIL_P1\""]), 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_and_count_on_sqlite() {
    metrics_need_the_token_and_count(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_and_count_on_postgres() {
    metrics_need_the_token_and_count(Backend::Postgres).await;
}
