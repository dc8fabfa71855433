//! The licensing rules, as pure functions: given the catalog, what the customer
//! owns, and a user's licenses and usage location, what would a change do?
//!
//! Rules are judged on the set the user would hold *after* the change, so assigning
//! a product together with what it requires succeeds. Seats are not judged here:
//! the store enforces them in the database transaction.

use crate::catalog::Catalog;
use crate::domain::{CountryCode, ProductId};
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
    let mut error = |product_id: &ProductId, code: LicenseErrorCode, message: String| {
        errors.push(LicenseError { product_id: product_id.clone(), code, message });
    };

    let assigned: Vec<ProductId> = change
        .assign
        .iter()
        .filter(|(p, plans)| !change.remove.contains(*p) && held.get(*p) != Some(*plans))
        .map(|(p, _)| p.clone())
        .collect();
    let removed: Vec<ProductId> = change.remove.iter().filter(|p| held.contains_key(*p)).cloned().collect();

    // Each product assigned must be owned, known, and allowed where the user is.
    for p in &assigned {
        let Some(product) = catalog.get(p).filter(|_| owned.contains(p)) else {
            error(p, LicenseErrorCode::ProductNotOwned, format!("the customer has no subscription for {}", p.as_ref()));
            continue;
        };
        for plan in &change.assign[p] {
            if !product.has_plan(plan) {
                error(p, LicenseErrorCode::UnknownServicePlan, format!("{} has no service plan {plan}", p.as_ref()));
            }
        }
        match usage_location {
            None => error(
                p,
                LicenseErrorCode::UsageLocationRequired,
                "set the user's usage location before assigning licenses".into(),
            ),
            Some(c) if !product.is_available_in(c) => error(
                p,
                LicenseErrorCode::NotAvailableInUsageLocation,
                format!("{} is not available in {}", p.as_ref(), c.as_str()),
            ),
            Some(_) => {}
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
            if assigned.contains(p) {
                error(p, LicenseErrorCode::DependencyMissing, format!("{} requires {}", p.as_ref(), needed.as_ref()));
            } else if removed.contains(needed) {
                // Taking away what a kept product needs fails on the removal.
                error(
                    needed,
                    LicenseErrorCode::DependencyMissing,
                    format!("{} is required by {}, which the user keeps", needed.as_ref(), p.as_ref()),
                );
            }
        }
    }

    for p in &assigned {
        for other in &after {
            if *other != p && catalog.excludes(p, other) {
                error(
                    p,
                    LicenseErrorCode::MutuallyExclusive,
                    format!("{} cannot be held together with {}", p.as_ref(), other.as_ref()),
                );
            }
        }
    }

    errors.sort_by(|a, b| (&a.product_id, a.code).cmp(&(&b.product_id, b.code)));
    errors.dedup_by(|a, b| a.product_id == b.product_id && a.code == b.code);
    Evaluation { assigned, removed, errors }
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

impl From<LicenseError> for crate::error::Error {
    fn from(e: LicenseError) -> Self {
        match e.code {
            LicenseErrorCode::ProductNotOwned => Self::ProductNotOwned(e.product_id.as_ref().to_owned()),
            code => Self::License { product_id: e.product_id.as_ref().to_owned(), code, message: e.message },
        }
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
        }),
        Some(c) if catalog.get(p).is_some_and(|product| !product.is_available_in(c)) => Some(LicenseError {
            product_id: p.clone(),
            code: LicenseErrorCode::NotAvailableInUsageLocation,
            message: format!("the user holds {}, which is not available in {}", p.as_ref(), c.as_str()),
        }),
        Some(_) => None,
    })
}

/// What the store knows of one user when planning an update.
#[derive(Debug, Clone)]
pub struct UserLicenses {
    pub deleted: bool,
    pub usage_location: Option<CountryCode>,
    pub held: Holdings,
}

/// A subscription's seats as read inside the transaction that holds them.
#[derive(Debug, Clone)]
pub struct Seats {
    pub product_id: ProductId,
    pub quantity: i64,
    pub assigned: i64,
}

/// The writes an update needs, and each user's result.
#[derive(Debug, Clone, Default)]
pub struct UpdatePlan {
    pub results: Vec<crate::model::UserLicenseResult>,
    /// Rows to insert, or whose disabled plans change.
    pub upserts: Vec<(uuid::Uuid, ProductId, BTreeSet<String>)>,
    pub deletions: Vec<(uuid::Uuid, ProductId)>,
    /// Net change of `assigned` per product.
    pub seat_deltas: BTreeMap<ProductId, i64>,
    /// Each succeeded user's licenses before and after, for the audit log.
    pub changes: Vec<(uuid::Uuid, Holdings, Holdings)>,
}

