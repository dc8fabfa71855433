//! Agents' sign-in at `/login` and sign-out. Before sign-in the form's CSRF token
//! is a double-submit cookie; afterwards every form carries the session's own.

use super::views::LoginPage;
use super::{
    Console, ConsoleError, ConsoleResult, FormData, Localized, OrPage, PageLang, SESSION_COOKIE, render, see_other,
};
use crate::cookies::{constant_time_eq, cookie, http_only_cookie};
use crate::routes::Route;
use crate::startup::AppState;
use axum::Router;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use roster_core::secrets::random_base62;
use roster_core::services::AgentSigninOutcome;
use serde::Deserialize;
use std::net::SocketAddr;

const LOGIN_CSRF_COOKIE: &str = "roster_login_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Login.path(), get(login_page).post(login_submit))
        .route(Route::Logout.path(), post(logout))
}

/// Only a path of this site may follow sign-in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with(Route::Login.path())
    {
        next.to_owned()
    } else {
        Route::Home.path().to_owned()
    }
}

fn login_form(
    state: &AppState,
    lang: super::Language,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let csrf = random_base62(32);
    let page = LoginPage { lang, csrf: csrf.clone(), email: email.to_owned(), next: safe_next(next), error };
    let mut response = render(status, page);
    response.headers_mut().append(SET_COOKIE, http_only_cookie(state, LOGIN_CSRF_COOKIE, &csrf, 3600));
    response
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(State(state): State<AppState>, PageLang(lang): PageLang, Query(q): Query<LoginQuery>) -> Response {
    login_form(&state, lang, StatusCode::OK, "", q.next.as_deref().unwrap_or(Route::Home.path()), None)
}

async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    form: FormData,
) -> ConsoleResult {
    let email = form.get("email").unwrap_or_default();
    let next = form.get("next").unwrap_or(Route::Home.path());
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(&expected, form.get("csrf").unwrap_or_default()) {
        return Ok(login_form(&state, lang, StatusCode::FORBIDDEN, email, next, Some(lang.t("error-csrf"))));
    }
    let outcome = state
        .services
        .agent_signin(email, form.get("password").unwrap_or_default(), peer.ip())
        .await
        .map_err(|e| ConsoleError::bare(lang, e))?;
    Ok(match outcome {
        AgentSigninOutcome::SignedIn { session_token, .. } => {
            let mut response = see_other(&safe_next(next));
            let ttl = state.services.policy.signed_in_session_ttl.whole_seconds();
            response.headers_mut().append(SET_COOKIE, http_only_cookie(&state, SESSION_COOKIE, &session_token, ttl));
            response.headers_mut().append(SET_COOKIE, http_only_cookie(&state, LOGIN_CSRF_COOKIE, "", 0));
            // The language chosen before sign-in stays.
            response.headers_mut().append(SET_COOKIE, super::language_cookie(lang));
            response
        }
        AgentSigninOutcome::InvalidCredentials => {
            login_form(&state, lang, StatusCode::UNAUTHORIZED, email, next, Some(lang.t("login-invalid")))
        }
        AgentSigninOutcome::RateLimited => {
            login_form(&state, lang, StatusCode::TOO_MANY_REQUESTS, email, next, Some(lang.t("login-rate-limited")))
        }
    })
}

async fn logout(State(state): State<AppState>, console: Console, form: FormData) -> ConsoleResult {
    console.check_csrf(&form)?;
    state.services.agent_signout(&console.session).await.or_page(&console)?;
    let mut response = see_other(Route::Login.path());
    response.headers_mut().append(SET_COOKIE, http_only_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(response)
}
