//! Customer users' sign-in at `/signin`: plain server-rendered pages.
//!
//! A temporary or expired password leads straight to a forced change. Forms carry
//! a CSRF token: before sign-in, a double-submit cookie; after, the session's own.

use crate::cookies::{constant_time_eq, cookie, http_only_cookie};
use crate::routes::Route;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use roster_core::model::SessionPurpose;
use roster_core::secrets::random_base62;
use roster_core::services::SigninOutcome;
use serde::Deserialize;
use std::net::SocketAddr;

const SESSION_COOKIE: &str = "roster_user_session";
const CSRF_COOKIE: &str = "roster_signin_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Signin.path(), get(signin_page).post(signin_submit))
        .route(Route::ChangePassword.path(), get(change_page).post(change_submit))
        .route(Route::Me.path(), get(me_page))
        .route(Route::Signout.path(), post(signout))
        .route(
            Route::SigninCss.path(),
            get(|| async { crate::console::asset("text/css; charset=utf-8", include_str!("signin.css")) }),
        )
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    csrf: &'a str,
    user_name: &'a str,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "change_password.html")]
struct ChangePasswordPage<'a> {
    csrf: &'a str,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage<'a> {
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

fn render(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            crate::errors::log_internal(&e);
            (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong").into_response()
        }
    }
}

fn failure(e: roster_core::Error) -> Response {
    crate::errors::log_internal(&e);
    render(
        StatusCode::INTERNAL_SERVER_ERROR,
        MessagePage { title: "Something went wrong", message: "Please try again. The problem has been logged." },
    )
}

fn redirect(to: Route, cookies: Vec<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, HeaderValue::from_static(to.path()));
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

fn signin_form(state: &AppState, status: StatusCode, user_name: &str, error: Option<&str>) -> Response {
    let csrf = random_base62(32);
    let mut response = render(status, SigninPage { csrf: &csrf, user_name, error });
    response.headers_mut().append(SET_COOKIE, http_only_cookie(state, CSRF_COOKIE, &csrf, 3600));
    response
}

async fn signin_page(State(state): State<AppState>) -> Response {
    signin_form(&state, StatusCode::OK, "", None)
}

#[derive(Deserialize)]
struct SigninForm {
    user_name: String,
    password: String,
    csrf: String,
}

async fn signin_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SigninForm>,
) -> Response {
    let cookie_csrf = cookie(&headers, CSRF_COOKIE).unwrap_or_default();
    if cookie_csrf.is_empty() || !constant_time_eq(&cookie_csrf, &form.csrf) {
        return signin_form(
            &state,
            StatusCode::FORBIDDEN,
            &form.user_name,
            Some("Your session expired. Please try again."),
        );
    }
    let outcome = match state.services.signin(&form.user_name, &form.password, peer.ip()).await {
        Ok(o) => o,
        Err(e) => return failure(e),
    };
    let policy = &state.services.policy;
    match outcome {
        SigninOutcome::MustChangePassword { session_token } => redirect(
            Route::ChangePassword,
            vec![http_only_cookie(
                &state,
                SESSION_COOKIE,
                &session_token,
                policy.change_password_session_ttl.whole_seconds(),
            )],
        ),
        SigninOutcome::SignedIn { session_token } => redirect(
            Route::Me,
            vec![http_only_cookie(
                &state,
                SESSION_COOKIE,
                &session_token,
                policy.signed_in_session_ttl.whole_seconds(),
            )],
        ),
        SigninOutcome::InvalidCredentials => signin_form(
            &state,
            StatusCode::UNAUTHORIZED,
            &form.user_name,
            Some("The username or password is incorrect, or the temporary password was already used."),
        ),
        SigninOutcome::Blocked => signin_form(
            &state,
            StatusCode::FORBIDDEN,
            &form.user_name,
            Some("Sign-in is blocked for this account. Contact your administrator."),
        ),
        SigninOutcome::RateLimited => signin_form(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &form.user_name,
            Some("Too many failed attempts. Wait a few minutes and try again."),
        ),
    }
}

async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<roster_core::model::UserSession>, Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    state.services.user_session(&token).await.map_err(failure)
}

async fn change_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match current_session(&state, &headers).await {
        Err(r) => r,
        Ok(Some(s)) if s.purpose == SessionPurpose::ChangePassword => {
            render(StatusCode::OK, ChangePasswordPage { csrf: &s.csrf_token, error: None })
        }
        Ok(_) => redirect(Route::Signin, vec![]),
    }
}

#[derive(Deserialize)]
struct ChangeForm {
    password: String,
    confirmation: String,
    csrf: String,
}

async fn change_submit(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<ChangeForm>) -> Response {
    let session = match current_session(&state, &headers).await {
        Err(r) => return r,
        Ok(Some(s)) if s.purpose == SessionPurpose::ChangePassword => s,
        Ok(_) => return redirect(Route::Signin, vec![]),
    };
    if !constant_time_eq(&session.csrf_token, &form.csrf) {
        return render(
            StatusCode::FORBIDDEN,
            ChangePasswordPage { csrf: &session.csrf_token, error: Some("The form expired. Please try again.") },
        );
    }
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    match state.services.change_password(&token, &form.password, &form.confirmation).await {
        Ok(new_token) => redirect(
            Route::Me,
            vec![http_only_cookie(
                &state,
                SESSION_COOKIE,
                &new_token,
                state.services.policy.signed_in_session_ttl.whole_seconds(),
            )],
        ),
        Err(roster_core::Error::Validation { message, field, .. }) => {
            let text = if field == "confirmation" {
                "The two passwords do not match.".to_owned()
            } else {
                format!("The new password {message}.")
            };
            render(StatusCode::BAD_REQUEST, ChangePasswordPage { csrf: &session.csrf_token, error: Some(&text) })
        }
        Err(roster_core::Error::NotFound) => redirect(Route::Signin, vec![]),
        Err(e) => failure(e),
    }
}

async fn me_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match current_session(&state, &headers).await {
        Err(r) => r,
        Ok(Some(s)) if s.purpose == SessionPurpose::SignedIn => render(StatusCode::OK, MePage { csrf: &s.csrf_token }),
        Ok(Some(_)) => redirect(Route::ChangePassword, vec![]),
        Ok(None) => redirect(Route::Signin, vec![]),
    }
}

#[derive(Deserialize)]
struct SignoutForm {
    csrf: String,
}

async fn signout(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<SignoutForm>) -> Response {
    if let Ok(Some(s)) = current_session(&state, &headers).await
        && constant_time_eq(&s.csrf_token, &form.csrf)
    {
        let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
        if let Err(e) = state.services.signout(&token).await {
            return failure(e);
        }
    }
    redirect(Route::Signin, vec![http_only_cookie(&state, SESSION_COOKIE, "", 0)])
}
