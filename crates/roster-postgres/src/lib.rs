//! The PostgreSQL store, which several Roster instances can share.

use roster_core::error::{Error, Result};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use time::OffsetDateTime;

/// PostgreSQL's side of the SQL the backends share.
#[derive(Debug)]
pub struct PgDialect;

impl roster_sql::Dialect for PgDialect {
    type Db = sqlx::Postgres;
    type Time = OffsetDateTime;

    const BEGIN_WRITE: &'static str = "BEGIN";
    /// Seat rows are locked for the whole write, so two instances sharing the
    /// database hand out seats one after the other.
    const LOCK_SEATS: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const JSON_ROWS: &'static str = "json_agg";
    const JSON_ROW: &'static str = "json_build_array";
    const UUID_TEXT: &'static str = "text";
    const MIGRATIONS_TABLE_EXISTS: &'static str = "SELECT to_regclass('_sqlx_migrations') IS NOT NULL";

    fn to_db(t: OffsetDateTime) -> OffsetDateTime {
        t
    }

    fn from_db(v: OffsetDateTime) -> OffsetDateTime {
        v
    }

    /// Each id is looked up by key whatever the statistics say. Given 2,000 ids
    /// in a list, the planner chose to scan the whole users table whenever its
    /// statistics were missing or stale (16 ms a chunk at 100,000 users, more than
    /// 7 s once they said user_licenses was empty). `OFFSET 0` keeps each lateral
    /// lookup from being flattened back into a join the planner may scan.
    fn push_users_with_licenses(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>, ids: &[uuid::Uuid]) {
        qb.push("FROM unnest(");
        qb.push_bind(ids.to_vec());
        qb.push(
            "::uuid[]) AS wanted (id) \
             CROSS JOIN LATERAL (SELECT * FROM users WHERE users.id = wanted.id OFFSET 0) u \
             LEFT JOIN LATERAL (SELECT * FROM user_licenses WHERE user_licenses.user_id = u.id OFFSET 0) l ON TRUE",
        );
    }

    /// `deadlock_detected` and `serialization_failure`.
    fn is_transient(e: &sqlx::Error) -> bool {
        e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "40P01" || code == "40001")
    }

    /// Class 08 (connection exceptions), `admin_shutdown`, `crash_shutdown`,
    /// `cannot_connect_now` (starting up or in recovery), `too_many_connections`.
    fn is_unavailable(e: &sqlx::Error) -> bool {
        e.as_database_error().and_then(|d| d.code()).is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        })
    }

    /// `disk_full`.
    fn is_storage_full(e: &sqlx::Error) -> bool {
        e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "53100")
    }

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }
}

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

type D = PgDialect;
type Db = sqlx::Postgres;

#[path = "../../roster-sql/src/store/mod.rs"]
mod sql;

/// How long a request waits for a connection before it is answered 503
/// `database_unavailable`. While PostgreSQL is down, every new connection is
/// refused and the pool keeps trying until this runs out; each connection is
/// checked before use, so once the server is back the next request reconnects.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Roster's store on PostgreSQL.
pub type PgStore = sql::SqlStore;

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(PgConnectOptions::from_str(url).map_err(Error::internal)?, 16).await
    }

    /// Connects with explicit options, for example a `search_path` for a test schema.
    pub async fn connect_with(options: PgConnectOptions, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(Error::internal)?;
        // PostgreSQL runs writers side by side, and its buffer cache is shared:
        // writes and sweeping reads need no pools of their own.
        Ok(Self { writer: pool.clone(), bulk: pool.clone(), pool })
    }
}
