//! The import worker: a `roster serve` process killed in the middle of an import
//! (another one, started on the same database, finishes the job, and every row
//! exists exactly once), batches that share a transaction, and a queued job
//! waking the worker.

use crate::two_servers::serve_with;
use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::sync::Arc;

const ROWS: usize = 20_000;

async fn killed_mid_import_then_resumed(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let ImportSetup { services, agent, customer, fixture } =
        import_setup(backend, Policy::default(), "restart.example").await;
    let database_url = fixture.database_url();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
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
        .unwrap()
        .json()
        .await
        .expect("the started job as JSON");
    let job = str_at(&started, "/id").to_owned();
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
            first.child.kill().unwrap();
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
    let listed = services.customer(&agent, customer.id).await.unwrap();
    assert_eq!(listed.active_users, ROWS as i64);
    let query = roster_core::services::UserListParams { search: Some("user1999".into()), ..Default::default() };
    let query = query.parse().unwrap();
    let page = services.list_users(&agent, customer.id, &query).await.unwrap();
    // user1999 and user19990..user19999: each once.
    assert_eq!(page.total_count, 11);
    // Passwords made before the kill open after it: the key comes from the configuration.
    let credentials: Value = http
        .post(format!("{}/{job}/credentials", imports(&second.url)))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("the credentials as JSON");
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

/// Services on a fresh store, with an admin agent and a customer owning a domain.
struct ImportSetup {
    services: Arc<Services>,
    agent: roster_core::model::Agent,
    customer: roster_core::model::Customer,
    fixture: roster_testkit::Fixture,
}

async fn import_setup(backend: Backend, policy: Policy, domain: &str) -> ImportSetup {
    let (store, fixture) = fresh_store(backend).await;
    let services = Arc::new(Services::new(store, Arc::new(SystemClock), policy));
    let partner = services.create_partner(domain).await.unwrap();
    let (agent, _) = services.create_agent(partner.id, &format!("admin@{domain}"), "admin").await.unwrap();
    let customer = services.create_customer(&agent, domain, &[domain.to_owned()], "US").await.unwrap();
    ImportSetup { services, agent, customer, fixture }
}

/// A worker that prepares a few rows at a time and writes several batches to a
/// transaction: every row ends once, a row whose username was taken after the
/// check fails alone, and the counters agree with the rows.
async fn batches_sharing_transactions(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let policy = Policy { import_batch: 3, import_transaction_rows: 7, ..Policy::default() };
    let ImportSetup { services, agent, customer, fixture: _fixture } =
        import_setup(backend, policy, "batches.example").await;
    let mut file = String::from("Display name,Username\n");
    for i in 0..20 {
        file.push_str(&format!("User {i},user{i}\n"));
    }
    let job = services.start_import(&agent, customer.id, file.as_bytes(), None, &[]).await.unwrap();
    // Taken between the check and the worker: the row in the fifth batch fails.
    let input = roster_core::services::NewUserInput {
        user_name: "user13".into(),
        domain: Some("batches.example".into()),
        display_name: "Already here".into(),
        ..Default::default()
    };
    services.create_user(&agent, customer.id, &input).await.unwrap();

    assert!(services.run_next_import().await.unwrap(), "the job was not run");
    let (job, rows) = services.import_job_results(&agent, customer.id, job.id).await.unwrap();
    assert_eq!(job.status, roster_core::model::ImportStatus::Succeeded);
    assert_eq!((job.processed, job.created, job.failed), (20, 19, 1));
    let failed: Vec<(i64, &str)> = rows
        .iter()
        .filter(|r| r.status == roster_core::model::ImportRowStatus::Failed)
        .map(|r| (r.row, r.errors[0].code.as_str()))
        .collect();
    // Row 15 of the file: the header is row 1.
    assert_eq!(failed, [(15, "username_taken")]);
    let mut ids: Vec<_> = rows.iter().filter_map(|r| r.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 19, "each created row made its own user");
    let listed = services.customer(&agent, customer.id).await.unwrap();
    assert_eq!(listed.active_users, 20);
    assert!(!services.run_next_import().await.unwrap(), "a finished job ran again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_written_several_batches_to_a_transaction_on_sqlite_ends_each_row_once() {
    batches_sharing_transactions(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_written_several_batches_to_a_transaction_on_postgresql_ends_each_row_once() {
    batches_sharing_transactions(Backend::Postgres).await;
}

/// A job queued on an instance starts there at once, not at the worker's next poll.
async fn queued_import_wakes_the_worker(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let ImportSetup { services, agent, customer, fixture: _fixture } =
        import_setup(backend, Policy::default(), "wake.example").await;
    let worker = roster_http::spawn_import_worker(services.clone(), std::time::Duration::from_secs(3600));
    // Its first look finds nothing; the next poll would be an hour away.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let file = "Display name,Username\nFirst,first\nSecond,second\n";
    let job = services.start_import(&agent, customer.id, file.as_bytes(), None, &[]).await.unwrap();
    let mut status = job.status;
    for _ in 0..400 {
        status = services.import_job(&agent, customer.id, job.id).await.unwrap().status;
        if status == roster_core::model::ImportStatus::Succeeded {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    worker.abort();
    assert_eq!(status, roster_core::model::ImportStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_import_starts_at_once_on_sqlite() {
    queued_import_wakes_the_worker(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_import_starts_at_once_on_postgresql() {
    queued_import_wakes_the_worker(Backend::Postgres).await;
}
