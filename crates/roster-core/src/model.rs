//! What the store hands back. Values here were validated when they were written.

use crate::domain::{
    AgentEmail, AgentRole, CountryCode, DisplayName, DomainName, OrganisationName, PersonName, ProductId, RoleSet,
    UserPrincipalName,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// A value read back from the database that no variant matches: a corrupt row, or
/// one written by a newer schema. It fails the read; it never becomes a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct UnknownStoredValue {
    pub kind: &'static str,
    pub value: String,
}

impl UnknownStoredValue {
    pub fn new(kind: &'static str, value: &str) -> Self {
        // A short excerpt: a corrupt value may be long.
        Self { kind, value: value.chars().take(40).collect() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub email: String,
    pub role: AgentRole,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub email: AgentEmail,
    pub role: AgentRole,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub company_name: String,
    pub domains: Vec<String>,
    pub country: String,
    pub active_users: i64,
    pub deleted_users: i64,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub id: Uuid,
    pub company_name: OrganisationName,
    pub domains: Vec<DomainName>,
    pub country: CountryCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Active,
    Deleted,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deleted => "deleted",
        }
    }

    pub fn from_db(s: &str) -> Result<Self, UnknownStoredValue> {
        match s {
            "active" => Ok(Self::Active),
            "deleted" => Ok(Self::Deleted),
            other => Err(UnknownStoredValue::new("user state", other)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub product_id: String,
    pub disabled_service_plans: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub user_principal_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub roles: RoleSet,
    pub sign_in_blocked: bool,
    pub state: UserState,
    pub deleted_at: Option<OffsetDateTime>,
    pub purge_at: Option<OffsetDateTime>,
    pub licenses: Vec<License>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct LicenseRequest {
    pub product_id: ProductId,
    pub disabled_service_plans: Vec<String>,
}

/// A user to create, already validated against the customer.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub upn: UserPrincipalName,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub display_name: DisplayName,
    pub usage_location: Option<CountryCode>,
    pub roles: RoleSet,
    pub licenses: Vec<LicenseRequest>,
}

/// A user row ready to insert: the id and the stored password digest are decided.
#[derive(Debug, Clone)]
pub struct NewUserRecord {
    pub id: Uuid,
    pub user: NewUser,
    pub password_digest: String,
    pub password_expires_at: OffsetDateTime,
}

/// A change to a user. `None` leaves a field alone; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub first_name: Option<Option<PersonName>>,
    pub last_name: Option<Option<PersonName>>,
    pub display_name: Option<DisplayName>,
    pub usage_location: Option<Option<CountryCode>>,
    pub roles: Option<RoleSet>,
    pub sign_in_blocked: Option<bool>,
}

impl UserPatch {
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.display_name.is_none()
            && self.usage_location.is_none()
            && self.roles.is_none()
            && self.sign_in_blocked.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestoreOutcome {
    pub user_id: Uuid,
    pub result: Result<User, RestoreFailure>,
    pub restored_licenses: Vec<String>,
    pub unrestored_licenses: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreFailure {
    NotFound,
    NotDeleted,
    WindowExpired,
    UsernameTaken,
}

impl RestoreFailure {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "user_not_found",
            Self::NotDeleted => "user_not_deleted",
            Self::WindowExpired => "restore_window_expired",
            Self::UsernameTaken => "username_taken",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "user not found",
            Self::NotDeleted => "the user is not deleted",
            Self::WindowExpired => "the restore window has expired",
            Self::UsernameTaken => "an active user has taken this username",
        }
    }
}

/// Who made a change, for the audit log. `agent_id` is `None` for the system.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub partner_id: Uuid,
    pub agent_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: OffsetDateTime,
    pub customer_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub action: String,
    pub user_ids: Vec<Uuid>,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// What sign-in needs to know about a customer's user.
#[derive(Debug, Clone)]
pub struct SigninUser {
    pub id: Uuid,
    pub user_principal_name: String,
    pub display_name: String,
    pub state: UserState,
    pub sign_in_blocked: bool,
    pub password_digest: Option<String>,
    pub password_expires_at: Option<OffsetDateTime>,
}

/// A sign-in attempt as recorded before its password is checked: the rows that
/// count it (one per key), and how many attempts each key has in the window,
/// this one included, in the order the keys were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigninReservation {
    pub rows: Vec<Uuid>,
    pub counts: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPurpose {
    /// Signed in with a temporary or expired password: may only change it.
    ChangePassword,
    SignedIn,
}

impl SessionPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChangePassword => "change_password",
            Self::SignedIn => "signed_in",
        }
    }

    pub fn from_db(s: &str) -> Result<Self, UnknownStoredValue> {
        match s {
            "change_password" => Ok(Self::ChangePassword),
            "signed_in" => Ok(Self::SignedIn),
            other => Err(UnknownStoredValue::new("session purpose", other)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct UserSession {
    pub token_hash: String,
    pub user_id: Uuid,
    pub purpose: SessionPurpose,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// An agent signed in to the console.
#[derive(Debug, Clone)]
pub struct AgentSession {
    pub token_hash: String,
    pub agent: Agent,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// The seats a customer owns of one product.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    pub assigned: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Subscription {
    pub fn available(&self) -> i64 {
        self.quantity - self.assigned
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseResultStatus {
    Succeeded,
    Failed,
    Unchanged,
}

impl LicenseResultStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Unchanged => "unchanged",
        }
    }
}

/// Why one user's license change failed; `product_id` is `None` for the user itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFailure {
    pub product_id: Option<String>,
    pub code: String,
    pub message: String,
    /// The other party of the rule (the product required, or in the way, or the place).
    pub detail: crate::licensing::LicenseDetail,
}

/// One user's result of a license update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserLicenseResult {
    pub user_id: Uuid,
    pub status: LicenseResultStatus,
    pub assigned: Vec<String>,
    pub removed: Vec<String>,
    pub errors: Vec<LicenseFailure>,
    /// A failed user's products that broke no rule but were not applied either,
    /// because one user's change is all or nothing.
    pub not_applied: Vec<String>,
    /// Products asked for that this user already had as asked.
    pub unchanged: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseUpdateOutcome {
    pub dry_run: bool,
    pub applied: bool,
    pub results: Vec<UserLicenseResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn from_db(s: &str) -> Result<Self, UnknownStoredValue> {
        match s {
            "queued" => Ok(Self::Queued),
            "running" => Ok(Self::Running),
            "succeeded" => Ok(Self::Succeeded),
            "failed" => Ok(Self::Failed),
            other => Err(UnknownStoredValue::new("import status", other)),
        }
    }
}

/// An import of a file's checked rows, run in the background.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportJob {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub status: ImportStatus,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub failed: i64,
    pub credentials_expire_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl ImportJob {
    pub fn actor(&self) -> Actor {
        Actor { partner_id: self.partner_id, agent_id: self.agent_id }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportRowStatus {
    Pending,
    Created,
    Failed,
}

impl ImportRowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Created => "created",
            Self::Failed => "failed",
        }
    }

    pub fn from_db(s: &str) -> Result<Self, UnknownStoredValue> {
        match s {
            "pending" => Ok(Self::Pending),
            "created" => Ok(Self::Created),
            "failed" => Ok(Self::Failed),
            other => Err(UnknownStoredValue::new("import row status", other)),
        }
    }
}

/// A problem with one row, named by its template column where it has one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportRowError {
    pub column: Option<String>,
    pub code: String,
    /// The API's English.
    pub message: String,
    /// The same in the console's words, for a checked file's problems; not
    /// stored with a job's rows, whose failures the console names by code.
    #[serde(skip)]
    pub words: Option<crate::domain::Words>,
}

