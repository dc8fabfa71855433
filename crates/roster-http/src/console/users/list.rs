//! The Users page: a customer's users with filters, sorting and paging, the ticks
//! of the selection, and the Export buttons.

use crate::console::Localized;
use crate::console::PageQuery;
use crate::console::customers::{customer_chrome, list_href};
use crate::console::views::{Chrome, Pager};
use crate::console::{Console, ConsoleResult, OrPage, render};
use crate::files::FileFormat;
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::domain::UserRole;
use roster_core::model::{Customer, Subscription, User};
use roster_core::services::UserListParams;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsersQuery {
    state: Option<String>,
    search: Option<String>,
    /// One choice of the "Filter users by…" menu: `license:any`, `role:X`, …
    filter: Option<String>,
    usage_location: Option<String>,
    sort: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
    page: Option<i64>,
    /// `1` lists only the selection.
    selected: Option<String>,
    notice: Option<String>,
    n: Option<i64>,
}

impl UsersQuery {
    fn deleted(&self) -> bool {
        self.state.as_deref() == Some("deleted")
    }

    fn only_selected(&self) -> bool {
        self.selected.as_deref() == Some("1")
    }

    /// The query pairs that define the list, without cursor, page or notice.
    fn base(&self) -> Vec<(String, String)> {
        let mut pairs = vec![];
        let mut push = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k.to_owned(), v.to_owned()));
            }
        };
        push("state", &self.state);
        push("search", &self.search);
        push("filter", &self.filter);
        push("usageLocation", &self.usage_location);
        push("sort", &self.sort);
        push("selected", &self.selected);
        if let Some(l) = self.limit {
            pairs.push(("limit".into(), l.to_string()));
        }
        pairs
    }

    fn params(&self) -> UserListParams {
        let mut p = UserListParams {
            state: self.state.clone(),
            search: self.search.clone(),
            usage_location: self.usage_location.clone(),
            sort: self.sort.clone(),
            limit: Some(self.limit.unwrap_or(25)),
            cursor: self.cursor.clone(),
            ..Default::default()
        };
        match self.filter.as_deref().and_then(|f| f.split_once(':')) {
            Some(("license", v)) => p.license = Some(v.to_owned()),
            Some(("role", v)) => p.role = Some(v.to_owned()),
            Some(("signIn", v)) => p.sign_in = Some(v.to_owned()),
            _ => {}
        }
        p
    }

    /// A link to this list sorted by `key`, flipping the direction when it is
    /// already sorted that way.
    pub fn sort_href(&self, cid: &Uuid, key: &str) -> String {
        let next =
            if self.sort.as_deref().unwrap_or("displayName") == key { format!("-{key}") } else { key.to_owned() };
        let mut q = self.clone();
        q.sort = Some(next);
        list_href(&CustomerRoute::Users.at(cid), &q.base())
    }

    /// How a column is sorted now, for `aria-sort`.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        let sort = self.sort.as_deref().unwrap_or("displayName");
        if sort == key {
            "ascending"
        } else if sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    }

    pub fn filter_is(&self, value: &str) -> bool {
        self.filter.as_deref().unwrap_or("") == value
    }

    /// Whether the filter is `kind:value`.
    pub fn filter_is_pair(&self, kind: &str, value: &str) -> bool {
        self.filter.as_deref().and_then(|f| f.split_once(':')) == Some((kind, value))
    }

    pub fn limit_is(&self, value: &u32) -> bool {
        self.limit.unwrap_or(25) == *value
    }
}

