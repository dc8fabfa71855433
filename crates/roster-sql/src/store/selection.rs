//! The users an agent has ticked in a customer's list, per console session, so a
//! selection survives paging, filters and instances.

use super::{Pool, Tx, db_err, push_id_list};
use crate::Db;
use roster_core::error::Result;
use sqlx::QueryBuilder;
use uuid::Uuid;

pub(super) async fn get(pool: &Pool, session_hash: &str, customer_id: Uuid) -> Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT user_id FROM agent_selections WHERE session_hash = $1 AND customer_id = $2 ORDER BY user_id",
    )
    .bind(session_hash)
    .bind(customer_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)
}

/// Unticks `remove`, then ticks `add`, 500 ids a statement.
pub(super) async fn change(
    tx: &mut Tx,
    session_hash: &str,
    customer_id: Uuid,
    remove: &[Uuid],
    add: &[Uuid],
) -> Result<()> {
    for chunk in remove.chunks(500) {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM agent_selections WHERE session_hash = ");
        qb.push_bind(session_hash);
        qb.push(" AND customer_id = ");
        qb.push_bind(customer_id);
        qb.push(" AND user_id IN ");
        push_id_list(&mut qb, chunk.iter().copied());
        qb.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    for chunk in add.chunks(500) {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO agent_selections (session_hash, customer_id, user_id) ");
        qb.push_values(chunk, |mut row, id| {
            row.push_bind(session_hash).push_bind(customer_id).push_bind(*id);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

pub(super) async fn clear(pool: &Pool, session_hash: &str, customer_id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM agent_selections WHERE session_hash = $1 AND customer_id = $2")
        .bind(session_hash)
        .bind(customer_id)
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}
