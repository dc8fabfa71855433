//! Files the API and the console both hand out: the empty import template, a
//! customer's users in the template's columns, and temporary passwords as CSV.
//! Each is written once, in roster-core's `export`; this module makes them
//! downloads.

use crate::startup::AppState;
use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::Response;
use roster_core::domain::Language;
use roster_core::model::{Agent, User};
use roster_core::paging::Page;
use uuid::Uuid;

/// The two forms a spreadsheet file comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// `csv` or `xlsx`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }
}

/// A `format` or `lang` a file cannot be made in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FileParamError {
    pub field: &'static str,
    pub message: &'static str,
}

/// The format (CSV unless named) and header language (English unless named) a
/// file is asked for in.
pub fn file_params(format: Option<&str>, lang: Option<&str>) -> Result<(FileFormat, Language), FileParamError> {
    let format = match format {
        None => FileFormat::Csv,
        Some(name) => FileFormat::parse(name).ok_or(FileParamError { field: "format", message: "use csv or xlsx" })?,
    };
    let language = match lang {
        None => Language::En,
        Some(tag) => {
            Language::parse(tag).ok_or(FileParamError { field: "lang", message: "use en, fr, ru, zh-CN or it" })?
        }
    };
    Ok((format, language))
}

/// The empty import template, headers in `language`.
pub fn template_file(format: FileFormat, language: Language) -> roster_core::Result<Response> {
    let body = match format {
        FileFormat::Csv => Body::from(roster_core::imports::export::csv_header(language)),
        FileFormat::Xlsx => Body::from(
            roster_core::imports::export::xlsx(language, [])
                .map_err(|e| roster_core::Error::internal(std::io::Error::other(e)))?,
        ),
    };
    Ok(file_response(body, format, &format!("roster-users-template-{}", language.tag())))
}

/// A customer's active users as a file in the import template's columns. CSV
/// streams page by page; the first page answers for scope and errors before
/// anything is sent.
pub async fn users_file(
    state: &AppState,
    agent: Agent,
    cid: Uuid,
    format: FileFormat,
    language: Language,
) -> roster_core::Result<Response> {
    let state = state.clone();
    let first = export_page(&state, &agent, cid, None).await?;
    if format == FileFormat::Xlsx {
        let mut users = first.items;
        let mut cursor = first.cursors.next;
        while let Some(next) = cursor {
            let page = export_page(&state, &agent, cid, Some(next)).await?;
            users.extend(page.items);
            cursor = page.cursors.next;
        }
        let bytes = roster_core::imports::export::xlsx(language, &users)
            .map_err(|e| roster_core::Error::internal(std::io::Error::other(e)))?;
        return Ok(file_response(Body::from(bytes), format, "users"));
    }
    let header = roster_core::imports::export::csv_header(language);
    let rows: String = first.items.iter().map(roster_core::imports::export::csv_row).collect();
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header + &rows)) });
    let rest = futures_util::stream::unfold(first.cursors.next, move |cursor| {
        let (state, agent) = (state.clone(), agent.clone());
        async move {
            let page = match export_page(&state, &agent, cid, Some(cursor?)).await {
                Ok(page) => page,
                Err(e) => {
                    // The status is sent; a cut-off file is all that can tell the client.
                    crate::errors::log_internal(&e);
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
            };
            let chunk: String = page.items.iter().map(roster_core::imports::export::csv_row).collect();
            Some((Ok(Bytes::from(chunk)), page.cursors.next))
        }
    });
    let body = Body::from_stream(futures_util::StreamExt::chain(head, rest));
    Ok(file_response(body, format, "users"))
}

/// Temporary passwords, as (username, display name, password), in the one CSV
/// roster-core writes for them; no cache keeps it. `name` is the file's name
/// without its extension.
pub fn credentials_file<'a, H: AsRef<str>>(
    headers: &[H; 3],
    credentials: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    name: &str,
) -> Response {
    let csv = roster_core::imports::export::credentials_csv(headers, credentials);
    let mut response = file_response(Body::from(csv), FileFormat::Csv, name);
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One page of a customer's active users in username order, for export.
async fn export_page(
    state: &AppState,
    agent: &Agent,
    customer_id: Uuid,
    cursor: Option<String>,
) -> roster_core::Result<Page<User>> {
    let params = roster_core::services::UserListParams {
        sort: Some("userPrincipalName".into()),
        limit: Some(roster_core::paging::MAX_LIMIT),
        cursor,
        ..Default::default()
    };
    state.services.list_users(agent, customer_id, &params.parse()?).await
}

/// A download named `name` plus the format's extension.
fn file_response(body: Body, format: FileFormat, name: &str) -> Response {
    let (content_type, extension) = match format {
        FileFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        FileFormat::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{extension}\"")) {
        response.headers_mut().insert(CONTENT_DISPOSITION, disposition);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_csv_in_english_unless_asked_otherwise() {
        assert_eq!(file_params(None, None), Ok((FileFormat::Csv, Language::En)));
        assert_eq!(file_params(Some("xlsx"), Some("fr")), Ok((FileFormat::Xlsx, Language::Fr)));
        assert_eq!(file_params(Some("pdf"), None).map_err(|e| e.field), Err("format"));
        assert_eq!(file_params(None, Some("de")).map_err(|e| e.field), Err("lang"));
    }

    #[test]
    fn the_credentials_file_is_a_csv_download_no_cache_keeps() {
        let response = credentials_file(
            &roster_core::imports::export::CREDENTIALS_HEADERS,
            [("a@x.example", "A", "pw")],
            "credentials",
        );
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(header(CONTENT_TYPE), "text/csv; charset=utf-8");
        assert_eq!(header(CONTENT_DISPOSITION), "attachment; filename=\"credentials.csv\"");
        assert_eq!(header(CACHE_CONTROL), "no-store");
    }
}
