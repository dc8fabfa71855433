//! Restore: the selected deleted users, with what became of each one's licenses.

use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, OrPage, reason, render, see_other};
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::http::StatusCode;
use roster_core::model::{Customer, RestoreOutcome, User, UserState};
use roster_core::services::ConsoleResultView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kind of result the restore page shows.
pub(crate) const KIND: &str = "restore";

/// A restore's result for one user, as the result page shows it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RestoreRow {
    pub name: String,
    pub restored: bool,
    pub reason: Option<String>,
    pub restored_licenses: Vec<String>,
    /// Licenses that did not come back: (product, reason in words).
    pub unrestored: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/restore.html")]
struct RestorePage {
    c: Chrome,
    customer: Customer,
    rows: Vec<RestoreRow>,
}

/// Restores the selection's deleted users, then sends the browser to the
/// result; the Restore button of the Deleted users tab leads here through the
/// selection. The selection is cleared, as Delete clears it.
pub(super) async fn restore(state: &AppState, console: &Console, cid: Uuid) -> ConsoleResult {
    let ids = state.services.selection(&console.session, cid).await.or_page(console)?;
    restore_ids(state, console, cid, &ids).await
}

/// Restores the deleted users among `ids` and sends the browser to the result.
pub(super) async fn restore_ids(state: &AppState, console: &Console, cid: Uuid, ids: &[Uuid]) -> ConsoleResult {
    let users = state.services.users_by_ids(console.agent(), cid, ids).await.or_page(console)?;
    let deleted: Vec<&User> = users.iter().filter(|u| u.state == UserState::Deleted).collect();
    let back = format!("{}?state=deleted", CustomerRoute::Users.at(cid));
    if deleted.is_empty() {
        return Ok(see_other(&format!("{back}&notice=notice-nothing-to-restore")));
    }
    let deleted_ids: Vec<Uuid> = deleted.iter().map(|u| u.id).collect();
    let outcomes: Vec<RestoreOutcome> =
        state.services.restore_users(console.agent(), cid, &deleted_ids).await.or_back(console, back)?;
    state.services.change_selection(&console.session, cid, &deleted_ids, &[]).await.or_page(console)?;
    let lang = console.lang;
    let catalog = state.services.catalog().await.or_page(console)?;
    let product = |p: &str| crate::console::license_words::product_name(&catalog, p);
    let rows = outcomes
        .into_iter()
        .map(|o| {
            let name = deleted
                .iter()
                .find(|u| u.id == o.user_id)
                .map(|u| format!("{} ({})", u.display_name, u.user_principal_name))
                .unwrap_or_default();
            RestoreRow {
                name,
                restored: o.result.is_ok(),
                reason: o.result.err().map(|f| reason(lang, f.code())),
                restored_licenses: o.restored_licenses.iter().map(|p| product(p)).collect(),
                unrestored: o.unrestored_licenses.iter().map(|(p, code)| (product(p), reason(lang, code))).collect(),
            }
        })
        .collect::<Vec<_>>();
    let body = serde_json::json!(rows);
    let id = state.services.keep_console_result(&console.session, cid, KIND, &body, None).await.or_page(console)?;
    Ok(see_other(&ItemRoute::Result.at(cid, id)))
}

/// The result page of a restore.
pub(crate) async fn show(state: &AppState, console: &Console, cid: Uuid, view: ConsoleResultView) -> ConsoleResult {
    let rows: Vec<RestoreRow> = serde_json::from_value(view.body).unwrap_or_default();
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    Ok(render(StatusCode::OK, RestorePage { c, customer, rows }))
}
