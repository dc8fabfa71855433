//! Reading a customer's users: one, some, or a filtered, sorted page of them, and
//! how many a filter matches.

use super::paging::{Keyset, read_page};
use super::rows::{self, USER_COLUMNS};
use super::{Pool, Tx, db_err, push_id_list};
use crate::{D, Db};
use roster_core::error::{Error, Result};
use roster_core::model::{Actor, License, User, UserState};
use roster_core::paging::*;
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use uuid::Uuid;

/// Fills in the licenses of the given users, each list in product order.
pub(super) async fn attach_licenses<'e, E>(exec: E, users: &mut [User]) -> Result<()>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    if users.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT user_id, product_id, disabled_service_plans FROM user_licenses WHERE user_id IN ",
    );
    push_id_list(&mut qb, users.iter().map(|u| u.id));
    qb.push(" ORDER BY product_id");
    let rows = qb.build().fetch_all(exec).await.map_err(db_err)?;
    let mut by_user: HashMap<Uuid, Vec<License>> = HashMap::new();
    for row in rows {
        let license = rows::license(
            row.try_get("product_id").map_err(db_err)?,
            row.try_get("disabled_service_plans").map_err(db_err)?,
        )
        .map_err(db_err)?;
        by_user.entry(row.try_get("user_id").map_err(db_err)?).or_default().push(license);
    }
    for u in users.iter_mut() {
        u.licenses = by_user.remove(&u.id).unwrap_or_default();
    }
    Ok(())
}

