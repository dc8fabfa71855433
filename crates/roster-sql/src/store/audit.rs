//! The activity log: events are written in the transaction of the change they
//! record, and read a page at a time.

use super::paging::{Keyset, read_page};
use super::{Pool, Tx, db_err, rows};
use crate::{D, Db};
use roster_core::error::{Error, Result};
use roster_core::licensing::{ChangeGroup, Holdings};
use roster_core::model::{Actor, AuditEvent, AuditFilter};
use roster_core::paging::{Key, Page, PageRequest, SortValue};
use roster_sql::Dialect;
use serde_json::Value;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

const INSERT: &str =
    "INSERT INTO audit_events (id, partner_id, customer_id, agent_id, action, user_ids, before_state, after_state, at)";

/// Records one change by `actor` to `user_ids` of a customer, with its before and
/// after state.
pub(super) async fn write(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    action: &str,
    user_ids: &[Uuid],
    (before, after): (Value, Value),
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")))
        .bind(Uuid::now_v7())
        .bind(actor.partner_id)
        .bind(customer_id)
        .bind(actor.agent_id)
        .bind(action)
        .bind(serde_json::to_string(user_ids).map_err(Error::internal)?)
        .bind(before.to_string())
        .bind(after.to_string())
        .bind(D::to_db(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn holdings_json(h: &Holdings) -> Value {
    Value::Object(h.iter().map(|(p, plans)| (p.as_ref().to_owned(), serde_json::json!(plans))).collect())
}

/// Records a license update: one `user.licenses_updated` event per group of users
/// whose licenses went from the same state to the same state, many events per
/// statement.
pub(super) async fn write_license_changes(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    groups: &[ChangeGroup<'_>],
    now: OffsetDateTime,
) -> Result<()> {
    for chunk in groups.chunks(200) {
        let mut qb = QueryBuilder::<Db>::new(format!("{INSERT} "));
        qb.push_values(chunk, |mut row, group| {
            row.push_bind(Uuid::now_v7())
                .push_bind(actor.partner_id)
                .push_bind(customer_id)
                .push_bind(actor.agent_id)
                .push_bind("user.licenses_updated")
                .push_bind(serde_json::json!(group.user_ids).to_string())
                .push_bind(holdings_json(group.before).to_string())
                .push_bind(holdings_json(group.after).to_string())
                .push_bind(D::to_db(now));
        });
        qb.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

/// A customer's events, newest first.
pub(super) async fn list(
    pool: &Pool,
    partner_id: Uuid,
    customer_id: Uuid,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEvent>> {
    let scope = |qb: &mut QueryBuilder<Db>| {
        qb.push(" FROM audit_events WHERE customer_id = ");
        qb.push_bind(customer_id);
        qb.push(" AND partner_id = ");
        qb.push_bind(partner_id);
        if let Some(action) = &filter.action {
            qb.push(" AND action = ");
            qb.push_bind(action.clone());
        }
        if let Some(agent_id) = filter.agent_id {
            qb.push(" AND agent_id = ");
            qb.push_bind(agent_id);
        }
        if let Some(user_id) = filter.user_id {
            // user_ids is a JSON array of hyphenated ids.
            qb.push(" AND user_ids LIKE ");
            qb.push_bind(format!("%\"{user_id}\"%"));
        }
        if let Some(from) = filter.from {
            qb.push(" AND at >= ");
            qb.push_bind(D::to_db(from));
        }
        if let Some(until) = filter.until {
            qb.push(" AND at < ");
            qb.push_bind(D::to_db(until));
        }
    };
    let key_of = |e: &AuditEvent| Key { value: SortValue::Time(e.at), id: e.id };
    let rows = read_page(
        pool,
        Keyset { column: "at", descending: true },
        page,
        |qb| {
            qb.push("SELECT id, at, customer_id, agent_id, action, user_ids, before_state, after_state");
            scope(qb);
        },
        |qb| {
            qb.push("SELECT 1");
            scope(qb);
        },
        rows::audit_event,
        key_of,
    )
    .await
    .map_err(db_err)?;
    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
    scope(&mut count);
    let total_count: i64 = count.build_query_scalar().fetch_one(pool).await.map_err(db_err)?;
    Ok(rows.into_page(total_count, "-at", key_of))
}
