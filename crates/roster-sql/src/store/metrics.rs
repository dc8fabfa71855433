//! What `/metrics` reads from the database at scrape time: cheap counts only.

use super::{Pool, db_err};
use roster_core::error::Result;
use roster_core::metrics::{ProductSeats, StoreMetrics};

pub(super) async fn read(pool: &Pool) -> Result<StoreMetrics> {
    let pool_size = u64::from(pool.size());
    let pool_idle = pool.num_idle() as u64;
    let jobs: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM import_jobs WHERE status IN ('queued', 'running') GROUP BY status ORDER BY status",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let count = |status: &str| jobs.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    let seats: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT product_id, CAST(COALESCE(SUM(assigned), 0) AS BIGINT), \
         CAST(COALESCE(SUM(quantity - assigned), 0) AS BIGINT) \
         FROM subscriptions GROUP BY product_id ORDER BY product_id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(StoreMetrics {
        pool_size,
        pool_idle,
        imports_queued: count("queued"),
        imports_running: count("running"),
        seats: seats
            .into_iter()
            .map(|(product_id, assigned, available)| ProductSeats { product_id, assigned, available })
            .collect(),
    })
}
