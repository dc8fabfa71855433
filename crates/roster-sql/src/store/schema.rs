//! The database's migrations against this binary's, for readiness and for the
//! refusal to run on a schema a newer Roster wrote.

use super::{Pool, db_err};
use crate::D;
use roster_core::error::Result;
use roster_core::store::SchemaStatus;
use roster_sql::Dialect;
use std::collections::BTreeSet;

pub(super) async fn status(pool: &Pool) -> Result<SchemaStatus> {
    let known: BTreeSet<i64> =
        D::migrator().iter().filter(|m| !m.migration_type.is_down_migration()).map(|m| m.version).collect();
    let exists: bool = sqlx::query_scalar(D::MIGRATIONS_TABLE_EXISTS).fetch_one(pool).await.map_err(db_err)?;
    let applied: BTreeSet<i64> = if exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect()
    } else {
        BTreeSet::new()
    };
    Ok(SchemaStatus {
        pending: known.difference(&applied).copied().collect(),
        unknown: applied.difference(&known).copied().collect(),
    })
}
