//! `roster import users`: a file of users checked, then created by a background
//! job with a progress bar, and the temporary passwords fetched once.

use super::{ApiClient, ClientError, Connection, print_rows};
use anyhow::{Context, bail};
use clap::Subcommand;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use roster_api::{
    CredentialsDto, CredentialsParams, ErrorBody, ImportCheckDto, ImportJobDto, ImportParams, JobParams, RowErrorDto,
    RowReportDto,
};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import users from a CSV (any encoding or delimiter Excel saves) or XLSX file:
    /// every row is checked first, then a background job creates them in batches.
    Users {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        file: std::path::PathBuf,
        /// Check the file and print every problem; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The usage location of rows that give none (ISO 3166 alpha-2).
        #[arg(long)]
        location: Option<String>,
        /// Write the usernames and temporary passwords here (mode 0600) instead of
        /// printing them. They can be fetched only once.
        #[arg(long)]
        credentials_out: Option<std::path::PathBuf>,
    },
}

/// What the server made of an uploaded file.
pub enum ImportAnswer {
    /// A dry run's report; nothing was written.
    Checked(ImportCheckDto),
    /// Every row is good and the job is queued.
    Queued(ImportJobDto),
    /// Rows with problems; nothing was written.
    Refused(Vec<RowReportDto>),
}

fn imports_path(customer: Uuid) -> String {
    format!("/customers/{customer}/imports")
}

fn job_path(customer: Uuid, job: Uuid) -> String {
    format!("{}/{job}", imports_path(customer))
}

impl ApiClient {
    /// Uploads a file as the raw body: CSV or XLSX, as `content_type` says.
    pub async fn start_import(
        &self,
        customer: Uuid,
        params: &ImportParams,
        content_type: &str,
        file: Vec<u8>,
    ) -> Result<ImportAnswer, ClientError> {
        let request = self
            .request(Method::POST, &imports_path(customer))
            .query(params)
            .header(CONTENT_TYPE, content_type)
            .body(file);
        let (status, body) = self.fetch(request).await?;
        let text = String::from_utf8_lossy(&body);
        match status.as_u16() {
            200 => Ok(ImportAnswer::Checked(serde_json::from_str(&text)?)),
            202 => Ok(ImportAnswer::Queued(serde_json::from_str(&text)?)),
            _ => match ClientError::refused(status, &text) {
                ClientError::Refused { status: 400, body: ErrorBody { details: Some(details), .. } }
                    if details["rows"].is_array() =>
                {
                    Ok(ImportAnswer::Refused(serde_json::from_value(details["rows"].clone())?))
                }
                refused => Err(refused),
            },
        }
    }

    /// A job's progress, without its rows: cheap enough to poll.
    pub async fn import_progress(&self, customer: Uuid, job: Uuid) -> Result<ImportJobDto, ClientError> {
        let query = JobParams { results: Some(false) };
        self.json(self.request(Method::GET, &job_path(customer, job)).query(&query)).await
    }

    /// A job with the result of every row.
    pub async fn import_job(&self, customer: Uuid, job: Uuid) -> Result<ImportJobDto, ClientError> {
        self.json(self.request(Method::GET, &job_path(customer, job))).await
    }

    /// The job's temporary passwords; the server hands them out once.
    pub async fn take_credentials(&self, customer: Uuid, job: Uuid) -> Result<CredentialsDto, ClientError> {
        let path = format!("{}/credentials", job_path(customer, job));
        self.json(self.request(Method::POST, &path)).await
    }

    /// The job's temporary passwords as the console's CSV file, handed out once.
    pub async fn take_credentials_csv(&self, customer: Uuid, job: Uuid) -> Result<Vec<u8>, ClientError> {
        let path = format!("{}/credentials", job_path(customer, job));
        let query = CredentialsParams { format: Some("csv".into()) };
        self.file(self.request(Method::POST, &path).query(&query)).await
    }
}

