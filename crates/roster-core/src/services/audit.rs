//! The activity log of a customer.

use super::Services;
use crate::error::Result;
use crate::model::*;
use crate::paging::*;
use uuid::Uuid;

impl Services {
    pub async fn audit_events(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<AuditEvent>> {
        self.audit_events_where(agent, customer_id, &AuditFilter::default(), limit, cursor).await
    }

    /// As `audit_events`, only the events `filter` picks.
    pub async fn audit_events_where(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        filter: &AuditFilter,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<AuditEvent>> {
        self.customer(agent, customer_id).await?;
        let page = PageRequest::parse(limit, cursor, "-at")?;
        self.store.list_audit_events(agent.partner_id, customer_id, filter, &page).await
    }

    /// The agents of the agent's own partner, for naming them in the log.
    pub async fn partner_agents(&self, agent: &Agent) -> Result<Vec<Agent>> {
        self.store.partner_agents(agent.partner_id).await
    }
}
