//! Manage licenses for the selected users: a tri-state box per product, the
//! selected users as chips, who holds what, Buy more in place, service plans,
//! Preview (a dry run) and Save, leading to "Licenses updated".

use super::customers::customer_chrome;
use super::views::Chrome;
use super::{Console, ConsoleResult, FormData, OrPage, encode_query, render, see_other};
use crate::console::Localized;
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use roster_core::model::{Customer, LicenseResultStatus, User, UserState};
use roster_core::services::{ConsoleResultView, LicenseInput, LicenseUpdateInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CustomerRoute::Licenses.pattern(), get(manage).post(submit))
        .route(CustomerRoute::BuyLicenses.pattern(), post(buy_more))
}

/// A product row of the page.
pub(crate) struct ProductRow {
    pub id: String,
    pub name: String,
    pub subscription_id: Uuid,
    pub total: i64,
    pub assigned: i64,
    pub available: i64,
    /// `all`, `some` or `none` of the selected users hold it.
    pub held: &'static str,
    pub holders: Vec<String>,
    /// What the form asks for it: `keep`, `assign` or `remove`.
    pub op: String,
    pub plans: Vec<PlanRow>,
}

/// A service plan of a product row: its state among the selected holders, and
/// what the form asks for it.
pub(crate) struct PlanRow {
    pub id: String,
    pub name: String,
    /// `all` (on for every holder, or nobody holds the product), `some` (mixed) or
    /// `none` (off for every holder).
    pub held: &'static str,
    /// 0 leave as each user has it, 1 turn on, 2 turn off.
    pub choice: usize,
}

/// A selected user's chip.
pub(crate) struct Chip {
    pub label: String,
    pub title: String,
}

/// Chips shown before the rest collapse to "+N more".
const CHIPS_SHOWN: usize = 20;

/// The plan choices of `product` in a form: `plan_PRODUCT` = `PLAN:on` or `PLAN:off`
/// (`PLAN:keep` leaves it). Turned on, turned off.
fn plan_choices(form: &FormData, product: &str) -> (Vec<String>, Vec<String>) {
    let (mut on, mut off) = (vec![], vec![]);
    for value in form.all(&format!("plan_{product}")) {
        match value.rsplit_once(':') {
            Some((plan, "on")) => on.push(plan.to_owned()),
            Some((plan, "off")) => off.push(plan.to_owned()),
            _ => {}
        }
    }
    (on, off)
}

/// Orders users as the users list is sorted (`sort` as its query says).
fn sort_users(users: &mut [User], sort: Option<&str>) {
    let sort = sort.filter(|s| !s.is_empty()).unwrap_or("displayName");
    let (key, descending) = match sort.strip_prefix('-') {
        Some(key) => (key, true),
        None => (sort, false),
    };
    users.sort_by(|a, b| {
        let order = match key {
            "userPrincipalName" => {
                a.user_principal_name.to_lowercase().cmp(&b.user_principal_name.to_lowercase()).then(a.id.cmp(&b.id))
            }
            "createdAt" => a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)),
            _ => fold(&a.display_name).cmp(&fold(&b.display_name)).then(a.id.cmp(&b.id)),
        };
        if descending { order.reverse() } else { order }
    });
}

/// A display name as the list sorts it: case and accents aside, ties by id, as
/// the store's keyset pages do.
fn fold(name: &str) -> String {
    roster_core::paging::display_name_key(name)
}

