//! The storage port, one trait per aggregate (as pict-rs splits its `FullRepo`),
//! with `Store` as their supertrait so services hold one `Arc<dyn Store>`.
//!
//! Each method is one unit of work: the backend runs it in its own transaction,
//! enforces invariants with constraints and conditional updates, and writes the
//! audit events of a change in the same transaction. Decisions (which seats go to
//! whom, what a restore brings back) are made by the pure planners of
//! `crate::licensing`, which the backend calls inside that transaction.
//!
//! Every customer-scoped method takes the partner id and matches it in SQL, so a
//! foreign id reads as absent.
//!
//! A `dyn Store` answers every aggregate's methods without further imports; code
//! that names one aggregate's trait takes only what it needs.

use crate::catalog::{Catalog, Product};
use crate::error::Result;
use crate::idempotency::{Claim, IdempotencyKey, KeptAnswer};
use crate::licensing::LicenseUpdate;
use crate::model::*;
use crate::paging::{Page, PageRequest, UserFilter, UserQuery};
use crate::versions::Expected;
use async_trait::async_trait;
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// Everything a Roster server needs from its database.
#[async_trait]
pub trait Store:
    TenantStore
    + CatalogStore
    + CustomerStore
    + UserStore
    + LicenseStore
    + ImportStore
    + SessionStore
    + AuditStore
    + ConditionalStore
    + SeatStore
    + IdempotencyStore
    + RateLimitStore
    + ResultStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Applies this backend's migrations.
    async fn migrate(&self) -> Result<()>;

    /// The database's migrations against this binary's: a query that also proves
    /// the database answers.
    async fn schema_status(&self) -> Result<SchemaStatus>;

    /// Removes deleted users whose window has passed (`purge_at < now`); returns
    /// how many. Also drops expired sessions, day-old failed sign-ins and import
    /// credentials past their hour, and idempotency keys past their window (and
    /// the secrets of kept answers past their hour), console results past
    /// theirs, and rate-limit windows that ended over a minute ago: the
    /// housekeeping of every aggregate.
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64>;

    /// What `/metrics` reads from the database at scrape time: the pool's use,
    /// import jobs queued and running, and seats per product (one `GROUP BY`).
    async fn store_metrics(&self) -> Result<crate::metrics::StoreMetrics>;
}

/// Which migrations a database has, against those this binary knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Known to this binary, not yet applied.
    pub pending: Vec<i64>,
    /// Applied to the database, unknown to this binary: a newer Roster migrated it.
    pub unknown: Vec<i64>,
}

impl SchemaStatus {
    /// Every migration this binary knows is applied, and no other.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }
}

/// Partners, their agents, and the agents' API tokens.
#[async_trait]
pub trait TenantStore: Send + Sync {
    async fn create_partner(&self, id: Uuid, name: &str, now: OffsetDateTime) -> Result<Partner>;
    async fn get_partner(&self, id: Uuid) -> Result<Option<Partner>>;
    /// `EmailTaken` when another agent has the email.
    async fn create_agent(&self, agent: &NewAgent, now: OffsetDateTime) -> Result<Agent>;
    /// The agent and its password hash.
    async fn find_agent_by_email(&self, email: &str) -> Result<Option<(Agent, String)>>;
    async fn set_agent_password(&self, agent_id: Uuid, password_hash: &str, now: OffsetDateTime) -> Result<()>;
    async fn create_api_token(&self, agent_id: Uuid, token_hash: &str, now: OffsetDateTime) -> Result<()>;
    async fn agent_by_token(&self, token_hash: &str) -> Result<Option<Agent>>;
    /// A partner's agents, by email.
    async fn partner_agents(&self, partner_id: Uuid) -> Result<Vec<Agent>>;
}

