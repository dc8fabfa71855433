//! Assigning and removing licenses for many users at once, with a result for each.

use super::inputs::{LicenseUpdateInput, MAX_LICENSE_UPDATE_USERS};
use super::{Services, actor, require};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::licensing;
use crate::model::*;
use uuid::Uuid;

impl Services {
    /// Assigns and removes licenses for many users at once, with a result for each.
    /// Counted for `/metrics`, with the code of every failure.
    pub async fn update_licenses(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        input: &LicenseUpdateInput,
    ) -> Result<LicenseUpdateOutcome> {
        let outcome = self.update_licenses_uncounted(agent, customer_id, input).await;
        match &outcome {
            Ok(done) => self
                .metrics
                .license_update("ok", done.results.iter().flat_map(|r| r.errors.iter().map(|e| e.code.clone()))),
            Err(e) => self.metrics.license_update("error", [e.code().to_owned()]),
        }
        outcome
    }

    async fn update_licenses_uncounted(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        input: &LicenseUpdateInput,
    ) -> Result<LicenseUpdateOutcome> {
        require(agent, &[AgentRole::Admin])?;
        if input.user_ids.is_empty() || input.user_ids.len() > MAX_LICENSE_UPDATE_USERS {
            return Err(Error::validation("userIds", format!("send 1 to {MAX_LICENSE_UPDATE_USERS} user ids")));
        }
        let mut seen = std::collections::HashSet::with_capacity(input.user_ids.len());
        if let Some(dup) = input.user_ids.iter().find(|id| !seen.insert(**id)) {
            return Err(Error::validation("userIds", format!("{dup} appears twice")));
        }
        let atomicity = match input.mode.as_deref() {
            None | Some("partial") => licensing::Atomicity::PerUser,
            Some("atomic") => licensing::Atomicity::AllOrNothing,
            Some(_) => return Err(Error::validation("mode", "use partial or atomic")),
        };
        let mode = if input.dry_run {
            licensing::UpdateMode::DryRun(atomicity)
        } else {
            licensing::UpdateMode::Apply(atomicity)
        };
        let mut change = crate::licensing::LicenseChange::default();
        for (i, l) in input.assign.iter().enumerate() {
            let p =
                ProductId::parse(&l.product_id).map_err(|e| Error::validation(format!("assign[{i}].productId"), e))?;
            change.assign.insert(p, l.plan_change(&format!("assign[{i}]"))?);
        }
        for (i, r) in input.remove.iter().enumerate() {
            let p = ProductId::parse(r).map_err(|e| Error::validation(format!("remove[{i}]"), e))?;
            if change.assign.contains_key(&p) {
                return Err(Error::validation("remove", format!("{} is both assigned and removed", p.as_ref())));
            }
            change.remove.insert(p);
        }
        if change.assign.is_empty() && change.remove.is_empty() {
            return Err(Error::validation("assign", "assign or remove at least one product"));
        }
        self.customer(agent, customer_id).await?;
        let catalog = self.store.catalog().await?;
        let update = licensing::LicenseUpdate { user_ids: input.user_ids.clone(), change, mode };
        self.store.update_licenses(actor(agent), customer_id, &catalog, &update, self.now()).await
    }
}

/// Judges the licenses a new user asks for by the catalog's rules; seats are the
/// store's to count, under its lock.
pub(crate) fn check_new_user_licenses(
    catalog: &crate::catalog::Catalog,
    owned: &std::collections::BTreeSet<ProductId>,
    user: NewUser,
) -> Result<NewUser> {
    licensing::check_new_user_licenses(catalog, owned, &user.licenses, user.usage_location)?;
    Ok(user)
}
