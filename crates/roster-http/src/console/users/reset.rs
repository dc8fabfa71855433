//! Reset password: for the one user named or selected, confirmed first; the new
//! temporary password is shown on the same confirmation page as Add user's.

use super::credentials::{Credential, keep_credentials};
use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, render};
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use roster_core::model::{Customer, User};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "console/reset.html")]
struct ResetPage {
    c: Chrome,
    customer: Customer,
    user: User,
}

#[derive(Deserialize)]
pub(super) struct UserParam {
    user: Option<Uuid>,
}

/// The user a single-user action is for: the one named, or the one selected.
async fn single_user(state: &AppState, console: &Console, cid: Uuid, named: Option<Uuid>) -> ConsoleResult<User> {
    let id = match named {
        Some(id) => id,
        None => {
            let selection = state.services.selection(&console.session, cid).await.or_page(console)?;
            match selection.as_slice() {
                [one] => *one,
                _ => {
                    let back = Some(CustomerRoute::Users.at(cid));
                    return Err(console.refusal(StatusCode::BAD_REQUEST, "reset-title", "select-exactly-one", back));
                }
            }
        }
    };
    state.services.user(console.agent(), cid, id).await.or_page(console)
}

pub(super) async fn reset_confirm(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(p): Query<UserParam>,
) -> ConsoleResult {
    let user = single_user(&state, &console, cid, p.user).await?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    Ok(render(StatusCode::OK, ResetPage { c, customer, user }))
}

pub(super) async fn reset_submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let id = form.get("user").and_then(|u| u.parse().ok());
    let user = single_user(&state, &console, cid, id).await?;
    let (password, _expires_at) = state
        .services
        .reset_password(console.agent(), cid, user.id)
        .await
        .or_back(&console, CustomerRoute::Users.at(cid))?;
    let credential = Credential {
        user_principal_name: user.user_principal_name,
        display_name: user.display_name,
        password: password.expose().to_owned(),
    };
    keep_credentials(&state, &console, cid, vec![credential], vec![]).await
}
