//! Users and licenses: the list with its filters, sorting, paging and a selection
//! that survives paging; adding users with the one-time confirmation page;
//! resetting passwords; blocking; deleting and restoring.

use super::customers::{customer_chrome, list_href};
use super::i18n::{Arg, Lang};
use super::views::{Chrome, Pager};
use super::{Console, ConsoleResult, FormData, OrPage, error_text, reason, render, see_other};
use crate::files::FileFormat;
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use roster_core::domain::{AgentRole, UserRole};
use roster_core::model::{Customer, RestoreOutcome, Subscription, User, UserState};
use roster_core::service::{LicenseInput, NewUserInput, UserListParams, UserPatchInput};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CustomerRoute::Users.pattern(), get(list))
        .route(CustomerRoute::Selection.pattern(), post(selection))
        .route(CustomerRoute::AddUsers.pattern(), get(add_form).post(add_submit))
        .route(CustomerRoute::Credentials.pattern(), post(credentials))
        .route(CustomerRoute::Reset.pattern(), get(reset_confirm).post(reset_submit))
        .route(CustomerRoute::Delete.pattern(), get(delete_confirm).post(delete_submit))
        .route(CustomerRoute::Export.pattern(), get(export))
}

/// The words of a `notice` named in a redirect; only `notice-` messages are shown.
pub(crate) fn notice(lang: Lang, key: Option<&str>, count: Option<i64>) -> Option<String> {
    let key = key.filter(|k| k.starts_with("notice-") && k.len() < 60)?;
    let text = lang.ta(key, &[("count", Arg::Num(count.unwrap_or(0)))]);
    (text != key).then_some(text)
}

// ---- list ----

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

