//! Test support: `spawn_app` on port 0 with a fresh database per test, on either
//! backend; typed request helpers; log capture; and the store conformance suite.
//!
//! PostgreSQL comes from `ROSTER_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema.
//!
//! A test fails loudly or runs: every step of the setup panics with its cause.
//! The one exception is a PostgreSQL that does not answer outside CI, where
//! `backend_available` prints a note and the test returns early; under `CI=true`
//! that too is a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed setup step must panic with its cause, so the test fails instead of passing unchecked"
)]

pub mod browser;
pub mod bulk;
pub mod catalog;
pub mod conformance;
pub mod logs;
pub mod outages;
pub mod xlsx;

use reqwest::StatusCode;
use roster_core::{Policy, Services, Store, TestClock};
use roster_http::{Application, ServerConfig};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use time::macros::datetime;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both_backends! { async fn name(app) { … } }`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $app = $crate::spawn_app($crate::Backend::Sqlite).await;
                    $body
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if !$crate::backend_available($crate::Backend::Postgres).await {
                        return;
                    }
                    let $app = $crate::spawn_app($crate::Backend::Postgres).await;
                    $body
                }
            }
        )*
    };
}

pub fn pg_base_url() -> String {
    std::env::var("ROSTER_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether something a test needs is here. When it is not: under `CI=true` this
/// panics; elsewhere it prints a note (to stderr itself, past the test harness's
/// capture, so a skip is seen) and the test returns early. `missing` says what is
/// not here, `remedy` how to get it.
pub(crate) fn present_or_skip(present: bool, missing: &str, remedy: &str) -> bool {
    if !present {
        assert!(!in_ci(), "CI=true and {missing}; {remedy}");
        let _ = writeln!(
            std::io::stderr(),
            "note: {missing}; tests that need it return early without checking anything ({remedy})"
        );
    }
    present
}

/// Whether tests on `backend` can run here. SQLite always can. PostgreSQL can
/// when its server answers; a server that cannot be reached is the only thing
/// that may skip a test (see `present_or_skip`). Once it has answered, anything
/// that goes wrong is the test's failure. Asked once per test binary.
pub async fn backend_available(backend: Backend) -> bool {
    static POSTGRES: tokio::sync::OnceCell<bool> = tokio::sync::OnceCell::const_new();
    match backend {
        Backend::Sqlite => true,
        Backend::Postgres => *POSTGRES.get_or_init(postgres_answers).await,
    }
}

async fn postgres_answers() -> bool {
    let base = pg_base_url();
    let options = PgConnectOptions::from_str(&base).unwrap_or_else(|e| panic!("ROSTER_TEST_PG_URL {base}: {e}"));
    let unreachable = match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&options)).await {
        Err(_) => Some("no answer within 5 s".to_owned()),
        Ok(Err(sqlx::Error::Io(e))) => Some(e.to_string()),
        Ok(Err(e)) => panic!("PostgreSQL at {base} answered but refused a connection: {e}"),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            None
        }
    };
    match unreachable {
        None => true,
        Some(cause) => present_or_skip(
            false,
            &format!("PostgreSQL at {base} cannot be reached ({cause})"),
            "set ROSTER_TEST_PG_URL, or run scripts/test, which starts a server when none answers",
        ),
    }
}

/// A fresh, migrated store. Panics with the cause when any step fails; ask
/// `backend_available` first.
pub async fn fresh_store(backend: Backend) -> (Arc<dyn Store>, Fixture) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("roster-test-{}", Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
            let url = format!("sqlite://{}?mode=rwc", dir.join("roster.db").display());
            // From here on the fixture removes the directory, whatever fails.
            let fixture = Fixture::Sqlite { dir, url };
            let store = roster_sqlite::SqliteStore::connect(fixture.database_url().as_str())
                .await
                .unwrap_or_else(|e| panic!("opening SQLite database {}: {e:?}", fixture.database_url()));
            store
                .migrate()
                .await
                .unwrap_or_else(|e| panic!("migrating SQLite database {}: {e:?}", fixture.database_url()));
            (Arc::new(store), fixture)
        }
        Backend::Postgres => {
            let base = pg_base_url();
            let schema = format!("t_{}", Uuid::now_v7().simple());
            let options =
                PgConnectOptions::from_str(&base).unwrap_or_else(|e| panic!("ROSTER_TEST_PG_URL {base}: {e}"));
            let mut admin = PgConnection::connect_with(&options)
                .await
                .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {base}: {e:?}"));
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("creating PostgreSQL schema {schema}: {e:?}"));
            let _ = admin.close().await;
            let store = roster_postgres::PgStore::connect_with(options.options([("search_path", schema.as_str())]), 8)
                .await
                .unwrap_or_else(|e| panic!("connecting to PostgreSQL schema {schema}: {e:?}"));
            store.migrate().await.unwrap_or_else(|e| panic!("migrating PostgreSQL schema {schema}: {e:?}"));
            (Arc::new(store), Fixture::Postgres { schema })
        }
    }
}

/// A test's database; a SQLite one's directory is removed on drop.
#[derive(Debug)]
pub enum Fixture {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        schema: String,
    },
    /// A database of the test's own making at `url` (a private cluster, a file
    /// on a tmpfs), which the test removes itself.
    At {
        url: String,
    },
}

impl Fixture {
    /// The URL a `roster serve` process would open for this database.
    pub fn database_url(&self) -> String {
        match self {
            Fixture::Sqlite { url, .. } => url.clone(),
            Fixture::Postgres { schema } => {
                let base = pg_base_url();
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options[search_path]={schema}")
            }
            Fixture::At { url } => url.clone(),
        }
    }
}

impl Fixture {
    /// A second connection to this test's database, for fixtures.
    pub(crate) async fn raw_db(&self) -> RawDb {
        match self {
            Fixture::Sqlite { url, .. } => {
                RawDb::Sqlite(sqlx::SqlitePool::connect(url).await.expect("a second connection to SQLite"))
            }
            Fixture::Postgres { schema } => {
                let options = PgConnectOptions::from_str(&pg_base_url()).expect("ROSTER_TEST_PG_URL");
                let options = options.options([("search_path", schema.as_str())]);
                RawDb::Postgres(sqlx::PgPool::connect_with(options).await.expect("a second connection to PostgreSQL"))
            }
            Fixture::At { url } if url.starts_with("sqlite:") => {
                RawDb::Sqlite(sqlx::SqlitePool::connect(url).await.expect("a second connection to SQLite"))
            }
            Fixture::At { url } => {
                RawDb::Postgres(sqlx::PgPool::connect(url).await.expect("a second connection to PostgreSQL"))
            }
        }
    }
}

impl Fixture {
    /// Records a migration this binary does not know as applied, as a newer
    /// Roster would have left the database.
    pub async fn add_future_migration(&self, version: i64) {
        let sql = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                   VALUES ($1, 'from a newer roster', $2, $3, 0)";
        let done = match self.raw_db().await {
            RawDb::Sqlite(pool) => {
                sqlx::query(sql).bind(version).bind(true).bind(vec![0u8]).execute(&pool).await.map(drop)
            }
            RawDb::Postgres(pool) => {
                sqlx::query(sql).bind(version).bind(true).bind(vec![0u8]).execute(&pool).await.map(drop)
            }
        };
        done.expect("recording a migration from the future");
    }
}

impl Fixture {
    /// An import job's status as stored, and whether a worker holds its lease.
    pub async fn import_job_lease(&self, job_id: Uuid) -> (String, bool) {
        let sql = "SELECT status, lease_until IS NOT NULL FROM import_jobs WHERE id = $1";
        let row = match self.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_as(sql).bind(job_id).fetch_one(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_as(sql).bind(job_id).fetch_one(&pool).await,
        };
        row.expect("reading an import job's lease")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Fixture::Sqlite { dir, .. } = self {
            let _ = std::fs::remove_dir_all(dir);
        }
        // PostgreSQL schemas are dropped by scripts/test before each run: dropping
        // one here would need a runtime inside Drop.
    }
}

pub(crate) enum RawDb {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

pub const EPOCH: time::OffsetDateTime = datetime!(2026-01-05 10:00:00 UTC);

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub services: Arc<Services>,
    pub clock: Arc<TestClock>,
    pub partner_id: Uuid,
    /// The partner's admin agent's API token.
    pub admin_token: String,
    /// The admin agent's console sign-in.
    pub admin_email: String,
    pub admin_password: String,
    pub fixture: Fixture,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, ServerConfig::default()).await
}

/// Like `spawn_app`, with a server configuration of the test's own (its `listen`
/// is replaced by port 0).
pub async fn spawn_app_with(backend: Backend, config: ServerConfig) -> TestApp {
    logs::init();
    let (store, fixture) = fresh_store(backend).await;
    let clock = Arc::new(TestClock::new(EPOCH));
    let services = Arc::new(Services::new(store, clock.clone(), Policy::default()));
    let app = Application::build(services.clone(), ServerConfig { listen: "127.0.0.1:0".into(), ..config })
        .await
        .expect("starting the server on a free port");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    roster_http::spawn_import_worker(services.clone(), std::time::Duration::from_millis(25));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
    let partner = services.create_partner("Partner A").await.expect("creating the test partner");
    let email = format!("admin-{}@partner-a.example", Uuid::now_v7().simple());
    let (agent, password) = services.create_agent(partner.id, &email, "admin").await.expect("creating its admin agent");
    let (_, token) = services.create_token(&agent.email).await.expect("creating the admin's API token");
    TestApp {
        address,
        http,
        services,
        clock,
        partner_id: partner.id,
        admin_token: token.expose().to_owned(),
        admin_email: agent.email,
        admin_password: password.expose().to_owned(),
        fixture,
    }
}

/// A customer created over the API by `TestApp::customer`.
#[derive(Debug, Clone)]
pub struct TestCustomer {
    pub id: String,
    /// Its one domain, unique to the test.
    pub domain: String,
}

/// The string at `pointer` (such as `/user/id`) in a JSON body, which the test
/// relies on being there; panics showing the body when it is not.
pub fn str_at<'a>(body: &'a Value, pointer: &str) -> &'a str {
    body.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no string at {pointer} in {body}"))
}

/// Sends a request and reads its answer as JSON, or as a string when it is not JSON.
async fn reply(req: reqwest::RequestBuilder, path: &str) -> Reply {
    let resp = req.send().await.unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_else(|e| panic!("reading the answer from {path}: {e}"));
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Reply { status, body }
}

/// A response's status and JSON body (`Null` when there is none).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn send(&self, method: reqwest::Method, token: &str, path: &str, body: Option<&Value>) -> Reply {
        let mut req = self.http.request(method, self.url(&format!("/api/v1{path}"))).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        reply(req, path).await
    }

    /// POSTs raw bytes with a content type, as a file upload from a script does.
    pub async fn upload(&self, token: &str, path: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        let req = self
            .http
            .post(self.url(&format!("/api/v1{path}")))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes);
        reply(req, path).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send(reqwest::Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.send(reqwest::Method::POST, token, path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.send(reqwest::Method::PATCH, token, path, Some(body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, token, path, None).await
    }

    /// A token for a new agent of this partner with `role`.
    pub async fn agent_token(&self, role: &str) -> String {
        self.token_for(self.partner_id, role).await
    }

    async fn token_for(&self, partner_id: Uuid, role: &str) -> String {
        let email = format!("{role}-{}@agents.example", Uuid::now_v7().simple());
        let (agent, _) = self.services.create_agent(partner_id, &email, role).await.expect("creating an agent");
        let (_, token) = self.services.create_token(&agent.email).await.expect("creating its API token");
        token.expose().to_owned()
    }

    /// The admin token of a second partner.
    pub async fn other_partner_token(&self) -> String {
        let partner = self.services.create_partner("Partner B").await.expect("creating a second partner");
        self.token_for(partner.id, "admin").await
    }

    /// A customer with a unique domain.
    pub async fn customer(&self) -> TestCustomer {
        let domain = format!("c{}.example", Uuid::now_v7().simple());
        let r = self
            .post(
                &self.admin_token,
                "/customers",
                &json!({"companyName": "Contoso Ltd", "domains": [domain], "country": "US"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_str().expect("a created customer has an id").to_owned();
        TestCustomer { id, domain }
    }

    /// Creates a user over the API; returns the `{user, temporaryPassword}` body.
    pub async fn user(&self, customer: &TestCustomer, user_name: &str, extra: Value) -> Value {
        let mut body = json!({"userName": user_name, "domain": customer.domain, "displayName": user_name});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self.post(&self.admin_token, &format!("/customers/{}/users", customer.id), &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// Seeds `n` users through the service layer in batches: fast setup for paging.
    pub async fn with_users(&self, customer: &TestCustomer, n: usize, name_of: impl Fn(usize) -> (String, String)) {
        let agent = self
            .services
            .authenticate_token(&self.admin_token)
            .await
            .expect("reading the admin token")
            .expect("the admin token signs in");
        let customer_id = customer.id.parse().expect("a customer id is a UUID");
        let customer = self.services.customer(&agent, customer_id).await.expect("reading the customer");
        let inputs: Vec<_> = (0..n)
            .map(|i| {
                let (user_name, display_name) = name_of(i);
                roster_core::services::NewUserInput {
                    user_name,
                    domain: Some(customer.domains[0].clone()),
                    display_name,
                    ..Default::default()
                }
            })
            .collect();
        for chunk in inputs.chunks(1000) {
            for r in self.services.create_users(&agent, customer.id, chunk).await.expect("seeding users") {
                r.expect("seeding a user");
            }
        }
    }
}

impl TestApp {
    /// Imports the demo-like test catalog: MAIL_P1 and MAIL_P2 exclude each other,
    /// ARCHIVE requires MAIL_P1, GEO is sold in FR and DE only.
    pub async fn with_catalog(&self) {
        let json = r#"{"products": [
            {"id": "MAIL_P1", "name": "Mail Plan 1", "servicePlans": [{"id": "MAILBOX", "name": "Mailbox"}, {"id": "ARCHIVE", "name": "Archive"}], "excludes": ["MAIL_P2"], "unavailableIn": ["KP"]},
            {"id": "MAIL_P2", "name": "Mail Plan 2"},
            {"id": "ARCHIVE", "name": "Archive add-on", "requires": ["MAIL_P1"]},
            {"id": "GEO", "name": "Geo", "availableIn": ["FR", "DE"]}
        ]}"#;
        self.services.import_catalog(json.as_bytes()).await.expect("importing the test catalog");
    }

    /// Sets a subscription's assigned seats directly, as assignments would.
    pub async fn force_assigned(&self, subscription_id: &str, assigned: i64) {
        let id: Uuid = subscription_id.parse().expect("a subscription id is a UUID");
        let sql = "UPDATE subscriptions SET assigned = $1 WHERE id = $2";
        let done = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query(sql).bind(assigned).bind(id).execute(&pool).await.map(drop),
            RawDb::Postgres(pool) => sqlx::query(sql).bind(assigned).bind(id).execute(&pool).await.map(drop),
        };
        done.expect("setting a subscription's assigned seats");
    }

    /// The sealed temporary passwords import jobs keep, as stored.
    pub async fn raw_import_credentials(&self) -> Vec<Vec<u8>> {
        let sql = "SELECT credential FROM import_rows WHERE credential IS NOT NULL ORDER BY row_number";
        let rows = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(&pool).await,
        };
        rows.expect("reading the stored import credentials")
    }
}

impl TestApp {
    /// Runs one statement on the test's database behind the server's back, to set
    /// up a state the API cannot reach (rows as an older version wrote them).
    pub async fn raw_execute(&self, sql: &str) {
        let done = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.map(drop),
            RawDb::Postgres(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.map(drop),
        };
        done.unwrap_or_else(|e| panic!("running {sql}: {e}"));
    }

    /// The idempotency keys as stored: each key, its stored body and its sealed
    /// body, to check that no secret is kept in clear.
    pub async fn raw_idempotency_keys(&self) -> Vec<(String, Option<Vec<u8>>, Option<Vec<u8>>)> {
        let sql = "SELECT idempotency_key, body, sealed_body FROM idempotency_keys ORDER BY idempotency_key";
        let rows = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
        };
        rows.expect("reading the stored idempotency keys")
    }

    /// How many rate-limit counts (key and window) the database holds.
    pub async fn raw_rate_limit_windows(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM rate_limit_hits";
        let count = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await,
        };
        count.expect("counting the rate-limit windows")
    }

    /// The console results as stored: each body and its sealed secrets, to
    /// check that no temporary password is kept in clear.
    pub async fn raw_console_results(&self) -> Vec<(String, Option<Vec<u8>>)> {
        let sql = "SELECT body, sealed FROM console_results ORDER BY id";
        let rows = match self.fixture.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
        };
        rows.expect("reading the stored console results")
    }
}
