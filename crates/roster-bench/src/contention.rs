//! Many writers on one customer: twelve clients send assignments, removals,
//! deletes, restores, single creates and batches of five, to one server or to two
//! sharing PostgreSQL. Prints throughput, each kind's latency, the errors (goal 0),
//! and on PostgreSQL what its sessions were waiting on while the run lasted.

use crate::common::*;
use roster_core::{Policy, Services, SystemClock};
use roster_http::{Application, ServerConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KINDS: [&str; 6] = ["assign", "remove", "delete", "restore", "create", "batch of 5"];
const USERS: usize = 2_000;

struct Run {
    /// Creates take the seeded users' names now and then, so they race with the
    /// deletes and restores of those users, as a directory sync does.
    reuse_names: bool,
    servers: Vec<String>,
    token: String,
    customer: uuid::Uuid,
    domain: String,
    users: Vec<uuid::Uuid>,
    http: reqwest::Client,
}

impl Run {
    /// Operation `n` (of kind `n % 6`), sent to one of the servers; its status.
    async fn send(&self, n: usize) -> anyhow::Result<u16> {
        let base = format!("{}/customers/{}", self.servers[n % self.servers.len()], self.customer);
        let pick = |count: usize| -> Vec<String> {
            (0..count).map(|i| self.users[(n * 7919 + i * 104_729) % self.users.len()].to_string()).collect()
        };
        let request = match n % 6 {
            0 => self.http.post(format!("{base}/license-updates")).json(&json!({
                "userIds": pick(4), "assign": [{"productId": "MAIL_P1"}, {"productId": "ARCHIVE"}]
            })),
            1 => self.http.post(format!("{base}/license-updates")).json(&json!({
                "userIds": pick(3), "remove": ["ARCHIVE", "MAIL_P1"], "mode": "atomic"
            })),
            2 => self.http.delete(format!("{base}/users/{}", pick(1)[0])),
            3 => self.http.post(format!("{base}/users/restore")).json(&json!({"userIds": pick(3)})),
            4 => self.http.post(format!("{base}/users")).json(&json!({
                "userName": if self.reuse_names && n % 3 == 1 { format!("u{:07}", n % USERS) } else { format!("s{n}") },
                "domain": self.domain, "displayName": format!("Single {n}"),
                "usageLocation": "FR", "licenses": [{"productId": "MAIL_P1"}]
            })),
            _ => {
                let users: Vec<_> = (0..5)
                    .map(|i| json!({"userName": format!("b{n}x{i}"), "domain": self.domain, "displayName": "Batch", "usageLocation": "DE"}))
                    .collect();
                self.http.post(format!("{base}/users/batch")).json(&json!({"users": users}))
            }
        };
        let response = request.bearer_auth(&self.token).send().await?;
        let status = response.status().as_u16();
        response.bytes().await?;
        Ok(status)
    }
}

/// What PostgreSQL's client sessions were doing, sampled every 10 ms.
async fn sample_waits(admin: sqlx::PgPool, until: Instant) -> BTreeMap<String, u64> {
    let mut seen = BTreeMap::new();
    while Instant::now() < until {
        let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT coalesce(state, ''), wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 48) \
             FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()",
        )
        .fetch_all(&admin)
        .await
        .unwrap_or_default();
        for (state, kind, event, query) in rows {
            let what = match (state.as_str(), kind, event) {
                ("idle", _, _) => continue,
                ("idle in transaction", _, _) => "idle in transaction (waiting for the client)".to_owned(),
                (state, Some(kind), Some(event)) => format!("{state}: {kind} {event}: {}", query.trim()),
                (state, _, _) => format!("{state}: on CPU: {}", query.trim()),
            };
            *seen.entry(what).or_default() += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen
}

pub(crate) async fn contention(
    seconds: u64,
    clients: usize,
    instances: usize,
    reuse_names: bool,
    database: Option<&str>,
) -> anyhow::Result<()> {
    let db = BenchDb::open(database).await?;
    let label = db.label;
    anyhow::ensure!(instances == 1 || db.pg_schema.is_some(), "two instances need --database postgres://…");
    let services = Arc::new(Services::new(db.store.clone(), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Contention partner").await?;
    let (agent, _) = services.create_agent(partner.id, "contention@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    services
        .import_catalog(br#"{"products": [{"id": "MAIL_P1", "name": "Mail"}, {"id": "ARCHIVE", "name": "Archive", "requires": ["MAIL_P1"]}]}"#)
        .await?;
    let domain = "contention.example".to_owned();
    let customer = services.create_customer(&agent, "Contention Co", std::slice::from_ref(&domain), "FR").await?;
    services.buy_subscription(&agent, customer.id, "MAIL_P1", 1_000_000).await?;
    services.buy_subscription(&agent, customer.id, "ARCHIVE", 1_000_000).await?;
    let mut users = Vec::with_capacity(USERS);
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(1000) {
        let inputs: Vec<_> = chunk.iter().map(|&i| user(i, &domain)).collect();
        for created in services.create_users(&agent, customer.id, &inputs).await? {
            users.push(created?.user.id);
        }
    }
    db.settle().await?;

    let mut servers = Vec::new();
    for i in 0..instances {
        // Each instance its own services and connection pool, as `roster serve` would have.
        let store: Arc<dyn roster_core::Store> = match (&db.pg_schema, database) {
            (Some((_, schema)), Some(url)) if i > 0 => {
                let sep = if url.contains('?') { '&' } else { '?' };
                Arc::new(roster_postgres::PgStore::connect(&format!("{url}{sep}options[search_path]={schema}")).await?)
            }
            _ => db.store.clone(),
        };
        let services = Arc::new(Services::new(store, Arc::new(SystemClock), Policy::default()));
        let app = Application::build(
            services,
            ServerConfig { listen: "127.0.0.1:0".into(), rate_limits: RATE_LIMITS_OFF, ..ServerConfig::default() },
        )
        .await?;
        servers.push(format!("http://127.0.0.1:{}/api/v1", app.port()));
        tokio::spawn(app.run_until_stopped());
    }
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let run = Arc::new(Run {
        reuse_names,
        servers,
        token: token.expose().to_owned(),
        customer: customer.id,
        domain,
        users,
        http,
    });

    let until = Instant::now() + Duration::from_secs(seconds);
    let waits = db.pg_schema.as_ref().map(|(admin, _)| tokio::spawn(sample_waits(admin.clone(), until)));
    let latencies: Arc<Mutex<Vec<Vec<Duration>>>> = Arc::new(Mutex::new(vec![Vec::new(); KINDS.len()]));
    let errors = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (run, latencies, errors, next) = (run.clone(), latencies.clone(), errors.clone(), next.clone());
        tasks.spawn(async move {
            while Instant::now() < until {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = Instant::now();
                let status = run.send(n).await?;
                let took = sent.elapsed();
                if status >= 500 {
                    *errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(status).or_default() += 1;
                }
                latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[n % KINDS.len()].push(took);
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let secs = start.elapsed().as_secs_f64();
    let mut latencies =
        Arc::try_unwrap(latencies).map_err(|_| anyhow::anyhow!("clients still running"))?.into_inner()?;
    let total: usize = latencies.iter().map(Vec::len).sum();
    let errors = errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let where_ = format!(
        "{label}, {instances} instance{}{}",
        if instances > 1 { "s" } else { "" },
        if reuse_names { ", names reused" } else { "" }
    );
    println!(
        "{total} writes from {clients} clients in {secs:.1} s: {:.0} writes/s ({where_}); 5xx: {errors:?}",
        total as f64 / secs
    );
    for (kind, times) in KINDS.iter().zip(latencies.iter_mut()) {
        times.sort();
        let (p50, p99) = (percentile(times, 0.50), percentile(times, 0.99));
        println!("  {kind:<12} {:>6} ops  p50 {:>7.1} ms  p99 {:>7.1} ms", times.len(), ms(p50), ms(p99));
    }
    if let Some(waits) = waits {
        let waits = waits.await?;
        let samples: u64 = waits.values().sum();
        println!("  what PostgreSQL's busy sessions were doing ({samples} samples):");
        let mut sorted: Vec<_> = waits.into_iter().collect();
        sorted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        for (what, n) in sorted.into_iter().take(10) {
            println!("    {:>5.1}%  {what}", 100.0 * n as f64 / samples.max(1) as f64);
        }
    }
    report(
        &format!("mixed writes to one customer, {clients} clients ({where_})"),
        total as f64 / secs,
        "writes/s",
        "report",
    );
    report(
        &format!("mixed writes to one customer, 5xx ({where_})"),
        errors.values().sum::<u64>() as f64,
        "errors",
        "0",
    );
    db.close().await
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
