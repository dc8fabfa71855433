//! The one-time confirmation page of new users' temporary passwords, with
//! Download CSV and Email.

use crate::console::Localized;
use crate::console::customers::customer_chrome;
use crate::console::i18n::Arg;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, render};
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::domain::{AgentRole, Language};
use roster_core::model::Customer;
use uuid::Uuid;

/// A username with its temporary password, shown on the confirmation page only.
#[derive(Debug, Clone)]
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

#[derive(Template)]
#[template(path = "console/credentials.html")]
struct CredentialsPage {
    c: Chrome,
    customer: Customer,
    credentials: Vec<Credential>,
    /// Users that were not created: (username, reason).
    failed: Vec<(String, String)>,
    can_email: bool,
}

/// The confirmation page. Passwords are not kept anywhere: the page carries them
/// in its own forms for Download and Email, and is never cached, so once the
/// agent leaves it they cannot be shown again.
pub(crate) async fn credentials_page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    credentials: Vec<Credential>,
    failed: Vec<(String, String)>,
    notice: Option<String>,
    status: StatusCode,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let c = c.with_notice(notice);
    let can_email = state.config.smtp.is_some();
    Ok(render(status, CredentialsPage { c, customer, credentials, failed, can_email }))
}

fn credentials_from(form: &FormData) -> Vec<Credential> {
    let names: Vec<&str> = form.all("upn").collect();
    let displays: Vec<&str> = form.all("display").collect();
    let passwords: Vec<&str> = form.all("password").collect();
    names
        .iter()
        .zip(&passwords)
        .enumerate()
        .map(|(i, (n, p))| Credential {
            user_principal_name: (*n).to_owned(),
            display_name: displays.get(i).copied().unwrap_or_default().to_owned(),
            password: (*p).to_owned(),
        })
        .collect()
}

/// Download CSV or Email, from the confirmation page's own fields.
pub(super) async fn credentials(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    // Only agents who make temporary passwords (admins, and helpdesk by resets)
    // may send them on, and only for a customer of their partner: this is not a
    // mail relay for anything else a form might carry.
    if !matches!(console.agent().role, AgentRole::Admin | AgentRole::Helpdesk) {
        return Err(console.error(roster_core::Error::Forbidden));
    }
    state.services.customer(console.agent(), cid).await.or_page(&console)?;
    let creds = credentials_from(&form);
    if creds.is_empty() || creds.len() > 100_000 {
        return Err(console.error(roster_core::Error::validation("credentials", "none to send")));
    }
    match form.get("op") {
        Some("email") => {
            let to = form.get("email_to").unwrap_or_default().trim().to_owned();
            let Some(smtp) = state.config.smtp.as_ref() else {
                return Err(console.refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "email-title",
                    "email-not-configured",
                    None,
                ));
            };
            let lang = console.lang;
            let body = crate::console::mail::credentials_text(lang, &creds);
            let csv =
                roster_core::imports::export::credentials_csv(&csv_headers(lang), creds.iter().map(Credential::row));
            let result = crate::console::mail::send(smtp, &to, &lang.t("email-subject"), body, csv).await;
            let notice = match result {
                Ok(()) => lang.ta("notice-email-sent", &[("to", Arg::Text(to))]),
                Err(e) => {
                    tracing::warn!(error = %e, "sending credentials by email failed");
                    lang.ta("email-failed", &[("reason", Arg::Text(e.to_string()))])
                }
            };
            credentials_page(&state, &console, cid, creds, vec![], Some(notice), StatusCode::OK).await
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
