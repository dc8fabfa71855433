//! The confirmation page of temporary passwords (Add user, Reset password,
//! Import users), with Download CSV, Print and Email.
//!
//! The form that makes the passwords keeps them as a result of the agent's
//! session (sealed, for an hour) and sends the browser to this page by GET, so a
//! reload shows them again and never makes new ones. Download and Email read
//! them from that result too: no password travels in a form.

use crate::console::Localized;
use crate::console::customers::customer_chrome;
use crate::console::i18n::Arg;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, encode_query, render, see_other};
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::domain::{AgentRole, Language};
use roster_core::model::Customer;
use roster_core::services::ConsoleResultView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kind of result this page shows.
pub(crate) const KIND: &str = "credentials";

/// A username with its temporary password, shown on the confirmation page only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Credential {
    pub user_principal_name: String,
    pub display_name: String,
    pub password: String,
}

impl Credential {
    /// (username, display name, password), as the credentials file lists them.
    pub fn row(&self) -> (&str, &str, &str) {
        (&self.user_principal_name, &self.display_name, &self.password)
    }
}

/// What the page shows besides the passwords.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Body {
    /// The page's heading, a message key.
    title: String,
    /// How many passwords were made.
    count: usize,
    /// Users that were not created or reset: (username, reason).
    failed: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/credentials.html")]
struct CredentialsPage {
    c: Chrome,
    title: String,
    failed_title: String,
    customer: Customer,
    result: Uuid,
    credentials: Vec<Credential>,
    /// Passwords were made, but can no longer be shown.
    gone: bool,
    failed: Vec<(String, String)>,
    can_email: bool,
}

/// Keeps new users' passwords as a result of this session and sends the
/// browser to it.
pub(crate) async fn keep_credentials(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    credentials: Vec<Credential>,
    failed: Vec<(String, String)>,
) -> ConsoleResult {
    keep_credentials_titled(state, console, cid, "credentials-title", credentials, failed).await
}

/// As `keep_credentials`, under the heading `title` (a message key); users left
/// out are listed as not reset under a reset's heading, else as not created.
pub(crate) async fn keep_credentials_titled(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    title: &str,
    credentials: Vec<Credential>,
    failed: Vec<(String, String)>,
) -> ConsoleResult {
    let body = Body { title: title.to_owned(), count: credentials.len(), failed };
    let body = serde_json::json!(body);
    let secrets = serde_json::json!(credentials);
    let id = state
        .services
        .keep_console_result(&console.session, cid, KIND, &body, Some(&secrets))
        .await
        .or_page(console)?;
    Ok(see_other(&ItemRoute::Result.at(cid, id)))
}

fn opened(view: &ConsoleResultView) -> Vec<Credential> {
    view.secrets.clone().and_then(|s| serde_json::from_value(s).ok()).unwrap_or_default()
}

/// The confirmation page of a kept result; `emailed` names where Email sent them.
pub(crate) async fn show(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    result: Uuid,
    view: ConsoleResultView,
    emailed: Option<String>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let notice = emailed.map(|to| console.lang.ta("notice-email-sent", &[("to", Arg::Text(to))]));
    let c = c.with_notice(notice);
    let body: Body = serde_json::from_value(view.body.clone()).unwrap_or_default();
    let credentials = opened(&view);
    let gone = credentials.is_empty() && body.count > 0;
    // Only the two headings this page has are shown, whatever the row holds.
    let title = if body.title == "reset-done-title" { "reset-done-title" } else { "credentials-title" };
    let failed_title = if title == "reset-done-title" { "reset-failed" } else { "credentials-failed" };
    let (title, failed_title) = (console.lang.t(title), console.lang.t(failed_title));
    let can_email = state.config.smtp.is_some();
    Ok(render(
        StatusCode::OK,
        CredentialsPage { c, title, failed_title, customer, result, credentials, gone, failed: body.failed, can_email },
    ))
}

/// Download CSV or Email, of a kept result's passwords.
pub(super) async fn credentials(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    // Only agents who make temporary passwords (admins, and helpdesk by resets)
    // may send them on, and only for a customer of their partner.
    if !matches!(console.agent().role, AgentRole::Admin | AgentRole::Helpdesk) {
        return Err(console.error(roster_core::Error::Forbidden));
    }
    let rid: Uuid =
        form.get("result").and_then(|r| r.parse().ok()).ok_or_else(|| console.error(roster_core::Error::NotFound))?;
    let view = state.services.console_result(&console.session, cid, rid).await.or_page(&console)?;
    let back = ItemRoute::Result.at(cid, rid);
    let creds = opened(&view);
    if view.kind != KIND || creds.is_empty() {
        let error = roster_core::Error::validation("credentials", "none to send");
        return Err(console.error_back(&back, error));
    }
    match form.get("op") {
        Some("email") => {
            let to = form.get("email_to").unwrap_or_default().trim().to_owned();
            let Some(smtp) = state.config.smtp.as_ref() else {
                return Err(console.refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "email-title",
                    "email-not-configured",
                    Some(back),
                ));
            };
            let lang = console.lang;
            let body = crate::console::mail::credentials_text(lang, &creds);
            let csv =
                roster_core::imports::export::credentials_csv(&csv_headers(lang), creds.iter().map(Credential::row));
            match crate::console::mail::send(smtp, &to, &lang.t("email-subject"), body, csv).await {
                Ok(()) => Ok(see_other(&format!("{back}?{}", encode_query(&[("emailed".into(), to)])))),
                Err(e) => {
                    tracing::warn!(error = %e, "sending credentials by email failed");
                    let title = lang.t("email-title");
                    let message = lang.ta("email-failed", &[("reason", Arg::Text(e.to_string()))]);
                    Err(console.refusal_text(StatusCode::BAD_GATEWAY, title, message, Some(back)))
                }
            }
        }
        _ => {
            let headers = csv_headers(console.lang);
            Ok(crate::files::credentials_file(&headers, creds.iter().map(Credential::row), "temporary-passwords"))
        }
    }
}

/// The credentials file's headers in the agent's language, as the page's table.
fn csv_headers(lang: Language) -> [String; 3] {
    [lang.t("col-username"), lang.t("col-display-name"), lang.t("col-temporary-password")]
}
