//! Roster's benchmarks. They print figures; they never pass or fail on time.
//!
//! `cargo run --release -p roster-bench -- paging [--users N] [--samples N]`
//! seeds N users (default 1,000,000) into one customer on a fresh SQLite file and
//! prints p50/p99 latency over HTTP for the first, next, previous and last pages,
//! and for filtered and searched pages.
//!
//! `cargo run --release -p roster-bench -- import [--rows N] [--runs N]` imports a
//! CSV of N users (default 100,000) through the API and the background worker, and
//! prints rows/s and the process's peak RSS.
//!
//! `cargo run --release -p roster-bench -- assign [--users N] [--runs N]` assigns one
//! product to N users (default 100,000) in one license-update call on SQLite, and
//! removes it again, N runs (default 5), and in the
//! same run inserts the same N assignment rows with a bare prepared statement in one
//! transaction: the floor the call is compared with, once through sqlx and once
//! through the SQLite C library without a driver thread.

use anyhow::Context;
use clap::{Parser, Subcommand};
use roster_core::domain::CountryCode;
use roster_core::paging::{LicenseFilter, RoleFilter, UserFilter};
use roster_core::service::NewUserInput;
use roster_core::{Policy, Services, Store, SystemClock};
use roster_http::{Application, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

// The allocator the roster binary ships with, so figures match production.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Paging a customer with many users, over HTTP.
    Paging {
        #[arg(long, default_value_t = 1_000_000)]
        users: usize,
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// A postgres:// URL; a fresh schema is made there. SQLite when absent.
        #[arg(long)]
        database: Option<String>,
    },
    /// Creating one user per request, from many concurrent clients.
    Create {
        #[arg(long, default_value_t = 20_000)]
        users: usize,
        #[arg(long, default_value_t = 16)]
        clients: usize,
    },
    /// Reading one user by id, from many concurrent connections.
    Get {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Importing a CSV file of many users end to end, over HTTP.
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// One license-update call for many users, against a bare-insert floor.
    Assign {
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// A postgres:// URL; a fresh schema is made there. SQLite when absent.
        #[arg(long)]
        database: Option<String>,
    },
}

const FIRST: [&str; 20] = [
    "Alex", "Zoë", "Jonas", "Amélie", "Ivan", "Mei", "Giulia", "Noah", "Fatima", "Lars", "Chloé", "Olga", "Wei",
    "Marco", "Priya", "Liam", "Sofia", "Kenji", "Ana", "Mateo",
];
const LAST: [&str; 20] = [
    "Müller", "Dubois", "Rossi", "Ivanova", "Chen", "Smith", "García", "Kowalski", "Nakamura", "Larsen", "Bianchi",
    "Petrov", "Wang", "Silva", "Novak", "Kaya", "Moreau", "Ricci", "Jansen", "Okafor",
];
const LOCATIONS: [&str; 5] = ["US", "FR", "IT", "DE", "GB"];

fn user(i: usize, domain: &str) -> NewUserInput {
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
struct BenchDb {
    store: Arc<dyn Store>,
    /// The SQLite store, for the bare-insert floors that only SQLite has.
    sqlite: Option<Arc<roster_sqlite::SqliteStore>>,
    label: &'static str,
    dir: std::path::PathBuf,
    /// The PostgreSQL connection that made the schema, and the schema, to drop at the end.
    pg_schema: Option<(sqlx::PgPool, String)>,
}

impl BenchDb {
    async fn open(database: Option<&str>) -> anyhow::Result<Self> {
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
    async fn settle(&self) -> anyhow::Result<()> {
        if let Some((admin, schema)) = &self.pg_schema {
            for table in ["users", "user_licenses", "customers", "subscriptions"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {schema}.{table}"))).execute(admin).await?;
            }
        }
        Ok(())
    }

    /// Drops the PostgreSQL schema; a SQLite file goes with the directory on drop.
    async fn close(mut self) -> anyhow::Result<()> {
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
fn report(what: &str, value: f64, unit: &str, goal: &str) {
    println!("BENCH\t{what}\t{value:.2}\t{unit}\t{goal}");
}

/// A memory figure of this process from /proc/self/status (`VmRSS:` now,
/// `VmHWM:` the peak so far), in MiB.
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Sorts `times` and returns the middle one.
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Prints one row of a latency table (p50, p99, max in ms, then `total`) and
/// returns the p50 and p99 in ms.
fn latency_row(name: &str, times: &mut [Duration], total: i64) -> (f64, f64) {
    times.sort();
    let ms = |p: f64| percentile(times, p).as_secs_f64() * 1000.0;
    println!("{name:<38} {:>10.2} {:>10.2} {:>10.2} {total:>12}", ms(0.50), ms(0.99), ms(1.0));
    (ms(0.50), ms(0.99))
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn get(&self, query: &str) -> anyhow::Result<(Duration, serde_json::Value)> {
        let start = Instant::now();
        let resp = self.http.get(format!("{}?{query}", self.base)).bearer_auth(&self.token).send().await?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await?;
        let elapsed = start.elapsed();
        anyhow::ensure!(status.is_success(), "{query}: {status} {body}");
        Ok((elapsed, body))
    }
}

async fn paging(users: usize, samples: usize, database: Option<&str>) -> anyhow::Result<()> {
    let db = BenchDb::open(database).await?;
    let services = Arc::new(Services::new(db.store.clone(), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Bench Partner").await?;
    let (agent, _) = services.create_agent(partner.id, "bench@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    let customer = services.create_customer(&agent, "Big Customer", &["big.example".to_owned()], "US").await?;

    println!("seeding {users} users into one customer on {}", db.label);
    let start = Instant::now();
    let mut seeded = 0;
    while seeded < users {
        let batch: Vec<_> = (seeded..(seeded + 1000).min(users)).map(|i| user(i, "big.example")).collect();
        for r in services.create_users(&agent, customer.id, &batch).await? {
            r.context("seeding")?;
        }
        seeded += batch.len();
        if seeded.is_multiple_of(100_000) {
            println!("  {seeded} users, {:.1} s", start.elapsed().as_secs_f64());
        }
    }
    let seed_secs = start.elapsed().as_secs_f64();
    println!(
        "seeded {users} users in {seed_secs:.1} s ({:.0} users/s, through the service layer with audit events)",
        users as f64 / seed_secs
    );
    db.settle().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = rss_mib();
    println!("RSS holding {users} users, idle: {idle_rss:.0} MiB (the whole bench process, server included)");
    report(&format!("idle RSS, {users} users ({})", db.label), idle_rss, "MiB", "report");

    let app =
        Application::build(services.clone(), ServerConfig { listen: "127.0.0.1:0".into(), ..ServerConfig::default() })
            .await?;
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    let client = Client {
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}/api/v1/customers/{}/users", customer.id),
        token: token.expose().to_owned(),
    };

    let (_, first) = client.get("limit=50").await?;
    let cursor = |v: &serde_json::Value, k: &str| v["cursors"][k].as_str().unwrap_or_default().to_owned();
    let next = cursor(&first, "next");
    let last = cursor(&first, "last");
    let (_, last_page) = client.get(&format!("limit=50&cursor={last}")).await?;
    let prev_of_last = cursor(&last_page, "prev");
    let (_, middle) = client.get("limit=50&search=kaya%20").await?;
    let mid_next = cursor(&middle, "next");

    let cases: Vec<(&str, String)> = vec![
        ("first page", "limit=50".into()),
        ("next page", format!("limit=50&cursor={next}")),
        ("last page", format!("limit=50&cursor={last}")),
        ("prev from last", format!("limit=50&cursor={prev_of_last}")),
        ("first, sort=-createdAt", "limit=50&sort=-createdAt".into()),
        ("first, sort=userPrincipalName", "limit=50&sort=userPrincipalName".into()),
        ("filter usageLocation=FR", "limit=50&usageLocation=FR".into()),
        ("filter role=any", "limit=50&role=any".into()),
        ("filter license=none", "limit=50&license=none".into()),
        ("filter signIn=blocked (none match)", "limit=50&signIn=blocked".into()),
        ("search=kaya (common)", "limit=50&search=kaya".into()),
        ("search next page", format!("limit=50&search=kaya%20&cursor={mid_next}")),
        ("search=u0999999 (one match)", "limit=50&search=u0999999".into()),
    ];
    println!();
    println!("{:<38} {:>10} {:>10} {:>10} {:>12}", "page (limit 50)", "p50 ms", "p99 ms", "max ms", "totalCount");
    for (name, query) in cases {
        // Warm up, then sample.
        client.get(&query).await?;
        let mut times = Vec::with_capacity(samples);
        let mut total = 0;
        for _ in 0..samples {
            let (t, body) = client.get(&query).await?;
            total = body["totalCount"].as_i64().unwrap_or(-1);
            times.push(t);
        }
        let (p50, p99) = latency_row(name, &mut times, total);
        report(&format!("page p50, {name} ({})", db.label), p50, "ms", "report");
        report(&format!("page p99, {name} ({})", db.label), p99, "ms", "<= 20");
    }

    // totalCount on its own: the store's count for each filter, as list_users runs
    // it beside the page.
    let country = |c: &str| CountryCode::parse(c).map_err(|e| anyhow::anyhow!("{c}: {e:?}"));
    let counts: Vec<(&str, UserFilter)> = vec![
        ("all active users", UserFilter::default()),
        ("license=none", UserFilter { license: Some(LicenseFilter::None), ..UserFilter::default() }),
        ("usageLocation=FR", UserFilter { usage_location: Some(country("FR")?), ..UserFilter::default() }),
        ("role=any", UserFilter { role: Some(RoleFilter::Any), ..UserFilter::default() }),
        ("signIn=blocked (none match)", UserFilter { sign_in_blocked: Some(true), ..UserFilter::default() }),
        ("search=kaya (common)", UserFilter { search: Some("kaya".into()), ..UserFilter::default() }),
        ("search=u0999999 (one match)", UserFilter { search: Some("u0999999".into()), ..UserFilter::default() }),
    ];
    println!();
    println!("{:<38} {:>10} {:>10} {:>10} {:>12}", "totalCount alone (store)", "p50 ms", "p99 ms", "max ms", "count");
    for (name, filter) in counts {
        db.store.count_users(partner.id, customer.id, &filter).await?;
        let mut times = Vec::with_capacity(samples);
        let mut total = 0;
        for _ in 0..samples {
            let start = Instant::now();
            total = db.store.count_users(partner.id, customer.id, &filter).await?;
            times.push(start.elapsed());
        }
        let (_, p99) = latency_row(name, &mut times, total);
        report(&format!("totalCount p99, {name} ({})", db.label), p99, "ms", "<= 100");
    }
    db.close().await
}

async fn assign(users: usize, runs: usize, database: Option<&str>) -> anyhow::Result<()> {
    let db = BenchDb::open(database).await?;
    let services = Arc::new(Services::new(db.store.clone(), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Bench Partner").await?;
    let (agent, _) = services.create_agent(partner.id, "bench@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    services.import_catalog(br#"{"products": [{"id": "SUITE", "name": "Suite"}]}"#).await?;
    let customer = services.create_customer(&agent, "Big Customer", &["big.example".to_owned()], "US").await?;
    services.buy_subscription(&agent, customer.id, "SUITE", users as i64).await?;
    println!("seeding {users} users");
    let mut ids = Vec::with_capacity(users);
    let mut seeded = 0;
    while seeded < users {
        let batch: Vec<_> = (seeded..(seeded + 1000).min(users)).map(|i| user(i, "big.example")).collect();
        for r in services.create_users(&agent, customer.id, &batch).await? {
            ids.push(r.context("seeding")?.user.id);
        }
        seeded += batch.len();
    }
    // Not settled (see BenchDb::settle): statistics taken now would show an empty
    // user_licenses, which the first assignment makes stale.

    // The floors (SQLite only): the same rows, one prepared INSERT each, one
    // transaction, into a table shaped like user_licenses (its foreign key and
    // product index included).
    let floors = match &db.sqlite {
        Some(sqlite) => Some(sqlite_floors(sqlite.pool(), &db.dir.join("bench.db"), &ids).await?),
        None => None,
    };

    let app =
        Application::build(services.clone(), ServerConfig { listen: "127.0.0.1:0".into(), ..ServerConfig::default() })
            .await?;
    let url = format!("http://127.0.0.1:{}/api/v1/customers/{}/license-updates", app.port(), customer.id);
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let call = |body: serde_json::Value| {
        let request = http.post(&url).bearer_auth(token.expose()).json(&body);
        async move {
            let start = Instant::now();
            let resp = request.send().await?;
            let status = resp.status();
            let outcome: serde_json::Value = resp.json().await?;
            let took = start.elapsed();
            anyhow::ensure!(status.is_success(), "{status}: {outcome}");
            anyhow::ensure!(
                outcome["summary"]["succeeded"].as_u64() == Some(users as u64),
                "not every user succeeded: {}",
                outcome["summary"]
            );
            Ok(took)
        }
    };

    // Each run assigns to every user and then removes from every user, so the next
    // run starts from the same state.
    let (mut assigns, mut removes, mut dry_runs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        dry_runs
            .push(call(serde_json::json!({"userIds": ids, "assign": [{"productId": "SUITE"}], "dryRun": true})).await?);
        assigns.push(call(serde_json::json!({"userIds": ids, "assign": [{"productId": "SUITE"}]})).await?);
        let subscription = &services.subscriptions(&agent, customer.id).await?[0];
        anyhow::ensure!(subscription.assigned == users as i64, "assigned is {}", subscription.assigned);
        removes.push(call(serde_json::json!({"userIds": ids, "remove": ["SUITE"]})).await?);
    }
    let call = median(&mut assigns);

    println!();
    println!("one license-update call for {users} users ({}, over HTTP), {runs} runs: median [min, max]", db.label);
    let row = |name: &str, what: &str, times: &mut Vec<Duration>| {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mid = median(times);
        println!(
            "  {name:<30} {:>8.0} ms  [{:.0}, {:.0}]  ({what})",
            ms(mid),
            ms(times[0]),
            ms(times[times.len() - 1])
        );
    };
    row("assign one product", "request to parsed response, per-user results and audit events", &mut assigns);
    row("the same as a dry run", "reads and plan only", &mut dry_runs);
    row("remove it again", "the reverse change", &mut removes);
    report(
        &format!("assign 1 product to {users} users, one call ({})", db.label),
        call.as_secs_f64() * 1000.0,
        "ms",
        "<= 1000",
    );
    match floors {
        Some((floor_sqlx, floor_c)) => {
            println!("  the floor, measured once each:");
            println!(
                "  floor through sqlx:            {:>8.0} ms  (one prepared INSERT per row, one transaction)  ratio {:.2}x",
                floor_sqlx.as_secs_f64() * 1000.0,
                call.as_secs_f64() / floor_sqlx.as_secs_f64()
            );
            match floor_c {
                Some(floor_c) => {
                    println!(
                        "  floor without a driver thread: {:>8.0} ms  (the same, through the SQLite C library from Python)  ratio {:.2}x",
                        floor_c.as_secs_f64() * 1000.0,
                        call.as_secs_f64() / floor_c.as_secs_f64()
                    );
                    report(
                        "assign / floor without a driver thread (SQLite)",
                        call.as_secs_f64() / floor_c.as_secs_f64(),
                        "x",
                        "<= 3",
                    );
                }
                None => {
                    println!("  floor without a driver thread: not measured (python3 with sqlite3 is not installed)")
                }
            }
            report("assign / floor through sqlx (SQLite)", call.as_secs_f64() / floor_sqlx.as_secs_f64(), "x", "<= 3");
        }
        None => println!("  (the bare-insert floors are measured on SQLite only)"),
    }
    db.close().await
}

/// A partner, an admin and a token on a fresh SQLite database, and a server.
async fn bench_server() -> anyhow::Result<(BenchDb, Arc<Services>, roster_core::model::Agent, String, String)> {
    let db = BenchDb::open(None).await?;
    let services = Arc::new(Services::new(db.store.clone(), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Bench Partner").await?;
    let (agent, _) = services.create_agent(partner.id, "bench@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    let app =
        Application::build(services.clone(), ServerConfig { listen: "127.0.0.1:0".into(), ..ServerConfig::default() })
            .await?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok((db, services, agent, token.expose().to_owned(), base))
}

/// `clients` tasks each POST one user at a time until `users` exist.
async fn create(users: usize, clients: usize) -> anyhow::Result<()> {
    let (_db, services, agent, token, base) = bench_server().await?;
    let customer = services.create_customer(&agent, "Create Co", &["create.example".to_owned()], "US").await?;
    let url = format!("{base}/customers/{}/users", customer.id);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, token, next) = (http.clone(), url.clone(), token.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= users {
                        return anyhow::Ok(());
                    }
                    let body = serde_json::json!({"userName": format!("c{i:07}"), "displayName": format!("Created {i}"), "domain": "create.example", "usageLocation": "US"});
                    let resp = http.post(&url).bearer_auth(&token).json(&body).send().await?;
                    anyhow::ensure!(resp.status().as_u16() == 201, "{}", resp.status());
                    resp.bytes().await?;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "created {users} users one per request from {clients} clients in {secs:.2} s: {:.0} creates/s (SQLite)",
        users as f64 / secs
    );
    report(
        &format!("create 1 user per request, {clients} clients (SQLite)"),
        users as f64 / secs,
        "creates/s",
        ">= 5000",
    );
    Ok(())
}

/// `connections` tasks each GET one user by id in a loop for `seconds`.
async fn get(seconds: u64, connections: usize) -> anyhow::Result<()> {
    let (_db, services, agent, token, base) = bench_server().await?;
    let customer = services.create_customer(&agent, "Get Co", &["get.example".to_owned()], "US").await?;
    let batch: Vec<_> = (0..1000).map(|i| user(i, "get.example")).collect();
    let mut ids = Vec::new();
    for r in services.create_users(&agent, customer.id, &batch).await? {
        ids.push(r.context("seeding")?.user.id);
    }
    let ids = Arc::new(ids);
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build()?;
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let (http, token, ids, done) = (http.clone(), token.clone(), ids.clone(), done.clone());
            let url = format!("{base}/customers/{}/users/", customer.id);
            tokio::spawn(async move {
                let mut i = c;
                while Instant::now() < until {
                    let resp = http.get(format!("{url}{}", ids[i % ids.len()])).bearer_auth(&token).send().await?;
                    anyhow::ensure!(resp.status().is_success(), "{}", resp.status());
                    resp.bytes().await?;
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    i += connections;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    let n = done.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "{n} GETs of a user by id from {connections} connections in {secs:.1} s: {:.0} requests/s (SQLite; the client shares the 2 cores)",
        n as f64 / secs
    );
    report(&format!("GET user by id, {connections} connections (SQLite)"), n as f64 / secs, "requests/s", ">= 30000");
    Ok(())
}

/// The two bare-insert floors: through sqlx, and through the C library without a
/// driver thread.
async fn sqlite_floors(
    pool: &sqlx::SqlitePool,
    file: &std::path::Path,
    ids: &[uuid::Uuid],
) -> anyhow::Result<(Duration, Option<Duration>)> {
    for table in ["floor_sqlx", "floor_c"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {table} (user_id BLOB NOT NULL REFERENCES users (id), product_id TEXT NOT NULL, \
             disabled_service_plans TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (user_id, product_id)); \
             CREATE INDEX {table}_by_product ON {table} (product_id, user_id)"
        )))
        .execute(pool)
        .await?;
    }
    let start = Instant::now();
    let mut tx = pool.begin().await?;
    for id in ids {
        sqlx::query("INSERT INTO floor_sqlx VALUES ($1, 'SUITE', '[]', 0)").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok((start.elapsed(), floor_without_driver(file, ids)?))
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Each run imports `rows` users into a fresh customer: upload, check, queue, the
/// worker's batches, until the job reports succeeded. The server runs in this
/// process, so its peak RSS is this process's.
async fn import(rows: usize, runs: usize) -> anyhow::Result<()> {
    let (_db, services, agent, token, base) = bench_server().await?;
    roster_http::spawn_import_worker(services.clone(), Duration::from_millis(20));
    let http = reqwest::Client::new();
    let rss_before = peak_rss_mib();
    let mut times = Vec::new();
    for run in 0..runs {
        let domain = format!("import{run}.example");
        let customer = services.create_customer(&agent, "Import Co", std::slice::from_ref(&domain), "US").await?;
        let mut file = String::from("First name;Last name;Display name;Username;Usage location\r\n");
        for i in 0..rows {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            file.push_str(&format!(
                "{first};{last};{first} {last} {i:07};u{i:07};{}\r\n",
                LOCATIONS[i % LOCATIONS.len()]
            ));
        }
        let bytes = file.len();
        let path = format!("{base}/customers/{}/imports", customer.id);
        let start = Instant::now();
        let resp = http.post(&path).bearer_auth(&token).header("content-type", "text/csv").body(file).send().await?;
        anyhow::ensure!(resp.status().as_u16() == 202, "{}: {}", resp.status(), resp.text().await?);
        let job: serde_json::Value = resp.json().await?;
        let queued = start.elapsed();
        let job_url = format!("{path}/{}?results=false", job["id"].as_str().unwrap_or_default());
        loop {
            let s: serde_json::Value = http.get(&job_url).bearer_auth(&token).send().await?.json().await?;
            match s["status"].as_str() {
                Some("succeeded") => {
                    anyhow::ensure!(s["created"].as_u64() == Some(rows as u64), "created {}", s["created"]);
                    break;
                }
                Some("failed") => anyhow::bail!("the import failed"),
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        let took = start.elapsed();
        println!(
            "run {}: {rows} rows ({:.1} MB) in {:.2} s, {:.0} rows/s; checked and queued in {:.2} s",
            run + 1,
            bytes as f64 / 1e6,
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64(),
            queued.as_secs_f64()
        );
        times.push(took);
    }
    let mid = median(&mut times);
    println!();
    println!("import {rows} CSV rows end to end (SQLite, over HTTP), {runs} runs");
    println!(
        "  wall time: median {:.2} s [{:.2}, {:.2}], {:.0} rows/s at the median",
        mid.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        rows as f64 / mid.as_secs_f64()
    );
    println!(
        "  peak RSS of the process (server, worker and client): {:.0} MiB (before the first run: {rss_before:.0} MiB)",
        peak_rss_mib()
    );
    report(&format!("import {rows} CSV rows, wall time (SQLite)"), mid.as_secs_f64(), "s", "<= 5");
    report(&format!("import {rows} CSV rows, rate (SQLite)"), rows as f64 / mid.as_secs_f64(), "rows/s", "report");
    report(&format!("import {rows} CSV rows, peak RSS over {runs} runs (SQLite)"), peak_rss_mib(), "MiB", "<= 200");
    Ok(())
}

/// The bare-insert floor without sqlx's worker thread, which costs a thread
/// handoff per statement: Python's `sqlite3.executemany` prepares the INSERT once and
/// steps it per row in one transaction, on the same database file and table shape.
/// Roster forbids unsafe code, so the C library is driven from Python rather than
/// through FFI here. `None` when python3 is missing.
fn floor_without_driver(db: &std::path::Path, ids: &[uuid::Uuid]) -> anyhow::Result<Option<Duration>> {
    const SCRIPT: &str = r#"
import sqlite3, sys, time
ids = [bytes.fromhex(line) for line in sys.stdin.read().split()]
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA foreign_keys = ON")
db.execute("PRAGMA synchronous = NORMAL")
start = time.perf_counter()
db.execute("BEGIN IMMEDIATE")
db.executemany("INSERT INTO floor_c VALUES (?, 'SUITE', '[]', 0)", ((i,) for i in ids))
db.execute("COMMIT")
print(time.perf_counter() - start)
"#;
    use std::io::Write;
    let child = std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return Ok(None) };
    let mut stdin = child.stdin.take().context("python3 stdin")?;
    let hex: String = ids.iter().map(|id| format!("{}\n", id.simple())).collect();
    stdin.write_all(hex.as_bytes())?;
    drop(stdin);
    let out = child.wait_with_output()?;
    anyhow::ensure!(out.status.success(), "the python floor failed");
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().context("python floor output")?;
    Ok(Some(Duration::from_secs_f64(secs)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Paging { users, samples, database } => paging(users, samples, database.as_deref()).await,
        Bench::Assign { users, runs, database } => assign(users, runs.max(1), database.as_deref()).await,
        Bench::Create { users, clients } => create(users, clients.max(1)).await,
        Bench::Get { seconds, connections } => get(seconds, connections.max(1)).await,
        Bench::Import { rows, runs } => import(rows, runs.max(1)).await,
    }
}
