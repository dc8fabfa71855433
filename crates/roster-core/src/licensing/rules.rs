//! The catalog's rules for one user: ownership, service plans, usage location,
//! requirements and exclusions.

use super::{Holdings, LicenseChange, LicenseDetail, LicenseError, LicenseErrorCode, PlanChange};
use crate::catalog::Catalog;
use crate::domain::{CountryCode, ProductId};
use crate::model::LicenseRequest;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Products to add, or whose disabled plans change.
    pub assigned: Vec<ProductId>,
    /// Products the user holds and would no longer hold.
    pub removed: Vec<ProductId>,
    pub errors: Vec<LicenseError>,
}

impl Evaluation {
    pub fn is_unchanged(&self) -> bool {
        self.assigned.is_empty() && self.removed.is_empty() && self.errors.is_empty()
    }
}
/// Judges `change` for one user. `owned` is the set of products the customer holds
/// a subscription for.
pub fn evaluate(
    catalog: &Catalog,
    owned: &BTreeSet<ProductId>,
    held: &Holdings,
    usage_location: Option<CountryCode>,
    change: &LicenseChange,
) -> Evaluation {
    let mut errors = Vec::new();
    let mut error = |product_id: &ProductId, code: LicenseErrorCode, message: String, detail: LicenseDetail| {
        errors.push(LicenseError { product_id: product_id.clone(), code, message, detail });
    };
    let name = |p: &ProductId| catalog.get(p).map_or_else(|| p.as_ref().to_owned(), |product| product.name.clone());

    let assigned: Vec<ProductId> = change
        .assign
        .iter()
        .filter(|(p, plans)| {
            let before = held.get(*p);
            let skipped = plans.holders_only && before.is_none();
            !skipped && !change.remove.contains(*p) && before != Some(&plans.disabled_for(before))
        })
        .map(|(p, _)| p.clone())
        .collect();
    let removed: Vec<ProductId> = change.remove.iter().filter(|p| held.contains_key(*p)).cloned().collect();

    // Each product assigned must be owned, known, and allowed where the user is.
    for p in &assigned {
        let Some(product) = catalog.get(p).filter(|_| owned.contains(p)) else {
            error(
                p,
                LicenseErrorCode::ProductNotOwned,
                format!("the customer has no subscription for {}", p.as_ref()),
                LicenseDetail::None,
            );
            continue;
        };
        for plan in change.assign[p].named() {
            if !product.has_plan(plan) {
                let message = format!("{} has no service plan {plan}", product.name);
                error(p, LicenseErrorCode::UnknownServicePlan, message, LicenseDetail::None);
            }
        }
        match usage_location {
            None => error(
                p,
                LicenseErrorCode::UsageLocationRequired,
                "set the user's usage location before assigning licenses".into(),
                LicenseDetail::None,
            ),
            Some(c) if !product.is_available_in(c) => error(
                p,
                LicenseErrorCode::NotAvailableInUsageLocation,
                format!("{} is not sold in {}, the user's usage location", product.name, c.as_str()),
                LicenseDetail::NotSoldIn(c),
            ),
            Some(_) => {}
        }
    }

    // A plan named for a product the change leaves alone must exist all the same.
    for (p, plans) in change.assign.iter().filter(|(p, _)| !assigned.contains(*p) && !change.remove.contains(*p)) {
        let Some(product) = catalog.get(p) else { continue };
        if let Some(plan) = plans.named().find(|plan| !product.has_plan(plan)) {
            let message = format!("{} has no service plan {plan}", p.as_ref());
            error(p, LicenseErrorCode::UnknownServicePlan, message, LicenseDetail::None);
        }
    }

    // The set the user would hold afterwards.
    let after: BTreeSet<&ProductId> =
        held.keys().filter(|p| !change.remove.contains(*p)).chain(assigned.iter()).collect();

    for p in &after {
        let Some(product) = catalog.get(p) else { continue };
        for needed in &product.requires {
            if after.contains(needed) {
                continue;
            }
            let message = format!("{} requires {}", product.name, name(needed));
            if assigned.contains(p) {
                error(p, LicenseErrorCode::DependencyMissing, message, LicenseDetail::Requires(needed.clone()));
            } else if removed.contains(needed) {
                // Taking away what a kept product needs fails on the removal, and
                // says what needs it: "Archive add-on requires Mail Plan 1".
                let detail = LicenseDetail::RequiredBy((*p).clone());
                error(needed, LicenseErrorCode::DependencyMissing, message, detail);
            }
        }
    }

    for p in &assigned {
        for other in &after {
            if *other != p && catalog.excludes(p, other) {
                error(
                    p,
                    LicenseErrorCode::MutuallyExclusive,
                    format!("{} cannot be held together with {}", name(p), name(other)),
                    LicenseDetail::Excludes((*other).clone()),
                );
            }
        }
    }

    errors.sort_by(|a, b| (&a.product_id, a.code).cmp(&(&b.product_id, b.code)));
    errors.dedup_by(|a, b| a.product_id == b.product_id && a.code == b.code);
    Evaluation { assigned, removed, errors }
}

