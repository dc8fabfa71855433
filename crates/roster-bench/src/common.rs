//! What every benchmark shares: the users it seeds, a fresh database on either
//! backend, a server over it, an HTTP client, and the figures it prints.

use roster_core::services::NewUserInput;
use roster_core::{Policy, Services, Store, SystemClock};
use roster_http::{Application, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The benchmarks measure the server, not its rate limits: a load run sends far
/// more than a client should in a minute.
pub(crate) const RATE_LIMITS_OFF: roster_core::services::RateLimits = roster_core::services::RateLimits::OFF;

pub(crate) const FIRST: [&str; 20] = [
    "Alex", "Zoë", "Jonas", "Amélie", "Ivan", "Mei", "Giulia", "Noah", "Fatima", "Lars", "Chloé", "Olga", "Wei",
    "Marco", "Priya", "Liam", "Sofia", "Kenji", "Ana", "Mateo",
];
pub(crate) const LAST: [&str; 20] = [
    "Müller", "Dubois", "Rossi", "Ivanova", "Chen", "Smith", "García", "Kowalski", "Nakamura", "Larsen", "Bianchi",
    "Petrov", "Wang", "Silva", "Novak", "Kaya", "Moreau", "Ricci", "Jansen", "Okafor",
];
pub(crate) const LOCATIONS: [&str; 5] = ["US", "FR", "IT", "DE", "GB"];

pub(crate) fn user(i: usize, domain: &str) -> NewUserInput {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    NewUserInput {
        user_name: format!("u{i:07}"),
        domain: Some(domain.to_owned()),
        display_name: format!("{first} {last} {i:07}"),
        usage_location: Some(LOCATIONS[i % LOCATIONS.len()].to_owned()),
        roles: if i.is_multiple_of(500) { vec!["user-admin".to_owned()] } else { vec![] },
        ..Default::default()
    }
}

/// A fresh database for one bench: a SQLite file in a temporary directory, or a new
/// schema in the PostgreSQL database at `--database`.
pub(crate) struct BenchDb {
    pub(crate) store: Arc<dyn Store>,
    /// The SQLite store, for the bare-insert floors that only SQLite has.
    pub(crate) sqlite: Option<Arc<roster_sqlite::SqliteStore>>,
    pub(crate) label: &'static str,
    pub(crate) dir: std::path::PathBuf,
    /// The PostgreSQL connection that made the schema, and the schema, to drop at the end.
    pub(crate) pg_schema: Option<(sqlx::PgPool, String)>,
}

impl BenchDb {
    pub(crate) async fn open(database: Option<&str>) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("roster-bench-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir)?;
        let db = match database {
            Some(url) if url.starts_with("postgres") => {
                let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(url).await?;
                // Schemas a bench that failed midway left behind (benches run one at a time).
                let stale: Vec<String> =
                    sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")
                        .fetch_all(&admin)
                        .await?;
                for old in stale {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA \"{old}\" CASCADE"))).execute(&admin).await?;
                }
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await?;
                let sep = if url.contains('?') { '&' } else { '?' };
                let store =
                    roster_postgres::PgStore::connect(&format!("{url}{sep}options[search_path]={schema}")).await?;
                Self {
                    store: Arc::new(store),
                    sqlite: None,
                    label: "PostgreSQL",
                    dir,
                    pg_schema: Some((admin, schema)),
                }
            }
            Some(other) => anyhow::bail!("--database takes a postgres:// URL; {other:?} is not one"),
            None => {
                let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
                let store = Arc::new(roster_sqlite::SqliteStore::connect(&url).await?);
                Self { store: store.clone(), sqlite: Some(store), label: "SQLite", dir, pg_schema: None }
            }
        };
        db.store.migrate().await?;
        Ok(db)
    }
}

impl BenchDb {
    /// Brings a freshly seeded PostgreSQL schema to the state autovacuum keeps a
    /// live database in: table statistics, and a visibility map, without which an
    /// index-only count fetches every heap row it counts. The bench machine's
    /// server runs with autovacuum off, so nothing else would. SQLite needs neither.
    pub(crate) async fn settle(&self) -> anyhow::Result<()> {
        if let Some((admin, schema)) = &self.pg_schema {
            for table in ["users", "user_licenses", "customers", "subscriptions"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {schema}.{table}"))).execute(admin).await?;
            }
        }
        Ok(())
    }

    /// Drops the PostgreSQL schema; a SQLite file goes with the directory on drop.
    pub(crate) async fn close(mut self) -> anyhow::Result<()> {
        if let Some((admin, schema)) = self.pg_schema.take() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await?;
        }
        Ok(())
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A line `scripts/bench` gathers into its table: what, the figure, its unit, the goal.
pub(crate) fn report(what: &str, value: f64, unit: &str, goal: &str) {
    println!("BENCH\t{what}\t{value:.2}\t{unit}\t{goal}");
}

/// A memory figure of this process from /proc/self/status (`VmRSS:` now,
/// `VmHWM:` the peak so far), in MiB.
pub(crate) fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

pub(crate) fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Sorts `times` and returns the middle one.
pub(crate) fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Prints one row of a latency table (p50, p99, max in ms, then `total`) and
/// returns the p50 and p99 in ms.
pub(crate) fn latency_row(name: &str, times: &mut [Duration], total: i64) -> (f64, f64) {
    times.sort();
    let ms = |p: f64| percentile(times, p).as_secs_f64() * 1000.0;
    println!("{name:<38} {:>10.2} {:>10.2} {:>10.2} {total:>12}", ms(0.50), ms(0.99), ms(1.0));
    (ms(0.50), ms(0.99))
}

pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Client {
    pub(crate) async fn get(&self, query: &str) -> anyhow::Result<(Duration, serde_json::Value)> {
        let start = Instant::now();
        let resp = self.http.get(format!("{}?{query}", self.base)).bearer_auth(&self.token).send().await?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await?;
        let elapsed = start.elapsed();
        anyhow::ensure!(status.is_success(), "{query}: {status} {body}");
        Ok((elapsed, body))
    }
}

/// A partner, an admin and a token on a fresh SQLite database, and a server.
pub(crate) async fn bench_server() -> anyhow::Result<(BenchDb, Arc<Services>, roster_core::model::Agent, String, String)>
{
    let db = BenchDb::open(None).await?;
    let services = Arc::new(Services::new(db.store.clone(), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Bench Partner").await?;
    let (agent, _) = services.create_agent(partner.id, "bench@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    let app = Application::build(
        services.clone(),
        ServerConfig { listen: "127.0.0.1:0".into(), rate_limits: RATE_LIMITS_OFF, ..ServerConfig::default() },
    )
    .await?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok((db, services, agent, token.expose().to_owned(), base))
}
