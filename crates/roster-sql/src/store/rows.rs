//! Rows decoded into the core's values. A column that does not decode into
//! something valid fails the read with the column's name; nothing here falls back
//! to a default.

use super::DbRow;
use crate::D;
use roster_core::domain::{AgentRole, ProductId, RoleSet};
use roster_core::model::*;
use roster_sql::Dialect;
use serde::de::DeserializeOwned;
use sqlx::Row;
use time::OffsetDateTime;

pub(super) type Decoded<T> = Result<T, sqlx::Error>;

/// The error of a column that holds a value, but not a valid one.
pub(super) fn invalid(column: &str, e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::ColumnDecode { index: column.to_owned(), source: Box::new(e) }
}

pub(super) fn time(row: &DbRow, column: &str) -> Decoded<OffsetDateTime> {
    Ok(D::from_db(row.try_get::<<D as Dialect>::Time, _>(column)?))
}

pub(super) fn time_opt(row: &DbRow, column: &str) -> Decoded<Option<OffsetDateTime>> {
    Ok(row.try_get::<Option<<D as Dialect>::Time>, _>(column)?.map(D::from_db))
}

/// A column of JSON text, such as a license's disabled service plans.
pub(super) fn json<T: DeserializeOwned>(row: &DbRow, column: &str) -> Decoded<T> {
    parse_json(column, row.try_get::<&str, _>(column)?)
}

/// JSON text read from `column`, or aggregated into it.
pub(super) fn parse_json<T: DeserializeOwned>(column: &str, text: &str) -> Decoded<T> {
    serde_json::from_str(text).map_err(|e| invalid(column, e))
}

/// JSON text a statement aggregated into one column: `None` when there were no
/// rows (PostgreSQL's aggregates give NULL; SQLite's give `[]`).
pub(super) fn aggregated<T: DeserializeOwned + Default>(column: &str, text: Option<String>) -> Decoded<T> {
    match text {
        Some(text) => parse_json(column, &text),
        None => Ok(T::default()),
    }
}

pub(super) fn product_id(column: &str, text: &str) -> Decoded<ProductId> {
    ProductId::parse(text).map_err(|e| invalid(column, e))
}

/// Unqualified, so that `UPDATE … RETURNING` can name them too (SQLite refuses a
/// table name there); every statement that selects them reads `users` alone.
pub(super) const USER_COLUMNS: &str = "id, customer_id, user_principal_name, first_name, last_name, display_name, \
    usage_location, roles_mask, sign_in_blocked, state, deleted_at, purge_at, created_at, updated_at";

