//! Plans: what an update, a create or a restore writes, decided from the rows a
//! transaction has read and locked. The store executes a plan; it decides nothing.

use super::rules::evaluate;
use super::{Holdings, LicenseChange, LicenseDetail, LicenseError, LicenseErrorCode, PlanChange};
use crate::catalog::Catalog;
use crate::domain::{CountryCode, ProductId};
use crate::model::{LicenseFailure, LicenseResultStatus, RestoreFailure, User, UserLicenseResult, UserState};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;
use uuid::Uuid;

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

/// The free seats of a customer's subscriptions as one transaction hands them
/// out, in order, and the net change of `assigned` that it has to write.
#[derive(Debug, Clone, Default)]
pub struct SeatLedger {
    free: BTreeMap<ProductId, i64>,
    deltas: BTreeMap<ProductId, i64>,
}

impl SeatLedger {
    pub fn new(seats: &[Seats]) -> Self {
        Self {
            free: seats.iter().map(|s| (s.product_id.clone(), s.quantity - s.assigned)).collect(),
            deltas: BTreeMap::new(),
        }
    }

    /// The products the customer holds a subscription for.
    pub fn owned(&self) -> BTreeSet<ProductId> {
        self.free.keys().cloned().collect()
    }

    /// Those of `products` with no free seat left, in the order given.
    pub fn short<'a>(&self, products: impl IntoIterator<Item = &'a ProductId>) -> Vec<&'a ProductId> {
        products.into_iter().filter(|p| self.free.get(*p).copied().unwrap_or(0) < 1).collect()
    }

    /// A seat of each of `products` for one user, or the first with none left;
    /// nothing is taken then.
    pub fn check<'a>(&self, products: impl IntoIterator<Item = &'a ProductId>) -> Result<(), LicenseError> {
        match self.short(products).first() {
            Some(short) => Err(LicenseError::insufficient(short)),
            None => Ok(()),
        }
    }

    pub fn take(&mut self, product: &ProductId) {
        self.adjust(product, -1);
    }

    pub fn give_back(&mut self, product: &ProductId) {
        self.adjust(product, 1);
    }

    fn adjust(&mut self, product: &ProductId, free: i64) {
        *self.free.entry(product.clone()).or_default() += free;
        *self.deltas.entry(product.clone()).or_default() -= free;
    }

    /// The net change of `assigned` per product, products that did not move left out.
    pub fn into_deltas(self) -> BTreeMap<ProductId, i64> {
        self.deltas.into_iter().filter(|(_, d)| *d != 0).collect()
    }
}

/// Whether a license update applies to each user on its own, or to all of them or
/// none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Atomicity {
    /// Each user's change is applied or refused on its own (the default).
    #[default]
    PerUser,
    /// Nothing is applied unless every user succeeds.
    AllOrNothing,
}

/// How a license update uses its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// Write the plan.
    Apply(Atomicity),
    /// Write nothing; every user's result is what `Apply` would give.
    DryRun(Atomicity),
}

impl UpdateMode {
    pub fn is_dry_run(self) -> bool {
        matches!(self, Self::DryRun(_))
    }

    /// Whether `plan` is written: never in a dry run, and all or nothing only when
    /// no user failed.
    pub fn applies(self, plan: &UpdatePlan) -> bool {
        match self {
            Self::DryRun(_) => false,
            Self::Apply(Atomicity::PerUser) => true,
            Self::Apply(Atomicity::AllOrNothing) => !plan.any_failed(),
        }
    }
}

/// One license change for many users, as the store applies it: users are judged,
/// and given seats, in the order of `user_ids`.
#[derive(Debug, Clone)]
pub struct LicenseUpdate {
    pub user_ids: Vec<Uuid>,
    pub change: LicenseChange,
    pub mode: UpdateMode,
}

