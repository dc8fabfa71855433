//! A customer's activity log, read like a log: each action in words, the agent
//! by email, the users by name linked to their pages, and what changed field by
//! field; filters by action, agent, user and date; and a CSV export with the
//! same columns and the same filters.

use super::customers::{customer_chrome, list_href};
use super::views::{Chrome, Pager};
use super::{Console, ConsoleResult, Localized, OrPage, render};
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use roster_core::model::{AuditEvent, AuditFilter};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CustomerRoute::Activity.pattern(), get(activity))
        .route(CustomerRoute::ActivityCsv.pattern(), get(activity_csv))
}

/// The actions the log may hold, for the action filter.
const ACTIONS: [&str; 11] = [
    "user.created",
    "user.updated",
    "user.password_reset",
    "user.licenses_updated",
    "user.deleted",
    "user.restored",
    "user.purged",
    "customer.created",
    "subscription.created",
    "subscription.quantity_changed",
    "subscription.seats_added",
];

#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct ActivityQuery {
    cursor: Option<String>,
    page: Option<i64>,
    limit: Option<u32>,
    action: Option<String>,
    /// An agent's email.
    agent: Option<String>,
    /// A user's id.
    user: Option<String>,
    /// Days, `YYYY-MM-DD`, in UTC; `to` is included.
    from: Option<String>,
    to: Option<String>,
}

impl ActivityQuery {
    /// The filters as query pairs, for paging and the CSV link.
    fn base(&self) -> Vec<(String, String)> {
        let mut pairs = vec![];
        for (k, v) in [
            ("action", &self.action),
            ("agent", &self.agent),
            ("user", &self.user),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                pairs.push((k.to_owned(), v.trim().to_owned()));
            }
        }
        pairs
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        let v = match field {
            "action" => &self.action,
            "agent" => &self.agent,
            _ => &self.user,
        };
        v.as_deref() == Some(value)
    }

    pub fn text(&self, field: &str) -> String {
        match field {
            "from" => self.from.clone(),
            "to" => self.to.clone(),
            _ => None,
        }
        .unwrap_or_default()
    }
}

fn day(field: &str, text: &str) -> roster_core::Result<time::OffsetDateTime> {
    let bad = || roster_core::Error::validation(field, "must be a date, YYYY-MM-DD");
    let mut parts = text.trim().splitn(3, '-');
    let mut next = || parts.next().and_then(|p| p.parse::<i32>().ok()).ok_or_else(bad);
    let (y, m, d) = (next()?, next()?, next()?);
    let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let date = time::Date::from_calendar_date(y, month, u8::try_from(d).map_err(|_| bad())?).map_err(|_| bad())?;
    Ok(date.midnight().assume_utc())
}

/// The filter the query asks for, and the partner's agents by id.
async fn filter_of(
    state: &AppState,
    console: &Console,
    q: &ActivityQuery,
) -> roster_core::Result<(AuditFilter, HashMap<Uuid, String>)> {
    let agents = state.services.partner_agents(console.agent()).await?;
    let mut filter = AuditFilter::default();
    if let Some(action) = q.action.as_deref().filter(|a| !a.is_empty()) {
        if !ACTIONS.contains(&action) {
            return Err(roster_core::Error::validation("action", "is not an action of the log"));
        }
        filter.action = Some(action.to_owned());
    }
    if let Some(email) = q.agent.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let agent = agents.iter().find(|a| a.email.eq_ignore_ascii_case(email));
        filter.agent_id = Some(
            agent.map(|a| a.id).ok_or_else(|| roster_core::Error::validation("agent", "is not an agent of yours"))?,
        );
    }
    if let Some(user) = q.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        filter.user_id = Some(user.parse().map_err(|_| roster_core::Error::validation("user", "is not a user id"))?);
    }
    if let Some(from) = q.from.as_deref().filter(|f| !f.trim().is_empty()) {
        filter.from = Some(day("from", from)?);
    }
    if let Some(to) = q.to.as_deref().filter(|t| !t.trim().is_empty()) {
        filter.until = Some(day("to", to)? + time::Duration::days(1));
    }
    Ok((filter, agents.into_iter().map(|a| (a.id, a.email)).collect()))
}

/// One event in words.
pub(crate) struct EventRow {
    pub at: time::OffsetDateTime,
    pub action: String,
    pub agent: String,
    /// The users it touched: (id, display name), linked to their pages.
    pub users: Vec<(Uuid, String)>,
    /// How many more users it touched than are named.
    pub more: usize,
    /// (field, before, after)
    pub diff: Vec<(String, String, String)>,
}

