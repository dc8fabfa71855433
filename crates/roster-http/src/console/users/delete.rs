//! Delete: the selected active users, confirmed first; they can be restored
//! for the retention period.

use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, render, see_other};
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::model::{Customer, User, UserState};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "console/delete.html")]
struct DeletePage {
    c: Chrome,
    customer: Customer,
    users: Vec<User>,
    retention_days: i64,
}

async fn selected_active(state: &AppState, console: &Console, cid: Uuid) -> ConsoleResult<Vec<User>> {
    let ids = state.services.selection(&console.session, cid).await.or_page(console)?;
    let users = state.services.users_by_ids(console.agent(), cid, &ids).await.or_page(console)?;
    Ok(users.into_iter().filter(|u| u.state == UserState::Active).collect())
}

pub(super) async fn delete_confirm(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
) -> ConsoleResult {
    let users = selected_active(&state, &console, cid).await?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let retention_days = state.services.policy.retention.whole_days();
    Ok(render(StatusCode::OK, DeletePage { c, customer, users, retention_days }))
}

pub(super) async fn delete_submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let chosen = form.ids("user");
    let selected = selected_active(&state, &console, cid).await?;
    let list = CustomerRoute::Users.at(cid);
    let mut deleted = vec![];
    for u in selected.iter().filter(|u| chosen.contains(&u.id)) {
        state.services.delete_user(console.agent(), cid, u.id).await.or_back(&console, &list)?;
        deleted.push(u.id);
    }
    state.services.change_selection(&console.session, cid, &deleted, &[]).await.or_page(&console)?;
    Ok(see_other(&format!("{list}?state=deleted&notice=notice-deleted&n={}", deleted.len())))
}
