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
}

/// A user's licenses: product → disabled service plans.
pub type Holdings = BTreeMap<ProductId, BTreeSet<String>>;

#[derive(Debug, Clone, Default)]
pub struct LicenseChange {
    pub assign: BTreeMap<ProductId, BTreeSet<String>>,
    pub remove: BTreeSet<ProductId>,
}

impl LicenseError {
    /// No seat of `product` is left for this user.
    pub fn insufficient(product: &ProductId) -> Self {
        Self {
            product_id: product.clone(),
            code: LicenseErrorCode::InsufficientLicenses,
            message: format!("no {} seats are left; buy more", product.as_ref()),
        }
    }
}
