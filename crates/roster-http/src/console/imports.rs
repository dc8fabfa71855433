//! Import users from a file: the template in the UI language, upload and check
//! with errors by row and column, a usage location for rows without one, the job
//! with a live progress bar, and the same confirmation page as Add user.

use super::customers::customer_chrome;
use super::users::{Credential, keep_credentials};
use super::views::Chrome;
use super::{Console, ConsoleResult, OrPage, PageQuery, render, see_other};
use crate::console::Localized;
use crate::files::FileFormat;
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use roster_core::imports::{Column, RowReport};
use roster_core::model::{Customer, ImportJob, ImportRowStatus, ImportStatus};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    let upload_limit = roster_core::imports::MAX_BYTES + 1024 * 1024;
    Router::new()
        .route(
            CustomerRoute::Import.pattern(),
            get(import_page).post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(CustomerRoute::ImportTemplate.pattern(), get(template))
        .route(ItemRoute::ImportJob.pattern(), get(progress))
        .route(ItemRoute::ImportStatus.pattern(), get(status))
        .route(ItemRoute::ImportCredentials.pattern(), post(take_credentials))
}

/// One problem of the checked file, with its words in the UI language.
pub(crate) struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub reason: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    c: Chrome,
    customer: Customer,
    location: String,
    /// Set after a check: (data rows, rows that can be created).
    checked: Option<(usize, usize)>,
    problems: Vec<ProblemRow>,
    error: Option<String>,
}

async fn import_page(State(state): State<AppState>, console: Console, Path(cid): Path<Uuid>) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let location = customer.country.clone();
    Ok(render(StatusCode::OK, ImportPage { c, customer, location, checked: None, problems: vec![], error: None }))
}

#[derive(Deserialize)]
struct TemplateQuery {
    format: Option<String>,
}

/// The template in the UI language; any format but XLSX is CSV.
async fn template(console: Console, PageQuery(q): PageQuery<TemplateQuery>) -> ConsoleResult {
    let format = q.format.as_deref().and_then(FileFormat::parse).unwrap_or(FileFormat::Csv);
    crate::files::template_file(format, console.lang).or_page(&console)
}

fn problems(lang: super::Language, reports: Vec<RowReport>) -> Vec<ProblemRow> {
    reports
        .into_iter()
        .flat_map(|r| {
            r.errors.into_iter().map(move |e| ProblemRow {
                row: r.row,
                // The column as the template in the agent's language heads it.
                column: e
                    .column
                    .map(|name| match Column::ALL.into_iter().find(|c| c.name() == name) {
                        Some(c) => c.header(lang).to_owned(),
                        None => name,
                    })
                    .unwrap_or_default(),
                reason: super::reason(lang, &e.code),
                // Only the console's words: without them, the reason says it all.
                detail: e.words.as_ref().map(|w| super::i18n::say(lang, w)).unwrap_or_default(),
            })
        })
        .collect()
}

