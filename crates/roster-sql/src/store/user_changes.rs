//! Changing a customer's users: create, update, reset, delete, restore, purge.
//! Each function runs inside the caller's transaction and writes the change's
//! audit event there too.

use super::rows::{self, USER_COLUMNS};
use super::{
    DbRow, Tx, audit, counters, customers, db_err, licenses, push_id_list, seats, sessions, unique_violation, users,
};
use crate::{D, Db};
use roster_core::audit::user_snapshot;
use roster_core::catalog::Catalog;
use roster_core::domain::{CountryCode, ProductId};
use roster_core::error::{Error, Result};
use roster_core::licensing::{self, SeatLedger};
use roster_core::model::*;
use roster_core::paging::{display_name_key, search_key};
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use time::OffsetDateTime;
use uuid::Uuid;

/// Audits a change to one user, with its before and after state.
async fn audit_change(
    tx: &mut Tx,
    actor: Actor,
    action: &str,
    (before, after): (&User, &User),
    now: OffsetDateTime,
) -> Result<()> {
    let change = (user_snapshot(before), user_snapshot(after));
    audit::write(tx, actor, before.customer_id, action, &[before.id], change, now).await
}

/// The user row an `UPDATE users AS u … RETURNING` hands back, with `licenses`:
/// the changed row comes back with the statement that changes it, not with
/// another read while the seats are held.
fn changed(row: &DbRow, licenses: Vec<License>) -> Result<User> {
    Ok(User { licenses, ..rows::user(row).map_err(db_err)? })
}

/// Inserts users into the customer: seats (when licenses are asked for) then the
/// customer row are locked, a taken username or a missing seat fails that user
/// alone, and nothing is half-created. Results are in the order given.
pub(super) async fn create(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    records: &[NewUserRecord],
    now: OffsetDateTime,
) -> Result<Vec<Result<User>>> {
    // Seats first, as every writer that takes both locks them.
    let mut ledger = if records.iter().any(|r| !r.user.licenses.is_empty()) {
        SeatLedger::new(&seats::lock(tx, actor.partner_id, customer_id).await?)
    } else {
        SeatLedger::default()
    };
    customers::check_owned(tx, actor, customer_id).await?;
    let mut results: Vec<Option<Result<User>>> = records.iter().map(|_| None).collect();
    // Users without licenses take no seat, so they go in many rows per statement,
    // in username order: two batches naming the same usernames then wait on each
    // other's index entries in the same order, never in a circle. Users with
    // licenses go one by one, in the order given, because a seat goes to the next
    // user only once the previous one exists; the seat lock serializes them.
    let mut plain: Vec<usize> = (0..records.len()).filter(|&i| records[i].user.licenses.is_empty()).collect();
    plain.sort_by_cached_key(|&i| records[i].user.upn.key());
    for chunk in plain.chunks(500) {
        let batch: Vec<&NewUserRecord> = chunk.iter().map(|&i| &records[i]).collect();
        let inserted = insert_rows(tx, actor, customer_id, &batch, now).await?;
        for &i in chunk {
            results[i] = Some(if inserted.contains(&records[i].id) {
                Ok(new_user(&records[i], customer_id, Vec::new(), now))
            } else {
                Err(Error::UsernameTaken(records[i].user.upn.to_string()))
            });
        }
    }
    for (i, record) in records.iter().enumerate().filter(|(_, r)| !r.user.licenses.is_empty()) {
        results[i] = Some(create_licensed(tx, &mut ledger, actor, customer_id, record, now).await?);
    }
    let results: Vec<Result<User>> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::internal(std::io::Error::other("a user of the batch was skipped")))))
        .collect();
    let created: Vec<&User> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    // One audit event per group of users created together (a batch, or a batch of
    // an import), as license changes are grouped: `userIds` lists them and `after`
    // holds each one's snapshot in that order. A user created alone keeps a single
    // snapshot.
    for group in created.chunks(500) {
        let ids: Vec<Uuid> = group.iter().map(|u| u.id).collect();
        let after = match group {
            [one] => user_snapshot(one),
            many => serde_json::Value::Array(many.iter().map(|u| user_snapshot(u)).collect()),
        };
        audit::write(tx, actor, customer_id, "user.created", &ids, (serde_json::Value::Null, after), now).await?;
    }
    seats::apply(tx, customer_id, &ledger.into_deltas(), now).await?;
    let moves = counters::Moves {
        active: created.len() as i64,
        licensed: created.iter().filter(|u| !u.licenses.is_empty()).count() as i64,
        ..Default::default()
    };
    let moves = created.iter().fold(moves, |moves, u| moves.at(u.usage_location.as_deref(), 1));
    counters::apply(tx, customer_id, moves).await?;
    Ok(results)
}

