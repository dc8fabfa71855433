//! The limit on failed sign-ins, for agents (the console) and customer users
//! (`/signin`) alike.
//!
//! An attempt is recorded before its password is checked, under two keys: the
//! account together with the source address, and the source address alone. The
//! store then counts each key's attempts in the window, this one and every one
//! recorded before it included; over either limit, the password is not checked.
//! Recording first is what makes the limit hold under a burst: of 40 attempts
//! racing, the n-th to be recorded counts at least n, so no more than the limit
//! are ever checked, on one instance or several sharing the database. A correct
//! password forgets its attempt.
//!
//! The account is limited together with the source, not alone: wrong passwords
//! sent from one address lock that address out of the account, never the
//! account's owner signing in from elsewhere. The per-source limit stops one
//! address from trying a password across many accounts.

use super::Services;
use crate::error::{Error, Result};
use crate::secrets;
use std::net::IpAddr;
use uuid::Uuid;

/// An attempt that passed the limits; forget it if it succeeds.
#[derive(Debug)]
pub(super) struct Attempt {
    rows: Vec<Uuid>,
}

impl Services {
    /// Records an attempt to sign in to `account` (already normalised, with its
    /// kind, such as `agent:alex@partner.example`) from `source`. `None` when the
    /// account-and-source or the source alone is over its limit: the caller
    /// answers "rate limited" without checking the password.
    pub(super) async fn begin_signin_attempt(&self, account: &str, source: IpAddr) -> Result<Option<Attempt>> {
        let now = self.now();
        let keys = [format!("{account}|{source}"), format!("source|{source}")];
        let limits = [self.policy.signin_max_failures, self.policy.signin_max_failures_per_source];
        let reserved = self.store.reserve_signin_attempt(&keys, now - self.policy.signin_window, now).await?;
        let over = reserved.counts.iter().zip(limits).any(|(count, limit)| *count > limit);
        Ok((!over).then_some(Attempt { rows: reserved.rows }))
    }

    /// The attempt succeeded: it does not count as a failure.
    pub(super) async fn signin_succeeded(&self, attempt: Attempt) -> Result<()> {
        self.store.forget_signin_attempt(&attempt.rows).await
    }
}

/// Checks a password against what is stored, if anything, with the same work in
/// every case (`secrets::verify_password_uniformly`), off the async workers:
/// Argon2id takes tens of milliseconds of CPU.
pub(super) async fn verify_password(password: &str, stored: Option<String>) -> Result<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || secrets::verify_password_uniformly(&password, stored.as_deref()))
        .await
        .map_err(Error::internal)
}
