//! Import jobs: the query of an upload, the dry run's report, the job, and the
//! temporary passwords handed out once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportParams {
    /// Check the file and report, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The usage location (ISO 3166 alpha-2) of rows that give none.
    pub location: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobParams {
    /// `false` leaves out the per-row results: cheap enough to poll for progress.
    pub results: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialsParams {
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RowErrorDto {
    /// The template column, in English ("Display name"); absent for a whole-row problem.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RowReportDto {
    /// As a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    pub errors: Vec<RowErrorDto>,
}

/// The answer to a dry run: every problem of every row, and nothing written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportCheckDto {
    pub dry_run: bool,
    pub total: usize,
    pub valid: usize,
    pub rows: Vec<RowReportDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportedUserDto {
    pub id: Uuid,
    pub user_principal_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportRowDto {
    pub row: i64,
    /// `pending`, `created` or `failed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<ImportedUserDto>,
    /// Shown until the passwords are delivered, and for one hour at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
    pub errors: Vec<RowErrorDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportJobDto {
    pub id: Uuid,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub failed: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// When the kept temporary passwords are forgotten, delivered or not.
    #[serde(with = "time::serde::rfc3339")]
    pub credentials_expire_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ImportRowDto>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialDto {
    pub row: i64,
    pub user_principal_name: String,
    /// The user's display name as it is when the passwords are handed out.
    pub display_name: String,
    pub temporary_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialsDto {
    pub credentials: Vec<CredentialDto>,
}
