//! The PostgreSQL store, which several Roster instances can share.

use roster_core::error::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use time::OffsetDateTime;

pub struct PgStore {
    pool: sqlx::PgPool,
    /// Write transactions share the pool: PostgreSQL runs writers side by side.
    writer: sqlx::PgPool,
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
        Ok(Self { writer: pool.clone(), pool })
    }
}

roster_sql::impl_sql_store!(PgStore, sqlx::Postgres);