async fn upload(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    mut multipart: Multipart,
) -> ConsoleResult {
    let mut csrf = String::new();
    let mut location = String::new();
    let mut check_only = false;
    let mut file: Option<Vec<u8>> = None;
    let back = CustomerRoute::Import.at(cid);
    // Over the upload limit, the file is too large, as the API would say.
    let bad_form = |e: axum::extract::multipart::MultipartError| {
        let error = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            roster_core::imports::FileError::TooLarge.into()
        } else {
            roster_core::Error::validation("file", e.body_text())
        };
        console.error_back(&back, error)
    };
    while let Some(field) = multipart.next_field().await.map_err(bad_form)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad_form)?,
            "location" => location = field.text().await.map_err(bad_form)?,
            "check_only" => check_only = true,
            "file" => file = Some(field.bytes().await.map_err(bad_form)?.to_vec()),
            _ => {}
        }
    }
    console.check_csrf_token(&csrf)?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let page = |status: StatusCode, checked, problems, error: Option<String>, location: String| {
        render(status, ImportPage { c: c.clone(), customer: customer.clone(), location, checked, problems, error })
    };
    let bytes = match file.filter(|f| !f.is_empty()) {
        Some(f) => f,
        None => {
            return Ok(page(StatusCode::BAD_REQUEST, None, vec![], Some(console.lang.t("import-no-file")), location));
        }
    };
    let location_arg = Some(location.trim()).filter(|l| !l.is_empty());
    let services = &state.services;
    let lang = console.lang;
    if check_only {
        return match services.check_import(console.agent(), cid, &bytes, location_arg, super::role_names()).await {
            Ok(checked) => {
                let status = if checked.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
                let summary = Some((checked.total, checked.valid.len()));
                Ok(page(status, summary, problems(lang, checked.errors), None, location))
            }
            Err(e @ roster_core::Error::Import(roster_core::imports::ImportError::File(_))) => {
                Ok(page(crate::errors::status(&e), None, vec![], Some(super::error_text(lang, &e)), location))
            }
            Err(e) => Err(console.error_back(back, e)),
        };
    }
    let e = match services.start_import(console.agent(), cid, &bytes, location_arg, super::role_names()).await {
        Ok(job) => return Ok(see_other(&ItemRoute::ImportJob.at(cid, job.id))),
        Err(e) => e,
    };
    // A file with problems comes back with them, at the status the API gives.
    let status = crate::errors::status(&e);
    match e {
        roster_core::Error::Import(roster_core::imports::ImportError::Rows(reports)) => {
            Ok(page(status, None, problems(lang, reports), Some(lang.t("import-has-problems")), location))
        }
        e @ roster_core::Error::Import(roster_core::imports::ImportError::File(_)) => {
            Ok(page(status, None, vec![], Some(super::error_text(lang, &e)), location))
        }
        e => Err(console.error_back(back, e)),
    }
}

#[derive(Template)]
#[template(path = "console/import_progress.html")]
struct ProgressPage {
    c: Chrome,
    customer: Customer,
    job: ImportJob,
    finished: bool,
    /// Rows that failed: (row, username, reason in words).
    failures: Vec<(i64, String, String)>,
    /// Whether passwords are still kept to be shown.
    has_credentials: bool,
}

async fn progress(
    State(state): State<AppState>,
    console: Console,
    Path((cid, jid)): Path<(Uuid, Uuid)>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let (job, rows) = state.services.import_job_results(console.agent(), cid, jid).await.or_page(&console)?;
    let finished = matches!(job.status, ImportStatus::Succeeded | ImportStatus::Failed);
    let lang = console.lang;
    let failures = rows
        .iter()
        .filter(|r| r.status == ImportRowStatus::Failed)
        .map(|r| {
            let reason = r.errors.iter().map(|e| super::reason(lang, &e.code)).collect::<Vec<_>>().join("; ");
            (r.row, r.user_principal_name.clone().unwrap_or_default(), reason)
        })
        .collect();
    let has_credentials = rows.iter().any(|r| r.temporary_password.is_some());
    Ok(render(StatusCode::OK, ProgressPage { c, customer, job, finished, failures, has_credentials }))
}

/// What the progress bar polls.
async fn status(
    State(state): State<AppState>,
    console: Console,
    Path((cid, jid)): Path<(Uuid, Uuid)>,
) -> ConsoleResult {
    let job = state.services.import_job(console.agent(), cid, jid).await.or_page(&console)?;
    Ok(axum::Json(serde_json::json!({
        "status": job.status.as_str(),
        "processed": job.processed,
        "total": job.total,
        "text": console.lang.ta(
            "import-processed",
            &[("processed", job.processed.into()), ("total", job.total.into())]
        ),
    }))
    .into_response())
}

/// The job's passwords: handed out once by the job, then kept as this session's
/// result for the confirmation page, which the browser reads by GET.
async fn take_credentials(
    State(state): State<AppState>,
    console: Console,
    Path((cid, jid)): Path<(Uuid, Uuid)>,
    form: super::FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let taken = state.services.take_import_credentials(console.agent(), cid, jid).await.or_page(&console)?;
    let credentials = taken
        .into_iter()
        .map(|c| Credential {
            user_principal_name: c.user_principal_name,
            display_name: c.display_name,
            password: c.temporary_password.expose().to_owned(),
        })
        .collect();
    keep_credentials(&state, &console, cid, credentials, vec![]).await
}
