//! One user's page, opened from the users list: edit the names, usage location
//! and roles (at the version the page showed), the licenses with their service
//! plans, sign-in with Block/Unblock, Reset password and Delete, the user's
//! activity, and for a deleted user the days left and Restore. Every form
//! answers 303 to a GET page.

use crate::console::Localized;
use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, error_text, render, see_other};
use crate::routes::{CustomerRoute, ItemRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use roster_core::domain::UserRole;
use roster_core::model::{AuditEvent, Customer, User, UserState};
use roster_core::services::UserPatchInput;
use roster_core::versions::{Expected, Version, Versioned};
use serde::Deserialize;
use uuid::Uuid;

/// The edit form's fields, as shown or as typed.
pub(crate) struct UserForm {
    pub first: String,
    pub last: String,
    pub display: String,
    pub location: String,
    pub roles: Vec<String>,
}

impl UserForm {
    fn of(u: &User) -> Self {
        Self {
            first: u.first_name.clone().unwrap_or_default(),
            last: u.last_name.clone().unwrap_or_default(),
            display: u.display_name.clone(),
            location: u.usage_location.clone().unwrap_or_default(),
            roles: u.roles.roles().iter().map(|r| r.as_str().to_owned()).collect(),
        }
    }

    fn from_form(form: &FormData) -> Self {
        let field = |n: &str| form.get(n).unwrap_or_default().trim().to_owned();
        Self {
            first: field("first"),
            last: field("last"),
            display: field("display"),
            location: field("location"),
            roles: form.all("roles").map(str::to_owned).collect(),
        }
    }

    pub fn has_role(&self, role: &&str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// A license the user holds: the product's name and each plan, on or off.
pub(crate) struct LicenseRow {
    pub name: String,
    pub plans: Vec<(String, bool)>,
}

/// One entry of the user's activity, in words.
pub(crate) struct EventRow {
    pub at: time::OffsetDateTime,
    pub agent: String,
    pub action: String,
    /// (field, before, after)
    pub diff: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    c: Chrome,
    customer: Customer,
    user: User,
    version: String,
    form: UserForm,
    error: Option<String>,
    roles: Vec<&'static str>,
    licenses: Vec<LicenseRow>,
    events: Vec<EventRow>,
    deleted: bool,
    days_left: i64,
}

/// The action of an audit event in words; an unknown one as it is.
pub(crate) fn action_words(lang: roster_core::domain::Language, action: &str) -> String {
    let key = format!("audit-{}", action.replace(['.', '_'], "-"));
    let text = lang.t(&key);
    if text == key { action.to_owned() } else { text }
}

/// What changed between an event's before and after, field by field.
/// An audit snapshot's field as the console labels it, in the agent's language.
fn field_words(lang: roster_core::domain::Language, field: &str) -> String {
    let key = match field {
        "displayName" => "col-display-name",
        "userPrincipalName" => "col-username",
        "firstName" => "field-first-name",
        "lastName" => "field-last-name",
        "usageLocation" => "col-location",
        "roles" => "col-roles",
        "licenses" => "col-licenses",
        "signInBlocked" => "col-sign-in",
        "quantity" => "col-quantity",
        "assigned" => "col-assigned",
        "companyName" => "col-company",
        "domains" => "col-domains",
        "country" => "col-country",
        "productId" => "col-product",
        "disabledServicePlans" => "col-service-plans",
        "state" => "field-state",
        "temporaryPasswordExpiresAt" => "field-password-expires",
        _ => return field.to_owned(),
    };
    lang.t(key)
}

/// What changed, field by field: (the field's label, before, after).
pub(crate) fn diff(
    lang: roster_core::domain::Language,
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> Vec<(String, String, String)> {
    let text = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let empty = serde_json::Map::new();
    let (b, a) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (field_words(lang, k), text(b.get(k)), text(a.get(k))))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    console: &Console,
    cid: Uuid,
    user: User,
    form: Option<UserForm>,
    error: Option<String>,
    status: StatusCode,
    notice: Option<String>,
) -> ConsoleResult {
    let (customer, c) = customer_chrome(state, console, cid, "users").await?;
    let c = c.with_notice(notice);
    let catalog = state.services.catalog().await.or_page(console)?;
    let licenses = user
        .licenses
        .iter()
        .map(|l| {
            let product = roster_core::domain::ProductId::parse(&l.product_id).ok().and_then(|id| catalog.get(&id));
            LicenseRow {
                name: product.map_or_else(|| l.product_id.clone(), |p| p.name.clone()),
                plans: product
                    .map(|p| {
                        p.service_plans
                            .iter()
                            .map(|sp| (sp.name.clone(), !l.disabled_service_plans.contains(&sp.id)))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    // The user's latest activity.
    let filter = roster_core::model::AuditFilter { user_id: Some(user.id), ..Default::default() };
    let recent =
        state.services.audit_events_where(console.agent(), cid, &filter, Some(50), None).await.or_page(console)?;
    let agents: std::collections::HashMap<Uuid, String> = state
        .services
        .partner_agents(console.agent())
        .await
        .or_page(console)?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect();
    let events = recent
        .items
        .into_iter()
        .map(|e: AuditEvent| EventRow {
            at: e.at,
            agent: e.agent_id.map(|id| agents.get(&id).cloned().unwrap_or_else(|| id.to_string())).unwrap_or_default(),
            action: action_words(console.lang, &e.action),
            diff: diff(console.lang, &e.before, &e.after),
        })
        .collect();
    let now = state.services.now();
    let days_left = user.purge_at.map(|p| ((p - now).whole_seconds() + 86_399).div_euclid(86_400).max(0)).unwrap_or(0);
    let form = form.unwrap_or_else(|| UserForm::of(&user));
    Ok(render(
        status,
        UserPage {
            c,
            customer,
            version: user.version().to_string(),
            deleted: user.state == UserState::Deleted,
            user,
            form,
            error,
            roles: UserRole::ALL.iter().map(|r| r.as_str()).collect(),
            licenses,
            events,
            days_left,
        },
    ))
}

#[derive(Deserialize)]
pub(super) struct NoticeQuery {
    notice: Option<String>,
    n: Option<i64>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    console: Console,
    Path((cid, uid)): Path<(Uuid, Uuid)>,
    Query(q): Query<NoticeQuery>,
) -> ConsoleResult {
    let user = state.services.user(console.agent(), cid, uid).await.or_page(&console)?;
    let notice = super::notice(console.lang, q.notice.as_deref(), q.n);
    page(&state, &console, cid, user, None, None, StatusCode::OK, notice).await
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Save, Block, Unblock, Delete, Restore and Manage licenses of one user.
pub(super) async fn act(
    State(state): State<AppState>,
    console: Console,
    Path((cid, uid)): Path<(Uuid, Uuid)>,
    form: FormData,
) -> ConsoleResult {
    console.check_csrf(&form)?;
    let here = ItemRoute::User.at(cid, uid);
    let services = &state.services;
    let agent = console.agent();
    let expected = form.get("version").map(|v| Expected::new(Version::parse(v.trim()).into_iter().collect()));
    let done = |key: &str| see_other(&format!("{here}?notice={key}&n=1"));
    match form.get("op").unwrap_or_default() {
        "save" => {
            let typed = UserForm::from_form(&form);
            let patch = UserPatchInput {
                first_name: Some(optional(&typed.first)),
                last_name: Some(optional(&typed.last)),
                display_name: Some(typed.display.clone()),
                usage_location: Some(optional(&typed.location)),
                roles: Some(typed.roles.clone()),
                sign_in_blocked: None,
            };
            match services.update_user_if(agent, cid, uid, &patch, expected.as_ref()).await {
                Ok(_) => Ok(done("notice-user-saved")),
                // Changed meanwhile: the page as it is now, saying so, with nothing saved.
                Err(roster_core::Error::PreconditionFailed) => {
                    let user = services.user(agent, cid, uid).await.or_page(&console)?;
                    let notice = Some(console.lang.t("code-precondition_failed"));
                    page(&state, &console, cid, user, None, None, StatusCode::PRECONDITION_FAILED, notice).await
                }
                Err(e @ (roster_core::Error::Validation { .. } | roster_core::Error::Forbidden)) => {
                    let status = crate::errors::status(&e);
                    let user = services.user(agent, cid, uid).await.or_page(&console)?;
                    let error = Some(error_text(console.lang, &e));
                    page(&state, &console, cid, user, Some(typed), error, status, None).await
                }
                Err(e) => Err(console.error_back(&here, e)),
            }
        }
        op @ ("block" | "unblock") => {
            let patch = UserPatchInput { sign_in_blocked: Some(op == "block"), ..Default::default() };
            services.update_user_if(agent, cid, uid, &patch, expected.as_ref()).await.or_back(&console, &here)?;
            Ok(done(if op == "block" { "notice-blocked" } else { "notice-unblocked" }))
        }
        "delete" => {
            services.delete_user_if(agent, cid, uid, expected.as_ref()).await.or_back(&console, &here)?;
            services.change_selection(&console.session, cid, &[uid], &[]).await.or_page(&console)?;
            Ok(see_other(&format!("{here}?notice=notice-user-deleted")))
        }
        "restore" => super::restore::restore_ids(&state, &console, cid, &[uid]).await,
        "licenses" => {
            // Manage licenses for this user alone.
            services.clear_selection(&console.session, cid).await.or_page(&console)?;
            services.change_selection(&console.session, cid, &[], &[uid]).await.or_page(&console)?;
            Ok(see_other(&CustomerRoute::Licenses.at(cid)))
        }
        _ => Ok(see_other(&here)),
    }
}
