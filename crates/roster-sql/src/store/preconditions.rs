//! The check of a change that goes ahead only while a user is at a version the
//! caller names (`If-Match`). The check and the change share one transaction and
//! the user's row lock, so no other writer comes between them.

use super::{Tx, db_err, seats, users};
use crate::D;
use roster_core::error::{Error, Result};
use roster_core::model::Actor;
use roster_core::versions::Expected;
use roster_sql::Dialect;
use uuid::Uuid;

/// Locks the user for the rest of the transaction and checks its version
/// (`PreconditionFailed`). The customer's seats are locked first, as every writer
/// that takes both does, so whatever the change goes on to lock keeps the
/// global order.
pub(super) async fn lock_user_at(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    user_id: Uuid,
    expected: &Expected,
) -> Result<()> {
    seats::lock(tx, actor.partner_id, customer_id).await?;
    // The row lock the seats take: `FOR UPDATE` on PostgreSQL; on SQLite the
    // write transaction already holds the database's one write lock.
    let sql = format!("SELECT id FROM users WHERE id = $1 AND customer_id = $2 AND partner_id = $3{}", D::LOCK_SEATS);
    let locked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(customer_id)
        .bind(actor.partner_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if locked.is_none() {
        return Err(Error::UserNotFound);
    }
    expected.check(&users::load_existing(tx, actor, customer_id, user_id).await?)
}