async fn list(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(q): Query<UsersQuery>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let c = c.with_notice(notice(console.lang, q.notice.as_deref(), q.n));
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
        users.sort_by_key(|u| u.display_name.to_lowercase());
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
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            ticked: selection.binary_search(&u.id).is_ok(),
            licenses: u.licenses.iter().map(|l| l.product_id.as_str()).collect::<Vec<_>>().join(", "),
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
struct ExportQuery {
    format: Option<String>,
}

/// The Export buttons: the customer's users in the UI language; any format but
/// XLSX is CSV.
async fn export(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> ConsoleResult {
    let format = q.format.as_deref().and_then(FileFormat::parse).unwrap_or(FileFormat::Csv);
    crate::files::users_file(&state, console.agent().clone(), cid, format, console.lang.file_language())
        .await
        .or_page(&console)
}

// ---- selection ----

/// Saves the ticks of one page, then goes where the pressed button says: another
/// page of the list, or an action on the whole selection.
async fn selection(
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
        "licenses" => Ok(see_other(&CustomerRoute::Licenses.at(cid))),
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
        "restore" => restore(&state, &console, cid).await,
        _ => Ok(see_other(&back)),
    }
}

// ---- add ----

/// One user of the Add user form, as typed.
#[derive(Debug, Default, Clone)]
pub(crate) struct UserDraft {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub user_name: String,
    pub domain: String,
    pub usage_location: String,
    pub roles: Vec<String>,
    pub licenses: Vec<String>,
    pub error: Option<String>,
}

impl UserDraft {
    pub fn has_role(&self, role: &&str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    pub fn has_license(&self, product: &str) -> bool {
        self.licenses.iter().any(|l| l == product)
    }
}

#[derive(Template)]
#[template(path = "console/add_users.html")]
struct AddUsersPage {
    c: Chrome,
    customer: Customer,
    drafts: Vec<UserDraft>,
    products: Vec<Subscription>,
    roles: Vec<&'static str>,
}

async fn add_page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    drafts: Vec<UserDraft>,
    status: StatusCode,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let products = state.services.subscriptions(console.agent(), cid).await.or_page(console)?;
    let drafts = if drafts.is_empty() {
        vec![UserDraft {
            domain: customer.domains.first().cloned().unwrap_or_default(),
            usage_location: customer.country.clone(),
            ..Default::default()
        }]
    } else {
        drafts
    };
    Ok(render(
        status,
        AddUsersPage { c, customer, drafts, products, roles: UserRole::ALL.iter().map(|r| r.as_str()).collect() },
    ))
}

async fn add_form(State(state): State<AppState>, console: Console, Path(cid): Path<Uuid>) -> ConsoleResult {
    add_page(&state, &console, cid, vec![], StatusCode::OK).await
}

fn drafts_from(form: &FormData) -> Vec<UserDraft> {
    let count: usize = form.get("count").and_then(|c| c.parse().ok()).unwrap_or(1).clamp(1, 50);
    (0..count)
        .map(|i| {
            let field = |name: &str| form.get(&format!("{name}_{i}")).unwrap_or_default().to_owned();
            UserDraft {
                first_name: field("first"),
                last_name: field("last"),
                display_name: field("display"),
                user_name: field("user"),
                domain: field("domain"),
                usage_location: field("location"),
                roles: form.all(&format!("roles_{i}")).map(str::to_owned).collect(),
                licenses: form.all(&format!("lic_{i}")).map(str::to_owned).collect(),
                error: None,
            }
        })
        .collect()
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

async fn add_submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let mut drafts = drafts_from(&form);
    if form.has("add_another") {
        let last = drafts.last().cloned().unwrap_or_default();
        drafts.push(UserDraft { domain: last.domain, usage_location: last.usage_location, ..Default::default() });
        return add_page(&state, &console, cid, drafts, StatusCode::OK).await;
    }
    if let Some(i) = form.get("remove").and_then(|i| i.parse::<usize>().ok()) {
        if i < drafts.len() && drafts.len() > 1 {
            drafts.remove(i);
        }
        return add_page(&state, &console, cid, drafts, StatusCode::OK).await;
    }
    let inputs: Vec<NewUserInput> = drafts
        .iter()
        .map(|d| NewUserInput {
            user_name: d.user_name.trim().to_owned(),
            domain: optional(&d.domain),
            first_name: optional(&d.first_name),
            last_name: optional(&d.last_name),
            display_name: d.display_name.trim().to_owned(),
            usage_location: optional(&d.usage_location),
            roles: d.roles.clone(),
            licenses: d
                .licenses
                .iter()
                .map(|p| LicenseInput { product_id: p.clone(), disabled_service_plans: vec![] })
                .collect(),
        })
        .collect();
    let agent = console.agent();
    let customer = state.services.customer(agent, cid).await.or_page(&console)?;
    // A form is saved whole or not at all: every user is checked first, and a
    // problem sends the form back with the words next to its user.
    let mut any_invalid = false;
    for (draft, input) in drafts.iter_mut().zip(&inputs) {
        if let Err(e) = state.services.parse_new_user(&customer, input, "") {
            draft.error = Some(error_text(console.lang, &e));
            any_invalid = true;
        }
    }
    if any_invalid {
        return add_page(&state, &console, cid, drafts, StatusCode::BAD_REQUEST).await;
    }
    let results =
        state.services.create_users(agent, cid, &inputs).await.or_back(&console, CustomerRoute::AddUsers.at(cid))?;
    let mut created = vec![];
    let mut refused = vec![];
    for (draft, result) in drafts.into_iter().zip(results) {
        match result {
            Ok(c) => created.push(Credential {
                user_principal_name: c.user.user_principal_name,
                display_name: c.user.display_name,
                password: c.temporary_password.expose().to_owned(),
            }),
            Err(e) => refused.push((format!("{}@{}", draft.user_name, draft.domain), e)),
        }
    }
    // When no user was made, the page answers as the API would for the first
    // refusal: 409 for seats that ran out, 400 for a broken license rule.
    let status = match refused.first() {
        Some((_, e)) if created.is_empty() => crate::errors::status(e),
        _ => StatusCode::OK,
    };
    let failed = refused.into_iter().map(|(name, e)| (name, error_text(console.lang, &e))).collect();
    credentials_page(&state, &console, cid, created, failed, None, status).await
}

// ---- credentials ----

/// A username with its temporary password, shown on the confirmation page only.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    pub user_principal_name: String,
    pub display_name: String,
    pub password: String,
}

impl Credential {
    /// (username, display name, password), as the credentials file lists them.
    pub fn row(&self) -> (&str, &str, &str) {
        (&self.user_principal_name, &self.display_name, &self.password)
    }
}

#[derive(Template)]
#[template(path = "console/credentials.html")]
struct CredentialsPage {
    c: Chrome,
    customer: Customer,
    credentials: Vec<Credential>,
    /// Users that were not created: (username, reason).
    failed: Vec<(String, String)>,
    can_email: bool,
}

/// The confirmation page. Passwords are not kept anywhere: the page carries them
/// in its own forms for Download and Email, and is never cached, so once the
/// agent leaves it they cannot be shown again.
pub(crate) async fn credentials_page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    credentials: Vec<Credential>,
    failed: Vec<(String, String)>,
    notice: Option<String>,
    status: StatusCode,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let c = c.with_notice(notice);
    let can_email = state.config.smtp.is_some();
    Ok(render(status, CredentialsPage { c, customer, credentials, failed, can_email }))
}

fn credentials_from(form: &FormData) -> Vec<Credential> {
    let names: Vec<&str> = form.all("upn").collect();
    let displays: Vec<&str> = form.all("display").collect();
    let passwords: Vec<&str> = form.all("password").collect();
    names
        .iter()
        .zip(&passwords)
        .enumerate()
        .map(|(i, (n, p))| Credential {
            user_principal_name: (*n).to_owned(),
            display_name: displays.get(i).copied().unwrap_or_default().to_owned(),
            password: (*p).to_owned(),
        })
        .collect()
}