/// A user of the partner's customer with its licenses, read in a write.
pub(super) async fn load(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>> {
    fetch(&mut **tx, partner_id, customer_id, user_id).await
}

/// The user, or `UserNotFound` when it is absent or another partner's.
pub(super) async fn load_existing(tx: &mut Tx, actor: Actor, customer_id: Uuid, user_id: Uuid) -> Result<User> {
    load(tx, actor.partner_id, customer_id, user_id).await?.ok_or(Error::UserNotFound)
}

pub(super) async fn get(pool: &Pool, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>> {
    fetch(pool, partner_id, customer_id, user_id).await
}

/// One user in one statement, its licenses aggregated beside the row: each
/// statement is a round trip to the driver's thread (and, in a write, one more
/// wait for everyone queued on the seat lock), and on the hot read path those
/// hand-offs cost more than the lookups.
async fn fetch<'e, E>(exec: E, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!(
        "SELECT {USER_COLUMNS}, (SELECT CAST({}({}(l.product_id, l.disabled_service_plans)) AS TEXT) \
         FROM user_licenses l WHERE l.user_id = u.id) AS licenses \
         FROM users u WHERE u.id = $1 AND u.customer_id = $2 AND u.partner_id = $3",
        D::JSON_ROWS,
        D::JSON_ROW
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(exec)
        .await
        .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let mut user = rows::user(&row).map_err(db_err)?;
    let held: Vec<(String, String)> =
        rows::aggregated("licenses", row.try_get("licenses").map_err(db_err)?).map_err(db_err)?;
    user.licenses = held
        .into_iter()
        .map(|(product_id, plans)| rows::license(product_id, &plans))
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    user.licenses.sort_by(|a, b| a.product_id.cmp(&b.product_id));
    Ok(Some(user))
}

/// The given users of the customer, with their licenses, in no particular order.
pub(super) async fn get_many(pool: &Pool, partner_id: Uuid, customer_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<User>> {
    let mut users = Vec::with_capacity(user_ids.len());
    for chunk in user_ids.chunks(2000) {
        // By primary key, the customer checked on the rows read: naming it in the
        // WHERE clause lets the planner walk a customer index. Its partner is on
        // the row as well (the foreign key pairs them).
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.partner_id = "));
        qb.push_bind(partner_id);
        qb.push(" AND u.id IN ");
        push_id_list(&mut qb, chunk.iter().copied());
        let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
        let mut found: Vec<User> = rows
            .iter()
            .map(rows::user)
            .filter(|u| u.as_ref().map_or(true, |u| u.customer_id == customer_id))
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        attach_licenses(pool, &mut found).await?;
        users.append(&mut found);
    }
    Ok(users)
}

/// How many users `filter` matches: from the counters where the filter allows,
/// else from the filter's index.
pub(super) async fn count(pool: &Pool, partner_id: Uuid, customer_id: Uuid, filter: &UserFilter) -> Result<i64> {
    let counted: Option<i64> =
        if filter.is_state_only() {
            // The counters kept in the same transactions as every change.
            let column = match filter.state {
                UserState::Active => "active_users",
                UserState::Deleted => "deleted_users",
            };
            let sql = format!("SELECT {column} FROM customers WHERE id = $1 AND partner_id = $2");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(customer_id).bind(partner_id).fetch_optional(pool).await
        } else if let Some(license) = filter.license_only() {
            // Counters again: licensed active users per customer, and each
            // subscription's assigned seats, which are held by active users only.
            match license {
                LicenseFilter::Product(p) => sqlx::query_scalar(
                    "SELECT assigned FROM subscriptions WHERE customer_id = $1 AND partner_id = $2 AND product_id = $3",
                )
                .bind(customer_id)
                .bind(partner_id)
                .bind(p.as_ref())
                .fetch_optional(pool)
                .await,
                other => {
                    let column = if matches!(other, LicenseFilter::None) {
                        "active_users - licensed_users"
                    } else {
                        "licensed_users"
                    };
                    let sql = format!("SELECT {column} FROM customers WHERE id = $1 AND partner_id = $2");
                    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .bind(customer_id)
                        .bind(partner_id)
                        .fetch_optional(pool)
                        .await
                }
            }
        } else if let Some(location) = filter.location_only() {
            sqlx::query_scalar(
                "SELECT l.active_users FROM customer_locations l JOIN customers c ON c.id = l.customer_id \
             WHERE c.id = $1 AND c.partner_id = $2 AND l.usage_location = $3",
            )
            .bind(customer_id)
            .bind(partner_id)
            .bind(location.as_str())
            .fetch_optional(pool)
            .await
        } else {
            let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
            push_scope(&mut count, partner_id, customer_id, filter, SearchPlan::Indexed);
            count.build_query_scalar().fetch_one(pool).await.map(Some)
        }
        .map_err(db_err)?;
    // No counter row: another partner's customer, or a location nobody has.
    Ok(counted.unwrap_or(0))
}

/// From this many matches up, a search page walks the sort order's index and
/// tests each name, instead of fetching every match through a trigram index
/// (PostgreSQL) and sorting them: a page of 50 then reads about
/// 50 × users / matches entries, which is fewer than the matches.
const SEARCH_WALK_MIN_MATCHES: i64 = 2_000;

/// How a page finds the users a search term matches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SearchPlan {
    /// Through an index on the names, where the database has one.
    Indexed,
    /// Along the sort order, the term tested on each row. The planner cannot know
    /// how common a term is (PostgreSQL guesses 20 rows for any LIKE), so a common
    /// term is written in a form no index answers.
    WalkSortOrder,
}

/// A page of the users `query` selects, with their licenses.
pub(super) async fn list(pool: &Pool, partner_id: Uuid, customer_id: Uuid, query: &UserQuery) -> Result<Page<User>> {
    let filter = &query.filter;
    let sort = query.sort;
    let key_of = |u: &User| user_key(u, sort);
    let total_count = count(pool, partner_id, customer_id, filter).await?;
    let search = if filter.search.is_some() && total_count >= SEARCH_WALK_MIN_MATCHES {
        SearchPlan::WalkSortOrder
    } else {
        SearchPlan::Indexed
    };
    let mut rows = read_page(
        pool,
        Keyset { column: sort_column(sort), descending: sort.descending },
        &query.page,
        |qb| {
            qb.push(format!("SELECT {USER_COLUMNS}"));
            push_scope(qb, partner_id, customer_id, filter, search);
        },
        |qb| {
            qb.push("SELECT 1");
            push_scope(qb, partner_id, customer_id, filter, search);
        },
        rows::user,
        key_of,
    )
    .await
    .map_err(db_err)?;
    attach_licenses(pool, &mut rows.items).await?;
    Ok(rows.into_page(total_count, &sort.as_str(), key_of))
}

/// Pushes ` FROM users u WHERE <the customer's users that filter selects>`.
fn push_scope(qb: &mut QueryBuilder<Db>, partner_id: Uuid, customer_id: Uuid, filter: &UserFilter, plan: SearchPlan) {
    // The partner is checked once on the customer, not on every row: the
    // (customer_id, partner_id) foreign key makes the two equivalent, and it keeps
    // filtered counts inside their indexes.
    qb.push(" FROM users u WHERE u.customer_id = (SELECT c.id FROM customers c WHERE c.id = ");
    qb.push_bind(customer_id);
    qb.push(" AND c.partner_id = ");
    qb.push_bind(partner_id);
    qb.push(") AND u.state = ");
    qb.push_bind(filter.state.as_str());
    if let Some(search) = &filter.search {
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        qb.push(match plan {
            SearchPlan::Indexed => " AND u.search_key LIKE ",
            SearchPlan::WalkSortOrder => " AND (u.search_key || '') LIKE ",
        });
        qb.push_bind(format!("%{escaped}%"));
        qb.push(" ESCAPE '\\'");
    }
    match &filter.license {
        None => {}
        Some(LicenseFilter::None) => {
            qb.push(" AND NOT EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)");
        }
        Some(LicenseFilter::Any) => {
            qb.push(" AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)");
        }
        Some(LicenseFilter::Product(p)) => {
            qb.push(" AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id AND l.product_id = ");
            qb.push_bind(p.as_ref().to_owned());
            qb.push(")");
        }
    }
    match filter.role {
        None => {}
        Some(RoleFilter::Any) => {
            qb.push(" AND u.roles_mask <> 0");
        }
        Some(RoleFilter::Role(r)) => {
            qb.push(" AND u.roles_mask <> 0 AND (u.roles_mask & ");
            qb.push_bind(r.bit());
            qb.push(") <> 0");
        }
    }
    if let Some(c) = filter.usage_location {
        qb.push(" AND u.usage_location = ");
        qb.push_bind(c.as_str().to_owned());
    }
    match filter.sign_in_blocked {
        None => {}
        Some(true) => {
            qb.push(" AND u.sign_in_blocked = TRUE");
        }
        Some(false) => {
            qb.push(" AND u.sign_in_blocked = FALSE");
        }
    }
}

fn sort_column(sort: UserSort) -> &'static str {
    match sort.field {
        UserSortField::DisplayName => "u.display_name_key",
        UserSortField::UserPrincipalName => "u.upn_key",
        UserSortField::CreatedAt => "u.created_at",
    }
}