/// Events in words: users by name (a purged one by id), agents by email.
async fn rows(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    events: Vec<AuditEvent>,
    agents: &HashMap<Uuid, String>,
) -> ConsoleResult<Vec<EventRow>> {
    const NAMED: usize = 20;
    let mut ids: Vec<Uuid> = events.iter().flat_map(|e| e.user_ids.iter().take(NAMED).copied()).collect();
    ids.sort();
    ids.dedup();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let users = state.services.users_by_ids(console.agent(), cid, chunk).await.or_page(console)?;
        names.extend(users.into_iter().map(|u| (u.id, u.display_name)));
    }
    Ok(events
        .into_iter()
        .map(|e| EventRow {
            at: e.at,
            action: super::users::action_words(console.lang, &e.action),
            agent: e.agent_id.map(|id| agents.get(&id).cloned().unwrap_or_else(|| id.to_string())).unwrap_or_default(),
            users: e
                .user_ids
                .iter()
                .take(NAMED)
                .map(|id| (*id, names.get(id).cloned().unwrap_or_else(|| id.to_string())))
                .collect(),
            more: e.user_ids.len().saturating_sub(NAMED),
            diff: super::users::diff(console.lang, &e.before, &e.after),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "console/activity.html")]
struct ActivityPage {
    c: Chrome,
    customer: roster_core::model::Customer,
    q: ActivityQuery,
    events: Vec<EventRow>,
    pager: Pager,
    actions: Vec<(&'static str, String)>,
    agents: Vec<String>,
    /// The user filtered by: (id, name).
    user: Option<(String, String)>,
    csv: String,
}

async fn activity(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(q): Query<ActivityQuery>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(&state, &console, cid, "activity").await?;
    let path = CustomerRoute::Activity.at(cid);
    let (filter, agents) = filter_of(&state, &console, &q).await.or_back(&console, &path)?;
    let limit = q.limit.unwrap_or(50);
    let page = state
        .services
        .audit_events_where(console.agent(), cid, &filter, Some(limit), q.cursor.as_deref())
        .await
        .or_back(&console, &path)?;
    let pager = Pager::new(&path, &q.base(), &page, q.page, limit);
    let events = rows(&state, &console, cid, page.items, &agents).await?;
    let user = match filter.user_id {
        Some(id) => {
            let found = state.services.users_by_ids(console.agent(), cid, &[id]).await.or_page(&console)?;
            Some((id.to_string(), found.first().map_or_else(|| id.to_string(), |u| u.display_name.clone())))
        }
        None => None,
    };
    let actions = ACTIONS.iter().map(|a| (*a, super::users::action_words(console.lang, a))).collect();
    let mut agent_emails: Vec<String> = agents.into_values().collect();
    agent_emails.sort();
    let csv = list_href(&CustomerRoute::ActivityCsv.at(cid), &q.base());
    Ok(render(StatusCode::OK, ActivityPage { c, customer, q, events, pager, actions, agents: agent_emails, user, csv }))
}

/// The log as CSV, newest first, with the page's columns and filters.
async fn activity_csv(
    State(state): State<AppState>,
    console: Console,
    Path(cid): Path<Uuid>,
    Query(q): Query<ActivityQuery>,
) -> ConsoleResult {
    use roster_core::imports::export::{csv_field, defuse};
    let path = CustomerRoute::Activity.at(cid);
    let (filter, agents) = filter_of(&state, &console, &q).await.or_back(&console, &path)?;
    let lang = console.lang;
    let headers: Vec<String> = ["col-when", "col-agent", "col-action", "col-users", "col-change"]
        .iter()
        .map(|k| csv_field(&lang.t(k)))
        .collect();
    let mut out = format!("\u{feff}{}\r\n", headers.join(","));
    let mut cursor: Option<String> = None;
    loop {
        let page = state
            .services
            .audit_events_where(console.agent(), cid, &filter, Some(roster_core::paging::MAX_LIMIT), cursor.as_deref())
            .await
            .or_page(&console)?;
        let next = page.cursors.next.clone();
        for e in rows(&state, &console, cid, page.items, &agents).await? {
            let at = e.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
            let mut users: Vec<String> = e.users.iter().map(|(_, name)| name.clone()).collect();
            if e.more > 0 {
                users.push(lang.ta("more-users", &[("count", e.more.into())]));
            }
            let changes: Vec<String> = e.diff.iter().map(|(f, b, a)| format!("{f}: {b} → {a}")).collect();
            let fields = [at, e.agent, e.action, users.join("; "), changes.join("; ")];
            let line: Vec<String> = fields.iter().map(|f| csv_field(&defuse(f))).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut response = out.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    response
        .headers_mut()
        .insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"activity-log.csv\""));
    Ok(response)
}
