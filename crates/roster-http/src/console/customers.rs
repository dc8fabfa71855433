//! Customers: the list, a customer's menu and its subscriptions.

use super::views::{Chrome, Pager};
use super::{Console, ConsoleResult, FormData, Localized, OrPage, PageQuery, encode_query, render, see_other};
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use roster_core::model::{Customer, Subscription};
use roster_core::versions::{Expected, Version, Versioned};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Home.path(), get(customers))
        .route(Route::Customers.path(), get(customers))
        .route(CustomerRoute::Overview.pattern(), get(overview))
        .route(CustomerRoute::Subscriptions.pattern(), get(subscriptions).post(buy_subscription))
        .route(ItemRoute::Subscription.pattern(), post(change_quantity))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub search: Option<String>,
    pub cursor: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<u32>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage {
    c: Chrome,
    search: String,
    customers: Vec<Customer>,
    pager: Pager,
}

async fn customers(
    State(state): State<AppState>,
    console: Console,
    PageQuery(q): PageQuery<ListQuery>,
) -> ConsoleResult {
    let page = state
        .services
        .list_customers(console.agent(), q.search.as_deref(), q.limit.or(Some(25)), q.cursor.as_deref())
        .await
        .or_page(&console)?;
    let mut base = vec![];
    if let Some(s) = q.search.as_deref().filter(|s| !s.is_empty()) {
        base.push(("search".to_owned(), s.to_owned()));
    }
    let pager = Pager::new(Route::Customers.path(), &base, &page, q.page, q.limit.unwrap_or(25));
    Ok(render(
        StatusCode::OK,
        CustomersPage { c: console.chrome(), search: q.search.unwrap_or_default(), customers: page.items, pager },
    ))
}

pub(crate) async fn customer_chrome(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    section: &'static str,
) -> ConsoleResult<(Customer, Chrome)> {
    let customer = state.services.customer(console.agent(), cid).await.or_page(console)?;
    let chrome = console.chrome().with_nav(customer.id, &customer.company_name, section);
    Ok((customer, chrome))
}

#[derive(Template)]
#[template(path = "console/customer.html")]
struct CustomerPage {
    c: Chrome,
    customer: Customer,
    products: usize,
}

async fn overview(State(state): State<AppState>, console: Console, Path(cid): Path<Uuid>) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "").await?;
    let products = state.services.subscriptions(console.agent(), cid).await.or_page(&console)?.len();
    Ok(render(StatusCode::OK, CustomerPage { c, customer, products }))
}

/// A subscription as its row shows it, with the utilization bar's width.
pub(crate) struct SubscriptionRow {
    pub s: Subscription,
    pub available: i64,
    /// Assigned seats as a share of the quantity, 0 to 100.
    pub percent: i64,
    /// The version the page shows, which Set quantity is based on.
    pub version: String,
}

impl SubscriptionRow {
    pub fn new(s: Subscription) -> Self {
        let available = s.available();
        let percent = if s.quantity > 0 { (s.assigned * 100 / s.quantity).clamp(0, 100) } else { 0 };
        let version = s.version().to_string();
        Self { s, available, percent, version }
    }
}

#[derive(Template)]
#[template(path = "console/subscriptions.html")]
struct SubscriptionsPage {
    c: Chrome,
    customer: Customer,
    rows: Vec<SubscriptionRow>,
    /// Catalog products the customer does not own yet: (id, name).
    buyable: Vec<(String, String)>,
}

async fn subscriptions(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    PageQuery(q): PageQuery<ListQuery>,
) -> ConsoleResult {
    let notice = super::users::notice(console.lang, q.notice.as_deref(), None);
    subscriptions_page(&state, &console, cid, StatusCode::OK, notice).await
}

/// The subscriptions as they are now, with a notice.
async fn subscriptions_page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    status: StatusCode,
    notice: Option<String>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "subscriptions").await?;
    let subs = state.services.subscriptions(console.agent(), cid).await.or_page(console)?;
    let catalog = state.services.catalog().await.or_page(console)?;
    let buyable = catalog
        .products()
        .filter(|p| !subs.iter().any(|s| s.product_id == p.id.as_ref()))
        .map(|p| (p.id.as_ref().to_owned(), p.name.clone()))
        .collect();
    let c = c.with_notice(notice);
    let rows = subs.into_iter().map(SubscriptionRow::new).collect();
    Ok(render(status, SubscriptionsPage { c, customer, rows, buyable }))
}

fn parse_quantity(console: &Console, field: &str, value: Option<&str>) -> ConsoleResult<i64> {
    value
        .map(str::trim)
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| console.error(roster_core::Error::validation(field, "must be a whole number")))
}

async fn buy_subscription(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let quantity = parse_quantity(&console, "quantity", form.get("quantity"))?;
    let back = CustomerRoute::Subscriptions.at(cid);
    state
        .services
        .buy_subscription(console.agent(), cid, form.get("product").unwrap_or_default(), quantity)
        .await
        .or_back(&console, &back)?;
    Ok(see_other(&format!("{back}?notice=notice-subscription-bought")))
}

/// Buy more (`add`): that many seats more, in one atomic increment, so two
/// agents buying at once both count. Set quantity (`quantity`): the quantity
/// given, only while the subscription is still at the version the page showed
/// (`version`); if it changed meanwhile, nothing is saved and the page comes
/// back as it is now, saying so.
async fn change_quantity(
    State(state): State<AppState>,
    console: Console,
    Path((cid, sid)): Path<(Uuid, Uuid)>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let back = CustomerRoute::Subscriptions.at(cid);
    let services = &state.services;
    if form.get("add").is_some_and(|v| !v.trim().is_empty()) {
        let add = parse_quantity(&console, "add", form.get("add"))?;
        services.add_seats(console.agent(), cid, sid, add, None).await.or_back(&console, &back)?;
        return Ok(see_other(&format!("{back}?notice=notice-quantity-changed")));
    }
    let quantity = parse_quantity(&console, "quantity", form.get("quantity"))?;
    // A form without a version (an older page) sets the quantity unchecked, as before.
    let expected = form.get("version").map(|v| Expected::new(Version::parse(v.trim()).into_iter().collect()));
    match services.set_subscription_quantity_if(console.agent(), cid, sid, quantity, expected.as_ref()).await {
        Ok(_) => Ok(see_other(&format!("{back}?notice=notice-quantity-changed"))),
        Err(roster_core::Error::PreconditionFailed) => {
            let notice = Some(console.lang.t("code-precondition_failed"));
            subscriptions_page(&state, &console, cid, StatusCode::PRECONDITION_FAILED, notice).await
        }
        Err(e) => Err(console.error_back(&back, e)),
    }
}

/// A link to a list page with these query pairs.
pub(crate) fn list_href(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() { path.to_owned() } else { format!("{path}?{}", encode_query(pairs)) }
}