/// A user as the list shows it.
pub(crate) struct UserRow {
    pub u: User,
    pub ticked: bool,
    pub licenses: String,
    pub roles: String,
    /// Whole days left to restore a deleted user.
    pub days_left: i64,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    c: Chrome,
    customer: Customer,
    q: UsersQuery,
    rows: Vec<UserRow>,
    pager: Pager,
    selected: usize,
    deleted_count: i64,
    products: Vec<Subscription>,
    roles: Vec<&'static str>,
    back: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    PageQuery(q): PageQuery<UsersQuery>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let c = c.with_notice(super::notice(console.lang, q.notice.as_deref(), q.n));
    let agent = console.agent();
    let selection = state.services.selection(&console.session, cid).await.or_page(&console)?;
    let limit = q.limit.unwrap_or(25).clamp(1, roster_core::paging::MAX_LIMIT);
    let path = CustomerRoute::Users.at(cid);
    let (users, pager) = if q.only_selected() {
        // The selection is paged by position; it is at most MAX_SELECTION ids.
        let total = selection.len() as i64;
        let pages = ((total + i64::from(limit) - 1) / i64::from(limit)).max(1);
        let number = q.page.unwrap_or(1).clamp(1, pages);
        let start = usize::try_from((number - 1) * i64::from(limit)).unwrap_or(0);
        let ids: Vec<Uuid> = selection.iter().skip(start).take(limit as usize).copied().collect();
        let mut users = state.services.users_by_ids(agent, cid, &ids).await.or_page(&console)?;
        users.sort_by_key(|u| roster_core::paging::display_name_key(&u.display_name));
        let link = |n: i64| {
            let mut pairs = q.base();
            pairs.push(("page".into(), n.to_string()));
            list_href(&path, &pairs)
        };
        let pager = Pager {
            first: (number > 1).then(|| link(1)),
            prev: (number > 1).then(|| link(number - 1)),
            next: (number < pages).then(|| link(number + 1)),
            last: (number < pages).then(|| link(pages)),
            page: number,
            pages,
            total,
        };
        (users, pager)
    } else {
        let query = q.params().parse().or_back(&console, &path)?;
        let page = state.services.list_users(agent, cid, &query).await.or_page(&console)?;
        let pager = Pager::new(&path, &q.base(), &page, q.page, limit);
        (page.items, pager)
    };
    let now = state.services.now();
    let catalog = state.services.catalog().await.or_page(&console)?;
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            ticked: selection.binary_search(&u.id).is_ok(),
            licenses: u
                .licenses
                .iter()
                .map(|l| crate::console::license_words::product_name(&catalog, &l.product_id))
                .collect::<Vec<_>>()
                .join(", "),
            roles: u
                .roles
                .roles()
                .iter()
                .map(|r| console.lang.t(&format!("role-{}", r.as_str())))
                .collect::<Vec<_>>()
                .join(", "),
            days_left: u.purge_at.map(|p| ((p - now).whole_seconds() + 86_399).div_euclid(86_400).max(0)).unwrap_or(0),
            u,
        })
        .collect();
    let products = state.services.subscriptions(agent, cid).await.or_page(&console)?;
    let mut back_pairs = q.base();
    if let Some(cursor) = &q.cursor {
        back_pairs.push(("cursor".into(), cursor.clone()));
    }
    back_pairs.push(("page".into(), pager.page.to_string()));
    Ok(render(
        StatusCode::OK,
        UsersPage {
            c,
            deleted_count: customer.deleted_users,
            customer,
            q,
            rows,
            pager,
            selected: selection.len(),
            products,
            roles: UserRole::ALL.iter().map(|r| r.as_str()).collect(),
            back: list_href(&path, &back_pairs),
        },
    ))
}

#[derive(Deserialize)]
pub(super) struct ExportQuery {
    format: Option<String>,
}

/// The Export buttons: the customer's users in the UI language; any format but
/// XLSX is CSV.
pub(super) async fn export(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    PageQuery(q): PageQuery<ExportQuery>,
) -> ConsoleResult {
    let format = q.format.as_deref().and_then(FileFormat::parse).unwrap_or(FileFormat::Csv);
    crate::files::users_file(&state, console.agent().clone(), cid, format, console.lang).await.or_page(&console)
}