const ROW_ERROR_COLUMNS: [(&str, &str); 4] =
    [("row", "ROW"), ("column", "COLUMN"), ("code", "CODE"), ("message", "MESSAGE")];

/// One problem of one row, as the table and `--json` show it.
#[derive(Serialize)]
struct Problem<'a> {
    row: i64,
    column: Option<&'a str>,
    code: &'a str,
    message: &'a str,
}

/// One line per problem: row, column, code and message.
fn problems<'a>(rows: impl IntoIterator<Item = (i64, &'a [RowErrorDto])>) -> Vec<Problem<'a>> {
    rows.into_iter()
        .flat_map(|(row, errors)| {
            errors.iter().map(move |e| Problem { row, column: e.column.as_deref(), code: &e.code, message: &e.message })
        })
        .collect()
}

fn report_problems(rows: &[RowReportDto]) -> Vec<Problem<'_>> {
    problems(rows.iter().map(|r| (i64::try_from(r.row).unwrap_or(i64::MAX), r.errors.as_slice())))
}

/// Prints the problems, then fails: nothing was imported.
fn refuse(conn: &Connection, problems: &[Problem<'_>]) -> anyhow::Result<()> {
    print_rows(conn, problems, &ROW_ERROR_COLUMNS)?;
    let rows = problems.iter().map(|p| p.row).collect::<std::collections::BTreeSet<_>>().len();
    bail!("{rows} rows have problems; nothing was imported");
}

pub async fn run_import(cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Users { conn, customer, file, dry_run, location, credentials_out } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let content_type = if bytes.starts_with(b"PK\x03\x04") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    let api = conn.client();
    let params = ImportParams { dry_run, location };
    let job = match api.start_import(customer, &params, content_type, bytes).await? {
        ImportAnswer::Checked(report) => {
            let problems = report_problems(&report.rows);
            if !problems.is_empty() {
                return refuse(&conn, &problems);
            }
            eprintln!("{} rows checked; every row can be imported", report.total);
            return Ok(());
        }
        ImportAnswer::Refused(rows) => return refuse(&conn, &report_problems(&rows)),
        ImportAnswer::Queued(job) => job,
    };
    let bar = indicatif::ProgressBar::new(u64::try_from(job.total).unwrap_or(0));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    loop {
        let progress = api.import_progress(customer, job.id).await?;
        bar.set_position(u64::try_from(progress.processed).unwrap_or(0));
        if matches!(progress.status.as_str(), "succeeded" | "failed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let job = api.import_job(customer, job.id).await?;
    bar.finish_and_clear();
    let failed =
        problems(job.results.iter().flatten().filter(|r| r.status == "failed").map(|r| (r.row, r.errors.as_slice())));
    if !failed.is_empty() {
        print_rows(&conn, &failed, &ROW_ERROR_COLUMNS)?;
    }
    eprintln!("import {}: {} created, {} failed of {}", job.status, job.created, job.failed, job.total);
    match credentials_out {
        Some(out) => {
            // The server's CSV, as the console downloads it.
            let csv = api.take_credentials_csv(customer, job.id).await?;
            write_private(&out, &csv)?;
            let written = String::from_utf8_lossy(&csv).lines().count().saturating_sub(1);
            eprintln!("{written} temporary passwords written to {}", out.display());
        }
        None => {
            let credentials = api.take_credentials(customer, job.id).await?;
            let columns = [
                ("userPrincipalName", "USERNAME"),
                ("displayName", "DISPLAY NAME"),
                ("temporaryPassword", "TEMPORARY PASSWORD"),
            ];
            print_rows(&conn, &credentials.credentials, &columns)?;
        }
    }
    if job.status != "succeeded" {
        bail!("the import did not finish");
    }
    Ok(())
}

/// Writes `bytes` into a file only its owner can read, made so before the first
/// byte is written.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    // An existing file keeps its mode on open; narrow it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    Ok(())
}
