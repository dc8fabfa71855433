//! Operator commands (the CLI): partners, agents and their API tokens.

use super::Services;
use super::hash;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::model::*;
use crate::secrets::{ApiToken, TemporaryPassword};
use uuid::Uuid;

impl Services {
    pub async fn create_partner(&self, name: &str) -> Result<Partner> {
        let name = OrganisationName::parse(name).map_err(|e| Error::validation("name", e))?;
        self.store.create_partner(Uuid::now_v7(), name.as_ref(), self.now()).await
    }

    /// Creates an agent with a one-time password, returned for printing once.
    pub async fn create_agent(&self, partner_id: Uuid, email: &str, role: &str) -> Result<(Agent, TemporaryPassword)> {
        let email = AgentEmail::parse(email).map_err(|e| Error::validation("email", e))?;
        let role = AgentRole::parse(role).map_err(|e| Error::validation("role", e))?;
        if self.store.get_partner(partner_id).await?.is_none() {
            return Err(Error::NotFound);
        }
        let password = TemporaryPassword::generate();
        let password_hash = hash(password.expose())?;
        let agent = NewAgent { id: Uuid::now_v7(), partner_id, email, role, password_hash };
        Ok((self.store.create_agent(&agent, self.now()).await?, password))
    }

    /// Gives an existing agent a new one-time password.
    pub async fn reset_agent_password(&self, agent_id: Uuid) -> Result<TemporaryPassword> {
        let password = TemporaryPassword::generate();
        self.store.set_agent_password(agent_id, &hash(password.expose())?, self.now()).await?;
        Ok(password)
    }

    pub async fn create_token(&self, agent_email: &str) -> Result<(Agent, ApiToken)> {
        let email = AgentEmail::parse(agent_email).map_err(|e| Error::validation("agent", e))?;
        let (agent, _) = self.store.find_agent_by_email(email.as_ref()).await?.ok_or(Error::NotFound)?;
        let token = ApiToken::generate();
        self.store.create_api_token(agent.id, &token.hash(), self.now()).await?;
        Ok((agent, token))
    }

    pub async fn authenticate_token(&self, presented: &str) -> Result<Option<Agent>> {
        match ApiToken::parse(presented) {
            Some(token) => self.store.agent_by_token(&token.hash()).await,
            None => Ok(None),
        }
    }
}
