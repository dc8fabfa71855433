//! The SQLite and PostgreSQL migrations build the same schema: the same
//! migrations by number, the same tables, the same columns in each table, and the
//! same indexes by name.
//!
//! Column types are not compared: each backend spells ids and times its own way
//! (BLOB and INTEGER microseconds on SQLite, UUID and TIMESTAMPTZ on PostgreSQL).
//! Indexes are the ones `CREATE INDEX` names; those behind a PRIMARY KEY or UNIQUE
//! constraint are named by each database itself, so they are left out, and their
//! columns are compared as the table's (see `roster_testkit::catalog`).

use roster_testkit::{Backend, backend_available, fresh_store};
use std::collections::BTreeSet;

/// (table, index) that PostgreSQL has and SQLite does not, on purpose. Each entry
/// says where the reason is written. An index missing from one side that is not
/// listed fails the test, and so does an entry that is no longer true.
const ONLY_ON_POSTGRESQL: &[(&str, &str)] = &[
    // PostgreSQL's 0007 adds a pg_trgm index for search=; SQLite's 0007 explains why
    // SQLite has none (an FTS5 trigram table was no faster and slowed inserts).
    ("users", "users_search_trigrams"),
];

/// (table, index) that SQLite has and PostgreSQL does not, on purpose.
const ONLY_ON_SQLITE: &[(&str, &str)] = &[];

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(table, index)| ((*table).to_owned(), (*index).to_owned())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_migrations_build_the_same_tables_columns_and_indexes() {
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (_sqlite_store, sqlite) = fresh_store(Backend::Sqlite).await;
    let (_postgres_store, postgres) = fresh_store(Backend::Postgres).await;
    let sqlite = sqlite.catalog().await;
    let postgres = postgres.catalog().await;
    // The catalogs were read, not merely found empty on both sides.
    assert!(sqlite.tables.get("users").is_some_and(|columns| columns.contains("upn_key")), "{sqlite:#?}");
    assert!(sqlite.indexes.iter().any(|(_, index)| index == "users_active_upn_key"), "{sqlite:#?}");

    assert_eq!(sqlite.migrations, postgres.migrations, "both backends have the same migrations by number");
    assert_eq!(sqlite.tables.keys().collect::<Vec<_>>(), postgres.tables.keys().collect::<Vec<_>>(), "the same tables");
    for (table, columns) in &sqlite.tables {
        assert_eq!(Some(columns), postgres.tables.get(table), "the columns of {table}");
    }
    let only_on_postgresql: BTreeSet<_> = postgres.indexes.difference(&sqlite.indexes).cloned().collect();
    let only_on_sqlite: BTreeSet<_> = sqlite.indexes.difference(&postgres.indexes).cloned().collect();
    assert_eq!(only_on_postgresql, pairs(ONLY_ON_POSTGRESQL), "indexes on PostgreSQL alone");
    assert_eq!(only_on_sqlite, pairs(ONLY_ON_SQLITE), "indexes on SQLite alone");
}
