//! SIGTERM: `roster serve` stops accepting, lets the request in flight finish,
//! has the import worker commit its transaction and release its lease, and exits
//! 0; another instance then takes the job at once (its lease would have held it
//! for a minute) and creates every row exactly once.

use crate::two_servers::serve_with;
use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROWS: usize = 30_000;

fn users_file(prefix: &str, rows: usize) -> String {
    let mut file = String::from("Display name,Username,Usage location\n");
    for i in 0..rows {
        file.push_str(&format!("User {i},{prefix}{i},US\n"));
    }
    file
}

async fn sigterm_drains_and_releases(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (store, fixture) = fresh_store(backend).await;
    let services = Arc::new(Services::new(store, Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("shutdown.example").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "admin@shutdown.example", "admin").await.unwrap();
    let customer = services.create_customer(&agent, "Shutdown", &["shutdown.example".to_owned()], "US").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    let key = roster_core::secrets::CredentialsKey::generate().to_base64();
    // A lease far longer than the test: only a release lets another instance in.
    let env = [("ROSTER_CREDENTIALS_KEY", key.as_str()), ("ROSTER_IMPORT_LEASE_SECS", "600")];
    let database_url = fixture.database_url();
    let http = reqwest::Client::new();
    let imports = |server: &str| format!("{server}/api/v1/customers/{}/imports", customer.id);
    let start = |server: String, file: String| {
        let (http, token, url) = (http.clone(), token.expose().to_owned(), imports(&server));
        async move {
            let r = http.post(url).bearer_auth(token).header("content-type", "text/csv").body(file).send().await;
            let r = r.expect("the import request");
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or_default(), Instant::now())
        }
    };
    let status = |server: String, job: String| {
        let (http, token, url) = (http.clone(), token.expose().to_owned(), imports(&server));
        async move {
            match http.get(format!("{url}/{job}")).bearer_auth(token).send().await {
                Ok(r) => r.json::<Value>().await.unwrap_or_default(),
                Err(_) => Value::Null,
            }
        }
    };

    let mut first = serve_with(&database_url, &env);
    let (started, body, _) = start(first.url.clone(), users_file("user", ROWS)).await;
    assert!(started.is_success(), "{body}");
    let job = str_at(&body, "/id").to_owned();
    while status(first.url.clone(), job.clone()).await["processed"].as_u64().unwrap_or(0) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A slow request in flight (a file of 30,000 rows to check) when the signal comes.
    let in_flight = tokio::spawn(start(first.url.clone(), users_file("late", ROWS)));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill").args(["-TERM", &first.child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let exit = loop {
        if let Some(exit) = first.child.try_wait().unwrap() {
            break exit;
        }
        assert!(signalled.elapsed() < Duration::from_secs(60), "roster serve did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    let (late_status, late_body, answered) = in_flight.await.unwrap();
    assert!(late_status.is_success(), "the request in flight was answered: {late_status} {late_body}");
    assert!(answered > signalled, "the request was still in flight at the signal; it proves nothing");
    let late_job = str_at(&late_body, "/id").to_owned();

    let (state, leased) = fixture.import_job_lease(job.parse().unwrap()).await;
    assert_eq!((state.as_str(), leased), ("running", false), "the stopped worker released its lease");

    // Another instance takes both jobs at once, long before the lease would end.
    let second = serve_with(&database_url, &env);
    let taken = Instant::now();
    for job in [&job, &late_job] {
        let done = loop {
            let s = status(second.url.clone(), job.clone()).await;
            if s["status"] == "succeeded" {
                break s;
            }
            assert!(taken.elapsed() < Duration::from_secs(240), "the job was not taken over: {s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            (done["processed"].as_u64(), done["created"].as_u64(), done["failed"].as_u64()),
            (Some(ROWS as u64), Some(ROWS as u64), Some(0))
        );
    }
    let listed = services.customer(&agent, customer.id).await.unwrap();
    assert_eq!(listed.active_users, 2 * ROWS as i64, "every row once");
    let query = roster_core::services::UserListParams { search: Some("user2999".into()), ..Default::default() };
    let page = services.list_users(&agent, customer.id, &query.parse().unwrap()).await.unwrap();
    // user2999 and user29990..user29999: each once.
    assert_eq!(page.total_count, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_on_sqlite_finishes_requests_releases_the_import_and_exits_0() {
    sigterm_drains_and_releases(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_on_postgresql_finishes_requests_releases_the_import_and_exits_0() {
    sigterm_drains_and_releases(Backend::Postgres).await;
}
