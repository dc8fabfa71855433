//! Licensing, as pure functions the store calls inside its transactions.
//!
//! - `rules`: given the catalog, what the customer owns, and a user's licenses and
//!   usage location, what would a change do? Rules are judged on the set the user
//!   would hold *after* the change, so assigning a product together with what it
//!   requires succeeds.
//! - `plan`: what an update, a create or a restore writes, given the seats the
//!   transaction has locked: who gets a seat, in which order, and what each user's
//!   result is. The store only executes the plan.

mod plan;
mod rules;
#[cfg(test)]
mod test_catalog;

pub use plan::{
    Atomicity, ChangeGroup, LicenseUpdate, SeatLedger, Seats, UpdateMode, UpdatePlan, UserLicenses, check_restorable,
    plan_restore, plan_update,
};
pub use rules::{Evaluation, check_location_change, check_new_user_licenses, evaluate};

use crate::domain::ProductId;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LicenseErrorCode {
    InsufficientLicenses,
    DependencyMissing,
    MutuallyExclusive,
    NotAvailableInUsageLocation,
    UsageLocationRequired,
    ProductNotOwned,
    UnknownServicePlan,
}

impl LicenseErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientLicenses => "insufficient_licenses",
            Self::DependencyMissing => "dependency_missing",
            Self::MutuallyExclusive => "mutually_exclusive",
            Self::NotAvailableInUsageLocation => "not_available_in_usage_location",
            Self::UsageLocationRequired => "usage_location_required",
            Self::ProductNotOwned => "product_not_owned",
            Self::UnknownServicePlan => "unknown_service_plan",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseError {
    pub product_id: ProductId,
    pub code: LicenseErrorCode,
    pub message: String,
    /// The other party of the rule, for a message that names it.
    pub detail: LicenseDetail,
}

/// What a license error is about besides its product, so that a message can name
/// the other party: the product missing, the product in the way, or the place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LicenseDetail {
    #[default]
    None,
    /// The product needs this one, which the user would not hold.
    Requires(ProductId),
    /// Removing the product would leave this one, which the user keeps, without
    /// what it requires.
    RequiredBy(ProductId),
    /// The product cannot be held together with this one.
    Excludes(ProductId),
    /// The product is not sold in the user's usage location.
    NotSoldIn(crate::domain::CountryCode),
}

/// A user's licenses: product → disabled service plans.
pub type Holdings = BTreeMap<ProductId, BTreeSet<String>>;

#[derive(Debug, Clone, Default)]
pub struct LicenseChange {
    pub assign: BTreeMap<ProductId, PlanChange>,
    pub remove: BTreeSet<ProductId>,
}

/// What an assignment does to a product's disabled service plans, per user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanChange {
    /// `Some`: the disabled plans become exactly these. `None`: a user who holds
    /// the product keeps its own, and a new holder starts with every plan on.
    pub replace: Option<BTreeSet<String>>,
    /// Plans turned on, for every user, on top of `replace` or the user's own.
    pub enable: BTreeSet<String>,
    /// Plans turned off, for every user, on top of `replace` or the user's own.
    pub disable: BTreeSet<String>,
    /// Only the plans of users who already hold the product change; nobody gets it.
    pub holders_only: bool,
}

impl PlanChange {
    /// Exactly these plans disabled, whatever a user had.
    pub fn replace(disabled: BTreeSet<String>) -> Self {
        Self { replace: Some(disabled), ..Self::default() }
    }

    /// The disabled plans of a user who held `held` (`None`: not held) afterwards.
    pub fn disabled_for(&self, held: Option<&BTreeSet<String>>) -> BTreeSet<String> {
        let mut plans = self.replace.clone().or_else(|| held.cloned()).unwrap_or_default();
        plans.retain(|p| !self.enable.contains(p));
        plans.extend(self.disable.iter().cloned());
        plans
    }

    /// Every plan the change names, to check against the catalog.
    pub fn named(&self) -> impl Iterator<Item = &String> {
        self.replace.iter().flatten().chain(&self.enable).chain(&self.disable)
    }
}

impl LicenseError {
    /// No seat of `product` is left for this user.
    pub fn insufficient(product: &ProductId) -> Self {
        Self {
            product_id: product.clone(),
            code: LicenseErrorCode::InsufficientLicenses,
            message: format!("no {} seats are left; buy more", product.as_ref()),
            detail: LicenseDetail::None,
        }
    }
}
