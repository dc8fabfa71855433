//! Inputs as they arrived, from the HTTP API's wire types (`roster_api`) or from
//! the console's forms: text, not yet parsed. The services parse them into domain
//! types.

use crate::domain::*;
use crate::error::{Error, Result};
use crate::model::UserState;
use crate::paging::*;
use uuid::Uuid;

/// A user to create, as it arrived.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub user_name: String,
    pub domain: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub roles: Vec<String>,
    pub licenses: Vec<LicenseInput>,
}

#[derive(Debug, Clone, Default)]
pub struct LicenseInput {
    pub product_id: String,
    /// `None`: a user who holds the product keeps its plans (a new holder gets
    /// every plan); `Some`: exactly these are off.
    pub disabled_service_plans: Option<Vec<String>>,
    /// Plans to turn on for every user, leaving the others as each user has them
    /// (the console's service-plan choices; not part of the HTTP API).
    pub enable_service_plans: Vec<String>,
    /// Plans to turn off for every user, leaving the others as each user has them.
    pub disable_service_plans: Vec<String>,
    /// Change the plans of the users who hold the product, and assign it to nobody.
    pub holders_only: bool,
}

impl LicenseInput {
    /// The service plans to disable, each checked; `field` names this license.
    /// Unknown plans are the catalog's to refuse, but only text that could be a
    /// plan id goes that far, and an error quotes none longer than an id.
    pub(crate) fn disabled_plans(&self, field: &str) -> Result<Option<Vec<String>>> {
        self.disabled_service_plans
            .as_deref()
            .map(|plans| checked_plans(plans, field, "disabledServicePlans"))
            .transpose()
    }

    /// The whole change to this license's plans, each plan checked.
    pub(crate) fn plan_change(&self, field: &str) -> Result<crate::licensing::PlanChange> {
        Ok(crate::licensing::PlanChange {
            replace: self.disabled_plans(field)?.map(|p| p.into_iter().collect()),
            enable: checked_plans(&self.enable_service_plans, field, "enableServicePlans")?.into_iter().collect(),
            disable: checked_plans(&self.disable_service_plans, field, "disableServicePlans")?.into_iter().collect(),
            holders_only: self.holders_only,
        })
    }
}

fn checked_plans(plans: &[String], field: &str, list: &str) -> Result<Vec<String>> {
    plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            check_service_plan_id(plan)
                .map(|()| plan.clone())
                .map_err(|e| Error::validation(format!("{field}.{list}[{i}]"), e))
        })
        .collect()
}

/// The longest search term a list takes.
pub const MAX_SEARCH_CHARS: usize = 256;

/// A `search=` term, lower-cased; blank is none. Control characters are refused
/// here, before any store sees them (PostgreSQL cannot even hold a NUL).
pub(crate) fn search_term(raw: Option<&str>) -> Result<Option<String>> {
    let Some(term) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(Error::validation(
            "search",
            Invalid::new("invalid-too-long", format!("must be at most {MAX_SEARCH_CHARS} characters"))
                .arg("max", MAX_SEARCH_CHARS),
        ));
    }
    if has_control(term) {
        return Err(Error::validation(
            "search",
            Invalid::new("invalid-control", "must not contain control characters"),
        ));
    }
    Ok(Some(term.to_lowercase()))
}

/// A license update of API.md, as it arrived.
#[derive(Debug, Clone, Default)]
pub struct LicenseUpdateInput {
    pub user_ids: Vec<Uuid>,
    pub assign: Vec<LicenseInput>,
    pub remove: Vec<String>,
    /// `partial` (the default) or `atomic`.
    pub mode: Option<String>,
    pub dry_run: bool,
}

/// The most users one license update takes.
pub const MAX_LICENSE_UPDATE_USERS: usize = 100_000;

/// A user change, as it arrived: `None` leaves a field alone, and `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct UserPatchInput {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub display_name: Option<String>,
    pub usage_location: Option<Option<String>>,
    pub roles: Option<Vec<String>>,
    pub sign_in_blocked: Option<bool>,
}

/// The list parameters of API.md, as they arrived.
#[derive(Debug, Clone, Default)]
pub struct UserListParams {
    pub state: Option<String>,
    pub search: Option<String>,
    pub license: Option<String>,
    pub role: Option<String>,
    pub usage_location: Option<String>,
    pub sign_in: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl UserListParams {
    pub fn parse(&self) -> Result<UserQuery> {
        let state = match self.state.as_deref() {
            None | Some("active") => UserState::Active,
            Some("deleted") => UserState::Deleted,
            Some(_) => return Err(Error::validation("state", "use active or deleted")),
        };
        let search = search_term(self.search.as_deref())?;
        let license = match self.license.as_deref() {
            None | Some("") => None,
            Some("none") => Some(LicenseFilter::None),
            Some("any") => Some(LicenseFilter::Any),
            Some(p) => Some(LicenseFilter::Product(ProductId::parse(p).map_err(|e| Error::validation("license", e))?)),
        };
        let role = match self.role.as_deref() {
            None | Some("") => None,
            Some("any") => Some(RoleFilter::Any),
            Some(r) => Some(RoleFilter::Role(UserRole::parse(r).map_err(|e| Error::validation("role", e))?)),
        };
        let usage_location = match self.usage_location.as_deref() {
            None | Some("") => None,
            Some(c) => Some(CountryCode::parse(c).map_err(|e| Error::validation("usageLocation", e))?),
        };
        let sign_in_blocked = match self.sign_in.as_deref() {
            None | Some("") => None,
            Some("allowed") => Some(false),
            Some("blocked") => Some(true),
            Some(_) => return Err(Error::validation("signIn", "use allowed or blocked")),
        };
        let sort = match self.sort.as_deref() {
            None | Some("") => UserSort::default(),
            Some(s) => UserSort::parse(s)?,
        };
        let page = PageRequest::parse(self.limit, self.cursor.as_deref(), &sort.as_str())?;
        Ok(UserQuery {
            filter: UserFilter { state, search, license, role, usage_location, sign_in_blocked },
            sort,
            page,
        })
    }
}
