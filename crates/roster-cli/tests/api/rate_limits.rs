//! The API's rate limits, on each backend: per token and per source address,
//! 429 `rate_limited` with `Retry-After` past them, a fresh allowance each minute
//! of the clock, ended windows purged, and one allowance for two servers sharing
//! the database.

use crate::*;
use roster_core::services::RateLimits;
use roster_http::{Application, ServerConfig};
use roster_testkit::{Backend, backend_available};

/// Runs `$body` with `$app` on each backend, served with `$limits`.
macro_rules! with_limits {
    ($($name:ident($app:ident, $limits:expr) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run(backend: Backend) {
                if !backend_available(backend).await {
                    return;
                }
                let config = ServerConfig { rate_limits: $limits, ..ServerConfig::default() };
                let $app = roster_testkit::spawn_app_with(backend, config).await;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await;
            }
        }
    )*};
}

async fn products(app: &TestApp, base: &str, token: &str) -> reqwest::Response {
    app.http.get(format!("{base}/api/v1/products")).bearer_auth(token).send().await.unwrap()
}

/// Checks a refusal: 429, `rate_limited`, and a `Retry-After` within the minute.
async fn assert_limited(r: reqwest::Response) -> u64 {
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited", "{body}");
    retry
}

/// A second server on the same services (so the same database) with a rate
/// limiter of its own, as another instance would have.
async fn second_server(app: &TestApp, limits: RateLimits) -> String {
    let config = ServerConfig { listen: "127.0.0.1:0".into(), rate_limits: limits, ..ServerConfig::default() };
    let server = Application::build(app.services.clone(), config).await.unwrap();
    let url = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    url
}

with_limits! {
    per_token(app, RateLimits { per_token: 5, per_address: 0 }) {
        for _ in 0..5 {
            assert_eq!(products(&app, &app.address, &app.admin_token).await.status(), StatusCode::OK);
        }
        let retry = assert_limited(products(&app, &app.address, &app.admin_token).await).await;
        // Every route is counted, a wrong one too; another token has its own allowance.
        let r = app.http.get(app.url("/api/v1/no-such-route")).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_limited(r).await;
        let other = app.agent_token("helpdesk").await;
        assert_eq!(products(&app, &app.address, &other).await.status(), StatusCode::OK);
        // The console is not the API's to limit.
        assert_eq!(app.http.get(app.url("/login")).send().await.unwrap().status(), StatusCode::OK);
        // The next minute of the clock brings a fresh allowance.
        app.clock.advance(time::Duration::seconds(i64::try_from(retry).unwrap()));
        assert_eq!(products(&app, &app.address, &app.admin_token).await.status(), StatusCode::OK);
        // Windows that ended are purged; the current one stays.
        assert!(app.raw_rate_limit_windows().await >= 2);
        app.services.purge_expired().await.unwrap();
        assert!(app.raw_rate_limit_windows().await >= 1);
        app.clock.advance(time::Duration::minutes(3));
        app.services.purge_expired().await.unwrap();
        assert_eq!(app.raw_rate_limit_windows().await, 0);
    }

    per_address(app, RateLimits { per_token: 0, per_address: 6 }) {
        // Tokens, valid or not, and no token at all: all from one address.
        let other = app.agent_token("helpdesk").await;
        for token in [&app.admin_token, &other, &"rst_not-a-token".to_owned()] {
            for _ in 0..2 {
                assert_ne!(products(&app, &app.address, token).await.status(), StatusCode::TOO_MANY_REQUESTS);
            }
        }
        assert_limited(products(&app, &app.address, &other).await).await;
        let r = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
        assert_limited(r).await;
    }

    two_servers_share_one_allowance(app, RateLimits { per_token: 10, per_address: 0 }) {
        let limits = RateLimits { per_token: 10, per_address: 0 };
        let bases = [app.address.clone(), second_server(&app, limits).await];
        let mut ok = 0;
        for i in 0..16 {
            match products(&app, &bases[i % 2], &app.admin_token).await.status() {
                StatusCode::OK => ok += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("{other}"),
            }
        }
        assert_eq!(ok, 10, "the two servers together serve the limit exactly");
    }

    two_servers_in_a_burst_never_serve_more_than_the_limit(app, RateLimits { per_token: 300, per_address: 0 }) {
        // Each server takes 3 requests (1/100 of the limit) at a time from the
        // database; 400 requests in parallel across both.
        let limits = RateLimits { per_token: 300, per_address: 0 };
        let bases = [app.address.clone(), second_server(&app, limits).await];
        let mut requests = tokio::task::JoinSet::new();
        for i in 0..400 {
            let (http, url, token) = (app.http.clone(), format!("{}/api/v1/products", bases[i % 2]), app.admin_token.clone());
            requests.spawn(async move { http.get(url).bearer_auth(token).send().await.unwrap().status() });
        }
        let statuses = requests.join_all().await;
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
        // Never more than the limit; at most a share per server short of it.
        assert!((294..=300).contains(&ok), "{ok} served");
    }
}