/// Users whose licenses went from the same `before` to the same `after`: one audit
/// event covers them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeGroup<'a> {
    pub user_ids: Vec<uuid::Uuid>,
    pub before: &'a Holdings,
    pub after: &'a Holdings,
}

impl UpdatePlan {
    pub fn any_failed(&self) -> bool {
        self.results.iter().any(|r| r.status == crate::model::LicenseResultStatus::Failed)
    }

    /// The changes grouped by identical before and after state, in order of first
    /// appearance, at most `max_users` users per group. Every user in a group had
    /// exactly that before and after, so the audit log loses nothing, and a bulk
    /// assignment to 100,000 users writes a hundred events instead of 100,000.
    pub fn change_groups(&self, max_users: usize) -> Vec<ChangeGroup<'_>> {
        let max_users = max_users.max(1);
        let mut groups: Vec<ChangeGroup<'_>> = Vec::new();
        let mut open: BTreeMap<(&Holdings, &Holdings), usize> = BTreeMap::new();
        for (user_id, before, after) in &self.changes {
            let index = match open.get(&(before, after)) {
                Some(&i) if groups[i].user_ids.len() < max_users => i,
                _ => {
                    groups.push(ChangeGroup { user_ids: Vec::new(), before, after });
                    open.insert((before, after), groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[index].user_ids.push(*user_id);
        }
        groups
    }
}

/// Plans `change` for `order` (users in the order given). Seats go to users in that
/// order.
pub fn plan_update(
    catalog: &Catalog,
    seats: &[Seats],
    users: &BTreeMap<uuid::Uuid, UserLicenses>,
    order: &[uuid::Uuid],
    change: &LicenseChange,
) -> UpdatePlan {
    use crate::model::{LicenseFailure, LicenseResultStatus, UserLicenseResult};
    let owned: BTreeSet<ProductId> = seats.iter().map(|s| s.product_id.clone()).collect();
    let mut available: BTreeMap<ProductId, i64> =
        seats.iter().map(|s| (s.product_id.clone(), s.quantity - s.assigned)).collect();
    let mut plan = UpdatePlan::default();
    let failed = |user_id, errors| UserLicenseResult {
        user_id,
        status: LicenseResultStatus::Failed,
        assigned: vec![],
        removed: vec![],
        errors,
    };
    let user_error = |code: &str, message: &str| {
        vec![LicenseFailure { product_id: None, code: code.into(), message: message.into() }]
    };
    for &user_id in order {
        let Some(user) = users.get(&user_id) else {
            plan.results.push(failed(user_id, user_error("user_not_found", "user not found")));
            continue;
        };
        if user.deleted {
            plan.results.push(failed(user_id, user_error("user_deleted", "the user is deleted; restore it first")));
            continue;
        }
        let evaluation = evaluate(catalog, &owned, &user.held, user.usage_location, change);
        let mut errors: Vec<LicenseFailure> = evaluation
            .errors
            .iter()
            .map(|e| LicenseFailure {
                product_id: Some(e.product_id.as_ref().to_owned()),
                code: e.code.as_str().into(),
                message: e.message.clone(),
            })
            .collect();
        let newly: Vec<&ProductId> = evaluation.assigned.iter().filter(|p| !user.held.contains_key(*p)).collect();
        if errors.is_empty() {
            for p in &newly {
                if available.get(*p).copied().unwrap_or(0) < 1 {
                    let e = LicenseError::insufficient(p);
                    errors.push(LicenseFailure {
                        product_id: Some(p.as_ref().to_owned()),
                        code: e.code.as_str().into(),
                        message: e.message,
                    });
                }
            }
        }
        if !errors.is_empty() {
            plan.results.push(failed(user_id, errors));
            continue;
        }
        if evaluation.is_unchanged() {
            plan.results.push(UserLicenseResult {
                user_id,
                status: LicenseResultStatus::Unchanged,
                assigned: vec![],
                removed: vec![],
                errors: vec![],
            });
            continue;
        }
        let mut after = user.held.clone();
        for p in &evaluation.assigned {
            let plans = change.assign.get(p).cloned().unwrap_or_default();
            after.insert(p.clone(), plans.clone());
            plan.upserts.push((user_id, p.clone(), plans));
        }
        for p in &newly {
            *available.entry((*p).clone()).or_default() -= 1;
            *plan.seat_deltas.entry((*p).clone()).or_default() += 1;
        }
        for p in &evaluation.removed {
            after.remove(p);
            plan.deletions.push((user_id, p.clone()));
            *available.entry(p.clone()).or_default() += 1;
            *plan.seat_deltas.entry(p.clone()).or_default() -= 1;
        }
        plan.changes.push((user_id, user.held.clone(), after));
        plan.results.push(UserLicenseResult {
            user_id,
            status: LicenseResultStatus::Succeeded,
            assigned: evaluation.assigned.iter().map(|p| p.as_ref().to_owned()).collect(),
            removed: evaluation.removed.iter().map(|p| p.as_ref().to_owned()).collect(),
            errors: vec![],
        });
    }
    plan
}

/// Which remembered licenses a restored user gets back: each must still be owned,
/// allowed by the rules, and have a free seat. Dropping one can break another's
/// requirement, so this repeats until nothing more drops.
pub fn plan_restore(
    catalog: &Catalog,
    seats: &[Seats],
    usage_location: Option<CountryCode>,
    remembered: Holdings,
) -> (Holdings, Vec<(ProductId, LicenseErrorCode)>) {
    let owned: BTreeSet<ProductId> = seats.iter().map(|s| s.product_id.clone()).collect();
    let free: BTreeMap<&ProductId, i64> = seats.iter().map(|s| (&s.product_id, s.quantity - s.assigned)).collect();
    let mut kept = remembered;
    let mut dropped = Vec::new();
    loop {
        let change = LicenseChange { assign: kept.clone(), remove: BTreeSet::new() };
        let evaluation = evaluate(catalog, &owned, &Holdings::new(), usage_location, &change);
        let mut out: Vec<(ProductId, LicenseErrorCode)> =
            evaluation.errors.into_iter().map(|e| (e.product_id, e.code)).collect();
        if out.is_empty() {
            out = kept
                .keys()
                .filter(|p| free.get(p).copied().unwrap_or(0) < 1)
                .map(|p| (p.clone(), LicenseErrorCode::InsufficientLicenses))
                .collect();
        }
        if out.is_empty() {
            return (kept, dropped);
        }
        for (p, code) in out {
            if kept.remove(&p).is_some() {
                dropped.push((p, code));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_catalog_file;

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
    fn changes_group_by_identical_before_and_after_and_respect_the_group_size() {
        let none = Holdings::new();
        let mail: Holdings = [(id("MAIL_P1"), BTreeSet::new())].into();
        let users: Vec<uuid::Uuid> = (0..5).map(|_| uuid::Uuid::now_v7()).collect();
        let plan = UpdatePlan {
            changes: vec![
                (users[0], none.clone(), mail.clone()),
                (users[1], mail.clone(), none.clone()),
                (users[2], none.clone(), mail.clone()),
                (users[3], none.clone(), mail.clone()),
                (users[4], mail.clone(), none.clone()),
            ],
            ..Default::default()
        };
        let groups = plan.change_groups(2);
        let shape: Vec<(Vec<uuid::Uuid>, bool)> =
            groups.iter().map(|g| (g.user_ids.clone(), g.after == &mail && g.before == &none)).collect();
        assert_eq!(
            shape,
            vec![(vec![users[0], users[2]], true), (vec![users[1], users[4]], false), (vec![users[3]], true),]
        );
        assert_eq!(plan.change_groups(1000).len(), 2);
    }

    fn id(s: &str) -> ProductId {
        ProductId::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn country(s: &str) -> Option<CountryCode> {
        CountryCode::parse(s).ok()
    }

    /// MAIL_P1 and MAIL_P2 exclude each other; ARCHIVE needs MAIL_P1; GEO is sold in
    /// FR and DE only; CHAT is sold everywhere but KP.
    fn catalog() -> Catalog {
        let json = r#"{"products": [
            {"id": "MAIL_P1", "name": "Mail 1", "servicePlans": [{"id": "MAILBOX", "name": "Mailbox"}], "excludes": ["MAIL_P2"]},
            {"id": "MAIL_P2", "name": "Mail 2"},
            {"id": "ARCHIVE", "name": "Archive", "requires": ["MAIL_P1"]},
            {"id": "GEO", "name": "Geo", "availableIn": ["FR", "DE"]},
            {"id": "CHAT", "name": "Chat", "unavailableIn": ["KP"]},
            {"id": "UNSOLD", "name": "Unsold"}
        ]}"#;
        Catalog::new(parse_catalog_file(json.as_bytes(), &Catalog::default()).unwrap_or_default())
    }

    fn owned() -> BTreeSet<ProductId> {
        ["MAIL_P1", "MAIL_P2", "ARCHIVE", "GEO", "CHAT"].into_iter().map(id).collect()
    }

    fn change(assign: &[&str], remove: &[&str]) -> LicenseChange {
        LicenseChange {
            assign: assign.iter().map(|p| (id(p), BTreeSet::new())).collect(),
            remove: remove.iter().map(|p| id(p)).collect(),
        }
    }

    fn holding(products: &[&str]) -> Holdings {
        products.iter().map(|p| (id(p), BTreeSet::new())).collect()
    }

    fn codes(e: &Evaluation) -> Vec<(String, &'static str)> {
        e.errors.iter().map(|x| (x.product_id.as_ref().to_owned(), x.code.as_str())).collect()
    }

    fn eval(held: &[&str], loc: &str, assign: &[&str], remove: &[&str]) -> Evaluation {
        evaluate(&catalog(), &owned(), &holding(held), country(loc), &change(assign, remove))
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
        c.assign.insert(id("MAIL_P1"), ["MAILBOX".to_owned(), "FAX".to_owned()].into());
        let e = evaluate(&catalog(), &owned(), &Holdings::new(), country("US"), &c);
        assert_eq!(codes(&e), vec![("MAIL_P1".into(), "unknown_service_plan")]);
    }

    #[test]
    fn changing_disabled_plans_of_a_held_product_is_an_assignment() {
        let mut c = change(&["MAIL_P1"], &[]);
        c.assign.insert(id("MAIL_P1"), ["MAILBOX".to_owned()].into());
        let e = evaluate(&catalog(), &owned(), &holding(&["MAIL_P1"]), country("US"), &c);
        assert_eq!((e.assigned, e.errors.len()), (vec![id("MAIL_P1")], 0));
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

    fn seats(list: &[(&str, i64, i64)]) -> Vec<Seats> {
        list.iter().map(|(p, q, a)| Seats { product_id: id(p), quantity: *q, assigned: *a }).collect()
    }

    fn user(held: &[&str], loc: &str) -> UserLicenses {
        UserLicenses { deleted: false, usage_location: country(loc), held: holding(held) }
    }

    #[test]
    fn seats_go_to_users_in_the_order_given() {
        let ids: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::now_v7()).collect();
        let users: BTreeMap<_, _> = ids.iter().map(|u| (*u, user(&[], "US"))).collect();
        let plan = plan_update(&catalog(), &seats(&[("MAIL_P1", 3, 1)]), &users, &ids, &change(&["MAIL_P1"], &[]));
        let statuses: Vec<&str> = plan.results.iter().map(|r| r.status.as_str()).collect();
        assert_eq!(statuses, vec!["succeeded", "succeeded", "failed"]);
        assert_eq!(plan.results[2].errors[0].code, "insufficient_licenses");
        assert_eq!(plan.seat_deltas.get(&id("MAIL_P1")), Some(&2));
        assert_eq!(plan.upserts.len(), 2);
    }

    #[test]
    fn a_swap_returns_one_seat_and_takes_another() {
        let a = uuid::Uuid::now_v7();
        let users: BTreeMap<_, _> = [(a, user(&["MAIL_P1"], "US"))].into();
        let plan = plan_update(
            &catalog(),
            &seats(&[("MAIL_P1", 1, 1), ("MAIL_P2", 1, 0)]),
            &users,
            &[a],
            &change(&["MAIL_P2"], &["MAIL_P1"]),
        );
        assert_eq!(plan.results[0].status.as_str(), "succeeded");
        assert_eq!(
            (plan.results[0].assigned.clone(), plan.results[0].removed.clone()),
            (vec!["MAIL_P2".into()], vec!["MAIL_P1".into()])
        );
        assert_eq!(plan.seat_deltas, [(id("MAIL_P1"), -1), (id("MAIL_P2"), 1)].into());
        assert_eq!(plan.deletions, vec![(a, id("MAIL_P1"))]);
    }

    #[test]
    fn a_restore_keeps_what_seats_and_rules_allow() {
        // MAIL_P1 has no free seat, so ARCHIVE, which needs it, cannot come back either.
        let (kept, dropped) = plan_restore(
            &catalog(),
            &seats(&[("MAIL_P1", 1, 1), ("ARCHIVE", 5, 0), ("CHAT", 5, 0)]),
            country("US"),
            holding(&["MAIL_P1", "ARCHIVE", "CHAT"]),
        );
        assert_eq!(kept.keys().cloned().collect::<Vec<_>>(), vec![id("CHAT")]);
        let codes: Vec<(String, &str)> = dropped.iter().map(|(p, c)| (p.as_ref().to_owned(), c.as_str())).collect();
        assert_eq!(codes, vec![("MAIL_P1".into(), "insufficient_licenses"), ("ARCHIVE".into(), "dependency_missing")]);
    }

    #[test]
    fn missing_and_deleted_users_fail_on_their_own() {
        let gone = uuid::Uuid::now_v7();
        let deleted = uuid::Uuid::now_v7();
        let users: BTreeMap<_, _> =
            [(deleted, UserLicenses { deleted: true, usage_location: country("US"), held: Holdings::new() })].into();
        let plan =
            plan_update(&catalog(), &seats(&[("MAIL_P1", 5, 0)]), &users, &[gone, deleted], &change(&["MAIL_P1"], &[]));
        let codes: Vec<&str> = plan.results.iter().map(|r| r.errors[0].code.as_str()).collect();
        assert_eq!(codes, vec!["user_not_found", "user_deleted"]);
        assert!(plan.seat_deltas.is_empty());
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
