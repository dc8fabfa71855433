//! The results of console forms, one row per result, bound to the agent's
//! session (Post/Redirect/Get). Rows past their time are forgotten when another
//! is kept and by the purge; a session's go with it.

use super::{Pool, SqlStore, db_err};
use crate::D;
use async_trait::async_trait;
use roster_core::error::Result;
use roster_core::model::KeptConsoleResult;
use roster_core::store::ResultStore;
use roster_sql::Dialect;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn forget_expired(pool: &Pool, now: OffsetDateTime) -> Result<()> {
    sqlx::query("DELETE FROM console_results WHERE expires_at <= $1")
        .bind(D::to_db(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl ResultStore for SqlStore {
    async fn keep_console_result(
        &self,
        id: Uuid,
        session_hash: &str,
        result: &KeptConsoleResult,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        forget_expired(&self.pool, now).await?;
        sqlx::query(
            "INSERT INTO console_results (id, session_hash, customer_id, kind, body, sealed, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(session_hash)
        .bind(result.customer_id)
        .bind(&result.kind)
        .bind(&result.body)
        .bind(result.sealed.as_deref())
        .bind(D::to_db(now))
        .bind(D::to_db(expires_at))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn console_result(
        &self,
        id: Uuid,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<KeptConsoleResult>> {
        let row = sqlx::query(
            "SELECT customer_id, kind, body, sealed FROM console_results \
             WHERE id = $1 AND session_hash = $2 AND expires_at > $3",
        )
        .bind(id)
        .bind(session_hash)
        .bind(D::to_db(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(KeptConsoleResult {
                customer_id: r.try_get("customer_id").map_err(db_err)?,
                kind: r.try_get("kind").map_err(db_err)?,
                body: r.try_get("body").map_err(db_err)?,
                sealed: r.try_get("sealed").map_err(db_err)?,
            })
        })
        .transpose()
    }
}
