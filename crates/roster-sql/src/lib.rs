//! The SQL both storage backends share.
//!
//! SQLite and PostgreSQL accept the same SQL for almost everything Roster does
//! (`$N` placeholders, row-value comparisons, partial unique indexes, `ON CONFLICT
//! DO NOTHING`, `RETURNING`), so every statement is written once, in the modules
//! under `src/store/`. Each backend crate compiles those modules as its own, with
//! concrete types:
//!
//! ```ignore
//! type D = SqliteDialect;              // this crate's `Dialect`, implemented by the backend
//! type Db = sqlx::Sqlite;
//! #[path = "../../roster-sql/src/store/mod.rs"]
//! mod sql;
//! ```
//!
//! Compiled per backend rather than generic over `sqlx::Database`, the queries
//! need no `for<'r> Decode<'r, DB>` bounds; compiled as ordinary modules rather
//! than expanded from a macro, rustfmt, clippy and go-to-definition reach them.
//! What differs between the two databases is the `Dialect` below, which each
//! backend implements once, so the compiler checks that contract.

use sqlx::QueryBuilder;
use sqlx::migrate::Migrator;
use time::OffsetDateTime;
use uuid::Uuid;

/// What one database does differently from the other, for the shared store.
pub trait Dialect {
    type Db: sqlx::Database;

    /// How a timestamp is stored: SQLite keeps microseconds since the epoch in an
    /// integer, PostgreSQL a `timestamptz`.
    type Time;

    /// The statement that opens a write transaction. SQLite's `BEGIN IMMEDIATE`
    /// takes the write lock up front, so two writers queue on the busy timeout
    /// instead of one failing when it upgrades a read lock.
    const BEGIN_WRITE: &'static str;

    /// Appended to the statement that reads a customer's seats at the start of a
    /// write: `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose one write lock
    /// `BEGIN_WRITE` already holds.
    const LOCK_SEATS: &'static str;

    /// Appended to a subquery that picks rows to delete in a sweep (the purge of
    /// users past their window): ` FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
    /// instances sweeping at once take different rows instead of waiting on each
    /// other; nothing on SQLite, which has one writer.
    const SKIP_LOCKED: &'static str;

    /// The aggregate that gathers rows into one JSON array (`json_group_array`,
    /// `json_agg`). Reads of many rows come back as one JSON text: the driver hands
    /// rows over one at a time, which for 100,000 rows costs more than the reads.
    const JSON_ROWS: &'static str;

    /// The function that builds one row as a JSON array (`json_array`,
    /// `json_build_array`).
    const JSON_ROW: &'static str;

    /// The function that turns a uuid column into text JSON can hold: `hex` on
    /// SQLite, where ids are 16-byte blobs; `text` on PostgreSQL.
    const UUID_TEXT: &'static str;

    fn to_db(t: OffsetDateTime) -> Self::Time;

    fn from_db(v: Self::Time) -> OffsetDateTime;

    /// Pushes the `FROM` clause of the users with these ids as `u`, each
    /// left-joined to its licenses as `l`.
    fn push_users_with_licenses(qb: &mut QueryBuilder<Self::Db>, ids: &[Uuid]);

    /// Whether the database failed a statement only to break a deadlock or a
    /// serialization conflict, so that the transaction may succeed if run again.
    fn is_transient(e: &sqlx::Error) -> bool;

    /// Whether the database refused a statement because it is going away or not
    /// taking connections yet (a shutdown, a restart, too many connections): the
    /// same request works once it is back. Lost connections and the pool's
    /// acquire timeout are recognised without the dialect's help.
    fn is_unavailable(e: &sqlx::Error) -> bool;

    /// Whether the database refused a write because its disk is full.
    fn is_storage_full(e: &sqlx::Error) -> bool;
    /// A query answering whether sqlx's `_sqlx_migrations` table exists (in the
    /// schema the connection uses), as a boolean.
    const MIGRATIONS_TABLE_EXISTS: &'static str;

    /// This backend's migrations. Both backends keep the same numbers.
    fn migrator() -> &'static Migrator;
}
