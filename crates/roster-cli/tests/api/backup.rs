//! Backups: `roster backup` copies a SQLite database while users and seats are
//! being written, and the copy, restored by `roster restore-backup`, is the data
//! at one point in time (its seats and counters agree with its rows). PostgreSQL:
//! a pg_dump restored with psql into a fresh database keeps the same invariants.

use roster_cli::backup::BROKEN_INVARIANTS;
use roster_core::services::{LicenseInput, NewUserInput};
use roster_testkit::{Backend, spawn_app};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn roster(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("ROSTER_DATABASE_URL", database_url)
        .output()
        .expect("running roster")
}

async fn writing_customer(app: &roster_testkit::TestApp) -> (Arc<AtomicBool>, tokio::task::JoinHandle<usize>) {
    app.with_catalog().await;
    let agent = app.services.authenticate_token(&app.admin_token).await.unwrap().unwrap();
    let customer = app.services.create_customer(&agent, "Backup Co", &["backup.example".into()], "US").await.unwrap();
    app.services.buy_subscription(&agent, customer.id, "MAIL_P1", 100_000).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (services, stopping) = (app.services.clone(), stop.clone());
    let writer = tokio::spawn(async move {
        let mut made = 0;
        while !stopping.load(Ordering::Relaxed) {
            let inputs: Vec<_> = (made..made + 50)
                .map(|i| NewUserInput {
                    user_name: format!("u{i}"),
                    domain: Some("backup.example".into()),
                    display_name: format!("U {i}"),
                    usage_location: Some("US".into()),
                    licenses: vec![LicenseInput { product_id: "MAIL_P1".into(), disabled_service_plans: vec![] }],
                    ..Default::default()
                })
                .collect();
            for r in services.create_users(&agent, customer.id, &inputs).await.unwrap() {
                r.unwrap();
            }
            made += 50;
        }
        made
    });
    (stop, writer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_during_writes_restores_a_consistent_copy() {
    let app = spawn_app(Backend::Sqlite).await;
    let (stop, writer) = writing_customer(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let dir = std::env::temp_dir().join(format!("roster-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("backup.db");
    let url = app.fixture.database_url();
    let backup = tokio::task::spawn_blocking({
        let (url, out) = (url.clone(), out.clone());
        move || roster(&["backup", "--out", out.to_str().unwrap()], &url)
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let made = writer.await.unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    // Never over an existing file.
    let again = roster(&["backup", "--out", out.to_str().unwrap()], &url);
    assert!(!again.status.success());

    let restored_url = format!("sqlite://{}?mode=rwc", dir.join("restored.db").display());
    let restore = roster(&["restore-backup", out.to_str().unwrap()], &restored_url);
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    // An existing database is replaced only when asked, and kept.
    let refused = roster(&["restore-backup", out.to_str().unwrap()], &restored_url);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--replace"));

    let pool = sqlx::SqlitePool::connect(&restored_url).await.unwrap();
    let broken: i64 = sqlx::query_scalar(BROKEN_INVARIANTS).fetch_one(&pool).await.unwrap();
    assert_eq!(broken, 0);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    let assigned: i64 = sqlx::query_scalar("SELECT assigned FROM subscriptions").fetch_one(&pool).await.unwrap();
    // The copy is one point in time: whole batches, each user with its seat.
    assert_eq!(users % 50, 0, "{users}");
    assert_eq!(assigned, users);
    assert!(users > 0 && users as usize <= made, "{users} of {made}");
    pool.close().await;
    // The restored copy serves.
    let migrate = roster(&["migrate"], &restored_url);
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    // What restore-backup refuses: not SQLite, and a copy whose seats disagree.
    std::fs::write(dir.join("junk.db"), b"not a database at all, not even close").unwrap();
    let junk = roster(&["restore-backup", dir.join("junk.db").to_str().unwrap()], &restored_url);
    assert!(!junk.status.success());
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", out.display())).await.unwrap();
    sqlx::query("PRAGMA ignore_check_constraints = ON").execute(&pool).await.unwrap();
    sqlx::query("UPDATE subscriptions SET assigned = assigned - 1").execute(&pool).await.unwrap();
    pool.close().await;
    let broken = roster(&["restore-backup", "--replace", out.to_str().unwrap()], &restored_url);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("seats or counters are broken"));
    // PostgreSQL is pointed to pg_dump.
    let pg = roster(&["backup", "--out", dir.join("pg.db").to_str().unwrap()], "postgres://nobody@127.0.0.1:1/none");
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
    let _ = std::fs::remove_dir_all(&dir);
}