/// The chips of `users`, in their order; a display name two users share shows
/// the username too.
fn chips(users: &[User]) -> Vec<Chip> {
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    for u in users {
        *seen.entry(u.display_name.as_str()).or_default() += 1;
    }
    users
        .iter()
        .map(|u| Chip {
            label: if seen.get(u.display_name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{} ({})", u.display_name, u.user_principal_name)
            } else {
                u.display_name.clone()
            },
            title: u.user_principal_name.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/licenses.html")]
struct ManagePage {
    c: Chrome,
    customer: Customer,
    users: Vec<User>,
    chips: Vec<Chip>,
    more_chips: Vec<Chip>,
    /// The users list's sort, which the chips follow.
    sort: String,
    products: Vec<ProductRow>,
    atomic: bool,
}

async fn selected_users(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    sort: Option<&str>,
) -> ConsoleResult<Vec<User>> {
    let ids = state.services.selection(&console.session, cid).await.or_page(console)?;
    let mut users: Vec<User> = state
        .services
        .users_by_ids(console.agent(), cid, &ids)
        .await
        .or_page(console)?
        .into_iter()
        .filter(|u| u.state == UserState::Active)
        .collect();
    // Chips follow the users list's current order.
    sort_users(&mut users, sort);
    Ok(users)
}

async fn manage_page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    form: Option<&FormData>,
    status: StatusCode,
    notice: Option<String>,
) -> ConsoleResult {
    let sort = form.and_then(|f| f.get("sort")).unwrap_or_default().to_owned();
    let users = selected_users(state, console, cid, Some(&sort)).await?;
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let c = c.with_notice(notice);
    if users.is_empty() {
        let back = Some(CustomerRoute::Users.at(cid));
        return Err(console.refusal(StatusCode::BAD_REQUEST, "licenses-title", "select-users-first", back));
    }
    let subs = state.services.subscriptions(console.agent(), cid).await.or_page(console)?;
    let catalog = state.services.catalog().await.or_page(console)?;
    let products = subs
        .into_iter()
        .map(|s| {
            let holders: Vec<String> = users
                .iter()
                .filter(|u| u.licenses.iter().any(|l| l.product_id == s.product_id))
                .map(|u| u.display_name.clone())
                .collect();
            let held = match holders.len() {
                0 => "none",
                n if n == users.len() => "all",
                _ => "some",
            };
            let op = form.and_then(|f| f.get(&format!("op_{}", s.product_id))).unwrap_or("keep").to_owned();
            let (on, off) = form.map(|f| plan_choices(f, &s.product_id)).unwrap_or_default();
            let held_plans: Vec<&Vec<String>> = users
                .iter()
                .filter_map(|u| u.licenses.iter().find(|l| l.product_id == s.product_id))
                .map(|l| &l.disabled_service_plans)
                .collect();
            let plans = roster_core::domain::ProductId::parse(&s.product_id)
                .ok()
                .and_then(|id| catalog.get(&id))
                .map(|p| {
                    p.service_plans
                        .iter()
                        .map(|sp| {
                            let off_for = held_plans.iter().filter(|d| d.contains(&sp.id)).count();
                            PlanRow {
                                id: sp.id.clone(),
                                name: sp.name.clone(),
                                held: match off_for {
                                    0 => "all",
                                    n if n == held_plans.len() => "none",
                                    _ => "some",
                                },
                                choice: if on.contains(&sp.id) {
                                    1
                                } else if off.contains(&sp.id) {
                                    2
                                } else {
                                    0
                                },
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            ProductRow {
                id: s.product_id.clone(),
                name: s.product_name.clone(),
                subscription_id: s.id,
                total: s.quantity,
                assigned: s.assigned,
                available: s.available(),
                held,
                holders,
                op,
                plans,
            }
        })
        .collect();
    let atomic = form.is_some_and(|f| f.get("mode") == Some("atomic"));
    let mut chips = chips(&users);
    let more_chips = chips.split_off(chips.len().min(CHIPS_SHOWN));
    Ok(render(status, ManagePage { c, customer, users, chips, more_chips, sort, products, atomic }))
}

/// The page; after Buy more, with the choices already made (`op_`, `plan_` and
/// `mode` in the query) and a notice; `sort` is the users list's.
async fn manage(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> ConsoleResult {
    let pairs: Vec<(String, String)> =
        query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let notice =
        super::users::notice(console.lang, pairs.iter().find(|(k, _)| k == "notice").map(|(_, v)| v.as_str()), None);
    let choices = FormData(pairs);
    manage_page(&state, &console, cid, Some(&choices), StatusCode::OK, notice).await
}

/// Buys more seats of a product from the page, in one atomic increment (two
/// agents buying at once both count), then sends the agent back to the page
/// with the choices already made.
async fn buy_more(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let back = CustomerRoute::Licenses.at(cid);
    let sid: Uuid = form
        .get("buy")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| console.error_back(&back, roster_core::Error::validation("buy", "names no subscription")))?;
    let more: i64 =
        form.get(&format!("more_{sid}")).and_then(|m| m.trim().parse().ok()).filter(|m| *m > 0).ok_or_else(|| {
            console.error_back(&back, roster_core::Error::validation("quantity", "must be a whole number above 0"))
        })?;
    state.services.add_seats(console.agent(), cid, sid, more, None).await.or_back(&console, &back)?;
    let mut choices: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k.starts_with("op_") || k.starts_with("plan_") || k == "mode" || k == "sort")
        .cloned()
        .collect();
    choices.push(("notice".into(), "notice-quantity-changed".into()));
    Ok(see_other(&format!("{back}?{}", encode_query(&choices))))
}

/// The kind of result "Licenses updated" (and its preview) shows.
pub(crate) const KIND: &str = "licenses";

/// One user's line on "Licenses updated", products by name.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ResultRow {
    pub name: String,
    /// `succeeded`, `failed`, `unchanged`, or `not-applied` for a user who would
    /// have succeeded in an all-or-nothing update that applied nothing.
    pub status: String,
    pub assigned: Vec<String>,
    /// Products the user kept, with service plans changed.
    pub plans_changed: Vec<String>,
    pub removed: Vec<String>,
    /// Products asked for that the user already had as asked.
    pub unchanged: Vec<String>,
    /// A failed user's products that were not applied because another failed.
    pub not_applied: Vec<String>,
    /// (product or empty, reason in words)
    pub errors: Vec<(String, String)>,
    /// The user's page, when a product needs a usage location the user lacks.
    #[serde(default)]
    pub location_link: Option<String>,
}

/// What "Licenses updated" shows, kept as the session's result.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Updated {
    dry_run: bool,
    applied: bool,
    atomic: bool,
    /// All or nothing, and nothing applied.
    held_back: bool,
    rows: Vec<ResultRow>,
    succeeded: usize,
    failed: usize,
    unchanged: usize,
    /// The choices, carried to Save from a preview: (name, value).
    fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/licenses_updated.html")]
struct UpdatedPage {
    c: Chrome,
    customer: Customer,
    u: Updated,
}

async fn submit(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let users = selected_users(&state, &console, cid, form.get("sort")).await?;
    let mut input = LicenseUpdateInput {
        user_ids: users.iter().map(|u| u.id).collect(),
        mode: Some(if form.get("mode") == Some("atomic") { "atomic" } else { "partial" }.to_owned()),
        dry_run: form.has("preview"),
        ..Default::default()
    };
    let mut fields = vec![];
    for (product, op) in form.with_prefix("op_") {
        fields.push((format!("op_{product}"), op.to_owned()));
        // Only the plans the admin touched change; the others stay as each user has them.
        let (on, off) = plan_choices(&form, product);
        for (plans, what) in [(&on, "on"), (&off, "off")] {
            fields.extend(plans.iter().map(|plan| (format!("plan_{product}"), format!("{plan}:{what}"))));
        }
        let touched = !on.is_empty() || !off.is_empty();
        let license = |holders_only| LicenseInput {
            product_id: product.to_owned(),
            disabled_service_plans: None,
            enable_service_plans: on.clone(),
            disable_service_plans: off.clone(),
            holders_only,
        };
        match op {
            "assign" => input.assign.push(license(false)),
            "remove" => input.remove.push(product.to_owned()),
            _ if touched => input.assign.push(license(true)),
            _ => {}
        }
    }
    if let Some(sort) = form.get("sort") {
        fields.push(("sort".into(), sort.to_owned()));
    }
    if let Some(mode) = form.get("mode") {
        fields.push(("mode".into(), mode.to_owned()));
    }
    if input.assign.is_empty() && input.remove.is_empty() {
        let notice = console.lang.t("licenses-nothing-chosen");
        return manage_page(&state, &console, cid, Some(&form), StatusCode::BAD_REQUEST, Some(notice)).await;
    }
    let outcome = state
        .services
        .update_licenses(console.agent(), cid, &input)
        .await
        .or_back(&console, CustomerRoute::Licenses.at(cid))?;
    let lang = console.lang;
    let catalog = state.services.catalog().await.or_page(&console)?;
    let names = |ids: &[String]| super::license_words::product_names(&catalog, ids);
    let atomic = input.mode.as_deref() == Some("atomic");
    // All or nothing, and nothing applied: no row may say it succeeded.
    let held_back = atomic && !outcome.applied && !outcome.dry_run;
    let count = |s: LicenseResultStatus| outcome.results.iter().filter(|r| r.status == s).count();
    // Of the products assigned to a user, those new to it, and those it held
    // already (only their service plans changed).
    let split = |user_id: Uuid, assigned: &[String]| -> (Vec<String>, Vec<String>) {
        let held = users.iter().find(|u| u.id == user_id).map(|u| &u.licenses[..]).unwrap_or_default();
        assigned.iter().cloned().partition(|p| !held.iter().any(|l| &l.product_id == p))
    };
    let (succeeded, failed, unchanged) = (
        count(LicenseResultStatus::Succeeded),
        count(LicenseResultStatus::Failed),
        count(LicenseResultStatus::Unchanged),
    );
    let rows: Vec<ResultRow> = outcome
        .results
        .iter()
        .map(|r| ResultRow {
            name: users
                .iter()
                .find(|u| u.id == r.user_id)
                .map(|u| format!("{} ({})", u.display_name, u.user_principal_name))
                .unwrap_or_else(|| r.user_id.to_string()),
            status: if held_back && r.status == LicenseResultStatus::Succeeded {
                "not-applied"
            } else {
                r.status.as_str()
            }
            .to_owned(),
            assigned: names(&split(r.user_id, &r.assigned).0),
            plans_changed: names(&split(r.user_id, &r.assigned).1),
            removed: names(&r.removed),
            unchanged: names(&r.unchanged),
            not_applied: names(&r.not_applied),
            errors: r.errors.iter().map(|e| super::license_words::failure_words(lang, &catalog, e)).collect(),
            location_link: r
                .errors
                .iter()
                .any(|e| e.code == "usage_location_required")
                .then(|| ItemRoute::User.at(cid, r.user_id)),
        })
        .collect();
    let updated = Updated {
        dry_run: outcome.dry_run,
        applied: outcome.applied,
        atomic,
        held_back,
        rows,
        succeeded,
        failed,
        unchanged,
        fields,
    };
    let body = serde_json::json!(updated);
    let id = state.services.keep_console_result(&console.session, cid, KIND, &body, None).await.or_page(&console)?;
    Ok(see_other(&ItemRoute::Result.at(cid, id)))
}

/// "Licenses updated", or the preview with Save, of a kept result.
pub(crate) async fn show_result(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    view: ConsoleResultView,
) -> ConsoleResult {
    let u: Updated = serde_json::from_value(view.body).unwrap_or_default();
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    Ok(render(StatusCode::OK, UpdatedPage { c, customer, u }))
}