/// Creates one user who asks for licenses, if a seat of each is left.
async fn create_licensed(
    tx: &mut Tx,
    ledger: &mut SeatLedger,
    actor: Actor,
    customer_id: Uuid,
    record: &NewUserRecord,
    now: OffsetDateTime,
) -> Result<Result<User>> {
    let u = &record.user;
    if let Err(short) = ledger.check(u.licenses.iter().map(|l| &l.product_id)) {
        return Ok(Err(short.into()));
    }
    if insert_rows(tx, actor, customer_id, &[record], now).await?.is_empty() {
        return Ok(Err(Error::UsernameTaken(u.upn.to_string())));
    }
    let mut held = Vec::with_capacity(u.licenses.len());
    for l in &u.licenses {
        let plans: BTreeSet<&String> = l.disabled_service_plans.iter().collect();
        sqlx::query(
            "INSERT INTO user_licenses (user_id, product_id, disabled_service_plans, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(record.id)
        .bind(l.product_id.as_ref())
        .bind(serde_json::to_string(&plans).map_err(Error::internal)?)
        .bind(D::to_db(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        ledger.take(&l.product_id);
        held.push(License {
            product_id: l.product_id.as_ref().to_owned(),
            disabled_service_plans: plans.into_iter().cloned().collect(),
        });
    }
    held.sort_by(|a, b| a.product_id.cmp(&b.product_id));
    Ok(Ok(new_user(record, customer_id, held, now)))
}

/// Inserts user rows in one statement; a taken username (the partial unique index)
/// skips its row without aborting the transaction. The ids of the rows inserted.
async fn insert_rows(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    records: &[&NewUserRecord],
    now: OffsetDateTime,
) -> Result<HashSet<Uuid>> {
    let mut qb = QueryBuilder::<Db>::new(
        "INSERT INTO users (id, customer_id, partner_id, user_principal_name, upn_key, first_name, last_name, \
         display_name, display_name_key, search_key, usage_location, roles_mask, sign_in_blocked, state, \
         password_digest, password_expires_at, created_at, updated_at) ",
    );
    qb.push_values(records, |mut row, record| {
        let u = &record.user;
        row.push_bind(record.id)
            .push_bind(customer_id)
            .push_bind(actor.partner_id)
            .push_bind(u.upn.to_string())
            .push_bind(u.upn.key())
            .push_bind(u.first_name.as_ref().map(|n| n.as_ref().to_owned()))
            .push_bind(u.last_name.as_ref().map(|n| n.as_ref().to_owned()))
            .push_bind(u.display_name.as_ref().to_owned())
            .push_bind(display_name_key(u.display_name.as_ref()))
            .push_bind(search_key(u.display_name.as_ref(), &u.upn.key()))
            .push_bind(u.usage_location.map(|c| c.as_str().to_owned()))
            .push_bind(u.roles.mask())
            .push_bind(false)
            .push_bind("active")
            .push_bind(record.password_digest.clone())
            .push_bind(D::to_db(record.password_expires_at))
            .push_bind(D::to_db(now))
            .push_bind(D::to_db(now));
    });
    // Without RETURNING: sqlx hands rows over one by one, and in the usual case
    // every row goes in. Ids are fresh, so when some did not, the ids now present
    // are the ones this statement inserted.
    qb.push(" ON CONFLICT DO NOTHING");
    let inserted = qb.build().execute(&mut **tx).await.map_err(db_err)?.rows_affected();
    if inserted == records.len() as u64 {
        return Ok(records.iter().map(|r| r.id).collect());
    }
    let mut qb = QueryBuilder::<Db>::new("SELECT id FROM users WHERE id IN ");
    push_id_list(&mut qb, records.iter().map(|r| r.id));
    let rows = qb.build().fetch_all(&mut **tx).await.map_err(db_err)?;
    rows.iter().map(|r| r.try_get::<Uuid, _>(0)).collect::<Result<_, _>>().map_err(db_err)
}

fn new_user(record: &NewUserRecord, customer_id: Uuid, licenses: Vec<License>, now: OffsetDateTime) -> User {
    let u = &record.user;
    User {
        id: record.id,
        customer_id,
        user_principal_name: u.upn.to_string(),
        first_name: u.first_name.as_ref().map(|n| n.as_ref().to_owned()),
        last_name: u.last_name.as_ref().map(|n| n.as_ref().to_owned()),
        display_name: u.display_name.as_ref().to_owned(),
        usage_location: u.usage_location.map(|c| c.as_str().to_owned()),
        roles: u.roles,
        sign_in_blocked: false,
        state: UserState::Active,
        deleted_at: None,
        purge_at: None,
        licenses,
        created_at: now,
        updated_at: now,
    }
}

/// Changes a user's fields. With a new usage location, `catalog` is given and the
/// seats are locked first, so no license update assigns in between: every held
/// license must stay sellable there.
pub(super) async fn update(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    user_id: Uuid,
    patch: &UserPatch,
    catalog: Option<&Catalog>,
    now: OffsetDateTime,
) -> Result<User> {
    if catalog.is_some() {
        seats::lock(tx, actor.partner_id, customer_id).await?;
    }
    let before = users::load_existing(tx, actor, customer_id, user_id).await?;
    if before.state == UserState::Deleted {
        return Err(Error::UserDeleted);
    }
    if let (Some(catalog), Some(location)) = (catalog, patch.usage_location) {
        let held: Vec<ProductId> = before
            .licenses
            .iter()
            .map(|l| ProductId::parse(&l.product_id).map_err(Error::internal))
            .collect::<Result<_>>()?;
        if let Some(conflict) = licensing::check_location_change(catalog, &held, location) {
            return Err(conflict.into());
        }
    }
    let mut qb = QueryBuilder::<Db>::new("UPDATE users AS u SET updated_at = ");
    qb.push_bind(D::to_db(now));
    if let Some(v) = &patch.first_name {
        qb.push(", first_name = ");
        qb.push_bind(v.as_ref().map(|n| n.as_ref().to_owned()));
    }
    if let Some(v) = &patch.last_name {
        qb.push(", last_name = ");
        qb.push_bind(v.as_ref().map(|n| n.as_ref().to_owned()));
    }
    if let Some(v) = &patch.display_name {
        qb.push(", display_name = ");
        qb.push_bind(v.as_ref().to_owned());
        qb.push(", display_name_key = ");
        qb.push_bind(display_name_key(v.as_ref()));
        qb.push(", search_key = ");
        qb.push_bind(search_key(v.as_ref(), &before.user_principal_name.to_lowercase()));
    }
    if let Some(v) = &patch.usage_location {
        qb.push(", usage_location = ");
        qb.push_bind(v.map(|c| c.as_str().to_owned()));
    }
    if let Some(v) = patch.roles {
        qb.push(", roles_mask = ");
        qb.push_bind(v.mask());
    }
    if let Some(v) = patch.sign_in_blocked {
        qb.push(", sign_in_blocked = ");
        qb.push_bind(v);
    }
    qb.push(" WHERE id = ");
    qb.push_bind(user_id);
    qb.push(format!(" RETURNING {USER_COLUMNS}"));
    let row = qb.build().fetch_one(&mut **tx).await.map_err(db_err)?;
    let after = changed(&row, before.licenses.clone())?;
    if let Some(location) = patch.usage_location {
        let moves = counters::Moves::default()
            .at(before.usage_location.as_deref(), -1)
            .at(location.as_ref().map(|c| c.as_str()), 1);
        counters::apply(tx, customer_id, moves).await?;
    }
    if patch.sign_in_blocked == Some(true) {
        sessions::sign_out_everywhere(tx, user_id).await?;
    }
    audit_change(tx, actor, "user.updated", (&before, &after), now).await?;
    Ok(after)
}

/// Gives an active user a new temporary password and signs it out everywhere.
pub(super) async fn set_temporary_password(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    user_id: Uuid,
    digest: &str,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<User> {
    let user = users::load_existing(tx, actor, customer_id, user_id).await?;
    if user.state == UserState::Deleted {
        return Err(Error::UserDeleted);
    }
    sqlx::query("UPDATE users SET password_digest = $1, password_expires_at = $2, updated_at = $3 WHERE id = $4")
        .bind(digest)
        .bind(D::to_db(expires_at))
        .bind(D::to_db(now))
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    sessions::sign_out_everywhere(tx, user_id).await?;
    let after = serde_json::json!({"temporaryPasswordExpiresAt": expires_at.unix_timestamp()});
    audit::write(tx, actor, customer_id, "user.password_reset", &[user_id], (serde_json::Value::Null, after), now)
        .await?;
    Ok(user)
}

/// Soft-deletes an active user: its seats go back, its licenses are remembered
/// for a restore, and it is signed out everywhere.
pub(super) async fn delete(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    user_id: Uuid,
    purge_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<User> {
    // Seats first, as every license change takes them: a user's licenses cannot
    // change between reading them and freeing their seats.
    seats::lock(tx, actor.partner_id, customer_id).await?;
    let before = users::load_existing(tx, actor, customer_id, user_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users AS u SET state = 'deleted', deleted_at = $1, purge_at = $2, updated_at = $1 \
         WHERE id = $3 AND state = 'active' RETURNING {USER_COLUMNS}"
    )))
    .bind(D::to_db(now))
    .bind(D::to_db(purge_at))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Err(Error::UserDeleted) };
    let after = changed(&row, before.licenses.clone())?;
    seats::free_all_of(tx, customer_id, user_id, now).await?;
    sessions::sign_out_everywhere(tx, user_id).await?;
    let moves = counters::Moves {
        active: -1,
        deleted: 1,
        licensed: -i64::from(!before.licenses.is_empty()),
        ..Default::default()
    };
    counters::apply(tx, customer_id, moves.at(before.usage_location.as_deref(), -1)).await?;
    audit_change(tx, actor, "user.deleted", (&before, &after), now).await?;
    Ok(after)
}

/// Restores one deleted user within its window, with the remembered licenses that
/// `licensing::plan_restore` gives back. A failure leaves the transaction with
/// nothing written; the caller rolls it back.
pub(super) async fn restore(
    tx: &mut Tx,
    actor: Actor,
    customer_id: Uuid,
    user_id: Uuid,
    catalog: &Catalog,
    now: OffsetDateTime,
) -> Result<RestoreOutcome> {
    let failed = |f: RestoreFailure| RestoreOutcome {
        user_id,
        result: Err(f),
        restored_licenses: Vec::new(),
        unrestored_licenses: Vec::new(),
    };
    let seats = seats::lock(tx, actor.partner_id, customer_id).await?;
    let loaded = users::load(tx, actor.partner_id, customer_id, user_id).await?;
    let before = match licensing::check_restorable(loaded.as_ref(), now) {
        Ok(user) => user,
        Err(f) => return Ok(failed(f)),
    };
    let location = before
        .usage_location
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .map_err(|e| Error::internal(std::io::Error::other(format!("usage location of user {user_id}: {e}"))))?;
    let remembered = licenses::holdings(&before.licenses)?;
    let (kept, dropped) = licensing::plan_restore(catalog, &seats, location, remembered);
    let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users AS u SET state = 'active', deleted_at = NULL, purge_at = NULL, updated_at = $1 \
         WHERE id = $2 AND state = 'deleted' AND NOT EXISTS \
         (SELECT 1 FROM users o WHERE o.upn_key = u.upn_key AND o.state = 'active') RETURNING {USER_COLUMNS}"
    )))
    .bind(D::to_db(now))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await;
    let row = match updated {
        Ok(Some(row)) => row,
        Ok(None) => return Ok(failed(RestoreFailure::UsernameTaken)),
        Err(e) if unique_violation(&e, "upn") => return Ok(failed(RestoreFailure::UsernameTaken)),
        Err(e) => return Err(db_err(e)),
    };
    let restored = kept
        .iter()
        .map(|(p, plans)| License {
            product_id: p.as_ref().to_owned(),
            disabled_service_plans: plans.iter().cloned().collect(),
        })
        .collect();
    let after = changed(&row, restored)?;
    let dropped_products: Vec<&ProductId> = dropped.iter().map(|(p, _)| p).collect();
    licenses::forget(tx, user_id, &dropped_products).await?;
    let taken = kept.keys().map(|p| (p.clone(), 1)).collect();
    seats::apply(tx, customer_id, &taken, now).await?;
    let moves = counters::Moves { active: 1, deleted: -1, licensed: i64::from(!kept.is_empty()), ..Default::default() };
    counters::apply(tx, customer_id, moves.at(before.usage_location.as_deref(), 1)).await?;
    audit_change(tx, actor, "user.restored", (before, &after), now).await?;
    Ok(RestoreOutcome {
        user_id,
        result: Ok(after),
        restored_licenses: kept.keys().map(|p| p.as_ref().to_owned()).collect(),
        unrestored_licenses: dropped
            .into_iter()
            .map(|(p, code)| (p.as_ref().to_owned(), code.as_str().to_owned()))
            .collect(),
    })
}

