//! A customer's user counters, kept in the same transactions as every change so
//! `totalCount` never counts rows. They move only by increments in SQL, and last
//! in each transaction, after seats and users, always in the same order (the
//! customer's row, then its locations in location order), so two writers never
//! wait on each other's counters.

use super::{Tx, db_err};
use roster_core::error::Result;
use std::collections::BTreeMap;
use uuid::Uuid;

/// How one change moves a customer's counters.
#[derive(Debug, Default)]
pub(super) struct Moves<'a> {
    /// Active users.
    pub active: i64,
    /// Deleted users, still restorable.
    pub deleted: i64,
    /// Active users holding at least one license.
    pub licensed: i64,
    /// Active users per usage location; users without one are not counted.
    pub locations: BTreeMap<&'a str, i64>,
}

impl<'a> Moves<'a> {
    /// Counts `delta` active users at `location`, if there is one.
    pub fn at(mut self, location: Option<&'a str>, delta: i64) -> Self {
        if let Some(location) = location {
            *self.locations.entry(location).or_default() += delta;
        }
        self
    }
}

/// Writes the moves: one statement on the customer's row, then one per location
/// that changed.
pub(super) async fn apply(tx: &mut Tx, customer_id: Uuid, moves: Moves<'_>) -> Result<()> {
    if moves.active != 0 || moves.deleted != 0 || moves.licensed != 0 {
        sqlx::query(
            "UPDATE customers SET active_users = active_users + $1, deleted_users = deleted_users + $2, \
             licensed_users = licensed_users + $3 WHERE id = $4",
        )
        .bind(moves.active)
        .bind(moves.deleted)
        .bind(moves.licensed)
        .bind(customer_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    for (location, delta) in moves.locations.into_iter().filter(|(_, d)| *d != 0) {
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
