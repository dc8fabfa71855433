//! The console's errors.
//!
//! Policy, as in kanidm's views: a console request that cannot show its page
//! ends in one of three ways.
//! - Without a live session it goes to sign-in, which brings the agent back.
//! - A form the agent can correct is shown again with the words beside what is
//!   wrong; its handler does that, with the status [`crate::errors::status`] gives.
//! - Anything else is an error page: inside the console's frame (the top bar with
//!   the agent, the languages and Sign out) once the agent is known, in the bare
//!   frame before sign-in.
//!
//! A domain error takes its status from [`crate::errors::status`], the map the
//! API uses too. An internal error is logged with its cause chain and shown only
//! as a generic message.

use super::i18n::Localized;
use super::views::{BareErrorPage, Chrome, ErrorPage, ErrorView};
use super::{Console, encode_query, render, see_other};
use crate::routes::Route;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::Error;
use roster_core::domain::Language;

/// What console handlers return: a page, or the error that ends the request.
pub(crate) type ConsoleResult<T = Response> = Result<T, ConsoleError>;

#[derive(Debug)]
pub(crate) enum ConsoleError {
    /// No live session: sign in, then come back to `next`.
    SignIn { next: String },
    /// A form body over the server's limit.
    FormTooLarge(Language),
    /// An error page, with the status it answers with.
    Page(Box<Failure>),
}

/// An error page's content and the frame it is drawn in.
#[derive(Debug)]
pub(crate) struct Failure {
    frame: Frame,
    status: StatusCode,
    title: String,
    message: String,
    /// Where the agent was, for a Back link.
    back: Option<String>,
}

/// Where an error page is drawn.
#[derive(Debug)]
enum Frame {
    /// Before sign-in: only the language is known.
    Bare(Language),
    /// The console's own frame, for a signed-in agent.
    Console(Chrome),
}

impl Frame {
    fn lang(&self) -> Language {
        match self {
            Frame::Bare(lang) => *lang,
            Frame::Console(c) => c.lang,
        }
    }
}

impl ConsoleError {
    /// A refusal before sign-in, or of a request Roster could not read: a
    /// status and the words, in the bare frame.
    pub fn bare_text(lang: Language, status: StatusCode, title: String, message: String) -> Self {
        Self::Page(Box::new(Failure { frame: Frame::Bare(lang), status, title, message, back: None }))
    }

    /// A domain error that ends a request before sign-in.
    pub fn bare(lang: Language, e: Error) -> Self {
        Self::domain(Frame::Bare(lang), None, e)
    }

    fn domain(frame: Frame, back: Option<String>, e: Error) -> Self {
        let status = crate::errors::status(&e);
        if matches!(e, Error::Internal(_)) {
            crate::errors::log_internal(&e);
        }
        let lang = frame.lang();
        let title = lang.t(match status {
            StatusCode::NOT_FOUND => "error-not-found-title",
            StatusCode::FORBIDDEN => "error-forbidden-title",
            StatusCode::INTERNAL_SERVER_ERROR => "error-internal-title",
            _ => "error-request-title",
        });
        let message = error_text(lang, &e);
        Self::Page(Box::new(Failure { frame, status, title, message, back }))
    }
}

impl Console {
    /// A domain error as a page in the console's frame.
    pub fn error(&self, e: Error) -> ConsoleError {
        ConsoleError::domain(Frame::Console(self.chrome()), None, e)
    }

    /// A domain error as a page with a link back to `back`.
    pub fn error_back(&self, back: impl Into<String>, e: Error) -> ConsoleError {
        ConsoleError::domain(Frame::Console(self.chrome()), Some(back.into()), e)
    }

    /// A refusal of what the agent asked that is no domain error, such as a
    /// form without the session's token: a status and two messages' words.
    pub fn refusal(
        &self,
        status: StatusCode,
        title_key: &str,
        message_key: &str,
        back: Option<String>,
    ) -> ConsoleError {
        self.refusal_text(status, self.lang.t(title_key), self.lang.t(message_key), back)
    }

    /// As `refusal`, with the words already made.
    pub fn refusal_text(
        &self,
        status: StatusCode,
        title: String,
        message: String,
        back: Option<String>,
    ) -> ConsoleError {
        ConsoleError::Page(Box::new(Failure { frame: Frame::Console(self.chrome()), status, title, message, back }))
    }
}

impl Console {
    /// A query string that does not parse: which parameter, in the agent's words,
    /// never serde's English.
    pub fn bad_query(&self, parameter: &str) -> ConsoleError {
        let message = self.lang.ta(
            "error-query",
            &[("name", super::i18n::Arg::from(roster_core::domain::cut(parameter, 64).into_owned()))],
        );
        let title = self.lang.t("error-request-title");
        let frame = Frame::Console(self.chrome());
        ConsoleError::Page(Box::new(Failure { frame, status: StatusCode::BAD_REQUEST, title, message, back: None }))
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn { next } => {
                see_other(&format!("{}?{}", Route::Login, encode_query(&[("next".into(), next)])))
            }
            ConsoleError::FormTooLarge(lang) => {
                let e = ErrorView {
                    lang,
                    title: lang.t("error-request-title"),
                    message: lang.t("error-form-too-large"),
                    back: None,
                    request_id: crate::request_id::current(),
                };
                render(StatusCode::PAYLOAD_TOO_LARGE, BareErrorPage { e })
            }
            ConsoleError::Page(failure) => {
                let Failure { frame, status, title, message, back } = *failure;
                let request_id = crate::request_id::current();
                let e = ErrorView { lang: frame.lang(), title, message, back, request_id };
                match frame {
                    Frame::Bare(_) => render(status, BareErrorPage { e }),
                    Frame::Console(c) => render(status, ErrorPage { c, e }),
                }
            }
        }
    }
}

