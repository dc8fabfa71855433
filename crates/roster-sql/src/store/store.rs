//! The `Store` traits on this backend. Each method is one unit of work: it owns
//! its transaction (begin, the aggregate module's statements, commit) and the
//! modules it calls hold the SQL.

use super::write::{Done, again};
use super::{
    SqlStore, audit, catalog, customers, imports, licenses, selection, sessions, tenants, user_changes, users,
};
use super::{idempotency, rate_limits};
use crate::D;
use async_trait::async_trait;
use roster_core::catalog::{Catalog, Product};
use roster_core::error::{Error, Result};
use roster_core::licensing::LicenseUpdate;
use roster_core::model::*;
use roster_core::paging::{Page, PageRequest, UserFilter, UserQuery};
use roster_core::store::*;
use roster_sql::Dialect;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait]
impl Store for SqlStore {
    async fn migrate(&self) -> Result<()> {
        D::migrator().run(&self.pool).await.map_err(Error::internal)?;
        self.run_pending_maintenance().await
    }

    async fn schema_status(&self) -> Result<SchemaStatus> {
        super::schema::status(&self.pool).await
    }

    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64> {
        sessions::forget_expired(&self.pool, now).await?;
        imports::forget_expired_credentials(&self.pool, now).await?;
        idempotency::forget_expired(&self.pool, now).await?;
        // A window's count matters until the window ends; one more minute spares
        // an instance whose clock runs a little behind.
        rate_limits::forget_before(&self.pool, now - time::Duration::minutes(2)).await?;
        super::results::forget_expired(&self.pool, now).await?;
        let mut total = 0;
        loop {
            let purged = self
                .write(|mut tx| {
                    Box::pin(async move {
                        let purged = user_changes::purge_batch(&mut tx, now).await?;
                        Ok(Done::commit(tx, purged))
                    })
                })
                .await?;
            if purged == 0 {
                return Ok(total);
            }
            total += purged;
        }
    }

    async fn store_metrics(&self) -> Result<roster_core::metrics::StoreMetrics> {
        super::metrics::read(&self.pool).await
    }
}

#[async_trait]
impl TenantStore for SqlStore {
    async fn create_partner(&self, id: Uuid, name: &str, now: OffsetDateTime) -> Result<Partner> {
        tenants::create_partner(&self.pool, id, name, now).await
    }

    async fn get_partner(&self, id: Uuid) -> Result<Option<Partner>> {
        tenants::get_partner(&self.pool, id).await
    }

    async fn create_agent(&self, agent: &NewAgent, now: OffsetDateTime) -> Result<Agent> {
        tenants::create_agent(&self.pool, agent, now).await
    }

    async fn find_agent_by_email(&self, email: &str) -> Result<Option<(Agent, String)>> {
        tenants::find_agent_by_email(&self.pool, email).await
    }

    async fn set_agent_password(&self, agent_id: Uuid, password_hash: &str, now: OffsetDateTime) -> Result<()> {
        tenants::set_agent_password(&self.pool, agent_id, password_hash, now).await
    }

    async fn create_api_token(&self, agent_id: Uuid, token_hash: &str, now: OffsetDateTime) -> Result<()> {
        tenants::create_api_token(&self.pool, agent_id, token_hash, now).await
    }

    async fn partner_agents(&self, partner_id: Uuid) -> Result<Vec<Agent>> {
        tenants::partner_agents(&self.pool, partner_id).await
    }

    async fn agent_by_token(&self, token_hash: &str) -> Result<Option<Agent>> {
        tenants::agent_by_token(&self.pool, token_hash).await
    }
}

#[async_trait]
impl CatalogStore for SqlStore {
    async fn upsert_products(&self, products: &[Product], now: OffsetDateTime) -> Result<()> {
        self.write(|mut tx| {
            Box::pin(async move {
                catalog::upsert_products(&mut tx, products, now).await?;
                Ok(Done::commit(tx, ()))
            })
        })
        .await
    }

    async fn catalog(&self) -> Result<Catalog> {
        catalog::load(&self.pool).await
    }