/// Judges the licenses a new user asks for by the catalog's rules: the first
/// problem, if any. Seats are counted by the store, under its lock, with a
/// `SeatLedger`.
pub fn check_new_user_licenses(
    catalog: &Catalog,
    owned: &BTreeSet<ProductId>,
    licenses: &[LicenseRequest],
    usage_location: Option<CountryCode>,
) -> Result<(), LicenseError> {
    if licenses.is_empty() {
        return Ok(());
    }
    let change = LicenseChange {
        assign: licenses
            .iter()
            .map(|l| (l.product_id.clone(), PlanChange::replace(l.disabled_service_plans.iter().cloned().collect())))
            .collect(),
        remove: Default::default(),
    };
    match evaluate(catalog, owned, &Holdings::new(), usage_location, &change).errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether a user holding `held` may move to `usage_location`: every held product
/// must be sold there, and a licensed user must keep a location. The first product
/// that stands in the way, if any.
pub fn check_location_change<'a>(
    catalog: &Catalog,
    held: impl IntoIterator<Item = &'a ProductId>,
    usage_location: Option<CountryCode>,
) -> Option<LicenseError> {
    held.into_iter().find_map(|p| match usage_location {
        None => Some(LicenseError {
            product_id: p.clone(),
            code: LicenseErrorCode::UsageLocationRequired,
            message: format!("the user holds {}; a licensed user needs a usage location", p.as_ref()),
            detail: LicenseDetail::None,
        }),
        Some(c) if catalog.get(p).is_some_and(|product| !product.is_available_in(c)) => Some(LicenseError {
            product_id: p.clone(),
            code: LicenseErrorCode::NotAvailableInUsageLocation,
            message: format!("the user holds {}, which is not available in {}", p.as_ref(), c.as_str()),
            detail: LicenseDetail::NotSoldIn(c),
        }),
        Some(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licensing::Holdings;
    use crate::licensing::test_catalog::*;

    #[test]
    fn a_location_change_must_keep_every_held_product_available() {
        let catalog = catalog();
        let country = |c: &str| CountryCode::parse(c).ok();
        let geo = [id("GEO")];
        assert_eq!(check_location_change(&catalog, &geo, country("DE")), None);
        let moved = check_location_change(&catalog, &geo, country("US")).map(|e| e.code);
        assert_eq!(moved, Some(LicenseErrorCode::NotAvailableInUsageLocation));
        let cleared = check_location_change(&catalog, &geo, None).map(|e| e.code);
        assert_eq!(cleared, Some(LicenseErrorCode::UsageLocationRequired));
        assert_eq!(check_location_change(&catalog, &[], None), None);
    }

    #[test]
    fn a_plain_assignment_succeeds() {
        let e = eval(&[], "US", &["MAIL_P1"], &[]);
        assert_eq!((e.assigned, e.errors.len()), (vec![id("MAIL_P1")], 0));
    }

    #[test]
    fn assigning_what_is_held_and_removing_what_is_not_changes_nothing() {
        assert!(eval(&["MAIL_P1"], "US", &["MAIL_P1"], &["CHAT"]).is_unchanged());
    }

    #[test]
    fn a_product_without_a_subscription_is_not_owned() {
        assert_eq!(codes(&eval(&[], "US", &["UNSOLD"], &[])), vec![("UNSOLD".into(), "product_not_owned")]);
        assert_eq!(codes(&eval(&[], "US", &["NOPE"], &[])), vec![("NOPE".into(), "product_not_owned")]);
    }

    #[test]
    fn an_unknown_service_plan_is_refused() {
        let mut c = change(&["MAIL_P1"], &[]);
        c.assign.insert(id("MAIL_P1"), PlanChange::replace(["MAILBOX".to_owned(), "FAX".to_owned()].into()));
        let e = evaluate(&catalog(), &owned(), &Holdings::new(), country("US"), &c);
        assert_eq!(codes(&e), vec![("MAIL_P1".into(), "unknown_service_plan")]);
    }

    #[test]
    fn changing_disabled_plans_of_a_held_product_is_an_assignment() {
        let mut c = change(&["MAIL_P1"], &[]);
        c.assign.insert(id("MAIL_P1"), PlanChange::replace(["MAILBOX".to_owned()].into()));
        let e = evaluate(&catalog(), &owned(), &holding(&["MAIL_P1"]), country("US"), &c);
        assert_eq!((e.assigned, e.errors.len()), (vec![id("MAIL_P1")], 0));
    }

    #[test]
    fn assigning_a_held_product_without_naming_plans_keeps_the_holders_plans() {
        let mut held = holding(&["MAIL_P1"]);
        held.insert(id("MAIL_P1"), ["MAILBOX".to_owned()].into());
        let mut c = change(&[], &[]);
        c.assign.insert(id("MAIL_P1"), PlanChange::default());
        assert!(evaluate(&catalog(), &owned(), &held, country("US"), &c).is_unchanged());
        // Turning one plan on changes that plan only.
        c.assign.insert(id("MAIL_P1"), PlanChange { enable: ["MAILBOX".to_owned()].into(), ..Default::default() });
        let e = evaluate(&catalog(), &owned(), &held, country("US"), &c);
        assert_eq!((e.assigned, e.errors.len()), (vec![id("MAIL_P1")], 0));
        assert_eq!(c.assign[&id("MAIL_P1")].disabled_for(held.get(&id("MAIL_P1"))), BTreeSet::new());
        c.assign.insert(id("MAIL_P1"), PlanChange { enable: ["FAX".to_owned()].into(), ..Default::default() });
        let e = evaluate(&catalog(), &owned(), &held, country("US"), &c);
        assert_eq!(codes(&e), vec![("MAIL_P1".into(), "unknown_service_plan")]);
    }

    #[test]
    fn a_user_without_usage_location_gets_no_license() {
        let e = evaluate(&catalog(), &owned(), &Holdings::new(), None, &change(&["CHAT"], &[]));
        assert_eq!(codes(&e), vec![("CHAT".into(), "usage_location_required")]);
    }

    #[test]
    fn availability_follows_available_in_and_unavailable_in() {
        assert_eq!(codes(&eval(&[], "US", &["GEO"], &[])), vec![("GEO".into(), "not_available_in_usage_location")]);
        assert!(eval(&[], "FR", &["GEO"], &[]).errors.is_empty());
        assert_eq!(codes(&eval(&[], "KP", &["CHAT"], &[])), vec![("CHAT".into(), "not_available_in_usage_location")]);
    }

    #[test]
    fn a_dependency_counts_when_assigned_in_the_same_change() {
        assert_eq!(codes(&eval(&[], "US", &["ARCHIVE"], &[])), vec![("ARCHIVE".into(), "dependency_missing")]);
        assert!(eval(&[], "US", &["ARCHIVE", "MAIL_P1"], &[]).errors.is_empty());
        assert!(eval(&["MAIL_P1"], "US", &["ARCHIVE"], &[]).errors.is_empty());
    }

    #[test]
    fn errors_name_the_other_party() {
        let details = |e: Evaluation| e.errors.into_iter().map(|x| (x.message, x.detail)).collect::<Vec<_>>();
        assert_eq!(
            details(eval(&[], "US", &["ARCHIVE"], &[])),
            vec![("Archive requires Mail 1".into(), LicenseDetail::Requires(id("MAIL_P1")))]
        );
        assert_eq!(
            details(eval(&["MAIL_P1", "ARCHIVE"], "US", &[], &["MAIL_P1"])),
            vec![("Archive requires Mail 1".into(), LicenseDetail::RequiredBy(id("ARCHIVE")))]
        );
        assert_eq!(
            details(eval(&["MAIL_P1"], "US", &["MAIL_P2"], &[])),
            vec![("Mail 2 cannot be held together with Mail 1".into(), LicenseDetail::Excludes(id("MAIL_P1")))]
        );
        let us = CountryCode::parse("US").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            details(eval(&[], "US", &["GEO"], &[])),
            vec![("Geo is not sold in US, the user's usage location".into(), LicenseDetail::NotSoldIn(us))]
        );
    }

    #[test]
    fn removing_a_requirement_fails_unless_the_dependent_goes_too() {
        assert_eq!(
            codes(&eval(&["MAIL_P1", "ARCHIVE"], "US", &[], &["MAIL_P1"])),
            vec![("MAIL_P1".into(), "dependency_missing")]
        );
        let both = eval(&["MAIL_P1", "ARCHIVE"], "US", &[], &["MAIL_P1", "ARCHIVE"]);
        assert!(both.errors.is_empty());
        assert_eq!(both.removed.len(), 2);
    }

    #[test]
    fn exclusion_is_checked_both_ways_against_the_resulting_set() {
        assert_eq!(codes(&eval(&["MAIL_P1"], "US", &["MAIL_P2"], &[])), vec![("MAIL_P2".into(), "mutually_exclusive")]);
        assert_eq!(codes(&eval(&["MAIL_P2"], "US", &["MAIL_P1"], &[])), vec![("MAIL_P1".into(), "mutually_exclusive")]);
        // Swapping one for the other in one change is fine.
        assert!(eval(&["MAIL_P1"], "US", &["MAIL_P2"], &["MAIL_P1"]).errors.is_empty());
    }

    #[test]
    fn several_rules_fail_together_and_each_is_reported() {
        let e = eval(&["MAIL_P1"], "US", &["MAIL_P2", "GEO", "UNSOLD"], &[]);
        assert_eq!(
            codes(&e),
            vec![
                ("GEO".into(), "not_available_in_usage_location"),
                ("MAIL_P2".into(), "mutually_exclusive"),
                ("UNSOLD".into(), "product_not_owned"),
            ]
        );
    }
}
