//! Add user: one or more users in one form, saved whole or not at all, leading
//! to the one-time confirmation page of their passwords.

use super::credentials::{Credential, keep_credentials};
use crate::console::customers::customer_chrome;
use crate::console::views::Chrome;
use crate::console::{Console, ConsoleResult, FormData, OrPage, error_text, render};
use crate::routes::{CustomerRoute, Route};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_core::domain::UserRole;
use roster_core::model::{Customer, Subscription};
use roster_core::services::{LicenseInput, NewUserInput};
use uuid::Uuid;

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

pub(super) async fn add_form(State(state): State<AppState>, console: Console, Path(cid): Path<Uuid>) -> ConsoleResult {
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

pub(super) async fn add_submit(
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
            licenses: d.licenses.iter().map(|p| LicenseInput { product_id: p.clone(), ..Default::default() }).collect(),
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
    for (mut draft, result) in drafts.into_iter().zip(results) {
        match result {
            Ok(c) => created.push(Credential {
                user_principal_name: c.user.user_principal_name,
                display_name: c.user.display_name,
                password: c.temporary_password.expose().to_owned(),
            }),
            Err(e) => {
                let name = format!("{}@{}", draft.user_name.trim(), draft.domain.trim());
                draft.error = Some(format!("{name}: {}", error_text(console.lang, &e)));
                refused.push((draft, e));
            }
        }
    }
    // When no user was made, nothing changed: the form comes back with the
    // words next to each user, at the status the API gives the first refusal
    // (409 for seats that ran out, 400 for a broken license rule).
    if created.is_empty() {
        let status = refused.first().map_or(StatusCode::BAD_REQUEST, |(_, e)| crate::errors::status(e));
        let drafts = refused.into_iter().map(|(d, _)| d).collect();
        return add_page(&state, &console, cid, drafts, status).await;
    }
    let failed = refused
        .into_iter()
        .map(|(d, e)| (format!("{}@{}", d.user_name.trim(), d.domain.trim()), error_text(console.lang, &e)))
        .collect();
    keep_credentials(&state, &console, cid, created, failed).await
}