/// One row of a job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRowRecord {
    pub row: i64,
    pub status: ImportRowStatus,
    pub user_id: Option<Uuid>,
    pub user_principal_name: Option<String>,
    pub errors: Vec<ImportRowError>,
    /// The temporary password, encrypted, until it is delivered or expires.
    pub credential: Option<Vec<u8>>,
}

/// A created row's temporary password, still encrypted, as the store hands it out.
#[derive(Debug, Clone)]
pub struct SealedImportCredential {
    pub row: i64,
    pub user_principal_name: String,
    /// The user's display name now; empty if the user has since been purged.
    pub display_name: String,
    pub credential: Vec<u8>,
}

/// What the worker did with one pending row.
#[derive(Debug, Clone)]
pub enum ImportRowWork {
    /// Create this user; store the encrypted temporary password with the row.
    Create { row: i64, record: Box<NewUserRecord>, credential: Vec<u8> },
    /// The row cannot be created.
    Fail { row: i64, errors: Vec<ImportRowError> },
}

/// Consecutive rows of a job, prepared for the store to write.
#[derive(Debug)]
pub struct ImportBatch {
    pub work: Vec<ImportRowWork>,
    /// The creation time of the batch's users.
    pub now: OffsetDateTime,
    /// How long the transaction that writes the batch extends the job's lease.
    pub lease_until: OffsetDateTime,
}

/// The batches of one job, in row order, as they are prepared.
pub type ImportBatches = tokio::sync::mpsc::Receiver<ImportBatch>;

/// What a console form's POST did, kept for its session so the page that shows
/// it is read by GET: `body` is JSON without secrets, `sealed` the secrets
/// (temporary passwords) sealed with the credentials key.
#[derive(Debug, Clone)]
pub struct KeptConsoleResult {
    pub customer_id: Uuid,
    pub kind: String,
    pub body: String,
    pub sealed: Option<Vec<u8>>,
}

/// Which events of a customer's activity log to read; every part is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// An action, such as `user.updated`.
    pub action: Option<String>,
    pub agent_id: Option<Uuid>,
    /// Events that touched this user.
    pub user_id: Option<Uuid>,
    /// From this instant on.
    pub from: Option<OffsetDateTime>,
    /// Before this instant.
    pub until: Option<OffsetDateTime>,
}
