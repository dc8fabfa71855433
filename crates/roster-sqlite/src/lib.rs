//! The embedded default store: one SQLite file in WAL mode.

use roster_core::clock::{from_unix_micros, to_unix_micros};
use roster_core::error::{Error, Result};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// SQLite's side of the SQL the backends share.
#[derive(Debug)]
pub struct SqliteDialect;

impl roster_sql::Dialect for SqliteDialect {
    type Db = sqlx::Sqlite;
    type Time = i64;

    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const LOCK_SEATS: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    const JSON_ROWS: &'static str = "json_group_array";
    const JSON_ROW: &'static str = "json_array";
    const UUID_TEXT: &'static str = "hex";
    const MIGRATIONS_TABLE_EXISTS: &'static str =
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')";

    fn to_db(t: OffsetDateTime) -> i64 {
        to_unix_micros(t)
    }

    fn from_db(v: i64) -> OffsetDateTime {
        from_unix_micros(v)
    }

    fn push_users_with_licenses(qb: &mut sqlx::QueryBuilder<sqlx::Sqlite>, ids: &[uuid::Uuid]) {
        qb.push("FROM users u LEFT JOIN user_licenses l ON l.user_id = u.id WHERE u.id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        qb.push(")");
    }

    /// Writers queue on `BEGIN IMMEDIATE` and the busy timeout instead: SQLite
    /// has one writer, so it has no deadlocks to break.
    fn is_transient(_: &sqlx::Error) -> bool {
        false
    }

    /// An embedded file is never away: only a disk can fail it.
    fn is_unavailable(_: &sqlx::Error) -> bool {
        false
    }

    /// `SQLITE_FULL` (13): a write to the database or its log found no space.
    fn is_storage_full(e: &sqlx::Error) -> bool {
        e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "13")
    }

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }
}

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The versions of the migrations this binary knows, for checking a backup.
pub fn known_migrations() -> Vec<i64> {
    MIGRATOR.iter().filter(|m| !m.migration_type.is_down_migration()).map(|m| m.version).collect()
}

type D = SqliteDialect;
type Db = sqlx::Sqlite;

#[path = "../../roster-sql/src/store/mod.rs"]
mod sql;

/// Roster's store on SQLite.
pub type SqliteStore = sql::SqlStore;

impl SqliteStore {
    /// Opens (and with `mode=rwc`, creates) the database at `url`.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(Error::internal)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Checkpoints run beside the writer, not inside its commits; see below.
            .pragma("wal_autocheckpoint", "0")
            .pragma("temp_store", "memory");
        // Page cache, in KiB: each connection keeps its own.
        let (reader_cache, writer_cache, bulk_cache) = ("-8192", "-16384", "-2048");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .after_release(leaves_no_transaction)
            .connect_with(options.clone().pragma("cache_size", reader_cache))
            .await
            .map_err(Error::internal)?;
        // An in-memory database is private to its connection, so it has one pool.
        let (writer, bulk) = if url.contains(":memory:") || url.contains("mode=memory") {
            (pool.clone(), pool.clone())
        } else {
            let pool_of = |connections, cache| {
                SqlitePoolOptions::new()
                    .max_connections(connections)
                    .after_release(leaves_no_transaction)
                    .connect_with(options.clone().pragma("cache_size", cache))
            };
            (
                pool_of(1, writer_cache).await.map_err(Error::internal)?,
                pool_of(2, bulk_cache).await.map_err(Error::internal)?,
            )
        };
        spawn_checkpointer(pool.clone());
        Ok(Self { pool, writer, bulk })
    }

    pub fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }
}

/// Whether a connection given back to its pool may be used again: not when it
/// still counts a transaction open. SQLite rolls a transaction back by itself
/// when a write fails for want of space (`SQLITE_FULL`) or on some I/O errors;
/// the driver's own rollback then fails, and without this the connection would
/// come back believing it is inside a transaction, refusing every `BEGIN`
/// after (a full disk would end every write with a 500 until a restart). The
/// ping goes after the driver's queued rollback, so the count is the final one.
fn leaves_no_transaction(
    conn: &mut sqlx::SqliteConnection,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    use sqlx::Connection;
    Box::pin(async move {
        conn.ping().await?;
        let clean = !conn.is_in_transaction();
        if !clean {
            tracing::warn!("a SQLite connection still counted a transaction open when released; it is closed");
        }
        Ok(clean)
    })
}

/// Copies the write-ahead log back into the database on a connection of its
/// own, so a writer's commit never stops to do it (SQLite's automatic checkpoint
/// runs inside the commit that crosses its threshold). A passive checkpoint never
/// waits for readers or writers. It ends with the pool, or with the runtime.
fn spawn_checkpointer(pool: sqlx::SqlitePool) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    runtime.spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_millis(200));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            ticker.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    });
}
