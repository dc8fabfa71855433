//! One product assigned to many users in one call, against bare-insert floors
//! measured in the same run.

use crate::common::*;
use anyhow::Context;
use roster_core::{Policy, Services, SystemClock};
use roster_http::{Application, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) async fn assign(users: usize, runs: usize, database: Option<&str>) -> anyhow::Result<()> {
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

    let app = Application::build(
        services.clone(),
        ServerConfig { listen: "127.0.0.1:0".into(), rate_limits: RATE_LIMITS_OFF, ..ServerConfig::default() },
    )
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
