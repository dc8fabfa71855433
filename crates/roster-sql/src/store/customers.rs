//! A partner's customers and their domains.

use super::paging::{Keyset, read_page};
use super::rows::{self, CUSTOMER_COLUMNS};
use super::{Pool, Tx, audit, db_err, push_id_list, unique_violation};
use crate::{D, Db};
use roster_core::audit::customer_snapshot;
use roster_core::error::{Error, Result};
use roster_core::model::{Actor, Customer, NewCustomer};
use roster_core::paging::{Key, Page, PageRequest, SortValue};
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// `DomainTaken` when another customer has one of the domains.
pub(super) async fn create(tx: &mut Tx, actor: Actor, c: &NewCustomer, now: OffsetDateTime) -> Result<Customer> {
    sqlx::query(
        "INSERT INTO customers (id, partner_id, company_name, company_name_key, country, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(c.id)
    .bind(actor.partner_id)
    .bind(c.company_name.as_ref())
    .bind(c.company_name.as_ref().to_lowercase())
    .bind(c.country.as_str())
    .bind(D::to_db(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    for (position, domain) in c.domains.iter().enumerate() {
        let inserted = sqlx::query(
            "INSERT INTO customer_domains (domain, customer_id, position, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(domain.as_ref())
        .bind(c.id)
        .bind(position as i64)
        .bind(D::to_db(now))
        .execute(&mut **tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if unique_violation(&e, "domain") => return Err(Error::DomainTaken(domain.as_ref().to_owned())),
            Err(e) => return Err(db_err(e)),
        }
    }
    let customer = Customer {
        id: c.id,
        partner_id: actor.partner_id,
        company_name: c.company_name.as_ref().to_owned(),
        domains: c.domains.iter().map(|d| d.as_ref().to_owned()).collect(),
        country: c.country.as_str().to_owned(),
        active_users: 0,
        deleted_users: 0,
        created_at: now,
    };
    let change = (serde_json::Value::Null, customer_snapshot(&customer));
    audit::write(tx, actor, c.id, "customer.created", &[], change, now).await?;
    Ok(customer)
}

pub(super) async fn get(pool: &Pool, partner_id: Uuid, customer_id: Uuid) -> Result<Option<Customer>> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1 AND partner_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let mut customer = rows::customer(&row).map_err(db_err)?;
    customer.domains = domains(pool, &[customer.id]).await?.remove(&customer.id).unwrap_or_default();
    Ok(Some(customer))
}

/// A page of a partner's customers by name; `search` (lower case) matches
/// anywhere in the name.
pub(super) async fn list(
    pool: &Pool,
    partner_id: Uuid,
    search: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Customer>> {
    let scope = |qb: &mut QueryBuilder<Db>| {
        qb.push(" FROM customers WHERE partner_id = ");
        qb.push_bind(partner_id);
        if let Some(s) = search {
            let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            qb.push(" AND company_name_key LIKE ");
            qb.push_bind(format!("%{escaped}%"));
            qb.push(" ESCAPE '\\'");
        }
    };
    let key_of = |c: &Customer| Key { value: SortValue::Text(c.company_name.to_lowercase()), id: c.id };
    let mut rows = read_page(
        pool,
        Keyset { column: "company_name_key", descending: false },
        page,
        |qb| {
            qb.push(format!("SELECT {CUSTOMER_COLUMNS}"));
            scope(qb);
        },
        |qb| {
            qb.push("SELECT 1");
            scope(qb);
        },
        rows::customer,
        key_of,
    )
    .await
    .map_err(db_err)?;
    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
    scope(&mut count);
    let total_count: i64 = count.build_query_scalar().fetch_one(pool).await.map_err(db_err)?;
    let ids: Vec<Uuid> = rows.items.iter().map(|c| c.id).collect();
    let mut domains = domains(pool, &ids).await?;
    for c in rows.items.iter_mut() {
        c.domains = domains.remove(&c.id).unwrap_or_default();
    }
    Ok(rows.into_page(total_count, "companyName", key_of))
}

/// The domains of each customer, in the order they were given.
async fn domains(pool: &Pool, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>> {
    let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let mut qb = QueryBuilder::<Db>::new("SELECT customer_id, domain FROM customer_domains WHERE customer_id IN ");
    push_id_list(&mut qb, ids.iter().copied());
    qb.push(" ORDER BY position");
    for row in qb.build().fetch_all(pool).await.map_err(db_err)? {
        map.entry(row.try_get("customer_id").map_err(db_err)?)
            .or_default()
            .push(row.try_get("domain").map_err(db_err)?);
    }
    Ok(map)
}

/// `NotFound` unless the customer is the actor's partner's. It locks nothing:
/// the counters, written last, take the customer's row.
pub(super) async fn check_owned(tx: &mut Tx, actor: Actor, customer_id: Uuid) -> Result<()> {
    let owned = sqlx::query("SELECT 1 FROM customers WHERE id = $1 AND partner_id = $2")
        .bind(customer_id)
        .bind(actor.partner_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    owned.map(drop).ok_or(Error::NotFound)
}
