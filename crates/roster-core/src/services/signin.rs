//! Customer users' sign-in at `/signin`, their sessions, and the forced change of
//! a temporary or expired password.

use super::{Services, attempts, hash};
use crate::error::{Error, Result};
use crate::model::*;
use crate::secrets;
use std::net::IpAddr;
use time::OffsetDateTime;
use uuid::Uuid;

/// Where a customer user's sign-in leads.
#[derive(Debug)]
pub enum SigninOutcome {
    /// The password is temporary or expired: the session may only change it.
    MustChangePassword {
        session_token: String,
    },
    SignedIn {
        session_token: String,
    },
    InvalidCredentials,
    Blocked,
    RateLimited,
}

impl Services {
    /// Signs a customer user in, within the sign-in limits of `attempts`. Refusals
    /// are counted for `/metrics`.
    pub async fn signin(&self, user_principal_name: &str, password: &str, source: IpAddr) -> Result<SigninOutcome> {
        let outcome = self.signin_uncounted(user_principal_name, password, source).await;
        let reason = match &outcome {
            Ok(SigninOutcome::InvalidCredentials) => Some("invalid_credentials"),
            Ok(SigninOutcome::Blocked) => Some("blocked"),
            Ok(SigninOutcome::RateLimited) => Some("rate_limited"),
            Ok(_) | Err(_) => None,
        };
        if let Some(reason) = reason {
            self.metrics.signin_failure("user", reason);
        }
        outcome
    }

    async fn signin_uncounted(
        &self,
        user_principal_name: &str,
        password: &str,
        source: IpAddr,
    ) -> Result<SigninOutcome> {
        let now = self.now();
        let key = user_principal_name.trim().to_lowercase();
        if key.is_empty() || key.len() > 400 || password.len() > 1024 {
            return Ok(SigninOutcome::InvalidCredentials);
        }
        // No username holds a control character, and PostgreSQL cannot even take a NUL.
        if key.chars().any(char::is_control) {
            return Ok(SigninOutcome::InvalidCredentials);
        }
        let Some(attempt) = self.begin_signin_attempt(&format!("user:{key}"), source).await? else {
            return Ok(SigninOutcome::RateLimited);
        };
        let user = self.store.find_signin_user(&key).await?;
        let digest = user.as_ref().and_then(|u| u.password_digest.clone());
        let verified = attempts::verify_password(password, digest.clone()).await?;
        let (Some(user), Some(digest)) = (user.filter(|_| verified), digest) else {
            return Ok(SigninOutcome::InvalidCredentials);
        };
        if user.state == UserState::Deleted || user.sign_in_blocked {
            self.signin_succeeded(attempt).await?;
            return Ok(SigninOutcome::Blocked);
        }
        let expired = user.password_expires_at.is_some_and(|at| at <= now);
        if secrets::is_temporary_digest(&digest) {
            // A temporary password works once: a second use fails like a wrong one.
            if expired || !self.store.consume_temporary_password(user.id, &digest, now).await? {
                return Ok(SigninOutcome::InvalidCredentials);
            }
            self.signin_succeeded(attempt).await?;
            return self.open_session(user.id, SessionPurpose::ChangePassword, now).await;
        }
        self.signin_succeeded(attempt).await?;
        let purpose = if expired { SessionPurpose::ChangePassword } else { SessionPurpose::SignedIn };
        self.open_session(user.id, purpose, now).await
    }

    fn new_session(&self, user_id: Uuid, purpose: SessionPurpose, now: OffsetDateTime) -> (String, UserSession) {
        let token = secrets::random_base62(43);
        let ttl = match purpose {
            SessionPurpose::ChangePassword => self.policy.change_password_session_ttl,
            SessionPurpose::SignedIn => self.policy.signed_in_session_ttl,
        };
        let session = UserSession {
            token_hash: secrets::sha256_hex(&token),
            user_id,
            purpose,
            csrf_token: secrets::random_base62(32),
            expires_at: now + ttl,
        };
        (token, session)
    }

    async fn open_session(&self, user_id: Uuid, purpose: SessionPurpose, now: OffsetDateTime) -> Result<SigninOutcome> {
        let (session_token, session) = self.new_session(user_id, purpose, now);
        self.store.create_user_session(&session, now).await?;
        Ok(match purpose {
            SessionPurpose::ChangePassword => SigninOutcome::MustChangePassword { session_token },
            SessionPurpose::SignedIn => SigninOutcome::SignedIn { session_token },
        })
    }

    pub async fn user_session(&self, session_token: &str) -> Result<Option<UserSession>> {
        self.store.find_user_session(&secrets::sha256_hex(session_token), self.now()).await
    }

    pub async fn signout(&self, session_token: &str) -> Result<()> {
        self.store.delete_user_session(&secrets::sha256_hex(session_token)).await
    }

    /// Sets the password a user chose, from a change-password session; returns the
    /// token of the signed-in session that replaces it.
    pub async fn change_password(&self, session_token: &str, new_password: &str, confirmation: &str) -> Result<String> {
        let now = self.now();
        let session = self.user_session(session_token).await?.ok_or(Error::NotFound)?;
        if session.purpose != SessionPurpose::ChangePassword {
            return Err(Error::Forbidden);
        }
        if new_password != confirmation {
            return Err(Error::validation("confirmation", "does not match the new password"));
        }
        secrets::check_chosen_password(new_password).map_err(|m| Error::validation("password", m))?;
        let hash = hash(new_password)?;
        let (token, signed_in) = self.new_session(session.user_id, SessionPurpose::SignedIn, now);
        self.store
            .complete_password_change(
                &session.token_hash,
                session.user_id,
                &hash,
                now + self.policy.chosen_password_ttl,
                &signed_in,
                now,
            )
            .await?;
        Ok(token)
    }
}
