//! Versions of the resources a client may change concurrently: users,
//! subscriptions and customers. The HTTP layer shows one as an `ETag`, and a
//! write that names the version it was based on (`If-Match`, or the console's
//! hidden field) goes ahead only while the resource is still at it.
//!
//! A version is a digest of everything the resource's representation shows, so
//! it changes exactly when the representation does, whatever changed it: a
//! user's fields, its licenses (a license update writes no user row), a
//! subscription's `assigned` (moved by every license change), a customer's user
//! counts. Nothing is written to keep it, so a license update of 100,000 users
//! costs no extra row writes. Each `impl Versioned` takes its value apart
//! without `..`, so a field added to the model fails to compile here until the
//! digest covers it.

use crate::error::{Error, Result};
use crate::model::{Customer, License, Subscription, User};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

/// A resource's version: 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// A version as a client sent it back. Anything that cannot be one of ours
    /// is `None`; a caller treats it as a version that matches nothing.
    pub fn parse(text: &str) -> Option<Self> {
        let ours = text.len() == 32 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ours.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The versions a conditional write accepts (an `If-Match` may list several).
/// Empty accepts none: a write whose every tag was unusable fails its check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expected(Vec<Version>);

impl Expected {
    pub fn new(versions: Vec<Version>) -> Self {
        Self(versions)
    }

    pub fn one(version: Version) -> Self {
        Self(vec![version])
    }

    pub fn matches(&self, current: &Version) -> bool {
        self.0.contains(current)
    }

    /// `PreconditionFailed` unless `current` is one of the versions expected.
    pub fn check(&self, current: &impl Versioned) -> Result<()> {
        if self.matches(&current.version()) { Ok(()) } else { Err(Error::PreconditionFailed) }
    }
}

/// A resource with a version.
pub trait Versioned {
    fn version(&self) -> Version;
}

/// The digest a version is read from: each value length-prefixed, so no two
/// different sequences of values write the same bytes.
struct Digest(Sha256);

impl Digest {
    fn new(kind: &str) -> Self {
        let mut d = Self(Sha256::new());
        d.text(kind);
        d
    }

    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update((b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.bytes(b"1").text(s),
            None => self.bytes(b"0"),
        }
    }

    fn int(&mut self, n: i64) -> &mut Self {
        self.bytes(&n.to_le_bytes())
    }

    fn time(&mut self, t: OffsetDateTime) -> &mut Self {
        self.int(crate::clock::to_unix_micros(t))
    }

    fn opt_time(&mut self, t: Option<OffsetDateTime>) -> &mut Self {
        match t {
            Some(t) => self.bytes(b"1").time(t),
            None => self.bytes(b"0"),
        }
    }

    fn uuid(&mut self, id: uuid::Uuid) -> &mut Self {
        self.bytes(id.as_bytes())
    }

    fn finish(self) -> Version {
        let digest = self.0.finalize();
        Version(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Versioned for User {
    fn version(&self) -> Version {
        let User {
            id,
            customer_id,
            user_principal_name,
            first_name,
            last_name,
            display_name,
            usage_location,
            roles,
            sign_in_blocked,
            state,
            deleted_at,
            purge_at,
            licenses,
            created_at,
            updated_at,
        } = self;
        let mut d = Digest::new("user");
        d.uuid(*id)
            .uuid(*customer_id)
            .text(user_principal_name)
            .opt(first_name.as_deref())
            .opt(last_name.as_deref())
            .text(display_name)
            .opt(usage_location.as_deref())
            .int(roles.mask())
            .int(i64::from(*sign_in_blocked))
            .text(state.as_str())
            .opt_time(*deleted_at)
            .opt_time(*purge_at)
            .time(*created_at)
            .time(*updated_at);
        // In product order, whichever read produced the list.
        let mut held: Vec<&License> = licenses.iter().collect();
        held.sort_by(|a, b| a.product_id.cmp(&b.product_id));
        d.int(held.len() as i64);
        for License { product_id, disabled_service_plans } in held {
            let mut plans: Vec<&String> = disabled_service_plans.iter().collect();
            plans.sort();
            d.text(product_id).int(plans.len() as i64);
            for plan in plans {
                d.text(plan);
            }
        }
        d.finish()
    }
}

impl Versioned for Subscription {
    fn version(&self) -> Version {
        let Subscription { id, customer_id, product_id, product_name, quantity, assigned, created_at, updated_at } =
            self;
        let mut d = Digest::new("subscription");
        d.uuid(*id)
            .uuid(*customer_id)
            .text(product_id)
            .text(product_name)
            .int(*quantity)
            .int(*assigned)
            .time(*created_at)
            .time(*updated_at);
        d.finish()
    }
}

impl Versioned for Customer {
    fn version(&self) -> Version {
        let Customer { id, partner_id, company_name, domains, country, active_users, deleted_users, created_at } = self;
        let mut d = Digest::new("customer");
        d.uuid(*id).uuid(*partner_id).text(company_name).int(domains.len() as i64);
        for domain in domains {
            d.text(domain);
        }
        d.text(country).int(*active_users).int(*deleted_users).time(*created_at);
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RoleSet;
    use crate::model::UserState;
    use time::macros::datetime;
    use uuid::Uuid;

    fn user() -> User {
        User {
            id: Uuid::from_u128(1),
            customer_id: Uuid::from_u128(2),
            user_principal_name: "ana@contoso.example".into(),
            first_name: None,
            last_name: Some("Lee".into()),
            display_name: "Ana".into(),
            usage_location: Some("FR".into()),
            roles: RoleSet::default(),
            sign_in_blocked: false,
            state: UserState::Active,
            deleted_at: None,
            purge_at: None,
            licenses: vec![
                License { product_id: "B".into(), disabled_service_plans: vec![] },
                License { product_id: "A".into(), disabled_service_plans: vec!["X".into(), "Y".into()] },
            ],
            created_at: datetime!(2026-01-05 10:00 UTC),
            updated_at: datetime!(2026-01-05 10:00 UTC),
        }
    }

    #[test]
    fn a_version_changes_with_anything_the_representation_shows() {
        let base = user();
        let v = base.version();
        assert_eq!(v.as_str().len(), 32);
        assert_eq!(Version::parse(v.as_str()), Some(v.clone()));
        let changes: [fn(&mut User); 9] = [
            |u| u.display_name.push('!'),
            |u| u.first_name = Some(String::new()),
            |u| u.last_name = None,
            |u| u.sign_in_blocked = true,
            |u| u.usage_location = None,
            |u| u.licenses.truncate(1),
            |u| u.licenses[1].disabled_service_plans.truncate(1),
            |u| u.updated_at += time::Duration::microseconds(1),
            |u| u.state = UserState::Deleted,
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut changed = base.clone();
            change(&mut changed);
            assert_ne!(changed.version(), v, "change {i} kept the version");
        }
    }

    #[test]
    fn the_order_a_read_lists_licenses_and_plans_in_does_not_matter() {
        let mut reordered = user();
        reordered.licenses.reverse();
        reordered.licenses[0].disabled_service_plans.reverse();
        assert_eq!(reordered.version(), user().version());
    }

    #[test]
    fn values_cannot_run_into_each_other() {
        let mut a = user();
        a.first_name = Some("ab".into());
        a.last_name = Some("c".into());
        let mut b = user();
        b.first_name = Some("a".into());
        b.last_name = Some("bc".into());
        assert_ne!(a.version(), b.version());
    }

    #[test]
    fn only_versions_of_ours_parse_and_an_empty_expectation_matches_nothing() {
        assert_eq!(Version::parse("xyz"), None);
        assert_eq!(Version::parse(&"A".repeat(32)), None);
        assert!(!Expected::default().matches(&user().version()));
        assert!(Expected::one(user().version()).check(&user()).is_ok());
        let mut other = user();
        other.display_name = "Other".into();
        assert!(matches!(Expected::one(other.version()).check(&user()), Err(Error::PreconditionFailed)));
    }
}
