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
        self.customer(agent, customer_id).await?;
        let page = PageRequest::parse(limit, cursor, "-at")?;
        self.store.list_audit_events(agent.partner_id, customer_id, &page).await
    }
}
