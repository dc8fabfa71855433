//! Users' licenses: read for planning, and written as a plan says.

use super::{Tx, audit, counters, db_err, push_id_list, rows, seats};
use crate::{D, Db};
use roster_core::catalog::Catalog;
use roster_core::domain::{CountryCode, ProductId};
use roster_core::error::Result;
use roster_core::licensing::{self, Holdings, LicenseUpdate, UpdatePlan, UserLicenses};
use roster_core::model::{Actor, License, LicenseUpdateOutcome, UserState};
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;
use uuid::Uuid;

/// A user's licenses as read with it, as holdings.
pub(super) fn holdings(licenses: &[License]) -> Result<Holdings> {
    licenses
        .iter()
        .map(|l| {
            let product = rows::product_id("product_id", &l.product_id).map_err(db_err)?;
            Ok((product, l.disabled_service_plans.iter().cloned().collect()))
        })
        .collect()
}

/// Drops a user's licenses of these products.
pub(super) async fn forget(tx: &mut Tx, user_id: Uuid, products: &[&ProductId]) -> Result<()> {
    for product in products {
        sqlx::query("DELETE FROM user_licenses WHERE user_id = $1 AND product_id = $2")
            .bind(user_id)
            .bind(product.as_ref())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// One user's row of a `targets` read: id, whether it is the customer's (1 or 0),
/// state, usage location, and one held license's product and plans (if any).
type TargetRow = (String, i64, String, Option<String>, Option<String>, Option<String>);

/// The requested users of one customer with their licenses, keyed by id; ids of no
/// user or of another customer are left out.
///
/// Each chunk comes back as one JSON text aggregated in the database: sqlx hands
/// SQLite rows over from its worker thread one at a time, which for 100,000 users
/// cost more than the lookups themselves.
async fn targets(
    tx: &mut Tx,
    partner_id: Uuid,
    customer_id: Uuid,
    ids: &[Uuid],
) -> Result<BTreeMap<Uuid, UserLicenses>> {
    let mut users: BTreeMap<Uuid, UserLicenses> = BTreeMap::new();
    for chunk in ids.chunks(2000) {
        // By primary key alone, scope checked in the select list: naming the
        // customer in the WHERE clause lets the planner walk a customer index.
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT CAST({}({}({}(u.id), CASE WHEN u.customer_id = ",
            D::JSON_ROWS,
            D::JSON_ROW,
            D::UUID_TEXT
        ));
        qb.push_bind(customer_id);
        qb.push(" AND u.partner_id = ");
        qb.push_bind(partner_id);
        qb.push(" THEN 1 ELSE 0 END, u.state, u.usage_location, l.product_id, l.disabled_service_plans)) AS TEXT) ");
        D::push_users_with_licenses(&mut qb, chunk);
        let json: Option<String> = qb.build().fetch_one(&mut **tx).await.and_then(|r| r.try_get(0)).map_err(db_err)?;
        let entries: Vec<TargetRow> = rows::aggregated("users", json).map_err(db_err)?;
        for (id, owned, state, location, product, plans) in entries {
            if owned != 1 {
                continue;
            }
            let id = Uuid::try_parse(&id).map_err(|e| db_err(rows::invalid("id", e)))?;
            let user = match users.entry(id) {
                std::collections::btree_map::Entry::Occupied(held) => held.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => slot.insert(UserLicenses {
                    deleted: UserState::from_db(&state).map_err(|e| db_err(rows::invalid("state", e)))?
                        == UserState::Deleted,
                    usage_location: location
                        .map(|c| CountryCode::parse(&c))
                        .transpose()
                        .map_err(|e| db_err(rows::invalid("usage_location", e)))?,
                    held: Holdings::new(),
                }),
            };
            if let Some(product) = product {
                let product = rows::product_id("product_id", &product).map_err(db_err)?;
                let plans: BTreeSet<String> = match plans {
                    Some(plans) => rows::parse_json("disabled_service_plans", &plans).map_err(db_err)?,
                    None => BTreeSet::new(),
                };
                user.held.insert(product, plans);
            }
        }
    }
    Ok(users)
}

/// Plans the update for its users under the customer's seat lock and, if its
/// mode says so, writes it. The outcome says whether it was written; a caller
/// that gets `applied: false` rolls the transaction back.
pub(super) async fn update(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    catalog: &Catalog,
    update: &LicenseUpdate,
    now: OffsetDateTime,
) -> Result<LicenseUpdateOutcome> {
    let seats = seats::lock(tx, actor.partner_id, customer_id).await?;
    let users = targets(tx, actor.partner_id, customer_id, &update.user_ids).await?;
    let plan = licensing::plan_update(catalog, &seats, &users, &update.user_ids, &update.change);
    let applied = update.mode.applies(&plan);
    if applied {
        write_plan(tx, actor, customer_id, &plan, now).await?;
    }
    Ok(LicenseUpdateOutcome { dry_run: update.mode.is_dry_run(), applied, results: plan.results })
}

async fn write_plan(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    plan: &UpdatePlan,
    now: OffsetDateTime,
) -> Result<()> {
    // Rows with the same product and plans differ only by user, so each statement
    // binds the shared values once and one id per row.
    let mut upserts: BTreeMap<(&str, String), Vec<Uuid>> = BTreeMap::new();
    for (user_id, product, plans) in &plan.upserts {
        let plans = serde_json::to_string(plans).map_err(roster_core::Error::internal)?;
        upserts.entry((product.as_ref(), plans)).or_default().push(*user_id);
    }
    for ((product, plans), ids) in &upserts {
        for chunk in ids.chunks(2000) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO user_licenses (user_id, product_id, disabled_service_plans, created_at) SELECT column1, ",
            );
            qb.push_bind(*product);
            qb.push(", ");
            qb.push_bind(plans.as_str());
            qb.push(", ");
            qb.push_bind(D::to_db(now));
            qb.push(" FROM (");
            qb.push_values(chunk, |mut row, id| {
                row.push_bind(*id);
            });
            // `WHERE TRUE` tells SQLite's parser that ON starts the upsert clause, not a join.
            qb.push(
                ") AS requested WHERE TRUE ON CONFLICT (user_id, product_id) \
                 DO UPDATE SET disabled_service_plans = excluded.disabled_service_plans",
            );
            qb.build().execute(&mut **tx).await.map_err(db_err)?;
        }
    }
    let mut by_product: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
    for (user_id, product) in &plan.deletions {
        by_product.entry(product.as_ref()).or_default().push(*user_id);
    }
    for (product, ids) in by_product {
        for chunk in ids.chunks(2000) {
            let mut qb = QueryBuilder::<Db>::new("DELETE FROM user_licenses WHERE product_id = ");
            qb.push_bind(product.to_owned());
            qb.push(" AND user_id IN ");
            push_id_list(&mut qb, chunk.iter().copied());
            qb.build().execute(&mut **tx).await.map_err(db_err)?;
        }
    }
    seats::apply(tx, customer_id, &plan.seat_deltas, now).await?;
    counters::apply(tx, customer_id, counters::Moves { licensed: plan.licensed_users_delta(), ..Default::default() })
        .await?;
    audit::write_license_changes(tx, actor, customer_id, &plan.change_groups(1000), now).await
}
