//! Users and licenses, a module per page: the list with its filters, sorting,
//! paging and export; the selection that survives paging; adding users; the
//! confirmation page of their passwords; resetting passwords; deleting
//! and restoring.

mod add;
mod credentials;
mod delete;
mod list;
mod page;
mod reset;
mod restore;
mod selection;

pub(crate) use credentials::{Credential, KIND as CREDENTIALS, keep_credentials, show as show_credentials};
pub(crate) use page::{action_words, diff};
pub(crate) use restore::{KIND as RESTORE, show as show_restore};

use super::i18n::{Arg, Localized};
use crate::routes::{CustomerRoute, ItemRoute};
use crate::startup::AppState;
use axum::Router;
use axum::routing::{get, post};
use roster_core::domain::Language;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CustomerRoute::Users.pattern(), get(list::list))
        .route(CustomerRoute::Selection.pattern(), post(selection::selection))
        .route(CustomerRoute::AddUsers.pattern(), get(add::add_form).post(add::add_submit))
        .route(CustomerRoute::Credentials.pattern(), post(credentials::credentials))
        .route(CustomerRoute::Reset.pattern(), get(reset::reset_confirm).post(reset::reset_submit))
        .route(CustomerRoute::Delete.pattern(), get(delete::delete_confirm).post(delete::delete_submit))
        .route(CustomerRoute::Export.pattern(), get(list::export))
        .route(ItemRoute::User.pattern(), get(page::show).post(page::act))
}

/// The words of a `notice` named in a redirect; only `notice-` messages are shown.
pub(crate) fn notice(lang: Language, key: Option<&str>, count: Option<i64>) -> Option<String> {
    let key = key.filter(|k| k.starts_with("notice-") && k.len() < 60)?;
    let text = lang.ta(key, &[("count", Arg::Num(count.unwrap_or(0)))]);
    (text != key).then_some(text)
}
