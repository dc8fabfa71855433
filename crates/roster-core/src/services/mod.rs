//! Use cases, one file per area. Each takes the acting agent, checks the agent's
//! role and partner, parses raw input into domain types, and calls the store once
//! per unit of work. Decisions the store must make inside its transaction are the
//! planners' of `crate::licensing`.

mod attempts;
mod audit;
mod catalog;
mod console;
mod customers;
mod group_commit;
mod health;
mod idempotency;
mod imports;
mod inputs;
mod licenses;
mod rate_limits;
mod results;
mod signin;
mod tenants;
mod users;

pub use catalog::MAX_SEATS;
pub use console::{AgentSigninOutcome, MAX_SELECTION};
pub use health::Readiness;
pub use idempotency::KeyedRequest;
pub use imports::{CheckedImport, ImportCredential, ImportRowView};
pub use inputs::*;
pub use rate_limits::{RateLimiter, RateLimits, RateVerdict};
pub use results::ConsoleResultView;
pub use signin::SigninOutcome;
pub use users::CreatedUser;

use crate::clock::Clock;
use crate::domain::AgentRole;
use crate::error::{Error, Result};
use crate::model::{Actor, Agent};
use crate::secrets;
use crate::store::Store;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Tunable rules, from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How long a deleted user can be restored.
    pub retention: Duration,
    pub temporary_password_ttl: Duration,
    pub chosen_password_ttl: Duration,
    /// Failed sign-ins allowed per account and source address within
    /// `signin_window` (agents and customer users alike).
    pub signin_max_failures: i64,
    /// Failed sign-ins allowed per source address, whatever the account, within
    /// `signin_window`: one address cannot try a password on every account.
    pub signin_max_failures_per_source: i64,
    pub signin_window: Duration,
    pub change_password_session_ttl: Duration,
    pub signed_in_session_ttl: Duration,
    /// Seals the temporary passwords an import keeps until they are delivered.
    pub credentials_key: secrets::CredentialsKey,
    /// How long an import's temporary passwords are kept, delivered or not.
    pub import_credentials_ttl: Duration,
    /// How long a worker holds an import job without a word before another may take it.
    pub import_lease: Duration,
    /// Rows an import's worker reads and prepares at a time.
    pub import_batch: usize,
    /// Most rows one transaction of an import writes, in consecutive batches. It
    /// bounds how long other writers wait behind an import.
    pub import_transaction_rows: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            retention: Duration::days(30),
            temporary_password_ttl: Duration::days(14),
            chosen_password_ttl: Duration::days(365),
            signin_max_failures: 5,
            signin_max_failures_per_source: 50,
            signin_window: Duration::minutes(15),
            change_password_session_ttl: Duration::minutes(15),
            signed_in_session_ttl: Duration::hours(8),
            credentials_key: secrets::CredentialsKey::generate(),
            import_credentials_ttl: Duration::hours(1),
            import_lease: Duration::seconds(30),
            import_batch: 2000,
            import_transaction_rows: 10_000,
        }
    }
}

/// The most users one batch create or restore takes.
pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Single creates that share a transaction; see `group_commit`.
    create_groups: Arc<group_commit::CreateGroups>,
    /// Told when this instance queues an import, so its worker starts at once
    /// instead of at its next poll.
    pub(crate) import_queued: Arc<tokio::sync::Notify>,
    /// When this instance's import worker last showed it was running.
    import_worker_beat: Arc<health::Heartbeat>,
    /// This instance's counters, for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
}

pub(crate) fn require(agent: &Agent, allowed: &[AgentRole]) -> Result<()> {
    if allowed.contains(&agent.role) { Ok(()) } else { Err(Error::Forbidden) }
}

pub(crate) fn actor(agent: &Agent) -> Actor {
    Actor { partner_id: agent.partner_id, agent_id: Some(agent.id) }
}

/// Argon2id, for passwords that people choose or keep.
pub(crate) fn hash(password: &str) -> Result<String> {
    secrets::hash_password(password).map_err(Error::internal)
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        Self {
            store,
            clock,
            policy,
            create_groups: Default::default(),
            import_queued: Default::default(),
            import_worker_beat: Default::default(),
            metrics: Default::default(),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