/// A user of `USER_COLUMNS`, without its licenses.
pub(super) fn user(row: &DbRow) -> Decoded<User> {
    Ok(User {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        user_principal_name: row.try_get("user_principal_name")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        display_name: row.try_get("display_name")?,
        usage_location: row.try_get("usage_location")?,
        roles: RoleSet::from_mask(row.try_get("roles_mask")?),
        sign_in_blocked: row.try_get("sign_in_blocked")?,
        state: UserState::from_db(row.try_get("state")?).map_err(|e| invalid("state", e))?,
        deleted_at: time_opt(row, "deleted_at")?,
        purge_at: time_opt(row, "purge_at")?,
        licenses: Vec::new(),
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

/// A license of `product_id` with `disabled_service_plans` as stored (a JSON list).
pub(super) fn license(product_id: String, plans: &str) -> Decoded<License> {
    Ok(License { product_id, disabled_service_plans: parse_json("disabled_service_plans", plans)? })
}

/// An agent of `a.id, a.partner_id, a.email, a.role, a.created_at`.
pub(super) fn agent(row: &DbRow) -> Decoded<Agent> {
    Ok(Agent {
        id: row.try_get("id")?,
        partner_id: row.try_get("partner_id")?,
        email: row.try_get("email")?,
        role: AgentRole::parse(row.try_get("role")?).map_err(|e| invalid("role", e))?,
        created_at: time(row, "created_at")?,
    })
}

pub(super) const CUSTOMER_COLUMNS: &str =
    "id, partner_id, company_name, company_name_key, country, active_users, deleted_users, created_at";

/// A customer of `CUSTOMER_COLUMNS`, without its domains.
pub(super) fn customer(row: &DbRow) -> Decoded<Customer> {
    Ok(Customer {
        id: row.try_get("id")?,
        partner_id: row.try_get("partner_id")?,
        company_name: row.try_get("company_name")?,
        domains: Vec::new(),
        country: row.try_get("country")?,
        active_users: row.try_get("active_users")?,
        deleted_users: row.try_get("deleted_users")?,
        created_at: time(row, "created_at")?,
    })
}

pub(super) const SUBSCRIPTION_COLUMNS: &str =
    "s.id, s.customer_id, s.product_id, p.name AS product_name, s.quantity, s.assigned, s.created_at, s.updated_at";

pub(super) fn subscription(row: &DbRow) -> Decoded<Subscription> {
    Ok(Subscription {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        quantity: row.try_get("quantity")?,
        assigned: row.try_get("assigned")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) const IMPORT_JOB_COLUMNS: &str = "id, customer_id, partner_id, agent_id, status, total, processed, \
    created, failed, credentials_expire_at, created_at, finished_at";

pub(super) fn import_job(row: &DbRow) -> Decoded<ImportJob> {
    Ok(ImportJob {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        partner_id: row.try_get("partner_id")?,
        agent_id: row.try_get("agent_id")?,
        status: ImportStatus::from_db(row.try_get("status")?).map_err(|e| invalid("status", e))?,
        total: row.try_get("total")?,
        processed: row.try_get("processed")?,
        created: row.try_get("created")?,
        failed: row.try_get("failed")?,
        credentials_expire_at: time(row, "credentials_expire_at")?,
        created_at: time(row, "created_at")?,
        finished_at: time_opt(row, "finished_at")?,
    })
}

pub(super) fn import_row(row: &DbRow) -> Decoded<ImportRowRecord> {
    let errors: Option<&str> = row.try_get("errors")?;
    Ok(ImportRowRecord {
        row: row.try_get("row_number")?,
        status: ImportRowStatus::from_db(row.try_get("status")?).map_err(|e| invalid("status", e))?,
        user_id: row.try_get("user_id")?,
        user_principal_name: row.try_get("user_principal_name")?,
        errors: errors.map(|e| parse_json("errors", e)).transpose()?.unwrap_or_default(),
        credential: row.try_get("credential")?,
    })
}

pub(super) fn audit_event(row: &DbRow) -> Decoded<AuditEvent> {
    Ok(AuditEvent {
        id: row.try_get("id")?,
        at: time(row, "at")?,
        customer_id: row.try_get("customer_id")?,
        agent_id: row.try_get("agent_id")?,
        action: row.try_get("action")?,
        user_ids: json(row, "user_ids")?,
        before: json(row, "before_state")?,
        after: json(row, "after_state")?,
    })
}

pub(super) fn signin_user(row: &DbRow) -> Decoded<SigninUser> {
    Ok(SigninUser {
        id: row.try_get("id")?,
        user_principal_name: row.try_get("user_principal_name")?,
        display_name: row.try_get("display_name")?,
        state: UserState::from_db(row.try_get("state")?).map_err(|e| invalid("state", e))?,
        sign_in_blocked: row.try_get("sign_in_blocked")?,
        password_digest: row.try_get("password_digest")?,
        password_expires_at: time_opt(row, "password_expires_at")?,
    })
}

pub(super) fn user_session(row: &DbRow) -> Decoded<UserSession> {
    Ok(UserSession {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        purpose: SessionPurpose::from_db(row.try_get("purpose")?).map_err(|e| invalid("purpose", e))?,
        csrf_token: row.try_get("csrf_token")?,
        expires_at: time(row, "expires_at")?,
    })
}
