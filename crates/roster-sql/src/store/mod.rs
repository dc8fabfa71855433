//! The `Store` both backends share, compiled into each backend crate with that
//! crate's `D` (its `roster_sql::Dialect`) and `Db` (its `sqlx::Database`); see the
//! crate documentation of roster-sql.
//!
//! One module per aggregate holds its statements: functions that take a `&mut Tx`
//! for writes, or a pool for reads. The trait impls in `store.rs` own the
//! transactions: they begin one, call those functions, and commit. Decisions are
//! the core's (`roster_core::licensing`); these modules read, lock and write.
//!
//! Lock order, in every write that takes more than one: the customer's seat rows
//! (`seats::lock`, by product id), then users (by id), then the customer's
//! counters. PostgreSQL never sees two transactions wait on each other.

mod audit;
mod catalog;
mod counters;
mod customers;
mod guarded;
mod idempotency;
mod imports;
mod licenses;
mod metrics;
mod paging;
mod preconditions;
mod rate_limits;
mod rekey;
mod results;
mod rows;
mod schema;
mod seats;
mod selection;
mod sessions;
mod store;
mod tenants;
mod user_changes;
mod users;
mod write;

use crate::Db;
use roster_core::error::Error;

type Tx = sqlx::Transaction<'static, Db>;
type DbRow = <Db as sqlx::Database>::Row;
type Pool = sqlx::Pool<Db>;

/// Roster's store on this crate's database.
pub struct SqlStore {
    /// Readers, and the few writes that are one statement on their own.
    pub(crate) pool: Pool,
    /// Write transactions. On SQLite one connection: SQLite runs one writer at a
    /// time whatever the pool, and one connection's page cache keeps the pages
    /// writes touch warm. On PostgreSQL the same pool as `pool`.
    pub(crate) writer: Pool,
    /// Reads that sweep many rows once (an import's rows, the usernames a file
    /// names): on SQLite through a small page cache of their own, so they do not
    /// fill every reader's with pages nobody asks for again.
    pub(crate) bulk: Pool,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").field("database", &<Db as sqlx::Database>::NAME).finish_non_exhaustive()
    }
}

/// A database failure the caller can act on is named: the database away
/// (`Error::Unavailable`) or its disk full (`Error::StorageFull`), each logged
/// here as a warning with its cause. Any other failure is internal: logged with
/// its cause where it is answered, never shown.
fn db_err(e: sqlx::Error) -> Error {
    use crate::D;
    use roster_sql::Dialect;
    if D::is_storage_full(&e) {
        tracing::warn!(error = %e, "the database's storage is full; a write was refused");
        return Error::StorageFull;
    }
    let lost = matches!(
        e,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    );
    if lost || D::is_unavailable(&e) {
        tracing::warn!(error = %e, "the database cannot be reached; the request is answered database_unavailable");
        return Error::Unavailable;
    }
    Error::internal(e)
}

/// Whether `e` is a unique violation of a constraint whose name (or, on SQLite,
/// whose message) contains `needle`.
fn unique_violation(e: &sqlx::Error, needle: &str) -> bool {
    e.as_database_error().is_some_and(|d| {
        d.is_unique_violation() && (d.constraint().is_some_and(|c| c.contains(needle)) || d.message().contains(needle))
    })
}

/// Pushes `(a, b, c)`: each id bound once.
fn push_id_list(qb: &mut sqlx::QueryBuilder<Db>, ids: impl IntoIterator<Item = uuid::Uuid>) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    qb.push(")");
}
