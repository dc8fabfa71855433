//! The catalog, and the seats customers buy of its products.

use super::{Services, actor, require};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::versions::Expected;
use uuid::Uuid;

impl Services {
    /// Imports a catalog file: all of it or, when anything is wrong, none of it.
    pub async fn import_catalog(&self, file: &[u8]) -> Result<Vec<crate::catalog::Product>> {
        let existing = self.store.catalog().await?;
        let products = crate::catalog::parse_catalog_file(file, &existing)
            .map_err(|e| Error::validation("catalog", e.to_string()))?;
        self.store.upsert_products(&products, self.now()).await?;
        Ok(products)
    }

    pub async fn catalog(&self) -> Result<crate::catalog::Catalog> {
        self.store.catalog().await
    }

    pub async fn subscriptions(&self, agent: &Agent, customer_id: Uuid) -> Result<Vec<Subscription>> {
        self.customer(agent, customer_id).await?;
        self.store.list_subscriptions(agent.partner_id, customer_id).await
    }

    /// Buys seats of a product the customer has no subscription for yet.
    pub async fn buy_subscription(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        product_id: &str,
        quantity: i64,
    ) -> Result<Subscription> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let product_id = ProductId::parse(product_id).map_err(|e| Error::validation("productId", e))?;
        let quantity = seat_count(quantity, 1)?;
        self.customer(agent, customer_id).await?;
        if self.store.catalog().await?.get(&product_id).is_none() {
            return Err(Error::validation("productId", format!("{} is not in the catalog", product_id.as_ref())));
        }
        self.store.create_subscription(actor(agent), customer_id, product_id.as_ref(), quantity, self.now()).await
    }

    /// Buys more seats, or gives some back; never below the seats assigned.
    pub async fn set_subscription_quantity(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        subscription_id: Uuid,
        quantity: i64,
    ) -> Result<Subscription> {
        self.set_subscription_quantity_if(agent, customer_id, subscription_id, quantity, None).await
    }

    /// As `set_subscription_quantity`; with `expected`, only while the
    /// subscription is at one of those versions.
    pub async fn set_subscription_quantity_if(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        subscription_id: Uuid,
        quantity: i64,
        expected: Option<&Expected>,
    ) -> Result<Subscription> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let quantity = seat_count(quantity, 0)?;
        self.customer(agent, customer_id).await?;
        let (actor, now) = (actor(agent), self.now());
        match expected {
            Some(expected) => {
                self.store
                    .set_subscription_quantity_if(actor, customer_id, subscription_id, expected, quantity, now)
                    .await
            }
            None => self.store.set_subscription_quantity(actor, customer_id, subscription_id, quantity, now).await,
        }
    }

    /// One subscription of the customer.
    pub async fn subscription(&self, agent: &Agent, customer_id: Uuid, subscription_id: Uuid) -> Result<Subscription> {
        self.store.get_subscription(agent.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)
    }

    /// Buys `add` more seats (at least 1) in one atomic increment, so purchases
    /// made at the same time all count; with `expected`, only while the
    /// subscription is at one of those versions.
    pub async fn add_seats(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        subscription_id: Uuid,
        add: i64,
        expected: Option<&Expected>,
    ) -> Result<Subscription> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        if !(1..=MAX_SEATS).contains(&add) {
            return Err(Error::validation("add", between(1, MAX_SEATS)));
        }
        self.customer(agent, customer_id).await?;
        self.store.add_seats(actor(agent), customer_id, subscription_id, add, expected, self.now()).await
    }
}

/// The most seats one subscription can hold.
pub const MAX_SEATS: i64 = 10_000_000;

fn seat_count(quantity: i64, min: i64) -> Result<i64> {
    if (min..=MAX_SEATS).contains(&quantity) {
        Ok(quantity)
    } else {
        Err(Error::validation("quantity", between(min, MAX_SEATS)))
    }
}

/// "must be between `min` and `max`".
fn between(min: i64, max: i64) -> crate::domain::Invalid {
    crate::domain::Invalid::new("invalid-between", format!("must be between {min} and {max}"))
        .arg("min", min)
        .arg("max", max)
}
