//! Roster's benchmarks. They print figures; they never pass or fail on time.
//!
//! `cargo run --release -p roster-bench -- paging [--users N] [--samples N]`
//! seeds N users (default 1,000,000) into one customer on a fresh SQLite file and
//! prints p50/p99 latency over HTTP for the first, next, previous and last pages,
//! and for filtered and searched pages.

use anyhow::Context;
use clap::{Parser, Subcommand};
use roster_core::service::NewUserInput;
use roster_core::{Policy, Services, Store, SystemClock};
use roster_http::{Application, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
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

async fn paging(users: usize, samples: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("roster-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let store = roster_sqlite::SqliteStore::connect(&url).await?;
    store.migrate().await?;
    let services = Arc::new(Services::new(Arc::new(store), Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Bench Partner").await?;
    let (agent, _) = services.create_agent(partner.id, "bench@bench.example", "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    let customer = services.create_customer(&agent, "Big Customer", &["big.example".to_owned()], "US").await?;

    println!("seeding {users} users into one customer on SQLite ({})", dir.display());
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
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<38} {:>10.2} {:>10.2} {:>10.2} {total:>12}",
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.99)),
            ms(percentile(&times, 1.0))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Paging { users, samples } => paging(users, samples).await,
    }
}