/// Download CSV or Email, from the confirmation page's own fields.
async fn credentials(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    // Only agents who make temporary passwords (admins, and helpdesk by resets)
    // may send them on, and only for a customer of their partner: this is not a
    // mail relay for anything else a form might carry.
    if !matches!(console.agent().role, AgentRole::Admin | AgentRole::Helpdesk) {
        return Err(console.error(roster_core::Error::Forbidden));
    }
    state.services.customer(console.agent(), cid).await.or_page(&console)?;
    let creds = credentials_from(&form);
    if creds.is_empty() || creds.len() > 100_000 {
        return Err(console.error(roster_core::Error::validation("credentials", "none to send")));
    }
    match form.get("op") {
        Some("email") => {
            let to = form.get("email_to").unwrap_or_default().trim().to_owned();
            let Some(smtp) = state.config.smtp.as_ref() else {
                return Err(console.refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "email-title",
                    "email-not-configured",
                    None,
                ));
            };
            let lang = console.lang;
            let body = super::mail::credentials_text(lang, &creds);
            let csv = roster_core::export::credentials_csv(creds.iter().map(Credential::row));
            let result = super::mail::send(smtp, &to, &lang.t("email-subject"), body, csv).await;
            let notice = match result {
                Ok(()) => lang.ta("notice-email-sent", &[("to", Arg::Text(to))]),
                Err(e) => {
                    tracing::warn!(error = %e, "sending credentials by email failed");
                    lang.ta("email-failed", &[("reason", Arg::Text(e.to_string()))])
                }
            };
            credentials_page(&state, &console, cid, creds, vec![], Some(notice), StatusCode::OK).await
        }
        _ => Ok(crate::files::credentials_file(creds.iter().map(Credential::row), "temporary-passwords")),
    }
}

// ---- reset ----

#[derive(Template)]
#[template(path = "console/reset.html")]
struct ResetPage {
    c: Chrome,
    customer: Customer,
    user: User,
    /// Set once the password is made: (password, expiry).
    done: Option<(String, String)>,
}

#[derive(Deserialize)]
struct UserParam {
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

async fn reset_confirm(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(p): Query<UserParam>,
) -> ConsoleResult {
    let user = single_user(&state, &console, cid, p.user).await?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    Ok(render(StatusCode::OK, ResetPage { c, customer, user, done: None }))
}

async fn reset_submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let id = form.get("user").and_then(|u| u.parse().ok());
    let user = single_user(&state, &console, cid, id).await?;
    let (password, expires_at) = state
        .services
        .reset_password(console.agent(), cid, user.id)
        .await
        .or_back(&console, CustomerRoute::Users.at(cid))?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let done = Some((password.expose().to_owned(), console.lang.date_time(expires_at)));
    Ok(render(StatusCode::OK, ResetPage { c, customer, user, done }))
}

// ---- delete ----

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

async fn delete_confirm(State(state): State<AppState>, console: Console, Path(cid): Path<Uuid>) -> ConsoleResult {
    let users = selected_active(&state, &console, cid).await?;
    let (customer, c) = customer_chrome(&state, &console, cid, "users").await?;
    let retention_days = state.services.policy.retention.whole_days();
    Ok(render(StatusCode::OK, DeletePage { c, customer, users, retention_days }))
}

async fn delete_submit(
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

// ---- restore ----

/// A restore's result for one user, as the result page shows it.
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

/// Restores the selection's deleted users; the Restore button of the Deleted
/// users tab leads here through the selection.
async fn restore(state: &AppState, console: &Console, cid: Uuid) -> ConsoleResult {
    let ids = state.services.selection(&console.session, cid).await.or_page(console)?;
    let users = state.services.users_by_ids(console.agent(), cid, &ids).await.or_page(console)?;
    let deleted: Vec<&User> = users.iter().filter(|u| u.state == UserState::Deleted).collect();
    let back = format!("{}?state=deleted", CustomerRoute::Users.at(cid));
    if deleted.is_empty() {
        return Ok(see_other(&format!("{back}&notice=notice-nothing-to-restore")));
    }
    let deleted_ids: Vec<Uuid> = deleted.iter().map(|u| u.id).collect();
    let outcomes: Vec<RestoreOutcome> =
        state.services.restore_users(console.agent(), cid, &deleted_ids).await.or_back(console, back)?;
    let restored: Vec<Uuid> = outcomes.iter().filter(|o| o.result.is_ok()).map(|o| o.user_id).collect();
    state.services.change_selection(&console.session, cid, &restored, &[]).await.or_page(console)?;
    let lang = console.lang;
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
                restored_licenses: o.restored_licenses,
                unrestored: o.unrestored_licenses.into_iter().map(|(p, code)| (p, reason(lang, &code))).collect(),
            }
        })
        .collect();
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    Ok(render(StatusCode::OK, RestorePage { c, customer, rows }))
}