/// The writes an update needs, and each user's result.
#[derive(Debug, Clone, Default)]
pub struct UpdatePlan {
    pub results: Vec<UserLicenseResult>,
    /// Rows to insert, or whose disabled plans change.
    pub upserts: Vec<(Uuid, ProductId, BTreeSet<String>)>,
    pub deletions: Vec<(Uuid, ProductId)>,
    /// Net change of `assigned` per product.
    pub seat_deltas: BTreeMap<ProductId, i64>,
    /// Each succeeded user's licenses before and after, for the audit log.
    pub changes: Vec<(Uuid, Holdings, Holdings)>,
}

/// Users whose licenses went from the same `before` to the same `after`: one audit
/// event covers them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeGroup<'a> {
    pub user_ids: Vec<Uuid>,
    pub before: &'a Holdings,
    pub after: &'a Holdings,
}

impl UpdatePlan {
    pub fn any_failed(&self) -> bool {
        self.results.iter().any(|r| r.status == LicenseResultStatus::Failed)
    }

    /// The net change in the number of users who hold at least one license.
    pub fn licensed_users_delta(&self) -> i64 {
        self.changes.iter().map(|(_, before, after)| i64::from(!after.is_empty()) - i64::from(!before.is_empty())).sum()
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

fn failure(e: &LicenseError) -> LicenseFailure {
    LicenseFailure {
        product_id: Some(e.product_id.as_ref().to_owned()),
        code: e.code.as_str().into(),
        message: e.message.clone(),
        detail: e.detail.clone(),
    }
}

fn user_failure(user_id: Uuid, code: &str, message: &str) -> UserLicenseResult {
    UserLicenseResult {
        user_id,
        status: LicenseResultStatus::Failed,
        assigned: vec![],
        removed: vec![],
        errors: vec![LicenseFailure {
            product_id: None,
            code: code.into(),
            message: message.into(),
            detail: LicenseDetail::None,
        }],
        not_applied: vec![],
        unchanged: vec![],
    }
}

/// The products `change` names, assigned ones first, each once.
fn asked(change: &LicenseChange) -> Vec<&ProductId> {
    change.assign.keys().chain(change.remove.iter()).collect()
}

fn ids<'a>(products: impl IntoIterator<Item = &'a ProductId>) -> Vec<String> {
    products.into_iter().map(|p| p.as_ref().to_owned()).collect()
}

/// Plans `change` for `order` (users in the order given). Seats go to users in that
/// order.
pub fn plan_update(
    catalog: &Catalog,
    seats: &[Seats],
    users: &BTreeMap<Uuid, UserLicenses>,
    order: &[Uuid],
    change: &LicenseChange,
) -> UpdatePlan {
    let mut ledger = SeatLedger::new(seats);
    let owned = ledger.owned();
    let asked = asked(change);
    let mut plan = UpdatePlan::default();
    for &user_id in order {
        let Some(user) = users.get(&user_id) else {
            let not_applied = ids(asked.iter().copied());
            plan.results
                .push(UserLicenseResult { not_applied, ..user_failure(user_id, "user_not_found", "user not found") });
            continue;
        };
        if user.deleted {
            let not_applied = ids(asked.iter().copied());
            let failure = user_failure(user_id, "user_deleted", "the user is deleted; restore it first");
            plan.results.push(UserLicenseResult { not_applied, ..failure });
            continue;
        }
        let evaluation = evaluate(catalog, &owned, &user.held, user.usage_location, change);
        let mut errors: Vec<LicenseFailure> = evaluation.errors.iter().map(failure).collect();
        let newly: Vec<&ProductId> = evaluation.assigned.iter().filter(|p| !user.held.contains_key(*p)).collect();
        if errors.is_empty() {
            errors = ledger
                .short(newly.iter().copied())
                .into_iter()
                .map(|p| failure(&LicenseError::insufficient(p)))
                .collect();
        }
        let changing = |p: &&ProductId| evaluation.assigned.contains(*p) || evaluation.removed.contains(*p);
        // A change to holders' plans asks nothing of a user who does not hold the product.
        let asked: Vec<&ProductId> = asked
            .iter()
            .copied()
            .filter(|p| user.held.contains_key(*p) || !change.assign.get(*p).is_some_and(|c| c.holders_only))
            .collect();
        if !errors.is_empty() {
            let failed = |p: &&ProductId| errors.iter().any(|e| e.product_id.as_deref() == Some(p.as_ref()));
            let (not_applied, unchanged): (Vec<&ProductId>, Vec<&ProductId>) =
                asked.iter().copied().filter(|p| !failed(p)).partition(changing);
            plan.results.push(UserLicenseResult {
                not_applied: ids(not_applied),
                unchanged: ids(unchanged),
                errors,
                ..user_failure(user_id, "", "")
            });
            continue;
        }
        let unchanged = ids(asked.iter().copied().filter(|p| !changing(p)));
        if evaluation.is_unchanged() {
            plan.results.push(UserLicenseResult {
                user_id,
                status: LicenseResultStatus::Unchanged,
                assigned: vec![],
                removed: vec![],
                errors: vec![],
                not_applied: vec![],
                unchanged,
            });
            continue;
        }
        let mut after = user.held.clone();
        for p in &evaluation.assigned {
            let plans = change.assign.get(p).map(|c| c.disabled_for(user.held.get(p))).unwrap_or_default();
            after.insert(p.clone(), plans.clone());
            plan.upserts.push((user_id, p.clone(), plans));
        }
        for p in &newly {
            ledger.take(p);
        }
        for p in &evaluation.removed {
            after.remove(p);
            plan.deletions.push((user_id, p.clone()));
            ledger.give_back(p);
        }
        plan.changes.push((user_id, user.held.clone(), after));
        plan.results.push(UserLicenseResult {
            user_id,
            status: LicenseResultStatus::Succeeded,
            assigned: ids(&evaluation.assigned),
            removed: ids(&evaluation.removed),
            errors: vec![],
            not_applied: vec![],
            unchanged,
        });
    }
    plan.seat_deltas = ledger.into_deltas();
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
    let ledger = SeatLedger::new(seats);
    let owned = ledger.owned();
    let mut kept = remembered;
    let mut dropped = Vec::new();
    loop {
        let assign = kept.iter().map(|(p, plans)| (p.clone(), PlanChange::replace(plans.clone()))).collect();
        let change = LicenseChange { assign, remove: BTreeSet::new() };
        let evaluation = evaluate(catalog, &owned, &Holdings::new(), usage_location, &change);
        let mut out: Vec<(ProductId, LicenseErrorCode)> =
            evaluation.errors.into_iter().map(|e| (e.product_id, e.code)).collect();
        if out.is_empty() {
            out = ledger
                .short(kept.keys())
                .into_iter()
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

/// Whether `user` (as read under the transaction's seat lock; `None` when it is
/// absent or another partner's) may be restored at `now`: deleted, and within its
/// window. Which licenses come back is `plan_restore`'s to say. Only the database
/// can tell whether an active user has taken the username since: the restoring
/// update itself checks that.
pub fn check_restorable(user: Option<&User>, now: OffsetDateTime) -> Result<&User, RestoreFailure> {
    let user = user.ok_or(RestoreFailure::NotFound)?;
    if user.state != UserState::Deleted {
        return Err(RestoreFailure::NotDeleted);
    }
    if user.purge_at.is_some_and(|purge_at| now > purge_at) {
        return Err(RestoreFailure::WindowExpired);
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licensing::test_catalog::*;

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
    fn a_failed_user_names_every_product_asked_for() {
        let a = uuid::Uuid::now_v7();
        let users: BTreeMap<_, _> = [(a, user(&["CHAT"], "US"))].into();
        let plan = plan_update(
            &catalog(),
            &seats(&[("MAIL_P1", 5, 0), ("ARCHIVE", 5, 0), ("CHAT", 5, 1), ("MAIL_P2", 5, 0)]),
            &users,
            &[a],
            &change(&["ARCHIVE", "CHAT", "MAIL_P2"], &["GEO"]),
        );
        let r = &plan.results[0];
        assert_eq!(r.status, LicenseResultStatus::Failed);
        assert_eq!(
            r.errors.iter().map(|e| e.product_id.clone().unwrap_or_default()).collect::<Vec<_>>(),
            vec!["ARCHIVE"]
        );
        assert_eq!(
            (r.not_applied.clone(), r.unchanged.clone()),
            (vec!["MAIL_P2".into()], vec!["CHAT".into(), "GEO".into()])
        );
        assert!(plan.upserts.is_empty() && plan.seat_deltas.is_empty());
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
    fn a_ledger_hands_out_seats_in_order_and_nets_what_comes_back() {
        let mut ledger = SeatLedger::new(&seats(&[("MAIL_P1", 2, 1), ("CHAT", 1, 1)]));
        let (mail, chat) = (id("MAIL_P1"), id("CHAT"));
        assert_eq!(ledger.check([&mail]), Ok(()));
        assert_eq!(
            ledger.check([&mail, &chat]).map_err(|e| (e.product_id, e.code)),
            Err((chat.clone(), LicenseErrorCode::InsufficientLicenses))
        );
        ledger.take(&mail);
        assert_eq!(ledger.short([&mail, &chat]), vec![&mail, &chat]);
        ledger.give_back(&chat);
        ledger.take(&chat);
        assert_eq!(ledger.into_deltas(), [(mail, 1)].into());
    }

    #[test]
    fn only_a_failure_in_all_or_nothing_mode_or_a_dry_run_keeps_a_plan_from_being_written() {
        let ok = UpdatePlan::default();
        let failed = UpdatePlan {
            results: vec![user_failure(uuid::Uuid::now_v7(), "user_not_found", "user not found")],
            ..Default::default()
        };
        for (mode, writes_ok, writes_failed) in [
            (UpdateMode::Apply(Atomicity::PerUser), true, true),
            (UpdateMode::Apply(Atomicity::AllOrNothing), true, false),
            (UpdateMode::DryRun(Atomicity::PerUser), false, false),
            (UpdateMode::DryRun(Atomicity::AllOrNothing), false, false),
        ] {
            assert_eq!((mode.applies(&ok), mode.applies(&failed)), (writes_ok, writes_failed), "{mode:?}");
        }
    }

    #[test]
    fn a_deleted_user_is_restorable_up_to_its_purge_time_and_not_a_microsecond_after() {
        let purge_at = time::macros::datetime!(2026-02-01 10:00:00 UTC);
        let mut user = crate::model::User {
            id: uuid::Uuid::now_v7(),
            customer_id: uuid::Uuid::now_v7(),
            user_principal_name: "a@b.example".into(),
            first_name: None,
            last_name: None,
            display_name: "A".into(),
            usage_location: None,
            roles: Default::default(),
            sign_in_blocked: false,
            state: UserState::Deleted,
            deleted_at: Some(purge_at - time::Duration::days(30)),
            purge_at: Some(purge_at),
            licenses: vec![],
            created_at: purge_at,
            updated_at: purge_at,
        };
        assert!(check_restorable(Some(&user), purge_at).is_ok());
        let late = purge_at + time::Duration::microseconds(1);
        assert_eq!(check_restorable(Some(&user), late).err(), Some(RestoreFailure::WindowExpired));
        assert_eq!(check_restorable(None, purge_at).err(), Some(RestoreFailure::NotFound));
        user.state = UserState::Active;
        assert_eq!(check_restorable(Some(&user), purge_at).err(), Some(RestoreFailure::NotDeleted));
    }
}
