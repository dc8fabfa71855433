//! `roster backup` and `roster restore-backup`: SQLite databases only. A backup is
//! `VACUUM INTO`, one read transaction, so it is a consistent copy of a database
//! that `serve` keeps writing. PostgreSQL is backed up with its own tools.

use anyhow::{Context, bail};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Rows breaking the seat invariants: a subscription assigning more seats than it
/// has, or other than its active users holding its product; a customer whose
/// active-user counter is not its active users. Zero on a sound database; the
/// same SQL runs on both backends.
pub const BROKEN_INVARIANTS: &str = "SELECT \
    (SELECT count(*) FROM subscriptions s WHERE s.assigned > s.quantity OR s.assigned <> \
        (SELECT count(*) FROM user_licenses l JOIN users u ON u.id = l.user_id \
         WHERE u.customer_id = s.customer_id AND l.product_id = s.product_id AND u.state = 'active')) \
  + (SELECT count(*) FROM customers c WHERE c.active_users <> \
        (SELECT count(*) FROM users u WHERE u.customer_id = c.id AND u.state = 'active'))";

const PG_ADVICE: &str = "this database is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f roster.dump URL) and \
     restore it with pg_restore (or psql for a plain dump) into an empty database; see README, \"Backup and restore\"";

/// The file of a `sqlite:` URL.
fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    if !url.starts_with("sqlite:") {
        bail!("{PG_ADVICE}");
    }
    let options = SqliteConnectOptions::from_str(url).context("reading the database URL")?;
    let file = options.get_filename();
    if file.as_os_str().is_empty() || file == Path::new(":memory:") {
        bail!("an in-memory database has nothing to back up");
    }
    Ok(file.to_owned())
}

/// Copies the live database at `url` into `out`, which must not exist.
pub async fn backup(url: &str, out: &Path) -> anyhow::Result<()> {
    let file = sqlite_file(url)?;
    if out.exists() {
        bail!("{} already exists; a backup never overwrites a file", out.display());
    }
    let out_text = out.to_str().context("the backup's path is not UTF-8")?;
    let options =
        SqliteConnectOptions::new().filename(&file).read_only(true).busy_timeout(std::time::Duration::from_secs(30));
    let mut conn =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("opening {}", file.display()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(out_text)
        .execute(&mut conn)
        .await
        .context("copying the database (VACUUM INTO)")?;
    conn.close().await.ok();
    check(out).await.with_context(|| format!("checking the backup {}", out.display()))?;
    Ok(())
}

/// What `check` found in a backup.
#[derive(Debug)]
pub struct Checked {
    pub migrations: usize,
}

/// A file restore-backup would accept: sound to SQLite, a Roster database whose
/// migrations this binary knows, and whose seats and counters agree with its rows.
pub async fn check(path: &Path) -> anyhow::Result<Checked> {
    if !path.is_file() {
        bail!("{} is not a file", path.display());
    }
    let options = SqliteConnectOptions::new().filename(path).read_only(true).immutable(true);
    let mut conn = SqliteConnection::connect_with(&options).await.context("opening it as SQLite")?;
    let integrity: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.context("not an SQLite database")?;
    if integrity != "ok" {
        bail!("SQLite's integrity check failed: {integrity}");
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
         AND name IN ('_sqlx_migrations', 'partners', 'customers', 'users', 'subscriptions', 'user_licenses')",
    )
    .fetch_one(&mut conn)
    .await?;
    if tables != 6 {
        bail!("not a Roster database (its tables are missing)");
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut conn)
        .await?;
    let known = roster_sqlite::known_migrations();
    let unknown: Vec<String> = applied.iter().filter(|v| !known.contains(v)).map(i64::to_string).collect();
    if !unknown.is_empty() {
        bail!("it was taken from a newer Roster (migrations {} are unknown to this binary)", unknown.join(", "));
    }
    let broken: i64 = sqlx::query_scalar(BROKEN_INVARIANTS).fetch_one(&mut conn).await?;
    if broken != 0 {
        bail!("{broken} subscription(s) or customer(s) disagree with their users: seats or counters are broken");
    }
    conn.close().await.ok();
    Ok(Checked { migrations: applied.len() })
}

/// Checks `backup`, then puts it in place of the database at `url`. Every
/// `roster serve` on that database must be stopped first: the file is replaced,
/// and its write-ahead log removed, under them. An existing database is kept
/// beside it as `FILE.before-restore` and is replaced only with `replace`.
pub async fn restore(url: &str, backup: &Path, replace: bool) -> anyhow::Result<PathBuf> {
    let target = sqlite_file(url)?;
    check(backup).await.with_context(|| format!("checking {}", backup.display()))?;
    let side = |suffix: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    if target.exists() {
        if !replace {
            bail!(
                "{} exists; stop every roster serve on it and run again with --replace (it is kept as {})",
                target.display(),
                side(".before-restore").display()
            );
        }
        if side(".before-restore").exists() {
            bail!("{} exists from an earlier restore; move it away first", side(".before-restore").display());
        }
    }
    let staged = side(".restoring");
    std::fs::copy(backup, &staged).with_context(|| format!("copying to {}", staged.display()))?;
    std::fs::File::open(&staged).and_then(|f| f.sync_all()).context("syncing the copy")?;
    // The database being replaced keeps its write-ahead log beside it.
    for suffix in ["", "-wal", "-shm"] {
        let current = side(suffix);
        if current.exists() {
            let kept = side(&format!(".before-restore{suffix}"));
            std::fs::rename(&current, &kept).with_context(|| format!("keeping {}", current.display()))?;
        }
    }
    std::fs::rename(&staged, &target).context("putting the backup in place")?;
    Ok(target)
}
