//! Reset password: for the user named, or every selected active user, confirmed
//! first; the new temporary passwords lead to the same confirmation page as
//! Add user's (CSV, Print, Email).

use super::credentials::{Credential, keep_credentials_titled};
use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, PageQuery, error_text, render};
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::model::{Customer, User, UserState};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "console/reset.html")]
struct ResetPage {
    c: Chrome,
    customer: Customer,
    users: Vec<User>,
}

#[derive(Deserialize)]
pub(super) struct UserParam {
    user: Option<Uuid>,
}

/// The users a reset is for: the one named, or the active users selected.
async fn chosen_users(state: &AppState, console: &Console, cid: Uuid, named: &[Uuid]) -> ConsoleResult<Vec<User>> {
    let ids = if named.is_empty() {
        state.services.selection(&console.session, cid).await.or_page(console)?
    } else {
        named.to_vec()
    };
    let users = state.services.users_by_ids(console.agent(), cid, &ids).await.or_page(console)?;
    let users: Vec<User> = users.into_iter().filter(|u| u.state == UserState::Active).collect();
    if users.is_empty() {
        let back = Some(CustomerRoute::Users.at(cid));
        return Err(console.refusal(StatusCode::BAD_REQUEST, "reset-title", "select-users-first", back));
    }
    Ok(users)
}

pub(super) async fn reset_confirm(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    PageQuery(p): PageQuery<UserParam>,
) -> ConsoleResult {
    let named: Vec<Uuid> = p.user.into_iter().collect();
    let users = chosen_users(&state, &console, cid, &named).await?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    Ok(render(StatusCode::OK, ResetPage { c, customer, users }))
}

/// Resets each user confirmed; one that cannot be reset (a helpdesk agent and
/// an admin user, say) is listed with the reason, the others still get theirs.
pub(super) async fn reset_submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let named = form.ids("user");
    let users = chosen_users(&state, &console, cid, &named).await?;
    let mut made = vec![];
    let mut failed = vec![];
    for user in users {
        match state.services.reset_password(console.agent(), cid, user.id).await {
            Ok((password, _)) => made.push(Credential {
                user_principal_name: user.user_principal_name,
                display_name: user.display_name,
                password: password.expose().to_owned(),
            }),
            Err(roster_core::Error::Internal(e)) => {
                return Err(console.error_back(CustomerRoute::Users.at(cid), roster_core::Error::Internal(e)));
            }
            Err(e) => failed.push((user.user_principal_name, error_text(console.lang, &e))),
        }
    }
    keep_credentials_titled(&state, &console, cid, "reset-done-title", made, failed).await
}
