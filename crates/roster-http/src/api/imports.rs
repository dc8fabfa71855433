//! Import jobs over HTTP: the file goes up as the raw body, in CSV or XLSX.

use super::dto::IntoApi;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiPath, ApiQuery, AuthAgent};
use crate::files::{file_params, template_file, users_file};
use crate::startup::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_api::{
    CredentialDto, CredentialsDto, CredentialsParams, ImportCheckDto, ImportJobDto, ImportParams, ImportRowDto,
    ImportedUserDto, JobParams, RowErrorDto, RowReportDto,
};
use roster_core::imports::RowReport;
use roster_core::model::{ImportJob, ImportRowError};
use roster_core::services::ImportRowView;
use serde::Deserialize;
use uuid::Uuid;

/// The media types an import file may arrive as. Browsers send `.csv` as
/// `application/vnd.ms-excel` on Windows; the content decides what the file is.
const ACCEPTED_TYPES: [&str; 7] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "text/tab-separated-values",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
];

/// The raw body of an import, refused unless it is a spreadsheet type.
pub struct ImportBody(pub Bytes);

impl FromRequest<AppState> for ImportBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let media = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next());
        if !media.is_some_and(|m| ACCEPTED_TYPES.iter().any(|t| t.eq_ignore_ascii_case(m.trim()))) {
            return Err(ApiError::UnsupportedMediaType("send the file as text/csv or as XLSX"));
        }
        Ok(Self(super::extract::read_body(req, state).await?))
    }
}

impl IntoApi for ImportRowError {
    type Api = RowErrorDto;
    fn into_api(self) -> RowErrorDto {
        RowErrorDto { column: self.column, code: self.code, message: self.message }
    }
}

impl IntoApi for RowReport {
    type Api = RowReportDto;
    fn into_api(self) -> RowReportDto {
        RowReportDto { row: self.row, errors: self.errors.into_iter().map(IntoApi::into_api).collect() }
    }
}

impl IntoApi for ImportRowView {
    type Api = ImportRowDto;
    fn into_api(self) -> ImportRowDto {
        ImportRowDto {
            row: self.row,
            status: self.status.as_str().into(),
            user: self
                .user_id
                .zip(self.user_principal_name)
                .map(|(id, upn)| ImportedUserDto { id, user_principal_name: upn }),
            temporary_password: self.temporary_password.map(|p| p.expose().to_owned()),
            errors: self.errors.into_iter().map(IntoApi::into_api).collect(),
        }
    }
}

/// A job, with the results of its rows when they are asked for.
fn job_dto(job: ImportJob, rows: Option<Vec<ImportRowView>>) -> ImportJobDto {
    ImportJobDto {
        id: job.id,
        status: job.status.as_str().into(),
        total: job.total,
        processed: job.processed,
        created: job.created,
        failed: job.failed,
        created_at: job.created_at,
        finished_at: job.finished_at,
        credentials_expire_at: job.credentials_expire_at,
        results: rows.map(|rows| rows.into_iter().map(IntoApi::into_api).collect()),
    }
}

#[utoipa::path(post, path = "/customers/{cid}/imports", params(("cid" = Uuid, Path), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "CSV in any encoding Excel saves, or XLSX"),
    responses(
        (status = 200, description = "dryRun: the report, nothing written", body = ImportCheckDto),
        (status = 202, description = "every row is good; the job is queued", body = ImportJobDto),
        (status = 400, description = "validation_failed, with details.rows naming every problem by row and column", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, description = "over 20 MiB, 100,000 rows, 32 MiB of cell text, or (XLSX) 64 MiB of XML inflated", body = ErrorBody),
        (status = 415, body = ErrorBody)))]
pub async fn start_import(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ImportParams>,
    ImportBody(bytes): ImportBody,
) -> ApiResult<Response> {
    let services = &state.services;
    if params.dry_run {
        let checked = services
            .check_import(&agent, cid, &bytes, params.location.as_deref(), crate::console::role_names())
            .await?;
        let report = ImportCheckDto {
            dry_run: true,
            total: checked.total,
            valid: checked.valid.len(),
            rows: checked.errors.into_iter().map(IntoApi::into_api).collect(),
        };
        return Ok(Json(report).into_response());
    }
    let job =
        services.start_import(&agent, cid, &bytes, params.location.as_deref(), crate::console::role_names()).await?;
    Ok((StatusCode::ACCEPTED, Json(job_dto(job, None))).into_response())
}

#[utoipa::path(get, path = "/customers/{cid}/imports/{jid}", params(("cid" = Uuid, Path), ("jid" = Uuid, Path), JobParams),
    responses((status = 200, body = ImportJobDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_import(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, jid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(params): ApiQuery<JobParams>,
) -> ApiResult<Json<ImportJobDto>> {
    if params.results == Some(false) {
        return Ok(Json(job_dto(state.services.import_job(&agent, cid, jid).await?, None)));
    }
    let (job, rows) = state.services.import_job_results(&agent, cid, jid).await?;
    Ok(Json(job_dto(job, Some(rows))))
}

#[utoipa::path(post, path = "/customers/{cid}/imports/{jid}/credentials",
    params(("cid" = Uuid, Path), ("jid" = Uuid, Path), CredentialsParams),
    responses((status = 200, description = "The temporary passwords, once; afterwards they are gone", body = CredentialsDto),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn take_credentials(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, jid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(params): ApiQuery<CredentialsParams>,
) -> ApiResult<Response> {
    let csv = match params.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::bad_request(Some("format".into()), "use json or csv")),
    };
    let credentials = state.services.take_import_credentials(&agent, cid, jid).await?;
    if csv {
        let rows = credentials
            .iter()
            .map(|c| (c.user_principal_name.as_str(), c.display_name.as_str(), c.temporary_password.expose()));
        return Ok(crate::files::credentials_file(
            &roster_core::imports::export::CREDENTIALS_HEADERS,
            rows,
            "credentials",
        ));
    }
    let credentials = credentials
        .into_iter()
        .map(|c| CredentialDto {
            row: c.row,
            user_principal_name: c.user_principal_name,
            display_name: c.display_name,
            temporary_password: c.temporary_password.expose().to_owned(),
        })
        .collect();
    let mut response = Json(CredentialsDto { credentials }).into_response();
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (the default) or `xlsx`.
    pub format: Option<String>,
    /// The language of the header row: en (the default), fr, ru, zh-CN or it.
    pub lang: Option<String>,
}

#[utoipa::path(get, path = "/customers/{cid}/users/export", params(("cid" = Uuid, Path), ExportParams),
    responses((status = 200, description = "The active users in the import template's columns; CSV streams page by page",
        content_type = "text/csv"),
    (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_users(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let (format, language) = file_params(params.format.as_deref(), params.lang.as_deref())?;
    Ok(users_file(&state, agent, cid, format, language).await?)
}

#[utoipa::path(get, path = "/imports/template", params(ExportParams),
    responses((status = 200, description = "The empty import template, headers in the language asked for", content_type = "text/csv"),
    (status = 400, body = ErrorBody)))]
pub async fn import_template(
    AuthAgent(_agent): AuthAgent,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let (format, language) = file_params(params.format.as_deref(), params.lang.as_deref())?;
    Ok(template_file(format, language)?)
}
