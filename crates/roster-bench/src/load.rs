//! Many clients at once: single creates, and reads of one user by id.

use crate::common::*;
use anyhow::Context;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `clients` tasks each POST one user at a time until `users` exist.
pub(crate) async fn create(users: usize, clients: usize) -> anyhow::Result<()> {
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
pub(crate) async fn get(seconds: u64, connections: usize) -> anyhow::Result<()> {
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
