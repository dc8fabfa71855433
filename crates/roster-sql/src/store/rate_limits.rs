//! The API's rate-limit counters: one row per key and one-minute window, moved
//! only by increments in SQL. The decisions are `roster_core::rate_limits`'.

use super::{Pool, SqlStore, db_err};
use crate::{D, Db};
use async_trait::async_trait;
use roster_core::error::Result;
use roster_core::store::RateLimitStore;
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use time::OffsetDateTime;

#[async_trait]
impl RateLimitStore for SqlStore {
    async fn add_rate_limit_hits(&self, hits: &[(String, i64)], window: OffsetDateTime) -> Result<Vec<i64>> {
        add(&self.pool, hits, window).await
    }
}

/// One statement for all keys. Rows are written in key order, so two requests
/// sharing keys take their row locks in the same order.
async fn add(pool: &Pool, hits: &[(String, i64)], window: OffsetDateTime) -> Result<Vec<i64>> {
    let mut sorted: Vec<&(String, i64)> = hits.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    if sorted.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new("INSERT INTO rate_limit_hits (bucket, window_start, hits) ");
    qb.push_values(&sorted, |mut b, (key, n)| {
        b.push_bind(key.as_str()).push_bind(D::to_db(window)).push_bind(*n);
    });
    qb.push(
        " ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + excluded.hits \
         RETURNING bucket, hits",
    );
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    let mut counts = Vec::with_capacity(rows.len());
    for row in rows {
        let bucket: String = row.try_get("bucket").map_err(db_err)?;
        let count: i64 = row.try_get("hits").map_err(db_err)?;
        counts.push((bucket, count));
    }
    Ok(hits.iter().map(|(key, _)| counts.iter().find(|(b, _)| b == key).map_or(0, |(_, c)| *c)).collect())
}

/// Drops the counts of windows that started before `before`.
pub(super) async fn forget_before(pool: &Pool, before: OffsetDateTime) -> Result<()> {
    sqlx::query("DELETE FROM rate_limit_hits WHERE window_start < $1")
        .bind(D::to_db(before))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}
