//! The selection of the Users page: the ticks of each page are saved as the
//! agent pages on, and the buttons act on every selected user.

use crate::console::{Console, ConsoleResult, FormData, Localized, OrPage, see_other};
use crate::routes::CustomerRoute;
use crate::startup::AppState;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use roster_core::model::UserState;
use roster_core::services::UserPatchInput;
use uuid::Uuid;

/// Saves the ticks of one page, then goes where the pressed button says: another
/// page of the list, or an action on the whole selection.
pub(super) async fn selection(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let list = CustomerRoute::Users.at(cid);
    let back = form.get("back").filter(|b| b.starts_with(&list)).unwrap_or(&list).to_owned();
    let on_page = form.ids("on_page");
    let action = form.get("action").unwrap_or_default();
    let ticked = if action == "select_page" { on_page.clone() } else { form.ids("ticked") };
    let services = &state.services;
    if action == "clear" {
        services.clear_selection(&console.session, cid).await.or_page(&console)?;
    } else {
        services.change_selection(&console.session, cid, &on_page, &ticked).await.or_back(&console, &back)?;
    }
    if form.has("ajax") {
        let count = services.selection(&console.session, cid).await.or_page(&console)?.len();
        let text = console.lang.ta("selected-users", &[("count", count.into())]);
        return Ok(axum::Json(serde_json::json!({ "selected": count, "text": text })).into_response());
    }
    if let Some(go) = form.get("go").filter(|g| g.starts_with(&list)) {
        return Ok(see_other(go));
    }
    let with_notice = |key: &str, n: usize| {
        let sep = if back.contains('?') { '&' } else { '?' };
        format!("{back}{sep}notice={key}&n={n}")
    };
    match action {
        "licenses" => {
            // The chips on Manage licenses follow the list's current sort.
            let sort = back.split_once('?').and_then(|(_, q)| {
                form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "sort").map(|(_, v)| v.into_owned())
            });
            let to = CustomerRoute::Licenses.at(cid);
            Ok(see_other(&match sort {
                Some(sort) => format!("{to}?{}", crate::console::encode_query(&[("sort".to_owned(), sort)])),
                None => to,
            }))
        }
        "reset" => Ok(see_other(&CustomerRoute::Reset.at(cid))),
        "delete" => Ok(see_other(&CustomerRoute::Delete.at(cid))),
        "block" | "unblock" => {
            let ids = services.selection(&console.session, cid).await.or_page(&console)?;
            let users = services.users_by_ids(console.agent(), cid, &ids).await.or_page(&console)?;
            let patch = UserPatchInput { sign_in_blocked: Some(action == "block"), ..Default::default() };
            let mut changed = 0;
            for u in users.iter().filter(|u| u.state == UserState::Active) {
                services.update_user(console.agent(), cid, u.id, &patch).await.or_back(&console, &back)?;
                changed += 1;
            }
            let key = if action == "block" { "notice-blocked" } else { "notice-unblocked" };
            Ok(see_other(&with_notice(key, changed)))
        }
        "restore" => super::restore::restore(&state, &console, cid).await,
        _ => Ok(see_other(&back)),
    }
}
