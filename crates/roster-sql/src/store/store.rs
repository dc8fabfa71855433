//! The `Store` traits on this backend. Each method is one unit of work: it owns
//! its transaction (begin, the aggregate module's statements, commit) and the
//! modules it calls hold the SQL.

use super::{
    SqlStore, Tx, audit, catalog, customers, db_err, imports, licenses, selection, sessions, tenants, user_changes,
    users,
};
use super::{idempotency, preconditions};
use crate::D;
use async_trait::async_trait;
use roster_core::catalog::{Catalog, Product};
use roster_core::error::{Error, Result};
use roster_core::idempotency::{Claim, IdempotencyKey, KeptAnswer};
use roster_core::licensing::LicenseUpdate;
use roster_core::model::*;
use roster_core::paging::{Page, PageRequest, UserFilter, UserQuery};
use roster_core::store::*;
use roster_core::versions::Expected;
use roster_sql::Dialect;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    async fn begin_write(&self) -> Result<Tx> {
        self.writer.begin_with(D::BEGIN_WRITE).await.map_err(db_err)
    }
}

async fn commit<T>(tx: Tx, value: T) -> Result<T> {
    tx.commit().await.map_err(db_err)?;
    Ok(value)
}

#[async_trait]
impl Store for SqlStore {
    async fn migrate(&self) -> Result<()> {
        D::migrator().run(&self.pool).await.map_err(Error::internal)
    }

    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64> {
        sessions::forget_expired(&self.pool, now).await?;
        imports::forget_expired_credentials(&self.pool, now).await?;
        idempotency::forget_expired(&self.pool, now).await?;
        let mut total = 0;
        loop {
            let mut tx = self.begin_write().await?;
            let purged = user_changes::purge_batch(&mut tx, now).await?;
            if purged == 0 {
                return Ok(total);
            }
            total += commit(tx, purged).await?;
        }
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

    async fn agent_by_token(&self, token_hash: &str) -> Result<Option<Agent>> {
        tenants::agent_by_token(&self.pool, token_hash).await
    }
}

#[async_trait]
impl CatalogStore for SqlStore {
    async fn upsert_products(&self, products: &[Product], now: OffsetDateTime) -> Result<()> {
        let mut tx = self.begin_write().await?;
        catalog::upsert_products(&mut tx, products, now).await?;
        commit(tx, ()).await
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
        let mut tx = self.begin_write().await?;
        let created = catalog::create_subscription(&mut tx, actor, customer_id, product_id, quantity, now).await?;
        commit(tx, created).await
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
        let mut tx = self.begin_write().await?;
        let changed =
            catalog::set_subscription_quantity(&mut tx, actor, customer_id, subscription_id, quantity, now).await?;
        commit(tx, changed).await
    }
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn create_customer(&self, actor: Actor, customer: &NewCustomer, now: OffsetDateTime) -> Result<Customer> {
        let mut tx = self.begin_write().await?;
        let created = customers::create(&mut tx, actor, customer, now).await?;
        commit(tx, created).await
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
        let mut tx = self.begin_write().await?;
        let results = user_changes::create(&mut tx, actor, customer_id, records, now).await?;
        commit(tx, results).await
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
        let mut tx = self.begin_write().await?;
        let after = user_changes::update(&mut tx, actor, customer_id, user_id, patch, catalog.as_ref(), now).await?;
        commit(tx, after).await
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
        let mut tx = self.begin_write().await?;
        let user =
            user_changes::set_temporary_password(&mut tx, actor, customer_id, user_id, digest, expires_at, now).await?;
        commit(tx, user).await
    }

    async fn delete_user(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        purge_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let deleted = user_changes::delete(&mut tx, actor, customer_id, user_id, purge_at, now).await?;
        commit(tx, deleted).await
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
        for &user_id in user_ids {
            let mut tx = self.begin_write().await?;
            let outcome = user_changes::restore(&mut tx, actor, customer_id, user_id, &catalog, now).await?;
            if outcome.result.is_ok() {
                tx.commit().await.map_err(db_err)?;
            }
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
        let mut tx = self.begin_write().await?;
        let outcome = licenses::update(&mut tx, actor, customer_id, catalog, update, now).await?;
        if outcome.applied {
            commit(tx, outcome).await
        } else {
            tx.rollback().await.map_err(db_err)?;
            Ok(outcome)
        }
    }
}

#[async_trait]
impl ImportStore for SqlStore {
    async fn taken_usernames(&self, upn_keys: &[String]) -> Result<HashSet<String>> {
        imports::taken_usernames(&self.bulk, upn_keys).await
    }

