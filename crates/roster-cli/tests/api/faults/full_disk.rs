//! SQLite on a disk that fills up: writes are refused with 507 `storage_full`
//! (never a 500), reads still work, the file passes `PRAGMA integrity_check`, and
//! once space is freed writes work again, all without restarting `roster serve`.
//! PostgreSQL answers a full disk under its WAL by stopping itself (a PANIC),
//! which is the outage of `outage.rs`; its `disk_full` error on a table file maps
//! to the same 507.

use super::*;
use crate::two_servers::serve;
use roster_testkit::bulk::{check_invariants, seed_users};
use roster_testkit::outages::Tmpfs;

/// Creates user `name` over the API.
async fn create(http: &reqwest::Client, server: &str, setup: &Setup, name: &str) -> Answer {
    let body =
        json!({"userName": name, "domain": setup.customer.domains[0], "displayName": name, "usageLocation": "US"});
    call(http, server, &setup.token, reqwest::Method::POST, &setup.path("/users"), Some(&body)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_under_sqlite_refuses_writes_with_507_keeps_reads_and_recovers() {
    let Some(tmpfs) = Tmpfs::mount(24) else { return };
    let dir = tmpfs.path("db");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("roster.db").display());
    let store = roster_sqlite::SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let fixture = roster_testkit::Fixture::At { url: url.clone() };
    let setup = Setup::new(Arc::new(store), "full.example", 100_000).await;
    seed_users(&fixture, &setup.seed("f", 2_000, &["OLD"])).await;
    let ids = licensed_ids(&fixture, setup.customer.id).await;
    let server = serve(&url);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    assert_eq!(create(&http, &server.url, &setup, "before").await.status, StatusCode::CREATED);

    let ballast = tmpfs.fill("ballast");
    // Writes until the log finds no room: a few may still fit in pages the log
    // already holds. Each is refused whole, with 507 and its code.
    let (mut created, mut refused) = (1, 0);
    let assign = json!({"userIds": ids, "assign": [{"productId": "NEW"}]});
    for i in 0..200 {
        let a = if i % 2 == 0 {
            create(&http, &server.url, &setup, &format!("full{i}")).await
        } else {
            let path = setup.path("/license-updates");
            call(&http, &server.url, &setup.token, reqwest::Method::POST, &path, Some(&assign)).await.unwrap()
        };
        match a.status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => {}
            StatusCode::INSUFFICIENT_STORAGE => {
                assert_eq!(a.code, "storage_full", "{:?}", a.body);
                refused += 1;
                if refused >= 6 {
                    break;
                }
            }
            other => panic!("a write on a full disk answered {other}: {:.300}", a.body.to_string()),
        }
    }
    assert!(refused >= 6, "the full disk refused {refused} writes of 200");
    // Reads still work.
    let list = call(&http, &server.url, &setup.token, reqwest::Method::GET, &setup.path("/users?limit=5"), None)
        .await
        .unwrap();
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let customer = call(&http, &server.url, &setup.token, reqwest::Method::GET, &setup.path(""), None).await.unwrap();
    assert_eq!(customer.status, StatusCode::OK, "{:?}", customer.body);
    assert_eq!(customer.body["userCount"], 2_000 + created, "{:?}", customer.body);
    // No corruption, and the counters match the rows.
    check_invariants(&fixture).await;

    // Space freed: writes work again on the same process.
    std::fs::remove_file(&ballast).unwrap();
    assert_eq!(create(&http, &server.url, &setup, "after").await.status, StatusCode::CREATED);
    let path = setup.path("/license-updates");
    let again = call(&http, &server.url, &setup.token, reqwest::Method::POST, &path, Some(&assign)).await.unwrap();
    assert_eq!(again.status, StatusCode::OK, "{:.300}", again.body.to_string());
    let invariants = check_invariants(&fixture).await;
    assert_eq!(invariants.seats[0], ("NEW".to_owned(), 100_000, 2_000));
    drop(server);
}
