//! Test support: `spawn_app` on port 0 with a fresh database per test, on either
//! backend; typed request helpers; log capture; and the store conformance suite.
//!
//! PostgreSQL comes from `ROSTER_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema. When
//! it cannot be reached, PostgreSQL tests are skipped with a message, except under
//! `CI=true`, where that is a failure.

pub mod browser;
pub mod conformance;
pub mod logs;

use reqwest::StatusCode;
use roster_core::{Policy, Services, Store, TestClock};
use roster_http::{Application, ServerConfig};
use serde_json::{Value, json};
use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
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
                    let Some($app) = $crate::spawn_app($crate::Backend::Sqlite).await else { return };
                    $body
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some($app) = $crate::spawn_app($crate::Backend::Postgres).await else { return };
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

/// A fresh, migrated store. `None` only when PostgreSQL is unavailable outside CI.
pub async fn fresh_store(backend: Backend) -> Option<(Arc<dyn Store>, Fixture)> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("roster-test-{}", Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).ok()?;
            let url = format!("sqlite://{}?mode=rwc", dir.join("roster.db").display());
            let store = roster_sqlite::SqliteStore::connect(&url).await.ok()?;
            store.migrate().await.ok()?;
            Some((Arc::new(store), Fixture { dir: Some(dir), pg_schema: None, sqlite_url: Some(url) }))
        }
        Backend::Postgres => {
            let base = pg_base_url();
            let schema = format!("t_{}", Uuid::now_v7().simple());
            let setup = async {
                let options = PgConnectOptions::from_str(&base)?;
                let admin = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_with(options.clone())
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await?;
                admin.close().await;
                Ok::<_, sqlx::Error>(options.options([("search_path", schema.as_str())]))
            };
            match setup.await {
                Ok(options) => {
                    let store = roster_postgres::PgStore::connect_with(options, 8).await.ok()?;
                    if let Err(e) = store.migrate().await {
                        panic!("migrating PostgreSQL schema {schema}: {e:?}");
                    }
                    Some((Arc::new(store), Fixture { dir: None, pg_schema: Some(schema), sqlite_url: None }))
                }
                Err(e) if in_ci() => panic!("CI=true but PostgreSQL at {base} cannot be used: {e}"),
                Err(e) => {
                    eprintln!(
                        "skipped: PostgreSQL at {base} cannot be used ({e}); set ROSTER_TEST_PG_URL or run scripts/test"
                    );
                    None
                }
            }
        }
    }
}

/// What a test's database leaves behind; removed on drop where possible.
#[derive(Debug)]
pub struct Fixture {
    pub dir: Option<PathBuf>,
    pub pg_schema: Option<String>,
    pub sqlite_url: Option<String>,
}

impl Fixture {
    /// The URL a `roster serve` process would open for this database.
    pub fn database_url(&self) -> String {
        match (&self.sqlite_url, &self.pg_schema) {
            (Some(url), _) => url.clone(),
            (None, Some(schema)) => {
                let base = pg_base_url();
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options[search_path]={schema}")
            }
            (None, None) => String::new(),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        // PostgreSQL schemas are dropped by scripts/test before each run: dropping
        // one here would need a runtime inside Drop.
    }
}

enum RawDb {
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

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, ServerConfig::default()).await
}

/// Like `spawn_app`, with a server configuration of the test's own (its `listen`
/// is replaced by port 0).
pub async fn spawn_app_with(backend: Backend, config: ServerConfig) -> Option<TestApp> {
    logs::init();
    let (store, fixture) = fresh_store(backend).await?;
    let clock = Arc::new(TestClock::new(EPOCH));
    let services = Arc::new(Services::new(store, clock.clone(), Policy::default()));
    let app =
        Application::build(services.clone(), ServerConfig { listen: "127.0.0.1:0".into(), ..config }).await.ok()?;
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    roster_http::spawn_import_worker(services.clone(), std::time::Duration::from_millis(25));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().ok()?;
    let partner = services.create_partner("Partner A").await.ok()?;
    let email = format!("admin-{}@partner-a.example", Uuid::now_v7().simple());
    let (agent, password) = services.create_agent(partner.id, &email, "admin").await.ok()?;
    let (_, token) = services.create_token(&agent.email).await.ok()?;
    Some(TestApp {
        address,
        http,
        services,
        clock,
        partner_id: partner.id,
        admin_token: token.expose().to_owned(),
        admin_email: agent.email,
        admin_password: password.expose().to_owned(),
        fixture,
    })
}

