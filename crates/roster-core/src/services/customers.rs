//! A partner's customers.

use super::{Services, actor, require};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::paging::*;
use uuid::Uuid;

impl Services {
    pub async fn create_customer(
        &self,
        agent: &Agent,
        company_name: &str,
        domains: &[String],
        country: &str,
    ) -> Result<Customer> {
        require(agent, &[AgentRole::Admin, AgentRole::Sales])?;
        let company_name = OrganisationName::parse(company_name).map_err(|e| Error::validation("companyName", e))?;
        if domains.is_empty() {
            return Err(Error::validation("domains", "at least one domain is required"));
        }
        if domains.len() > 50 {
            return Err(Error::validation("domains", "at most 50 domains"));
        }
        let mut parsed = Vec::with_capacity(domains.len());
        for (i, d) in domains.iter().enumerate() {
            let d = DomainName::parse(d).map_err(|e| Error::validation(format!("domains[{i}]"), e))?;
            if !parsed.contains(&d) {
                parsed.push(d);
            }
        }
        let country = CountryCode::parse(country).map_err(|e| Error::validation("country", e))?;
        let customer = NewCustomer { id: Uuid::now_v7(), company_name, domains: parsed, country };
        self.store.create_customer(actor(agent), &customer, self.now()).await
    }

    /// The products the customer holds a subscription for.
    pub(crate) async fn owned_products(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
    ) -> Result<std::collections::BTreeSet<ProductId>> {
        let subscriptions = self.store.list_subscriptions(partner_id, customer_id).await?;
        // Stored ids were parsed when written; one that no longer parses is corrupt.
        subscriptions.iter().map(|s| ProductId::parse(&s.product_id).map_err(Error::internal)).collect()
    }

    pub async fn customer(&self, agent: &Agent, customer_id: Uuid) -> Result<Customer> {
        self.store.get_customer(agent.partner_id, customer_id).await?.ok_or(Error::NotFound)
    }

    pub async fn list_customers(
        &self,
        agent: &Agent,
        search: Option<&str>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<Customer>> {
        let page = PageRequest::parse(limit, cursor, "companyName")?;
        let search = super::inputs::search_term(search)?;
        self.store.list_customers(agent.partner_id, search.as_deref(), &page).await
    }
}