    async fn create_import_job(&self, job: &ImportJob, rows: &[(i64, String)], now: OffsetDateTime) -> Result<()> {
        let mut tx = self.begin_write().await?;
        imports::create_job(&mut tx, job, rows, now).await?;
        commit(tx, ()).await
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
        let mut next = batches.recv().await;
        while let Some(first) = next.take() {
            let mut tx = self.begin_write().await?;
            imports::extend_lease(&mut tx, job.id, first.lease_until, first.now).await?;
            let (mut rows, mut created, mut failed) = (0, 0, 0);
            let mut batch = first;
            loop {
                let (ok, bad) = imports::write_batch(&mut tx, job, &batch.work, batch.now).await?;
                rows += batch.work.len();
                created += ok;
                failed += bad;
                if rows >= rows_per_transaction {
                    break;
                }
                match batches.try_recv() {
                    Ok(ready) => batch = ready,
                    Err(_) => break,
                }
            }
            imports::count_done(&mut tx, job.id, created, failed).await?;
            commit(tx, ()).await?;
            next = batches.recv().await;
        }
        Ok(())
    }

    async fn finish_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
        imports::finish_job(&self.pool, job_id, now).await
    }

    async fn take_import_credentials(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        job_id: Uuid,
    ) -> Result<Vec<SealedImportCredential>> {
        let mut tx = self.begin_write().await?;
        let taken = imports::take_credentials(&mut tx, partner_id, customer_id, job_id).await?;
        commit(tx, taken).await
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn find_signin_user(&self, upn_key: &str) -> Result<Option<SigninUser>> {
        sessions::find_signin_user(&self.pool, upn_key).await
    }

    async fn count_signin_failures(&self, upn_key: &str, since: OffsetDateTime) -> Result<i64> {
        sessions::count_signin_failures(&self.pool, upn_key, since).await
    }

    async fn record_signin_failure(&self, upn_key: &str, now: OffsetDateTime) -> Result<()> {
        sessions::record_signin_failure(&self.pool, upn_key, now).await
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
        let mut tx = self.begin_write().await?;
        sessions::complete_password_change(
            &mut tx,
            change_session_hash,
            user_id,
            password_hash,
            password_expires_at,
            new_session,
            now,
        )
        .await?;
        commit(tx, ()).await
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
        let mut tx = self.begin_write().await?;
        selection::change(&mut tx, session_hash, customer_id, remove, add).await?;
        commit(tx, ()).await
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
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        audit::list(&self.pool, partner_id, customer_id, page).await
    }
}

#[async_trait]
impl ConditionalStore for SqlStore {
    async fn update_user_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        expected: &Expected,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<User> {
        let catalog = match patch.usage_location {
            Some(_) => Some(catalog::load(&self.pool).await?),
            None => None,
        };
        let mut tx = self.begin_write().await?;
        preconditions::lock_user_at(&mut tx, actor, customer_id, user_id, expected).await?;
        let after = user_changes::update(&mut tx, actor, customer_id, user_id, patch, catalog.as_ref(), now).await?;
        commit(tx, after).await
    }

    async fn delete_user_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        expected: &Expected,
        purge_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        preconditions::lock_user_at(&mut tx, actor, customer_id, user_id, expected).await?;
        let deleted = user_changes::delete(&mut tx, actor, customer_id, user_id, purge_at, now).await?;
        commit(tx, deleted).await
    }

    async fn set_subscription_quantity_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        expected: &Expected,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription> {
        let mut tx = self.begin_write().await?;
        catalog::lock_subscription_at(&mut tx, actor, customer_id, subscription_id, expected).await?;
        let changed =
            catalog::set_subscription_quantity(&mut tx, actor, customer_id, subscription_id, quantity, now).await?;
        commit(tx, changed).await
    }
}

#[async_trait]
impl SeatStore for SqlStore {
    async fn get_subscription(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        subscription_id: Uuid,
    ) -> Result<Option<Subscription>> {
        catalog::get_subscription(&self.pool, partner_id, customer_id, subscription_id).await
    }

    async fn add_seats(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        add: i64,
        expected: Option<&Expected>,
        now: OffsetDateTime,
    ) -> Result<Subscription> {
        let mut tx = self.begin_write().await?;
        if let Some(expected) = expected {
            catalog::lock_subscription_at(&mut tx, actor, customer_id, subscription_id, expected).await?;
        }
        let added = catalog::add_seats(&mut tx, actor, customer_id, subscription_id, add, now).await?;
        commit(tx, added).await
    }
}

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(
        &self,
        partner_id: Uuid,
        key: &IdempotencyKey,
        fingerprint: &str,
        locked_until: OffsetDateTime,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Claim> {
        let mut tx = self.begin_write().await?;
        let claim = idempotency::claim(&mut tx, partner_id, key, fingerprint, locked_until, expires_at, now).await?;
        commit(tx, claim).await
    }

    async fn hold_idempotency_key(
        &self,
        partner_id: Uuid,
        key: &IdempotencyKey,
        locked_until: OffsetDateTime,
    ) -> Result<()> {
        idempotency::hold(&self.pool, partner_id, key, locked_until).await
    }

    async fn keep_idempotent_answer(&self, partner_id: Uuid, key: &IdempotencyKey, answer: &KeptAnswer) -> Result<()> {
        idempotency::keep(&self.pool, partner_id, key, answer).await
    }

    async fn release_idempotency_key(&self, partner_id: Uuid, key: &IdempotencyKey) -> Result<()> {
        idempotency::release(&self.pool, partner_id, key).await
    }
}
