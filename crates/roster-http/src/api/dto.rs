//! The JSON shapes of API.md. Responses are built from domain values here.

use roster_core::model::{AuditEvent, Customer, RestoreOutcome, User};
use roster_core::paging::{Cursors, Page};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CursorsDto {
    pub first: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: String,
}

impl From<Cursors> for CursorsDto {
    fn from(c: Cursors) -> Self {
        Self { first: c.first, prev: c.prev, next: c.next, last: c.last }
    }
}

macro_rules! page_dto {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            pub total_count: i64,
            pub cursors: CursorsDto,
        }

        impl<T: Into<$item>> From<Page<T>> for $name {
            fn from(p: Page<T>) -> Self {
                Self {
                    items: p.items.into_iter().map(Into::into).collect(),
                    total_count: p.total_count,
                    cursors: p.cursors.into(),
                }
            }
        }
    };
}

page_dto!(CustomerPage, CustomerDto);
page_dto!(UserPage, UserDto);
page_dto!(AuditEventPage, AuditEventDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCustomerRequest {
    pub company_name: String,
    pub domains: Vec<String>,
    pub country: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDto {
    pub id: Uuid,
    pub company_name: String,
    pub domains: Vec<String>,
    pub country: String,
    /// Active users.
    pub user_count: i64,
    /// Users in the "Deleted users" tab.
    pub deleted_user_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Customer> for CustomerDto {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id,
            company_name: c.company_name,
            domains: c.domains,
            country: c.country,
            user_count: c.active_users,
            deleted_user_count: c.deleted_users,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseDto {
    pub product_id: String,
    pub disabled_service_plans: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: Uuid,
    pub user_principal_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub roles: Vec<String>,
    pub sign_in_blocked: bool,
    /// `active` or `deleted`
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub purge_at: Option<OffsetDateTime>,
    pub licenses: Vec<LicenseDto>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            user_principal_name: u.user_principal_name,
            first_name: u.first_name,
            last_name: u.last_name,
            display_name: u.display_name,
            usage_location: u.usage_location,
            roles: u.roles.names(),
            sign_in_blocked: u.sign_in_blocked,
            state: u.state.as_str().to_owned(),
            deleted_at: u.deleted_at,
            purge_at: u.purge_at,
            licenses: u
                .licenses
                .into_iter()
                .map(|l| LicenseDto { product_id: l.product_id, disabled_service_plans: l.disabled_service_plans })
                .collect(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUserDto {
    pub user: UserDto,
    /// Shown once; it cannot be read again.
    pub temporary_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRequest {
    pub users: Vec<roster_core::service::NewUserInput>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemResult {
    pub index: usize,
    /// `created` or `failed`
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<super::error::ErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchItemResult>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordResponse {
    pub temporary_password: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreRequest {
    pub user_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnrestoredLicense {
    pub product_id: String,
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreItemResult {
    pub user_id: Uuid,
    /// `restored` or `failed`
    pub status: String,
    pub restored_licenses: Vec<String>,
    pub unrestored_licenses: Vec<UnrestoredLicense>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<super::error::ErrorBody>,
}

impl From<RestoreOutcome> for RestoreItemResult {
    fn from(o: RestoreOutcome) -> Self {
        let unrestored_licenses = o
            .unrestored_licenses
            .into_iter()
            .map(|(product_id, code)| UnrestoredLicense { product_id, code })
            .collect();
        match o.result {
            Ok(user) => Self {
                user_id: o.user_id,
                status: "restored".into(),
                restored_licenses: o.restored_licenses,
                unrestored_licenses,
                user: Some(user.into()),
                error: None,
            },
            Err(f) => Self {
                user_id: o.user_id,
                status: "failed".into(),
                restored_licenses: Vec::new(),
                unrestored_licenses,
                user: None,
                error: Some(super::error::ErrorBody {
                    code: f.code().into(),
                    message: f.message().into(),
                    details: None,
                }),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreResponse {
    pub results: Vec<RestoreItemResult>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventDto {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `null` when the system acted (the purge).
    pub agent_id: Option<Uuid>,
    pub action: String,
    /// One user, or a group changed by one call: a license update groups the users
    /// that went from the same state to the same state, and users created together
    /// share one `user.created` event (up to 1,000 and 500 per event).
    pub user_ids: Vec<Uuid>,
    /// The state every listed user was in; `null` for a creation.
    pub before: serde_json::Value,
    /// The state every listed user is in now. A `user.created` event of several
    /// users holds a list of their snapshots, in the order of `userIds`.
    pub after: serde_json::Value,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: e.at,
            agent_id: e.agent_id,
            action: e.action,
            user_ids: e.user_ids,
            before: e.before,
            after: e.after,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Company name contains this text (customers only).
    pub search: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
    /// An opaque cursor from a previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub products: Vec<roster_core::catalog::ProductDefinition>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionDto {
    pub id: Uuid,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    pub assigned: i64,
    pub available: i64,
}

impl From<roster_core::model::Subscription> for SubscriptionDto {
    fn from(s: roster_core::model::Subscription) -> Self {
        Self {
            available: s.available(),
            id: s.id,
            product_id: s.product_id,
            product_name: s.product_name,
            quantity: s.quantity,
            assigned: s.assigned,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuyRequest {
    pub product_id: String,
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuantityRequest {
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseErrorDto {
    /// `null` when the error is about the user, such as `user_not_found`.
    pub product_id: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserLicenseResultDto {
    pub user_id: Uuid,
    /// `succeeded`, `failed` or `unchanged`
    pub status: String,
    pub assigned: Vec<String>,
    pub removed: Vec<String>,
    pub errors: Vec<LicenseErrorDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseSummary {
    pub succeeded: usize,
    pub failed: usize,
    pub unchanged: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUpdateResponse {
    pub dry_run: bool,
    /// False when nothing was changed: a dry run, or an atomic update with a failure.
    pub applied: bool,
    pub results: Vec<UserLicenseResultDto>,
    pub summary: LicenseSummary,
}

impl From<roster_core::model::LicenseUpdateOutcome> for LicenseUpdateResponse {
    fn from(o: roster_core::model::LicenseUpdateOutcome) -> Self {
        use roster_core::model::LicenseResultStatus as S;
        let count = |s: S| o.results.iter().filter(|r| r.status == s).count();
        let summary =
            LicenseSummary { succeeded: count(S::Succeeded), failed: count(S::Failed), unchanged: count(S::Unchanged) };
        let results = o
            .results
            .into_iter()
            .map(|r| UserLicenseResultDto {
                user_id: r.user_id,
                status: r.status.as_str().to_owned(),
                assigned: r.assigned,
                removed: r.removed,
                errors: r
                    .errors
                    .into_iter()
                    .map(|e| LicenseErrorDto { product_id: e.product_id, code: e.code, message: e.message })
                    .collect(),
            })
            .collect();
        Self { dry_run: o.dry_run, applied: o.applied, results, summary }
    }
}
