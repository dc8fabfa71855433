//! Backups: `roster backup` copies a SQLite database while users and seats are
//! being written, and the copy, restored by `roster restore-backup`, is the data
//! at one point in time (its seats and counters agree with its rows). PostgreSQL:
//! a pg_dump restored with psql into a fresh database keeps the same invariants.

use roster_cli::backup::BROKEN_INVARIANTS;
use roster_core::services::{LicenseInput, NewUserInput};
use roster_testkit::{Backend, spawn_app};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

fn roster(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("ROSTER_DATABASE_URL", database_url)
        .output()
        .expect("running roster")
}

/// Starts a writer creating users with a seat each, 50 to a batch; returns once
/// its first batch is in.
async fn writing_customer(app: &roster_testkit::TestApp) -> (Arc<AtomicBool>, tokio::task::JoinHandle<usize>) {
    app.with_catalog().await;
    let agent = app.services.authenticate_token(&app.admin_token).await.unwrap().unwrap();
    let customer = app.services.create_customer(&agent, "Backup Co", &["backup.example".into()], "US").await.unwrap();
    app.services.buy_subscription(&agent, customer.id, "MAIL_P1", 100_000).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let (services, stopping, progress) = (app.services.clone(), stop.clone(), written.clone());
    let writer = tokio::spawn(async move {
        let mut made = 0;
        while !stopping.load(Ordering::Relaxed) {
            let inputs: Vec<_> = (made..made + 50)
                .map(|i| NewUserInput {
                    user_name: format!("u{i}"),
                    domain: Some("backup.example".into()),
                    display_name: format!("U {i}"),
                    usage_location: Some("US".into()),
                    licenses: vec![LicenseInput { product_id: "MAIL_P1".into(), ..Default::default() }],
                    ..Default::default()
                })
                .collect();
            for r in services.create_users(&agent, customer.id, &inputs).await.unwrap() {
                r.unwrap();
            }
            made += 50;
            progress.store(made, Ordering::Relaxed);
        }
        made
    });
    while written.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
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

/// PostgreSQL: `pg_dump` while users and seats are written, restored with `psql`
/// into a fresh database, keeps the seat invariants.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_taken_during_writes_restores_with_the_seat_invariants() {
    if !roster_testkit::backend_available(Backend::Postgres).await {
        return;
    }
    let tool = |name: &str| {
        let packaged = format!("/usr/lib/postgresql/15/bin/{name}");
        if std::path::Path::new(&packaged).exists() { packaged } else { name.to_owned() }
    };
    let app = spawn_app(Backend::Postgres).await;
    let roster_testkit::Fixture::Postgres { schema } = &app.fixture else { unreachable!() };
    let schema = schema.clone();
    let (stop, writer) = writing_customer(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let base = roster_testkit::pg_base_url();
    let dump = tokio::task::spawn_blocking({
        let (pg_dump, base, schema) = (tool("pg_dump"), base.clone(), schema.clone());
        move || Command::new(pg_dump).args(["--no-owner", "--schema", &schema, &base]).output().unwrap()
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let made = writer.await.unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));

    let fresh = format!("roster_restore_{}", uuid::Uuid::now_v7().simple());
    let psql = |url: &str, sql: &[u8]| {
        use std::io::Write;
        let mut child = Command::new(tool("psql"))
            .args(["-q", "-v", "ON_ERROR_STOP=1", url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(sql).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let (admin, _) = base.rsplit_once('/').unwrap();
    psql(&format!("{admin}/postgres"), format!("CREATE DATABASE {fresh}").as_bytes());
    let fresh_url = format!("{admin}/{fresh}");
    // The extension lives in public, outside the dumped schema.
    psql(&fresh_url, b"CREATE EXTENSION IF NOT EXISTS pg_trgm");
    psql(&fresh_url, &dump.stdout);

    let options: sqlx::postgres::PgConnectOptions = fresh_url.parse().unwrap();
    let pool = sqlx::PgPool::connect_with(options.options([("search_path", schema.as_str())])).await.unwrap();
    let broken: i64 = sqlx::query_scalar(BROKEN_INVARIANTS).fetch_one(&pool).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    let assigned: i64 = sqlx::query_scalar("SELECT assigned FROM subscriptions").fetch_one(&pool).await.unwrap();
    pool.close().await;
    psql(&format!("{admin}/postgres"), format!("DROP DATABASE {fresh}").as_bytes());
    assert_eq!(broken, 0);
    assert_eq!((users % 50, assigned), (0, users), "one point in time: whole batches, each user with its seat");
    assert!(users > 0 && users as usize <= made, "{users} of {made}");
}
