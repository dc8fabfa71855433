//! The operator's product catalog, and the subscriptions (seats) customers own.

use super::rows::{self, SUBSCRIPTION_COLUMNS};
use super::{Pool, Tx, audit, db_err, unique_violation};
use crate::D;
use roster_core::catalog::{Catalog, Product, ProductDefinition, catalog_from_definitions};
use roster_core::error::{Error, Result};
use roster_core::model::{Actor, Subscription};
use roster_core::versions::Expected;
use roster_sql::Dialect;
use time::OffsetDateTime;
use uuid::Uuid;

/// Inserts or updates products by id.
pub(super) async fn upsert_products(tx: &mut Tx, products: &[Product], now: OffsetDateTime) -> Result<()> {
    for p in products {
        let definition = serde_json::to_string(&p.definition()).map_err(Error::internal)?;
        sqlx::query(
            "INSERT INTO products (id, name, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, \
             updated_at = excluded.updated_at",
        )
        .bind(p.id.as_ref())
        .bind(&p.name)
        .bind(definition)
        .bind(D::to_db(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub(super) async fn load(pool: &Pool) -> Result<Catalog> {
    let rows = sqlx::query("SELECT definition FROM products ORDER BY id").fetch_all(pool).await.map_err(db_err)?;
    let definitions = rows
        .iter()
        .map(|r| rows::json::<ProductDefinition>(r, "definition"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    catalog_from_definitions(definitions).map_err(Error::internal)
}

fn snapshot(s: &Subscription) -> serde_json::Value {
    serde_json::json!({"productId": s.product_id, "quantity": s.quantity, "assigned": s.assigned})
}

/// `SubscriptionExists` when the customer already has one for the product.
pub(super) async fn create_subscription(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    product_id: &str,
    quantity: i64,
    now: OffsetDateTime,
) -> Result<Subscription> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO subscriptions \
         (id, customer_id, partner_id, product_id, quantity, assigned, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
    )
    .bind(id)
    .bind(customer_id)
    .bind(actor.partner_id)
    .bind(product_id)
    .bind(quantity)
    .bind(D::to_db(now))
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if unique_violation(&e, "product") || unique_violation(&e, "subscriptions") => {
            return Err(Error::SubscriptionExists(product_id.to_owned()));
        }
        Err(e) => return Err(db_err(e)),
    }
    let created = load_subscription(tx, actor.partner_id, customer_id, id).await?.ok_or(Error::NotFound)?;
    let change = (serde_json::Value::Null, snapshot(&created));
    audit::write(tx, actor, customer_id, "subscription.created", &[], change, now).await?;
    Ok(created)
}

pub(super) async fn list_subscriptions(pool: &Pool, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<Subscription>> {
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN products p ON p.id = s.product_id \
         WHERE s.customer_id = $1 AND s.partner_id = $2 ORDER BY p.name, s.product_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(customer_id)
        .bind(partner_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(rows::subscription).collect::<Result<_, _>>().map_err(db_err)
}

/// Sets the quantity, never below the seats assigned (`QuantityBelowAssigned`): the
/// comparison happens in the update, against the row as it is then.
pub(super) async fn set_subscription_quantity(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    subscription_id: Uuid,
    quantity: i64,
    now: OffsetDateTime,
) -> Result<Subscription> {
    let before = load_subscription(tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
    let updated =
        sqlx::query("UPDATE subscriptions SET quantity = $1, updated_at = $2 WHERE id = $3 AND assigned <= $1")
            .bind(quantity)
            .bind(D::to_db(now))
            .bind(subscription_id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    let after = load_subscription(tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
    if updated.rows_affected() == 0 {
        return Err(Error::QuantityBelowAssigned(after.assigned));
    }
    let change = (snapshot(&before), snapshot(&after));
    audit::write(tx, actor, customer_id, "subscription.quantity_changed", &[], change, now).await?;
    Ok(after)
}

async fn load_subscription(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid, id: Uuid) -> Result<Option<Subscription>> {
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN products p ON p.id = s.product_id \
         WHERE s.id = $1 AND s.customer_id = $2 AND s.partner_id = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    row.map(|r| rows::subscription(&r)).transpose().map_err(db_err)
}

/// One subscription of the partner's customer.
pub(super) async fn get_subscription(
    pool: &Pool,
    partner_id: Uuid,
    customer_id: Uuid,
    id: Uuid,
) -> Result<Option<Subscription>> {
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN products p ON p.id = s.product_id \
         WHERE s.id = $1 AND s.customer_id = $2 AND s.partner_id = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| rows::subscription(&r)).transpose().map_err(db_err)
}

/// Locks one subscription's row for the rest of the transaction and checks its
/// version (`PreconditionFailed`). One seat row alone keeps the seats' order.
pub(super) async fn lock_subscription_at(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    id: Uuid,
    expected: &Expected,
) -> Result<()> {
    let sql =
        format!("SELECT id FROM subscriptions WHERE id = $1 AND customer_id = $2 AND partner_id = $3{}", D::LOCK_SEATS);
    let locked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(customer_id)
        .bind(actor.partner_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if locked.is_none() {
        return Err(Error::NotFound);
    }
    expected.check(&load_subscription(tx, actor.partner_id, customer_id, id).await?.ok_or(Error::NotFound)?)
}

/// Adds seats in one statement, `quantity = quantity + add`, so purchases made
/// at once all count; the bound (`MAX_SEATS`) is part of the same statement.
pub(super) async fn add_seats(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    subscription_id: Uuid,
    add: i64,
    now: OffsetDateTime,
) -> Result<Subscription> {
    let max_quantity = roster_core::services::MAX_SEATS;
    let added = sqlx::query(
        "UPDATE subscriptions SET quantity = quantity + $1, updated_at = $2 \
         WHERE id = $3 AND customer_id = $4 AND partner_id = $5 AND quantity <= $6 - $1",
    )
    .bind(add)
    .bind(D::to_db(now))
    .bind(subscription_id)
    .bind(customer_id)
    .bind(actor.partner_id)
    .bind(max_quantity)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    // The update holds the row until commit, so this reads what it wrote.
    let after = load_subscription(tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
    if added.rows_affected() == 0 {
        let room = max_quantity - after.quantity;
        return Err(Error::validation(
            "add",
            format!("at most {room} more: a subscription holds up to {max_quantity} seats"),
        ));
    }
    let before = Subscription { quantity: after.quantity - add, ..after.clone() };
    let change = (snapshot(&before), snapshot(&after));
    audit::write(tx, actor, customer_id, "subscription.seats_added", &[], change, now).await?;
    Ok(after)
}