    async fn create_subscription(
        &self,
        actor: Actor,
        customer_id: Uuid,
        product_id: &str,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription> {
        self.write(|mut tx| {
            Box::pin(async move {
                let created =
                    catalog::create_subscription(&mut tx, actor, customer_id, product_id, quantity, now).await?;
                Ok(Done::commit(tx, created))
            })
        })
        .await
    }

    async fn list_subscriptions(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<Subscription>> {
        catalog::list_subscriptions(&self.pool, partner_id, customer_id).await
    }

    async fn set_subscription_quantity(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription> {
        self.write(|mut tx| {
            Box::pin(async move {
                let changed =
                    catalog::set_subscription_quantity(&mut tx, actor, customer_id, subscription_id, quantity, now)
                        .await?;
                Ok(Done::commit(tx, changed))
            })
        })
        .await
    }
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn create_customer(&self, actor: Actor, customer: &NewCustomer, now: OffsetDateTime) -> Result<Customer> {
        self.write(|mut tx| {
            Box::pin(async move {
                let created = customers::create(&mut tx, actor, customer, now).await?;
                Ok(Done::commit(tx, created))
            })
        })
        .await
    }

    async fn get_customer(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Option<Customer>> {
        customers::get(&self.pool, partner_id, customer_id).await
    }

    async fn list_customers(
        &self,
        partner_id: Uuid,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>> {
        customers::list(&self.pool, partner_id, search, page).await
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_users(
        &self,
        actor: Actor,
        customer_id: Uuid,
        records: &[NewUserRecord],
        now: OffsetDateTime,
    ) -> Result<Vec<Result<User>>> {
        self.write(|mut tx| {
            Box::pin(async move {
                let results = user_changes::create(&mut tx, actor, customer_id, records, now).await?;
                Ok(Done::commit(tx, results))
            })
        })
        .await
    }

    async fn get_user(&self, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>> {
        users::get(&self.pool, partner_id, customer_id, user_id).await
    }

    async fn get_users(&self, partner_id: Uuid, customer_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<User>> {
        users::get_many(&self.pool, partner_id, customer_id, user_ids).await
    }

    async fn list_users(&self, partner_id: Uuid, customer_id: Uuid, query: &UserQuery) -> Result<Page<User>> {
        users::list(&self.pool, partner_id, customer_id, query).await
    }

    async fn count_users(&self, partner_id: Uuid, customer_id: Uuid, filter: &UserFilter) -> Result<i64> {
        users::count(&self.pool, partner_id, customer_id, filter).await
    }

    async fn update_user(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<User> {
        // A new location must keep every held license sellable there.
        let catalog = match patch.usage_location {
            Some(_) => Some(catalog::load(&self.pool).await?),
            None => None,
        };
        let catalog = catalog.as_ref();
        self.write(|mut tx| {
            Box::pin(async move {
                let after = user_changes::update(&mut tx, actor, customer_id, user_id, patch, catalog, now).await?;
                Ok(Done::commit(tx, after))
            })
        })
        .await
    }

    async fn set_temporary_password(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        digest: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User> {
        self.write(|mut tx| {
            Box::pin(async move {
                let user =
                    user_changes::set_temporary_password(&mut tx, actor, customer_id, user_id, digest, expires_at, now)
                        .await?;
                Ok(Done::commit(tx, user))
            })
        })
        .await
    }

    async fn delete_user(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        purge_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User> {
        self.write(|mut tx| {
            Box::pin(async move {
                let deleted = user_changes::delete(&mut tx, actor, customer_id, user_id, purge_at, now).await?;
                Ok(Done::commit(tx, deleted))
            })
        })
        .await
    }

    async fn restore_users(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_ids: &[Uuid],
        now: OffsetDateTime,
    ) -> Result<Vec<RestoreOutcome>> {
        let catalog = catalog::load(&self.pool).await?;
        let mut outcomes = Vec::with_capacity(user_ids.len());
        // Each user in a transaction of its own: one that cannot come back keeps
        // no other from coming back.
        let catalog = &catalog;
        for &user_id in user_ids {
            let outcome = self
                .write(|mut tx| {
                    Box::pin(async move {
                        let outcome = user_changes::restore(&mut tx, actor, customer_id, user_id, catalog, now).await?;
                        Ok(if outcome.result.is_ok() {
                            Done::commit(tx, outcome)
                        } else {
                            Done::roll_back(tx, outcome)
                        })
                    })
                })
                .await?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }
}

#[async_trait]
impl LicenseStore for SqlStore {
    async fn update_licenses(
        &self,
        actor: Actor,
        customer_id: Uuid,
        catalog: &Catalog,
        update: &LicenseUpdate,
        now: OffsetDateTime,
    ) -> Result<LicenseUpdateOutcome> {
        self.write(|mut tx| {
            Box::pin(async move {
                let outcome = licenses::update(&mut tx, actor, customer_id, catalog, update, now).await?;
                Ok(if outcome.applied { Done::commit(tx, outcome) } else { Done::roll_back(tx, outcome) })
            })
        })
        .await
    }
}

#[async_trait]
impl ImportStore for SqlStore {
    async fn taken_usernames(&self, upn_keys: &[String]) -> Result<HashSet<String>> {
        imports::taken_usernames(&self.bulk, upn_keys).await
    }

    async fn create_import_job(&self, job: &ImportJob, rows: &[(i64, String)], now: OffsetDateTime) -> Result<()> {
        self.write(|mut tx| {
            Box::pin(async move {
                imports::create_job(&mut tx, job, rows, now).await?;
                Ok(Done::commit(tx, ()))
            })
        })
        .await
    }

    async fn get_import_job(&self, partner_id: Uuid, customer_id: Uuid, job_id: Uuid) -> Result<Option<ImportJob>> {
        imports::get_job(&self.pool, partner_id, customer_id, job_id).await
    }

    async fn import_job_rows(&self, job_id: Uuid) -> Result<Vec<ImportRowRecord>> {
        imports::job_rows(&self.bulk, job_id).await
    }

    async fn claim_import_job(&self, lease_until: OffsetDateTime, now: OffsetDateTime) -> Result<Option<ImportJob>> {
        imports::claim_job(&self.pool, lease_until, now).await
    }

    async fn pending_import_rows(&self, job_id: Uuid, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        imports::pending_rows(&self.bulk, job_id, after, limit).await
    }

    async fn record_import_batches(
        &self,
        job: &ImportJob,
        mut batches: ImportBatches,
        rows_per_transaction: usize,
    ) -> Result<()> {
        while let Some(first) = batches.recv().await {
            // The batches a transaction took, kept until it commits: a transaction
            // the database fails to break a deadlock runs them again.
            let mut taken = vec![first];
            let mut attempt = 1;
            loop {
                match imports::write_batches(self, job, &mut taken, &mut batches, rows_per_transaction).await {
                    Ok(()) => break,
                    Err(e) => again(attempt, e).await?,
                }
                attempt += 1;
            }
        }
        Ok(())
    }

    async fn finish_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
        imports::finish_job(&self.pool, job_id, now).await
    }

    async fn release_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
        imports::release_job(&self.pool, job_id, now).await
    }

    async fn take_import_credentials(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        job_id: Uuid,
    ) -> Result<Vec<SealedImportCredential>> {
        self.write(|mut tx| {
            Box::pin(async move {
                let taken = imports::take_credentials(&mut tx, partner_id, customer_id, job_id).await?;
                Ok(Done::commit(tx, taken))
            })
        })
        .await
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn find_signin_user(&self, upn_key: &str) -> Result<Option<SigninUser>> {
        sessions::find_signin_user(&self.pool, upn_key).await
    }

    async fn reserve_signin_attempt(
        &self,
        keys: &[String],
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<SigninReservation> {
        sessions::reserve_signin_attempt(&self.pool, keys, since, now).await
    }

    async fn forget_signin_attempt(&self, rows: &[Uuid]) -> Result<()> {
        sessions::forget_signin_attempt(&self.pool, rows).await
    }

    async fn consume_temporary_password(&self, user_id: Uuid, digest: &str, now: OffsetDateTime) -> Result<bool> {
        sessions::consume_temporary_password(&self.pool, user_id, digest, now).await
    }

    async fn create_user_session(&self, session: &UserSession, now: OffsetDateTime) -> Result<()> {
        sessions::insert_user_session(&self.pool, session, now).await
    }

    async fn find_user_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<UserSession>> {
        sessions::find_user_session(&self.pool, token_hash, now).await
    }

    async fn delete_user_session(&self, token_hash: &str) -> Result<()> {
        sessions::delete_user_session(&self.pool, token_hash).await
    }

    async fn complete_password_change(
        &self,
        change_session_hash: &str,
        user_id: Uuid,
        password_hash: &str,
        password_expires_at: OffsetDateTime,
        new_session: &UserSession,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.write(|mut tx| {
            Box::pin(async move {
                let (hash, expires_at) = (password_hash, password_expires_at);
                sessions::complete_password_change(
                    &mut tx,
                    change_session_hash,
                    user_id,
                    hash,
                    expires_at,
                    new_session,
                    now,
                )
                .await?;
                Ok(Done::commit(tx, ()))
            })
        })
        .await
    }

    async fn create_agent_session(
        &self,
        token_hash: &str,
        agent_id: Uuid,
        csrf_token: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<()> {
        sessions::create_agent_session(&self.pool, token_hash, agent_id, csrf_token, expires_at, now).await
    }

    async fn find_agent_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<AgentSession>> {
        sessions::find_agent_session(&self.pool, token_hash, now).await
    }

    async fn delete_agent_session(&self, token_hash: &str) -> Result<()> {
        sessions::delete_agent_session(&self.pool, token_hash).await
    }

    async fn selection(&self, session_hash: &str, customer_id: Uuid) -> Result<Vec<Uuid>> {
        selection::get(&self.pool, session_hash, customer_id).await
    }

    async fn change_selection(
        &self,
        session_hash: &str,
        customer_id: Uuid,
        remove: &[Uuid],
        add: &[Uuid],
    ) -> Result<()> {
        self.write(|mut tx| {
            Box::pin(async move {
                selection::change(&mut tx, session_hash, customer_id, remove, add).await?;
                Ok(Done::commit(tx, ()))
            })
        })
        .await
    }

    async fn clear_selection(&self, session_hash: &str, customer_id: Uuid) -> Result<()> {
        selection::clear(&self.pool, session_hash, customer_id).await
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn list_audit_events(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        audit::list(&self.pool, partner_id, customer_id, filter, page).await
    }
}
