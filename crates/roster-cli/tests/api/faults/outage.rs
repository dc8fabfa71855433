//! PostgreSQL stopped under load and started again, with `roster serve` left
//! running: while the database is down every request is answered within the
//! pool's acquire timeout by 503 `database_unavailable` with `Retry-After`, never
//! by a 500 or a hang; once it is back, requests succeed again by themselves.
//! The cluster is the test's own (`outages::PgCluster`): the shared server the
//! other tests use is never stopped. SQLite has no server to stop.

use super::*;
use crate::two_servers::serve;
use roster_testkit::bulk::{check_invariants, seed_users};
use roster_testkit::outages::PgCluster;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

const UP: u8 = 0;
const STOPPING: u8 = 1;
const DOWN: u8 = 2;
const STARTING: u8 = 3;
const BACK: u8 = 4;

#[derive(Debug)]
struct Record {
    started: u8,
    ended: u8,
    what: &'static str,
    answer: Result<Answer, String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_under_load_answers_503_then_recovers_without_a_restart() {
    let Some(cluster) = PgCluster::start() else { return };
    let url = cluster.url();
    let store = roster_postgres::PgStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let fixture = roster_testkit::Fixture::At { url: url.clone() };
    let setup = Setup::new(Arc::new(store), "outage.example", 1000).await;
    seed_users(&fixture, &setup.seed("o", 200, &["OLD"])).await;
    let ids = licensed_ids(&fixture, setup.customer.id).await;
    let server = serve(&url);

    let phase = Arc::new(AtomicU8::new(UP));
    let stop = Arc::new(AtomicBool::new(false));
    let records = Arc::new(Mutex::new(Vec::<Record>::new()));
    // A hang shows as a transport error after 30 s, far past any acquire timeout.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let mut workers = Vec::new();
    for worker in 0..4usize {
        let (http, server, token, phase, stop, records) =
            (http.clone(), server.url.clone(), setup.token.clone(), phase.clone(), stop.clone(), records.clone());
        let (list, updates) = (setup.path("/users?limit=50"), setup.path("/license-updates"));
        let ids = ids.clone();
        workers.push(tokio::spawn(async move {
            let mut i = worker;
            while !stop.load(Ordering::SeqCst) {
                let chunk = &ids[(i * 10) % ids.len()..][..10];
                let (what, method, path, body) = match i % 3 {
                    0 => ("list users", reqwest::Method::GET, &list, None),
                    1 => (
                        "assign NEW",
                        reqwest::Method::POST,
                        &updates,
                        Some(json!({"userIds": chunk, "assign": [{"productId": "NEW"}]})),
                    ),
                    _ => (
                        "remove NEW",
                        reqwest::Method::POST,
                        &updates,
                        Some(json!({"userIds": chunk, "remove": ["NEW"]})),
                    ),
                };
                let started = phase.load(Ordering::SeqCst);
                let answer = call(&http, &server, &token, method, path, body.as_ref()).await.map_err(|e| e.to_string());
                let ended = phase.load(Ordering::SeqCst);
                records.lock().unwrap().push(Record { started, ended, what, answer });
                i += 4;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    phase.store(STOPPING, Ordering::SeqCst);
    cluster.stop_fast();
    phase.store(DOWN, Ordering::SeqCst);
    // Long enough for each client to wait out the acquire timeout twice.
    tokio::time::sleep(Duration::from_secs(11)).await;
    phase.store(STARTING, Ordering::SeqCst);
    cluster.start_again();
    phase.store(BACK, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }

    let records = std::mem::take(&mut *records.lock().unwrap());
    let show = |r: &Record| match &r.answer {
        Ok(a) => {
            format!("{} {} {} {:?} {:.1?} {:.200}", r.what, r.started, a.status, a.code, a.took, a.body.to_string())
        }
        Err(e) => format!("{} {}: {e}", r.what, r.started),
    };
    let all: Vec<String> = records.iter().map(show).collect();
    let success = |a: &Answer| a.status == StatusCode::OK;
    for r in &records {
        let a =
            r.answer.as_ref().unwrap_or_else(|e| panic!("no answer ({e}) in phase {}:\n{}", r.started, all.join("\n")));
        assert_ne!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{}\n\n{}", show(r), cluster.log());
        if r.started == UP && r.ended == UP {
            assert!(success(a), "{}", show(r));
        }
        if !success(a) {
            assert_eq!(
                (a.status, a.code.as_str(), a.retry_after.as_deref()),
                (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", Some("1")),
                "{}",
                show(r)
            );
        }
        // The acquire timeout (5 s) bounds a wait, whatever the phase.
        assert!(a.took < roster_postgres::ACQUIRE_TIMEOUT + Duration::from_secs(3), "{}", show(r));
        if r.started == BACK {
            assert!(success(a), "after PostgreSQL was back: {}\n{}", show(r), all.join("\n"));
        }
    }
    let while_down: Vec<&Record> = records.iter().filter(|r| r.started == DOWN && r.ended == DOWN).collect();
    assert!(while_down.len() >= 3, "too few requests while PostgreSQL was down:\n{}", all.join("\n"));
    assert!(while_down.iter().all(|r| r.answer.as_ref().is_ok_and(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)));
    let back = records.iter().filter(|r| r.started == BACK).count();
    assert!(back >= 4, "too few requests after PostgreSQL was back:\n{}", all.join("\n"));
    let _ = writeln!(
        std::io::stderr(),
        "note: PostgreSQL outage: {} requests, {} while down (all 503), {back} after (all 200)",
        records.len(),
        while_down.len()
    );
    check_invariants(&fixture).await;
    drop(server);
}
