//! Work a migration leaves to Rust: keys that SQL cannot compute. A migration
//! inserts a row into `maintenance_pending`; the server does the work right after
//! migrating and deletes the row, so later starts skip it.

use super::write::Done;
use super::{Pool, SqlStore, db_err};
use roster_core::error::Result;
use roster_core::paging::display_name_key;
use uuid::Uuid;

const FOLD_DISPLAY_NAME_KEYS: &str = "fold_display_name_keys";

/// Users read and re-keyed per transaction.
const BATCH: i64 = 2_000;

impl SqlStore {
    /// Runs whatever the migrations asked for. Two servers starting at once both
    /// may run it; each write sets the same key, so that is harmless.
    pub(super) async fn run_pending_maintenance(&self) -> Result<()> {
        if is_pending(&self.pool, FOLD_DISPLAY_NAME_KEYS).await? {
            self.fold_display_name_keys().await?;
            sqlx::query("DELETE FROM maintenance_pending WHERE task = $1")
                .bind(FOLD_DISPLAY_NAME_KEYS)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Walks every user by id and rewrites the sort keys that fold differently
    /// from the lower-cased keys written before; ASCII names keep theirs.
    async fn fold_display_name_keys(&self) -> Result<()> {
        let mut after = Uuid::nil();
        let mut rekeyed = 0usize;
        loop {
            let batch: Vec<(Uuid, String, String)> = sqlx::query_as(
                "SELECT id, display_name, display_name_key FROM users WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.bulk)
            .await
            .map_err(db_err)?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let changed: Vec<(Uuid, String)> = batch
                .into_iter()
                .filter_map(|(id, name, key)| {
                    let folded = display_name_key(&name);
                    (folded != key).then_some((id, folded))
                })
                .collect();
            if changed.is_empty() {
                continue;
            }
            rekeyed += changed.len();
            // In id order, as every writer locks users.
            self.write(|mut tx| {
                let changed = &changed;
                Box::pin(async move {
                    for (id, key) in changed {
                        sqlx::query("UPDATE users SET display_name_key = $1 WHERE id = $2")
                            .bind(key)
                            .bind(*id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    Ok(Done::commit(tx, ()))
                })
            })
            .await?;
        }
        tracing::info!(rekeyed, "display-name sort keys folded");
        Ok(())
    }
}

async fn is_pending(pool: &Pool, task: &str) -> Result<bool> {
    let found: Option<String> = sqlx::query_scalar("SELECT task FROM maintenance_pending WHERE task = $1")
        .bind(task)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    Ok(found.is_some())
}