/// Ends a request with a domain error's page, in the console's frame.
pub(crate) trait OrPage<T> {
    fn or_page(self, console: &Console) -> ConsoleResult<T>;

    /// As `or_page`, with a link back to `back`.
    fn or_back(self, console: &Console, back: impl Into<String>) -> ConsoleResult<T>;
}

impl<T> OrPage<T> for roster_core::Result<T> {
    fn or_page(self, console: &Console) -> ConsoleResult<T> {
        self.map_err(|e| console.error(e))
    }

    fn or_back(self, console: &Console, back: impl Into<String>) -> ConsoleResult<T> {
        self.map_err(|e| console.error_back(back, e))
    }
}

/// The words for a stable error code, in the page's language.
pub(crate) fn reason(lang: Language, code: &str) -> String {
    let key = format!("code-{code}");
    let text = lang.t(&key);
    if text == key { lang.t("code-unknown") } else { text }
}

/// The words for a domain error: the code's sentence, and what it names.
pub(crate) fn error_text(lang: Language, e: &Error) -> String {
    match e {
        // Only words the console can say: without them, the code's sentence alone.
        Error::Validation { field, words: Some(words), .. } => {
            let detail = super::i18n::say(lang, words);
            let detail = match field_label(lang, field) {
                Some(label) => lang.ta("error-field-detail", &[("field", label.into()), ("detail", detail.into())]),
                None => detail,
            };
            format!("{} ({detail})", reason(lang, e.code()))
        }
        Error::InvalidUsername { words: Some(words), .. } => {
            format!("{} ({})", reason(lang, e.code()), super::i18n::say(lang, words))
        }
        Error::UsernameTaken(name)
        | Error::DomainNotOwned(name)
        | Error::ProductNotOwned(name)
        | Error::SubscriptionExists(name) => {
            format!("{} ({name})", reason(lang, e.code()))
        }
        Error::License { product_id, .. } => format!("{} ({product_id})", reason(lang, e.code())),
        Error::QuantityBelowAssigned(n) => format!("{} ({})", reason(lang, e.code()), lang.number(*n)),
        Error::Import(roster_core::imports::ImportError::File(f)) => format!("{} ({f})", reason(lang, e.code())),
        _ => reason(lang, e.code()),
    }
}

/// A refused field as the console's forms label it: `licenses[0].productId`
/// (the API's name, after any `users[3].` prefix) is the Licenses field.
/// `None` for a field no form shows.
pub(crate) fn field_label(lang: Language, field: &str) -> Option<String> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let name = last.split('[').next().unwrap_or(last);
    let key = match name {
        "userName" => "field-username",
        "domain" => "field-domain",
        "firstName" => "field-first-name",
        "lastName" => "field-last-name",
        "displayName" => "field-display-name",
        "usageLocation" | "location" => "field-usage-location",
        "roles" | "role" => "field-roles",
        "productId" | "license" | "licenses" => "field-licenses",
        "disabledServicePlans" => "col-service-plans",
        "search" => "search",
        "quantity" | "add" => "col-quantity",
        "file" => "import-file",
        _ => return None,
    };
    Some(lang.t(key))
}

/// The words of an error page for a bare status: (title, message) keys.
fn status_keys(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("error-not-found-title", "error-not-found"),
        StatusCode::FORBIDDEN => ("error-forbidden-title", "code-forbidden"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error-request-title", "error-too-large"),
        s if s.is_server_error() => ("error-internal-title", "error-internal"),
        _ => ("error-request-title", "error-bad-request"),
    }
}

/// Puts the console's frame around the answers its handlers do not draw: a
/// path no route serves, and the refusals of the extractors (a query, path or
/// form Roster cannot read) that axum answers in plain English text. The
/// agent sees them in the page's language, with the console around them once
/// signed in; pages, files and JSON pass untouched.
pub(crate) async fn frame_errors(
    axum::extract::State(state): axum::extract::State<crate::startup::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let lang = super::request_lang(&parts);
    let path = super::path_without_lang(&parts);
    let token = crate::cookies::cookie(&parts.headers, super::SESSION_COOKIE).unwrap_or_default();
    let response = next.run(axum::extract::Request::from_parts(parts, body)).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (title_key, message_key) = status_keys(status);
    let (title, message) = (lang.t(title_key), lang.t(message_key));
    let mut page = match state.services.agent_session(&token).await {
        Ok(Some(session)) => {
            let console = Console { session, lang, path };
            console.refusal_text(status, title, message, None).into_response()
        }
        _ => ConsoleError::bare_text(lang, status, title, message).into_response(),
    };
    // What the status promises stays: the methods a path takes, and the like.
    for name in [axum::http::header::ALLOW, axum::http::header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}