/// A response's status and JSON body (`Null` when there is none).
/// Sends a request and reads its answer as JSON, or as a string when it is not JSON.
async fn reply(req: reqwest::RequestBuilder, path: &str) -> Reply {
    let resp = req.send().await.unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Reply { status, body }
}

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
        let (agent, _) =
            self.services.create_agent(partner_id, &email, role).await.unwrap_or_else(|e| panic!("agent: {e}"));
        let (_, token) = self.services.create_token(&agent.email).await.unwrap_or_else(|e| panic!("token: {e}"));
        token.expose().to_owned()
    }

    /// The admin token of a second partner.
    pub async fn other_partner_token(&self) -> String {
        let partner = self.services.create_partner("Partner B").await.unwrap_or_else(|e| panic!("partner: {e}"));
        self.token_for(partner.id, "admin").await
    }

    /// A customer with a unique domain; returns (customer id, domain).
    pub async fn customer(&self) -> (String, String) {
        let domain = format!("c{}.example", Uuid::now_v7().simple());
        let r = self
            .post(
                &self.admin_token,
                "/customers",
                &json!({"companyName": "Contoso Ltd", "domains": [domain], "country": "US"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        (r.body["id"].as_str().unwrap_or_default().to_owned(), domain)
    }

    /// Creates a user over the API; returns the `{user, temporaryPassword}` body.
    pub async fn user(&self, customer: &(String, String), user_name: &str, extra: Value) -> Value {
        let mut body = json!({"userName": user_name, "domain": customer.1, "displayName": user_name});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self.post(&self.admin_token, &format!("/customers/{}/users", customer.0), &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// Seeds `n` users through the service layer in batches: fast setup for paging.
    pub async fn with_users(&self, customer_id: &str, n: usize, name_of: impl Fn(usize) -> (String, String)) {
        let agent = self
            .services
            .authenticate_token(&self.admin_token)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("admin token"));
        let customer = self
            .services
            .customer(&agent, customer_id.parse().unwrap_or_default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let inputs: Vec<_> = (0..n)
            .map(|i| {
                let (user_name, display_name) = name_of(i);
                roster_core::service::NewUserInput {
                    user_name,
                    domain: Some(customer.domains[0].clone()),
                    display_name,
                    ..Default::default()
                }
            })
            .collect();
        for chunk in inputs.chunks(1000) {
            for r in self.services.create_users(&agent, customer.id, chunk).await.unwrap_or_else(|e| panic!("{e}")) {
                r.unwrap_or_else(|e| panic!("seeding: {e}"));
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
        self.services.import_catalog(json.as_bytes()).await.unwrap_or_else(|e| panic!("catalog: {e}"));
    }

    /// Sets a subscription's assigned seats directly, as assignments would.
    pub async fn force_assigned(&self, subscription_id: &str, assigned: i64) {
        let id: Uuid = subscription_id.parse().unwrap_or_default();
        let sql = "UPDATE subscriptions SET assigned = $1 WHERE id = $2";
        let done = match self.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query(sql).bind(assigned).bind(id).execute(&pool).await.map(drop),
            RawDb::Postgres(pool) => sqlx::query(sql).bind(assigned).bind(id).execute(&pool).await.map(drop),
        };
        done.unwrap_or_else(|e| panic!("{e}"));
    }

    /// The sealed temporary passwords import jobs keep, as stored.
    pub async fn raw_import_credentials(&self) -> Vec<Vec<u8>> {
        let sql = "SELECT credential FROM import_rows WHERE credential IS NOT NULL ORDER BY row_number";
        let rows = match self.raw_db().await {
            RawDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(&pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(&pool).await,
        };
        rows.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A second connection to this test's database, for fixtures.
    async fn raw_db(&self) -> RawDb {
        let opened = match (&self.fixture.sqlite_url, &self.fixture.pg_schema) {
            (Some(url), _) => sqlx::SqlitePool::connect(url).await.map(RawDb::Sqlite),
            (None, Some(schema)) => match PgConnectOptions::from_str(&pg_base_url()) {
                Ok(options) => sqlx::PgPool::connect_with(options.options([("search_path", schema.as_str())]))
                    .await
                    .map(RawDb::Postgres),
                Err(e) => Err(e),
            },
            _ => panic!("no database"),
        };
        opened.unwrap_or_else(|e| panic!("{e}"))
    }
}
