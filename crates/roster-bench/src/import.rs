//! Importing a CSV of many users through the API and the background worker.

use crate::common::*;
use std::time::{Duration, Instant};

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Each run imports `rows` users into a fresh customer: upload, check, queue, the
/// worker's batches, until the job reports succeeded. The server runs in this
/// process, so its peak RSS is this process's.
pub(crate) async fn import(rows: usize, runs: usize) -> anyhow::Result<()> {
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
