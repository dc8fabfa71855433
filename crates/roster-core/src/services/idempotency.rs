//! Idempotency keys around any changing request (see `crate::idempotency`).
//! The use cases themselves know nothing of keys: the HTTP layer claims a key,
//! runs the request, and keeps its answer through these.

use super::Services;
use crate::error::Result;
use crate::idempotency::{self as keys, Answer, Claim, IdempotencyKey, KeptAnswer};
use uuid::Uuid;

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum KeyedRequest {
    /// Run it, then keep its answer (or release the key).
    Run,
    /// Answer this again, without running anything.
    Replay(Answer),
    /// Refuse: the first request with this key is still running.
    InUse,
    /// Refuse: the key was used for another request.
    Reused,
}

/// The context a kept answer is sealed for: it opens only as this partner's
/// answer to this key.
fn context(partner_id: Uuid, key: &IdempotencyKey) -> Vec<u8> {
    format!("roster-idempotency/{partner_id}/{}", key.as_str()).into_bytes()
}

impl Services {
    /// Claims `key` for a request with this fingerprint (`idempotency::fingerprint`).
    pub async fn claim_idempotency_key(
        &self,
        partner_id: Uuid,
        key: &IdempotencyKey,
        fingerprint: &str,
    ) -> Result<KeyedRequest> {
        let now = self.now();
        let claim = self
            .store
            .claim_idempotency_key(partner_id, key, fingerprint, now + keys::LEASE, now + keys::KEY_WINDOW, now)
            .await?;
        Ok(match claim {
            Claim::Run => KeyedRequest::Run,
            Claim::InUse => KeyedRequest::InUse,
            Claim::Reused => KeyedRequest::Reused,
            Claim::Replay(kept) => {
                let kept_secrets = kept.secrets_expire_at.is_some_and(|at| at > now);
                let sent = match kept.sealed_body.as_deref().filter(|_| kept_secrets) {
                    Some(sealed) => {
                        let opened = self.policy.credentials_key.open_bytes(sealed, &context(partner_id, key));
                        if opened.is_none() {
                            tracing::warn!(
                                %partner_id,
                                "a kept answer could not be opened; was the credentials key changed? replaying it without its secrets"
                            );
                        }
                        opened
                    }
                    None => None,
                };
                KeyedRequest::Replay(Answer {
                    status: kept.status,
                    headers: kept.headers,
                    body: sent.unwrap_or(kept.body),
                })
            }
        })
    }

    /// Extends the hold of the request running under `key`.
    pub async fn hold_idempotency_key(&self, partner_id: Uuid, key: &IdempotencyKey) -> Result<()> {
        self.store.hold_idempotency_key(partner_id, key, self.now() + keys::LEASE).await
    }

    /// Keeps the answer to replay: secrets `null` in the stored body, and the
    /// answer as sent sealed for the hour import credentials are kept.
    pub async fn keep_idempotent_answer(&self, partner_id: Uuid, key: &IdempotencyKey, answer: &Answer) -> Result<()> {
        let kept = match keys::redact(&answer.body) {
            Some(redacted) => KeptAnswer {
                status: answer.status,
                headers: answer.headers.clone(),
                body: redacted,
                sealed_body: Some(self.policy.credentials_key.seal_bytes(&answer.body, &context(partner_id, key))),
                secrets_expire_at: Some(self.now() + self.policy.import_credentials_ttl),
            },
            None => KeptAnswer {
                status: answer.status,
                headers: answer.headers.clone(),
                body: answer.body.clone(),
                sealed_body: None,
                secrets_expire_at: None,
            },
        };
        self.store.keep_idempotent_answer(partner_id, key, &kept).await
    }

    /// Lets go of a key whose request has no answer worth keeping (a server
    /// error), so that a retry runs it again.
    pub async fn release_idempotency_key(&self, partner_id: Uuid, key: &IdempotencyKey) -> Result<()> {
        self.store.release_idempotency_key(partner_id, key).await
    }
}
