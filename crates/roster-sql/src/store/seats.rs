//! A customer's seats: locked first in every write that hands them out or takes
//! them back, and moved only by conditional increments.

use super::{Tx, db_err, rows};
use crate::D;
use roster_core::domain::ProductId;
use roster_core::error::{Error, Result};
use roster_core::licensing::Seats;
use roster_sql::Dialect;
use sqlx::Row;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The customer's seats, locked for the rest of the transaction, in product
/// order: every writer takes them in the same order, so none waits on another
/// that waits on it.
pub(super) async fn lock(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<Seats>> {
    let sql = format!(
        "SELECT product_id, quantity, assigned FROM subscriptions WHERE customer_id = $1 AND partner_id = $2 \
         ORDER BY product_id{}",
        D::LOCK_SEATS
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(customer_id)
        .bind(partner_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(Seats {
                product_id: rows::product_id("product_id", r.try_get("product_id")?)?,
                quantity: r.try_get("quantity")?,
                assigned: r.try_get("assigned")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_err)
}

/// Moves `assigned` by `delta`, only if the result stays within 0..=quantity.
async fn try_move(tx: &mut Tx, customer_id: Uuid, product_id: &str, delta: i64, now: OffsetDateTime) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE subscriptions SET assigned = assigned + $1, updated_at = $2 \
         WHERE customer_id = $3 AND product_id = $4 AND assigned + $1 <= quantity AND assigned + $1 >= 0",
    )
    .bind(delta)
    .bind(D::to_db(now))
    .bind(customer_id)
    .bind(product_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(r.rows_affected() == 1)
}

/// Writes the net seat changes a plan counted under `lock`. They cannot fail;
/// if one ever does, the whole transaction is dropped.
pub(super) async fn apply(
    tx: &mut Tx,
    customer_id: Uuid,
    deltas: &BTreeMap<ProductId, i64>,
    now: OffsetDateTime,
) -> Result<()> {
    for (product, &delta) in deltas {
        if delta != 0 && !try_move(tx, customer_id, product.as_ref(), delta, now).await? {
            let moved = format!("seat count of {} moved under the lock", product.as_ref());
            return Err(Error::internal(std::io::Error::other(moved)));
        }
    }
    Ok(())
}

/// Frees the seats of every license a user holds; the license rows stay,
/// remembered for a restore.
pub(super) async fn free_all_of(tx: &mut Tx, customer_id: Uuid, user_id: Uuid, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "UPDATE subscriptions SET assigned = assigned - 1, updated_at = $1 WHERE customer_id = $2 \
         AND product_id IN (SELECT product_id FROM user_licenses WHERE user_id = $3)",
    )
    .bind(D::to_db(now))
    .bind(customer_id)
    .bind(user_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}
