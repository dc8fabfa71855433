//! The results of console forms (Post/Redirect/Get): a form's POST keeps what it
//! did under a new id bound to the agent's session, and the browser reads it by
//! GET, so a reload or Back shows it again and never repeats the change.
//! Temporary passwords in a result are sealed with the credentials key, for the
//! hour an import keeps its own, and open only for the session that made them.

use super::Services;
use crate::error::{Error, Result};
use crate::model::{AgentSession, KeptConsoleResult};
use uuid::Uuid;

/// A result as its page reads it: its kind, its body and its opened secrets.
#[derive(Debug, Clone)]
pub struct ConsoleResultView {
    pub kind: String,
    pub body: serde_json::Value,
    /// `None` when there were none, or they can no longer be opened.
    pub secrets: Option<serde_json::Value>,
}

/// What a result's secrets are sealed for: this result of this session only.
fn context(id: Uuid, session_hash: &str) -> Vec<u8> {
    format!("console-result/{id}/{session_hash}").into_bytes()
}

impl Services {
    /// Keeps a form's result for this session and customer; returns its id.
    pub async fn keep_console_result(
        &self,
        session: &AgentSession,
        customer_id: Uuid,
        kind: &str,
        body: &serde_json::Value,
        secrets: Option<&serde_json::Value>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let sealed = match secrets {
            Some(s) => {
                let plain = serde_json::to_vec(s).map_err(Error::internal)?;
                Some(self.policy.credentials_key.seal_bytes(&plain, &context(id, &session.token_hash)))
            }
            None => None,
        };
        let result = KeptConsoleResult {
            customer_id,
            kind: kind.to_owned(),
            body: serde_json::to_string(body).map_err(Error::internal)?,
            sealed,
        };
        let now = self.now();
        let expires_at = now + self.policy.import_credentials_ttl;
        self.store.keep_console_result(id, &session.token_hash, &result, now, expires_at).await?;
        Ok(id)
    }

    /// A result of this session and customer; another session's, or one past its
    /// time, is not found.
    pub async fn console_result(
        &self,
        session: &AgentSession,
        customer_id: Uuid,
        id: Uuid,
    ) -> Result<ConsoleResultView> {
        let kept = self
            .store
            .console_result(id, &session.token_hash, self.now())
            .await?
            .filter(|r| r.customer_id == customer_id)
            .ok_or(Error::NotFound)?;
        let body = serde_json::from_str(&kept.body).map_err(Error::internal)?;
        let secrets = kept
            .sealed
            .as_deref()
            .and_then(|s| self.policy.credentials_key.open_bytes(s, &context(id, &session.token_hash)))
            .and_then(|plain| serde_json::from_slice(&plain).ok());
        Ok(ConsoleResultView { kind: kept.kind, body, secrets })
    }
}
