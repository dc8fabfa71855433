//! What a migrated database holds, read from the database's own catalog, so the
//! schemas the two backends' migrations build can be compared by name.

use crate::{Fixture, RawDb};
use std::collections::{BTreeMap, BTreeSet};

/// The names in a test database's schema. sqlx's own `_sqlx_migrations` table is
/// not among the tables; the migrations it lists are in `migrations`.
#[derive(Debug)]
pub struct Catalog {
    /// Each table and the names of its columns.
    pub tables: BTreeMap<String, BTreeSet<String>>,
    /// (table, index) for each index a `CREATE INDEX` made. An index behind a
    /// PRIMARY KEY or UNIQUE constraint is not here: SQLite names those itself
    /// (`sqlite_autoindex_…`) and PostgreSQL after the table, so their names say
    /// nothing about the migrations; their columns are compared as the table's.
    pub indexes: BTreeSet<(String, String)>,
    /// The versions of the migrations applied, in order.
    pub migrations: Vec<i64>,
}

const MIGRATIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";

// Tables SQLite makes for itself are named sqlite_…; an index with no SQL text is
// one SQLite made for a PRIMARY KEY or UNIQUE constraint.
const SQLITE_COLUMNS: &str = "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '_sqlx_migrations'";
const SQLITE_INDEXES: &str = "SELECT tbl_name, name FROM sqlite_master
    WHERE type = 'index' AND sql IS NOT NULL AND tbl_name <> '_sqlx_migrations'";

// The test's own schema is first in its search_path. Catalog names are cast to
// text: sqlx reads `name` and `sql_identifier` as no Rust type.
const POSTGRES_COLUMNS: &str = "SELECT c.table_name::text, c.column_name::text
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> '_sqlx_migrations'";
const POSTGRES_INDEXES: &str = "SELECT t.relname::text, i.relname::text
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND t.relname <> '_sqlx_migrations'
      AND NOT EXISTS (
          SELECT 1 FROM pg_constraint k
          WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')
      )";

impl Fixture {
    /// Reads this test database's tables, columns, indexes and applied migrations.
    pub async fn catalog(&self) -> Catalog {
        // (table, column) and (table, index) pairs.
        type Pairs = Vec<(String, String)>;
        let (columns, indexes, migrations): (Pairs, Pairs, Vec<i64>) = match self.raw_db().await {
            RawDb::Sqlite(pool) => (
                sqlx::query_as(SQLITE_COLUMNS).fetch_all(&pool).await.expect("reading SQLite's columns"),
                sqlx::query_as(SQLITE_INDEXES).fetch_all(&pool).await.expect("reading SQLite's indexes"),
                sqlx::query_scalar(MIGRATIONS).fetch_all(&pool).await.expect("reading SQLite's migrations"),
            ),
            RawDb::Postgres(pool) => (
                sqlx::query_as(POSTGRES_COLUMNS).fetch_all(&pool).await.expect("reading PostgreSQL's columns"),
                sqlx::query_as(POSTGRES_INDEXES).fetch_all(&pool).await.expect("reading PostgreSQL's indexes"),
                sqlx::query_scalar(MIGRATIONS).fetch_all(&pool).await.expect("reading PostgreSQL's migrations"),
            ),
        };
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in columns {
            tables.entry(table).or_default().insert(column);
        }
        Catalog { tables, indexes: indexes.into_iter().collect(), migrations }
    }
}
