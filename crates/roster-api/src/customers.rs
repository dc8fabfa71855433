//! Customers, their activity log, and the list parameters they share.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCustomerRequest {
    pub company_name: String,
    pub domains: Vec<String>,
    pub country: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Company name contains this text (customers only).
    pub search: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
    /// An opaque cursor from a previous page.
    pub cursor: Option<String>,
}

/// The paging parameters of a list that has no search.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
    /// An opaque cursor from a previous page.
    pub cursor: Option<String>,
}
