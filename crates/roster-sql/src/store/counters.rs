//! A customer's user counters, kept in the same transactions as every change so
//! `totalCount` never counts rows. They are written last in each transaction,
//! after seats and users, and only ever moved by increments in SQL.

use super::{Tx, db_err};
use roster_core::error::Result;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Moves the customer's counts of active and deleted users.
pub(super) async fn move_users(tx: &mut Tx, customer_id: Uuid, active: i64, deleted: i64) -> Result<()> {
    if active == 0 && deleted == 0 {
        return Ok(());
    }
    sqlx::query(
        "UPDATE customers SET active_users = active_users + $1, deleted_users = deleted_users + $2 WHERE id = $3",
    )
    .bind(active)
    .bind(deleted)
    .bind(customer_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Moves the customer's count of active users who hold at least one license.
pub(super) async fn move_licensed(tx: &mut Tx, customer_id: Uuid, delta: i64) -> Result<()> {
    if delta != 0 {
        sqlx::query("UPDATE customers SET licensed_users = licensed_users + $1 WHERE id = $2")
            .bind(delta)
            .bind(customer_id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Moves the customer's counts of active users at each usage location (users
/// without one are not counted), in location order.
pub(super) async fn move_locations<'a>(
    tx: &mut Tx,
    customer_id: Uuid,
    moves: impl IntoIterator<Item = (Option<&'a str>, i64)>,
) -> Result<()> {
    let mut deltas: BTreeMap<&str, i64> = BTreeMap::new();
    for (location, delta) in moves {
        if let Some(location) = location {
            *deltas.entry(location).or_default() += delta;
        }
    }
    for (location, delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
        // A decrement updates the row the increment made; an insert of a negative
        // count would fail its CHECK before meeting the conflict.
        let sql = if delta > 0 {
            "INSERT INTO customer_locations (customer_id, usage_location, active_users) VALUES ($1, $2, $3) \
             ON CONFLICT (customer_id, usage_location) DO UPDATE \
             SET active_users = customer_locations.active_users + excluded.active_users"
        } else {
            "UPDATE customer_locations SET active_users = active_users + $3 \
             WHERE customer_id = $1 AND usage_location = $2"
        };
        sqlx::query(sql).bind(customer_id).bind(location).bind(delta).execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}
