//! Use cases of the agents' console: signing in with a password, the session
//! that carries the CSRF token, and the selection of users that survives paging.

use super::Services;
use crate::error::{Error, Result};
use crate::model::*;
use crate::secrets;
use std::net::IpAddr;
use uuid::Uuid;

/// The most users one console selection holds; a license update takes as many.
pub const MAX_SELECTION: usize = super::MAX_LICENSE_UPDATE_USERS;

/// Where an agent's sign-in leads.
#[derive(Debug)]
pub enum AgentSigninOutcome {
    SignedIn { session_token: String, session: AgentSession },
    InvalidCredentials,
    RateLimited,
}

impl Services {
    /// Checks an agent's email and password (Argon2id), within the sign-in limits
    /// of `attempts`, which every instance sharing the database shares.
    /// Refusals are counted for `/metrics`.
    pub async fn agent_signin(&self, email: &str, password: &str, source: IpAddr) -> Result<AgentSigninOutcome> {
        let outcome = self.agent_signin_uncounted(email, password, source).await;
        let reason = match &outcome {
            Ok(AgentSigninOutcome::InvalidCredentials) => Some("invalid_credentials"),
            Ok(AgentSigninOutcome::RateLimited) => Some("rate_limited"),
            Ok(_) | Err(_) => None,
        };
        if let Some(reason) = reason {
            self.metrics.signin_failure("agent", reason);
        }
        outcome
    }

    async fn agent_signin_uncounted(&self, email: &str, password: &str, source: IpAddr) -> Result<AgentSigninOutcome> {
        let now = self.now();
        let email = email.trim().to_lowercase();
        if email.is_empty() || email.len() > 320 || password.is_empty() || password.len() > 1024 {
            return Ok(AgentSigninOutcome::InvalidCredentials);
        }
        // No agent's email holds a control character, and PostgreSQL cannot even take a NUL.
        if email.chars().any(char::is_control) {
            return Ok(AgentSigninOutcome::InvalidCredentials);
        }
        let Some(attempt) = self.begin_signin_attempt(&format!("agent:{email}"), source).await? else {
            return Ok(AgentSigninOutcome::RateLimited);
        };
        let (agent, hash) = match self.store.find_agent_by_email(&email).await? {
            Some((agent, hash)) => (Some(agent), Some(hash)),
            None => (None, None),
        };
        let verified = super::attempts::verify_password(password, hash).await?;
        let Some(agent) = agent.filter(|_| verified) else {
            return Ok(AgentSigninOutcome::InvalidCredentials);
        };
        self.signin_succeeded(attempt).await?;
        let session_token = secrets::random_base62(43);
        let session = AgentSession {
            token_hash: secrets::sha256_hex(&session_token),
            agent,
            csrf_token: secrets::random_base62(32),
            expires_at: now + self.policy.signed_in_session_ttl,
        };
        self.store
            .create_agent_session(&session.token_hash, session.agent.id, &session.csrf_token, session.expires_at, now)
            .await?;
        Ok(AgentSigninOutcome::SignedIn { session_token, session })
    }

    pub async fn agent_session(&self, session_token: &str) -> Result<Option<AgentSession>> {
        if session_token.is_empty() || session_token.len() > 100 {
            return Ok(None);
        }
        self.store.find_agent_session(&secrets::sha256_hex(session_token), self.now()).await
    }

    pub async fn agent_signout(&self, session: &AgentSession) -> Result<()> {
        self.store.delete_agent_session(&session.token_hash).await
    }

    /// The users ticked in a customer's list in this session.
    pub async fn selection(&self, session: &AgentSession, customer_id: Uuid) -> Result<Vec<Uuid>> {
        self.customer(&session.agent, customer_id).await?;
        self.store.selection(&session.token_hash, customer_id).await
    }

    /// Applies the ticks of one page: the page's users are unticked, then the
    /// ticked ones added, so unticking on a page works as well as ticking.
    pub async fn change_selection(
        &self,
        session: &AgentSession,
        customer_id: Uuid,
        on_page: &[Uuid],
        ticked: &[Uuid],
    ) -> Result<()> {
        self.customer(&session.agent, customer_id).await?;
        if on_page.len() > 500 || ticked.len() > 500 {
            let words = crate::domain::Invalid::new("invalid-page-too-many", "a page holds at most 500 users");
            return Err(Error::validation("selection", words.arg("max", 500usize)));
        }
        let mut after: std::collections::BTreeSet<Uuid> =
            self.store.selection(&session.token_hash, customer_id).await?.into_iter().collect();
        for id in on_page {
            after.remove(id);
        }
        after.extend(ticked.iter().copied());
        if after.len() > MAX_SELECTION {
            let english = format!("select at most {MAX_SELECTION} users");
            let words = crate::domain::Invalid::new("invalid-selection-too-many", english).arg("max", MAX_SELECTION);
            return Err(Error::validation("selection", words));
        }
        self.store.change_selection(&session.token_hash, customer_id, on_page, ticked).await
    }

    pub async fn clear_selection(&self, session: &AgentSession, customer_id: Uuid) -> Result<()> {
        self.customer(&session.agent, customer_id).await?;
        self.store.clear_selection(&session.token_hash, customer_id).await
    }

    /// The given users of a customer, active or deleted, in the order given;
    /// ids that are gone are skipped.
    pub async fn users_by_ids(&self, agent: &Agent, customer_id: Uuid, ids: &[Uuid]) -> Result<Vec<User>> {
        self.customer(agent, customer_id).await?;
        let mut found: std::collections::HashMap<Uuid, User> =
            self.store.get_users(agent.partner_id, customer_id, ids).await?.into_iter().map(|u| (u.id, u)).collect();
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}