/// Removes up to 500 deleted users whose window has passed, and audits each
/// customer's share; how many went.
pub(super) async fn purge_batch(tx: &mut Tx, now: OffsetDateTime) -> Result<u64> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM users WHERE id IN \
         (SELECT id FROM users WHERE state = 'deleted' AND purge_at < $1 ORDER BY id LIMIT 500{}) \
         RETURNING id, customer_id, partner_id",
        D::SKIP_LOCKED
    )))
    .bind(D::to_db(now))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    // Counters in customer order, as every writer takes them.
    let mut by_customer: BTreeMap<(Uuid, Uuid), Vec<Uuid>> = BTreeMap::new();
    for row in &rows {
        let key = (row.try_get("customer_id").map_err(db_err)?, row.try_get("partner_id").map_err(db_err)?);
        by_customer.entry(key).or_default().push(row.try_get("id").map_err(db_err)?);
    }
    for ((customer_id, partner_id), ids) in by_customer {
        counters::apply(tx, customer_id, counters::Moves { deleted: -(ids.len() as i64), ..Default::default() })
            .await?;
        let system = Actor { partner_id, agent_id: None };
        audit::write(
            tx,
            system,
            customer_id,
            "user.purged",
            &ids,
            (serde_json::Value::Null, serde_json::Value::Null),
            now,
        )
        .await?;
    }
    Ok(rows.len() as u64)
}
