//! The partner console: server-rendered pages over the same services as the API.
//!
//! Every page works without JavaScript: lists are forms whose paging buttons also
//! save the ticks of the page, and tri-state boxes fall back to a choice per
//! product. Sessions and selections live in the database, so any instance serves
//! any request. Every form carries the session's CSRF token.
//!
//! Handlers return [`ConsoleResult`]; how a request ends when its page cannot be
//! shown is written in `error.rs`. Paths come from [`crate::routes`].

mod activity;
mod auth;
mod customers;
mod error;
mod i18n;
mod imports;
mod license_words;
mod licenses;
mod mail;
mod results;
mod users;
mod views;

pub use i18n::{Localized, role_names};
pub use mail::SmtpConfig;
pub use roster_core::domain::Language;

pub(crate) use error::{ConsoleError, ConsoleResult, OrPage, error_text, frame_errors, reason};

use crate::cookies::{constant_time_eq, cookie};
use crate::routes::Route;
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
        .merge(activity::router())
        .merge(users::router())
        .merge(licenses::router())
        .merge(imports::router())
        .merge(results::router())
        .route(
            Route::ConsoleCss.path(),
            get(|| async { asset("text/css; charset=utf-8", include_str!("console.css")) }),
        )
        .route(
            Route::ConsoleJs.path(),
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("console.js")) }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn(remember_language))
}

pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
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
pub(crate) fn language_cookie(lang: Language) -> HeaderValue {
    HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.tag()))
        .unwrap_or(HeaderValue::from_static(""))
}

fn query_lang(query: &str) -> Option<Language> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Language::parse(&v))
}

/// The language of a request: `?lang=`, then the cookie, then Accept-Language.
pub(crate) fn request_lang(parts: &Parts) -> Language {
    parts
        .uri
        .query()
        .and_then(query_lang)
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(|c| Language::parse(&c)))
        .or_else(|| {
            parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Language::from_accept_language)
        })
        .unwrap_or(Language::En)
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
pub(crate) struct PageLang(pub Language);

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
    pub lang: Language,
    /// The request's path and query without `lang`.
    pub path: String,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(parts);
        let path = path_without_lang(parts);
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        match state.services.agent_session(&token).await {
            Ok(Some(session)) => Ok(Console { session, lang, path }),
            Ok(None) => {
                let next = if parts.method == axum::http::Method::GET {
                    path
                } else {
                    referring_page(parts).unwrap_or_else(|| Route::Home.path().to_owned())
                };
                Err(ConsoleError::SignIn { next })
            }
            Err(e) => Err(ConsoleError::bare(lang, e)),
        }
    }
}

/// The page a form was posted from, when it is a page of this site: a POST
/// whose session expired brings the agent back there after sign-in. The
/// `Referer` must name this request's own host; only its path and query are
/// kept, and sign-in checks them again.
fn referring_page(parts: &Parts) -> Option<String> {
    let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let referer = parts.headers.get(axum::http::header::REFERER)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    (authority.eq_ignore_ascii_case(host) && !path.starts_with("//")).then(|| path.to_owned())
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
    pub fn check_csrf(&self, form: &FormData) -> ConsoleResult<()> {
        self.check_csrf_token(form.get("csrf").unwrap_or_default())
    }

    /// Refuses a token that is not this session's.
    pub fn check_csrf_token(&self, token: &str) -> ConsoleResult<()> {
        if constant_time_eq(token, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(self.refusal(StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf", None))
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
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = query_lang(req.uri().query().unwrap_or_default()).unwrap_or(Language::En);
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| ConsoleError::FormTooLarge(lang))?;
        Ok(FormData(form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

/// A page's query string, parsed into `T`. One that does not parse ends in an
/// error page in the agent's language naming the parameter (axum's own rejection
/// is English text).
pub(crate) struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(q)) => Ok(PageQuery(q)),
            Err(rejection) => {
                let console = Console::from_request_parts(parts, state).await?;
                Err(console.bad_query(&rejected_parameter(&rejection.body_text())))
            }
        }
    }
}

/// The parameter serde_urlencoded names in "Failed to deserialize query string:
/// limit: invalid digit found in string"; empty when it names none.
fn rejected_parameter(text: &str) -> String {
    let rest = text.split_once("query string: ").map_or(text, |(_, rest)| rest);
    match rest.split_once(": ") {
        Some((name, _)) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            name.to_owned()
        }
        _ => String::new(),
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
