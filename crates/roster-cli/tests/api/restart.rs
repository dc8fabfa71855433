//! A `roster serve` process killed in the middle of an import: another one, started
//! on the same database, finishes the job, and every row exists exactly once.

use crate::two_servers::serve_with;
use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, fresh_store};
use std::sync::Arc;

const ROWS: usize = 20_000;

async fn killed_mid_import_then_resumed(backend: Backend) {
    let Some((store, fixture)) = fresh_store(backend).await else { return };
    let database_url = fixture.database_url();
    let services = Services::new(store, Arc::new(SystemClock), Policy::default());
    let partner = services.create_partner("Restart").await.unwrap_or_else(|e| panic!("{e}"));
    let (agent, _) =
        services.create_agent(partner.id, "kill@restart.example", "admin").await.unwrap_or_else(|e| panic!("{e}"));
    let (_, token) = services.create_token(&agent.email).await.unwrap_or_else(|e| panic!("{e}"));
    let customer = services
        .create_customer(&agent, "Restart Co", &["restart.example".into()], "US")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut file = String::from("Display name,Username,Usage location\n");
    for i in 0..ROWS {
        file.push_str(&format!("User {i},user{i},US\n"));
    }
    let key = roster_core::secrets::CredentialsKey::generate().to_base64();
    let env = [("ROSTER_CREDENTIALS_KEY", key.as_str()), ("ROSTER_IMPORT_LEASE_SECS", "1")];
    let http = reqwest::Client::new();
    let imports = |server: &str| format!("{server}/api/v1/customers/{}/imports", customer.id);

    let mut first = serve_with(&database_url, &env);
    let started: Value = http
        .post(imports(&first.url))
        .bearer_auth(token.expose())
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let job = started["id"].as_str().unwrap_or_default().to_owned();
    let status = |server: String, results: bool| {
        let (http, token, job, imports) = (http.clone(), token.expose().to_owned(), job.clone(), imports(&server));
        async move {
            let r = http.get(format!("{imports}/{job}?results={results}")).bearer_auth(token).send().await;
            match r {
                Ok(r) => r.json::<Value>().await.unwrap_or_default(),
                Err(_) => Value::Null,
            }
        }
    };
    // Kill it once some rows, but not all, are in.
    let processed_at_kill = loop {
        let s = status(first.url.clone(), false).await;
        let processed = s["processed"].as_u64().unwrap_or(0);
        if processed > 0 {
            first.child.kill().unwrap_or_else(|e| panic!("{e}"));
            let _ = first.child.wait();
            break processed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    };
    assert!(processed_at_kill < ROWS as u64, "the import ended before the kill; it proves nothing");

    let second = serve_with(&database_url, &env);
    let done = loop {
        let s = status(second.url.clone(), false).await;
        if s["status"] == "succeeded" {
            break status(second.url.clone(), true).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        (done["processed"].as_u64(), done["created"].as_u64(), done["failed"].as_u64()),
        (Some(ROWS as u64), Some(ROWS as u64), Some(0))
    );
    let results = done["results"].as_array().cloned().unwrap_or_default();
    let mut users: Vec<&str> = results.iter().filter_map(|r| r["user"]["id"].as_str()).collect();
    users.sort_unstable();
    users.dedup();
    assert_eq!(users.len(), ROWS, "each row made its own user");
    // The database agrees: every username once, and the counter matches.
    let listed = services.customer(&agent, customer.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.active_users, ROWS as i64);
    let query = roster_core::service::UserListParams { search: Some("user1999".into()), ..Default::default() };
    let query = query.parse().unwrap_or_else(|e| panic!("{e}"));
    let page = services.list_users(&agent, customer.id, &query).await.unwrap_or_else(|e| panic!("{e}"));
    // user1999 and user19990..user19999: each once.
    assert_eq!(page.total_count, 11);
    // Passwords made before the kill open after it: the key comes from the configuration.
    let credentials: Value = http
        .post(format!("{}/{job}/credentials", imports(&second.url)))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(credentials["credentials"].as_array().map(Vec::len), Some(ROWS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_midway_on_sqlite_resumes_and_creates_each_row_once() {
    killed_mid_import_then_resumed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_midway_on_postgresql_resumes_and_creates_each_row_once() {
    killed_mid_import_then_resumed(Backend::Postgres).await;
}
