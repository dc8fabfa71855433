//! The PostgreSQL store, which several Roster instances can share.

use roster_core::error::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use time::OffsetDateTime;

pub struct PgStore {
    pool: sqlx::PgPool,
    /// Write transactions share the pool: PostgreSQL runs writers side by side.
    writer: sqlx::PgPool,
    /// Reads that sweep many rows once; PostgreSQL's buffer cache is shared, so
    /// they need no pool of their own.
    bulk: sqlx::PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

type DbTime = OffsetDateTime;

fn to_db(t: OffsetDateTime) -> DbTime {
    t
}

fn from_db(v: DbTime) -> OffsetDateTime {
    v
}

const BEGIN_WRITE: &str = "BEGIN";

/// Seat rows are locked for the whole license update, so two instances sharing the
/// database hand out seats one after the other.
const LOCK_SEATS: &str = " FOR UPDATE";

const JSON_ROWS: &str = "json_agg";
const JSON_ROW: &str = "json_build_array";
const UUID_TEXT: &str = "text";

/// `FROM` the users with these ids as `u`, each joined to its licenses as `l`.
///
/// Each id is looked up by key whatever the statistics say. Given 2,000 ids in a
/// list, the planner chose to scan the whole users table whenever its statistics
/// were missing or stale (16 ms a chunk at 100,000 users, more than 7 s once they
/// said user_licenses was empty). `OFFSET 0` keeps each lateral lookup from being
/// flattened back into a join the planner may scan.
fn push_users_with_licenses(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>, ids: &[uuid::Uuid]) {
    qb.push("FROM unnest(");
    qb.push_bind(ids.to_vec());
    qb.push(
        "::uuid[]) AS wanted (id) \
         CROSS JOIN LATERAL (SELECT * FROM users WHERE users.id = wanted.id OFFSET 0) u \
         LEFT JOIN LATERAL (SELECT * FROM user_licenses WHERE user_licenses.user_id = u.id OFFSET 0) l ON TRUE",
    );
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(PgConnectOptions::from_str(url).map_err(Error::internal)?, 16).await
    }

    /// Connects with explicit options, for example a `search_path` for a test schema.
    pub async fn connect_with(options: PgConnectOptions, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .map_err(Error::internal)?;
        Ok(Self { writer: pool.clone(), bulk: pool.clone(), pool })
    }
}

roster_sql::impl_sql_store!(PgStore, sqlx::Postgres);
