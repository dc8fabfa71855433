//! The partner console: server-rendered pages over the same services as the API.
//!
//! Every page works without JavaScript: lists are forms whose paging buttons also
//! save the ticks of the page, and tri-state boxes fall back to a choice per
//! product. Sessions and selections live in the database, so any instance serves
//! any request. Every form carries the session's CSRF token.

// Handlers answer with a page on success and on failure alike; an error page is
// a `Response` as large as any other, and boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod auth;
mod customers;
mod i18n;
mod imports;
mod licenses;
mod mail;
mod users;
mod views;

pub use i18n::Lang;
pub use mail::SmtpConfig;

use crate::cookies::{constant_time_eq, cookie};
use crate::startup::AppState;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use roster_core::model::AgentSession;
use views::Chrome;

pub(crate) const SESSION_COOKIE: &str = "roster_agent_session";
pub(crate) const LANG_COOKIE: &str = "lang";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(customers::router())
        .merge(users::router())
        .merge(licenses::router())
        .merge(imports::router())
        .route("/static/console.css", get(|| async { asset("text/css; charset=utf-8", include_str!("console.css")) }))
        .route(
            "/static/console.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("console.js")) }),
        )
        .layer(axum::middleware::from_fn(remember_language))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// A `?lang=` on any page also becomes the language cookie, so the choice sticks.
async fn remember_language(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(query_lang);
    let mut response = next.run(req).await;
    if let Some(lang) = chosen {
        response.headers_mut().append(SET_COOKIE, language_cookie(lang));
    }
    response
}

/// The language choice, kept for a year; pages read it before Accept-Language.
pub(crate) fn language_cookie(lang: Lang) -> HeaderValue {
    HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.tag()))
        .unwrap_or(HeaderValue::from_static(""))
}

fn query_lang(query: &str) -> Option<Lang> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
}

/// The language of a request: `?lang=`, then the cookie, then Accept-Language.
pub(crate) fn request_lang(parts: &Parts) -> Lang {
    parts
        .uri
        .query()
        .and_then(query_lang)
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)))
        .or_else(|| {
            parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En)
}

/// The path and query of a request without its `lang`, for links that change it.
fn path_without_lang(parts: &Parts) -> String {
    let path = parts.uri.path().to_owned();
    let rest: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "lang")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if rest.is_empty() { path } else { format!("{path}?{}", encode_query(&rest)) }
}

pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The language of a page shown before sign-in.
pub(crate) struct PageLang(pub Lang);

impl FromRequestParts<AppState> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PageLang(request_lang(parts)))
    }
}

/// A signed-in agent, with the page's language. Without a live session the
/// request is sent to the sign-in page, which brings the agent back afterwards.
pub(crate) struct Console {
    pub session: AgentSession,
    pub lang: Lang,
    /// The request's path and query without `lang`.
    pub path: String,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(parts);
        let path = path_without_lang(parts);
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        match state.services.agent_session(&token).await {
            Ok(Some(session)) => Ok(Console { session, lang, path }),
            Ok(None) => {
                let next = if parts.method == axum::http::Method::GET { path } else { "/".to_owned() };
                Err(see_other(&format!("/login?{}", encode_query(&[("next".into(), next)]))))
            }
            Err(e) => Err(error_page(lang, None, e)),
        }
    }
}

impl Console {
    pub fn agent(&self) -> &roster_core::model::Agent {
        &self.session.agent
    }

    pub fn chrome(&self) -> Chrome {
        Chrome {
            lang: self.lang,
            csrf: self.session.csrf_token.clone(),
            agent_email: self.session.agent.email.clone(),
            path: self.path.clone(),
            nav: None,
            notice: None,
        }
    }

    /// Refuses a form without this session's CSRF token.
    pub fn check_csrf(&self, form: &FormData) -> Result<(), Response> {
        if constant_time_eq(form.get("csrf").unwrap_or_default(), &self.session.csrf_token) {
            Ok(())
        } else {
            Err(message_page(self.lang, StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf"))
        }
    }
}

/// A submitted form, keeping repeated fields (checkbox columns) in order.
#[derive(Debug, Default)]
pub(crate) struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The fields whose names start with `prefix`, with the rest of the name.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0.iter().filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }

    /// The values of a field that parse as ids; others are dropped.
    pub fn ids(&self, name: &str) -> Vec<uuid::Uuid> {
        self.all(name).filter_map(|v| v.parse().ok()).collect()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "the form is too large").into_response())?;
        Ok(FormData(form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, v);
    }
    response
}

/// Renders a page; pages that show passwords are never cached.
pub(crate) fn render(status: StatusCode, page: impl askama::Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            crate::errors::log_internal(&e);
            (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong").into_response()
        }
    }
}

pub(crate) fn message_page(lang: Lang, status: StatusCode, title_key: &str, message_key: &str) -> Response {
    render(status, views::MessagePage { lang, title: lang.t(title_key), message: lang.t(message_key), back: None })
}

/// The words for a stable error code, in the page's language.
pub(crate) fn reason(lang: Lang, code: &str) -> String {
    let key = format!("code-{code}");
    let text = lang.t(&key);
    if text == key { lang.t("code-unknown") } else { text }
}

/// The words for a domain error: the code's sentence, and what it names.
pub(crate) fn error_text(lang: Lang, e: &roster_core::Error) -> String {
    use roster_core::Error as E;
    match e {
        E::Validation { field, message } => format!("{} ({field}: {message})", reason(lang, e.code())),
        E::InvalidUsername { message, .. } => format!("{} ({message})", reason(lang, e.code())),
        E::UsernameTaken(name) | E::DomainNotOwned(name) | E::ProductNotOwned(name) | E::SubscriptionExists(name) => {
            format!("{} ({name})", reason(lang, e.code()))
        }
        E::License { product_id, .. } => format!("{} ({product_id})", reason(lang, e.code())),
        E::QuantityBelowAssigned(n) => format!("{} ({})", reason(lang, e.code()), lang.number(*n)),
        E::ImportFile(f) => format!("{} ({f})", reason(lang, e.code())),
        _ => reason(lang, e.code()),
    }
}

/// The page for an error that ends a request, at the status the API gives it.
/// Internal errors are logged with their cause chain and shown as a generic message.
pub(crate) fn error_page(lang: Lang, back: Option<String>, e: roster_core::Error) -> Response {
    let status = crate::errors::status(&e);
    if matches!(e, roster_core::Error::Internal(_)) {
        crate::errors::log_internal(&e);
    }
    let title = match status {
        StatusCode::NOT_FOUND => lang.t("error-not-found-title"),
        StatusCode::FORBIDDEN => lang.t("error-forbidden-title"),
        StatusCode::INTERNAL_SERVER_ERROR => lang.t("error-internal-title"),
        _ => lang.t("error-request-title"),
    };
    render(status, views::MessagePage { lang, title, message: error_text(lang, &e), back })
}

/// Serves `Result`-returning handlers: an error becomes its page.
pub(crate) type PageResult = Result<Response, Response>;

pub(crate) trait OrPage<T> {
    fn or_page(self, console: &Console) -> Result<T, Response>;
}

impl<T> OrPage<T> for roster_core::Result<T> {
    fn or_page(self, console: &Console) -> Result<T, Response> {
        self.map_err(|e| error_page(console.lang, None, e))
    }
}
