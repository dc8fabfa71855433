//! Paging a customer of many users over HTTP, every page shape, p50 and p99.

use crate::common::*;
use anyhow::Context;
use roster_core::domain::CountryCode;
use roster_core::paging::{LicenseFilter, RoleFilter, UserFilter};
use roster_core::{Policy, Services, SystemClock};
use roster_http::{Application, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) async fn paging(users: usize, samples: usize, database: Option<&str>) -> anyhow::Result<()> {
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

    let app = Application::build(
        services.clone(),
        ServerConfig { listen: "127.0.0.1:0".into(), rate_limits: RATE_LIMITS_OFF, ..ServerConfig::default() },
    )
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
