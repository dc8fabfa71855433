//! Post/Redirect/Get: every console form that changes data keeps what it did as
//! a result of the agent's session and answers 303 See Other to this page, which
//! shows it by GET. A reload or Back shows the result again and never repeats
//! the change; another session's result id is not found.

use super::{Console, ConsoleResult, OrPage};
use crate::routes::ItemRoute;
use crate::startup::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route(ItemRoute::Result.pattern(), get(show))
}

#[derive(Debug, Deserialize)]
struct ResultQuery {
    /// Where Email sent the passwords of a credentials result.
    emailed: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    console: Console,
    Path((cid, rid)): Path<(Uuid, Uuid)>,
    Query(q): Query<ResultQuery>,
) -> ConsoleResult {
    let view = state.services.console_result(&console.session, cid, rid).await.or_page(&console)?;
    match view.kind.as_str() {
        super::users::CREDENTIALS => super::users::show_credentials(&state, &console, cid, rid, view, q.emailed).await,
        super::users::RESTORE => super::users::show_restore(&state, &console, cid, view).await,
        super::licenses::KIND => super::licenses::show_result(&state, &console, cid, view).await,
        _ => Err(console.error(roster_core::Error::NotFound)),
    }
}