/// The operator's product catalog, and the seats customers own of each product.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Inserts or updates products by id, all in one transaction.
    async fn upsert_products(&self, products: &[Product], now: OffsetDateTime) -> Result<()>;
    async fn catalog(&self) -> Result<Catalog>;
    /// `SubscriptionExists` when the customer already has one for the product.
    async fn create_subscription(
        &self,
        actor: Actor,
        customer_id: Uuid,
        product_id: &str,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription>;
    async fn list_subscriptions(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<Subscription>>;
    /// Never below `assigned`: `QuantityBelowAssigned`, decided in the update itself.
    async fn set_subscription_quantity(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription>;
}

#[async_trait]
pub trait CustomerStore: Send + Sync {
    async fn create_customer(&self, actor: Actor, customer: &NewCustomer, now: OffsetDateTime) -> Result<Customer>;
    async fn get_customer(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Option<Customer>>;
    async fn list_customers(
        &self,
        partner_id: Uuid,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Customer>>;
}

/// A customer's users: created, read, changed, deleted, restored.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates each user on its own: a taken username or a missing seat fails that
    /// user only, and nothing is half-created.
    async fn create_users(
        &self,
        actor: Actor,
        customer_id: Uuid,
        users: &[NewUserRecord],
        now: OffsetDateTime,
    ) -> Result<Vec<Result<User>>>;
    async fn get_user(&self, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>>;
    /// The given users of a customer, active or deleted, with their licenses, in
    /// no particular order; ids of other customers or of no user are left out.
    async fn get_users(&self, partner_id: Uuid, customer_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<User>>;
    async fn list_users(&self, partner_id: Uuid, customer_id: Uuid, query: &UserQuery) -> Result<Page<User>>;
    /// The `totalCount` of `list_users`: from the counters where the filter allows,
    /// else from the filter's index.
    async fn count_users(&self, partner_id: Uuid, customer_id: Uuid, filter: &UserFilter) -> Result<i64>;
    async fn update_user(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<User>;
    async fn set_temporary_password(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        digest: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User>;
    async fn delete_user(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        purge_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User>;
    /// Restores each user on its own, within the window (`now <= purge_at`), with
    /// the licenses `licensing::plan_restore` gives back.
    async fn restore_users(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_ids: &[Uuid],
        now: OffsetDateTime,
    ) -> Result<Vec<RestoreOutcome>>;
}

#[async_trait]
pub trait LicenseStore: Send + Sync {
    /// Applies one license change to many users in one transaction that holds the
    /// customer's seat rows: `licensing::plan_update` judges the users in the order
    /// given and hands out seats in that order, and seat counts move by
    /// conditional updates. The update's mode says whether, and how, the plan is
    /// written.
    async fn update_licenses(
        &self,
        actor: Actor,
        customer_id: Uuid,
        catalog: &Catalog,
        update: &LicenseUpdate,
        now: OffsetDateTime,
    ) -> Result<LicenseUpdateOutcome>;
}

/// Import jobs: a file's checked rows, created by a background worker in batches.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Which of these user principal name keys active users hold.
    async fn taken_usernames(&self, upn_keys: &[String]) -> Result<HashSet<String>>;
    /// Stores a job and its checked rows (row number, payload JSON), all pending.
    async fn create_import_job(&self, job: &ImportJob, rows: &[(i64, String)], now: OffsetDateTime) -> Result<()>;
    async fn get_import_job(&self, partner_id: Uuid, customer_id: Uuid, job_id: Uuid) -> Result<Option<ImportJob>>;
    async fn import_job_rows(&self, job_id: Uuid) -> Result<Vec<ImportRowRecord>>;
    /// Takes a queued job, or a running one whose lease has run out, until `lease_until`.
    async fn claim_import_job(&self, lease_until: OffsetDateTime, now: OffsetDateTime) -> Result<Option<ImportJob>>;
    /// The next pending rows of a job after row `after`, in row order: (row number,
    /// payload JSON). Reading on from the last row keeps each batch from walking
    /// past every row already done.
    async fn pending_import_rows(&self, job_id: Uuid, after: i64, limit: i64) -> Result<Vec<(i64, String)>>;
    /// Creates the users of each batch received, and records every row's outcome
    /// and the job's counters in the same transaction, until the sender is gone.
    /// Consecutive batches share a transaction while the next one is already
    /// waiting, up to `rows_per_transaction` rows: fewer commits write each index
    /// page fewer times, and a transaction never holds the write lock waiting for
    /// a batch to be prepared. Each transaction extends the lease. Rows already
    /// done are left alone.
    async fn record_import_batches(
        &self,
        job: &ImportJob,
        batches: ImportBatches,
        rows_per_transaction: usize,
    ) -> Result<()>;
    /// Marks a job with no pending rows left as succeeded.
    async fn finish_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()>;
    /// Gives up a running job's lease at once, so any instance may take it now
    /// instead of when the lease would have run out (a worker that stops).
    async fn release_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()>;
    /// Hands out the encrypted temporary passwords of a job and forgets them, in
    /// one transaction, in row order.
    async fn take_import_credentials(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        job_id: Uuid,
    ) -> Result<Vec<SealedImportCredential>>;
}

/// Sign-in: customer users' sessions and failed attempts, agents' console
/// sessions, and the users an agent has ticked in a session.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn find_signin_user(&self, upn_key: &str) -> Result<Option<SigninUser>>;
    /// Records a sign-in attempt under each of `keys`, as a failure until it is
    /// forgotten, and counts each key's attempts after `since`, this one included.
    /// The rows are committed before they are counted, so of any number of
    /// attempts racing, the n-th to be recorded counts at least n.
    async fn reserve_signin_attempt(
        &self,
        keys: &[String],
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<SigninReservation>;
    /// Forgets an attempt that succeeded: it was no failure.
    async fn forget_signin_attempt(&self, rows: &[Uuid]) -> Result<()>;
    /// Clears a temporary password if it is still the stored one; false if it was
    /// already used. This is what makes a temporary password work only once.
    async fn consume_temporary_password(&self, user_id: Uuid, digest: &str, now: OffsetDateTime) -> Result<bool>;
    async fn create_user_session(&self, session: &UserSession, now: OffsetDateTime) -> Result<()>;
    async fn find_user_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<UserSession>>;
    async fn delete_user_session(&self, token_hash: &str) -> Result<()>;
    /// Stores a chosen password (Argon2id) and swaps the change-password session
    /// for a signed-in one, in one transaction.
    async fn complete_password_change(
        &self,
        change_session_hash: &str,
        user_id: Uuid,
        password_hash: &str,
        password_expires_at: OffsetDateTime,
        new_session: &UserSession,
        now: OffsetDateTime,
    ) -> Result<()>;

    async fn create_agent_session(
        &self,
        token_hash: &str,
        agent_id: Uuid,
        csrf_token: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn find_agent_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<AgentSession>>;
    async fn delete_agent_session(&self, token_hash: &str) -> Result<()>;

    /// The users ticked in a customer's list during one session, in id order.
    async fn selection(&self, session_hash: &str, customer_id: Uuid) -> Result<Vec<Uuid>>;
    /// Unticks `remove`, then ticks `add`, in one transaction.
    async fn change_selection(
        &self,
        session_hash: &str,
        customer_id: Uuid,
        remove: &[Uuid],
        add: &[Uuid],
    ) -> Result<()>;
    async fn clear_selection(&self, session_hash: &str, customer_id: Uuid) -> Result<()>;
}

/// The results of console forms, kept per agent session so each is shown by
/// GET after its POST (Post/Redirect/Get).
#[async_trait]
pub trait ResultStore: Send + Sync {
    /// Keeps a result under a new id; also forgets results past their time.
    async fn keep_console_result(
        &self,
        id: Uuid,
        session_hash: &str,
        result: &KeptConsoleResult,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// The result `id` of this session, if it has not expired.
    async fn console_result(
        &self,
        id: Uuid,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<KeptConsoleResult>>;
}

/// The activity log. Events are written by the other aggregates, in the
/// transactions of the changes they record.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit_events(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>>;
}

/// Writes that go ahead only while the resource is at a version the caller
/// names (`If-Match`): each locks the row, in the order every writer takes (the
/// customer's seats, then the user), reads it, checks its version and writes, in
/// one transaction, so no change can come between the check and the write.
/// `PreconditionFailed` when the version is not the one expected.
#[async_trait]
pub trait ConditionalStore: Send + Sync {
    async fn update_user_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        expected: &Expected,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<User>;
    async fn delete_user_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        user_id: Uuid,
        expected: &Expected,
        purge_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<User>;
    async fn set_subscription_quantity_if(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        expected: &Expected,
        quantity: i64,
        now: OffsetDateTime,
    ) -> Result<Subscription>;
}

/// Buying more seats of a subscription the customer has.
#[async_trait]
pub trait SeatStore: Send + Sync {
    async fn get_subscription(
        &self,
        partner_id: Uuid,
        customer_id: Uuid,
        subscription_id: Uuid,
    ) -> Result<Option<Subscription>>;
    /// Adds `add` seats in one statement (`quantity = quantity + add`), never past
    /// `services::MAX_SEATS` (a validation error naming `add`), so purchases made
    /// at once all count. With `expected`, only at that version.
    async fn add_seats(
        &self,
        actor: Actor,
        customer_id: Uuid,
        subscription_id: Uuid,
        add: i64,
        expected: Option<&Expected>,
        now: OffsetDateTime,
    ) -> Result<Subscription>;
}

/// Idempotency keys and the answers kept for them (see `crate::idempotency`).
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Takes the key for a request (`Claim::Run`), or says why not: its kept
    /// answer, another request's key, or a request still running. A key past
    /// `expires_at` is as good as new; one whose holder let its lease run out is
    /// taken over. A new hold lasts until `locked_until`.
    async fn claim_idempotency_key(
        &self,
        partner_id: Uuid,
        key: &IdempotencyKey,
        fingerprint: &str,
        locked_until: OffsetDateTime,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Claim>;
    /// Extends the hold of a request still running.
    async fn hold_idempotency_key(
        &self,
        partner_id: Uuid,
        key: &IdempotencyKey,
        locked_until: OffsetDateTime,
    ) -> Result<()>;
    /// Keeps the answer of the request that holds the key.
    async fn keep_idempotent_answer(&self, partner_id: Uuid, key: &IdempotencyKey, answer: &KeptAnswer) -> Result<()>;
    /// Lets go of a key whose request kept no answer, so a retry runs again.
    async fn release_idempotency_key(&self, partner_id: Uuid, key: &IdempotencyKey) -> Result<()>;
}

/// The API's rate-limit counters, shared by every instance.
#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Adds each `(key, hits)` to that key's count for the window starting at
    /// `window` (a count starts at zero), in one statement of increments, and
    /// returns each key's count after it, in the order given. Two callers never
    /// get overlapping ranges: the one whose increment lands second sees the
    /// first's hits in its count.
    async fn add_rate_limit_hits(&self, hits: &[(String, i64)], window: OffsetDateTime) -> Result<Vec<i64>>;
}
