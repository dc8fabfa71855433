//! Upgrades: a binary migrates an older database (every test's fresh database is
//! migrated from nothing), and refuses, with a clear message and a non-zero exit,
//! a database a newer Roster has migrated.

use roster_testkit::{Backend, backend_available, fresh_store};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

async fn a_newer_schema_is_refused(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (_store, fixture) = fresh_store(backend).await;
    fixture.add_future_migration(99_990_001).await;
    for args in [&["serve", "--listen", "127.0.0.1:0"][..], &["migrate"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(args)
            .env("ROSTER_DATABASE_URL", fixture.database_url())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("roster {args:?} ran on a database a newer Roster migrated");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("was migrated by a newer Roster") && stderr.contains("99990001"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} said something on stdout: {}", String::from_utf8_lossy(&out.stdout));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_refuses_a_newer_sqlite_schema() {
    a_newer_schema_is_refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_refuses_a_newer_postgresql_schema() {
    a_newer_schema_is_refused(Backend::Postgres).await;
}
