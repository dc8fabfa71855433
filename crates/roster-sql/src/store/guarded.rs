//! The `Store` traits of writes a client guards: by the version it read
//! (`If-Match`), by an atomic increment (adding seats), or by an idempotency key.
//! Each owns its transaction, as in `store.rs`.

use super::write::Done;
use super::{SqlStore, catalog, idempotency, preconditions, user_changes};
use async_trait::async_trait;
use roster_core::error::Result;
use roster_core::idempotency::{Claim, IdempotencyKey, KeptAnswer};
use roster_core::model::*;
use roster_core::store::*;
use roster_core::versions::Expected;
use time::OffsetDateTime;
use uuid::Uuid;

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
        let catalog = catalog.as_ref();
        self.write(|mut tx| {
            Box::pin(async move {
                preconditions::lock_user_at(&mut tx, actor, customer_id, user_id, expected).await?;
                let after = user_changes::update(&mut tx, actor, customer_id, user_id, patch, catalog, now).await?;
                Ok(Done::commit(tx, after))
            })
        })
        .await
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
        self.write(|mut tx| {
            Box::pin(async move {
                preconditions::lock_user_at(&mut tx, actor, customer_id, user_id, expected).await?;
                let deleted = user_changes::delete(&mut tx, actor, customer_id, user_id, purge_at, now).await?;
                Ok(Done::commit(tx, deleted))
            })
        })
        .await
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
        self.write(|mut tx| {
            Box::pin(async move {
                catalog::lock_subscription_at(&mut tx, actor, customer_id, subscription_id, expected).await?;
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
        self.write(|mut tx| {
            Box::pin(async move {
                if let Some(expected) = expected {
                    catalog::lock_subscription_at(&mut tx, actor, customer_id, subscription_id, expected).await?;
                }
                let added = catalog::add_seats(&mut tx, actor, customer_id, subscription_id, add, now).await?;
                Ok(Done::commit(tx, added))
            })
        })
        .await
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
        self.write(|mut tx| {
            Box::pin(async move {
                let claim =
                    idempotency::claim(&mut tx, partner_id, key, fingerprint, locked_until, expires_at, now).await?;
                Ok(Done::commit(tx, claim))
            })
        })
        .await
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
