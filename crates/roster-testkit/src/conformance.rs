//! The store conformance suite: every backend must behave the same here. Each
//! check takes a fresh, migrated store; the test binary runs each on both.

use roster_core::Store;
use roster_core::domain::*;
use roster_core::model::*;
use roster_core::paging::*;
use roster_core::secrets::TemporaryPassword;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const NOW: OffsetDateTime = crate::EPOCH;

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.expect("the store call succeeds")
}

pub struct Tenant {
    pub actor: Actor,
    pub customer: Customer,
}

pub async fn tenant(store: &dyn Store) -> Tenant {
    let partner = ok(store.create_partner(Uuid::now_v7(), "P", NOW).await);
    let actor = Actor { partner_id: partner.id, agent_id: None };
    let domain = ok(DomainName::parse(&format!("d{}.example", Uuid::now_v7().simple())));
    let new = NewCustomer {
        id: Uuid::now_v7(),
        company_name: ok(OrganisationName::parse("Contoso")),
        domains: vec![domain],
        country: ok(CountryCode::parse("US")),
    };
    let customer = ok(store.create_customer(actor, &new, NOW).await);
    Tenant { actor, customer }
}

/// A user ready for `Store::create_users`, and the temporary password its digest is of.
pub struct NewTestUser {
    pub record: NewUserRecord,
    pub password: TemporaryPassword,
}

pub fn new_user(customer: &Customer, name: &str, display: &str) -> NewTestUser {
    let password = TemporaryPassword::generate();
    let user = NewUser {
        upn: UserPrincipalName::new(ok(UserName::parse(name)), ok(DomainName::parse(&customer.domains[0]))),
        first_name: None,
        last_name: None,
        display_name: ok(DisplayName::parse(display)),
        usage_location: None,
        roles: RoleSet::default(),
        licenses: vec![],
    };
    let record = NewUserRecord {
        id: Uuid::now_v7(),
        user,
        password_digest: password.digest(),
        password_expires_at: NOW + Duration::days(14),
    };
    NewTestUser { record, password }
}

async fn seed(store: &dyn Store, t: &Tenant, n: usize) -> Vec<User> {
    // Only five distinct display names, so most sort keys tie and the id decides.
    let records: Vec<_> = (0..n)
        .map(|i| new_user(&t.customer, &format!("u{i:03}"), ["Bo", "al", "Zed", "Ål", "bo"][i % 5]).record)
        .collect();
    ok(store.create_users(t.actor, t.customer.id, &records, NOW).await).into_iter().map(ok).collect()
}

fn query(sort: UserSort, limit: u32, position: Position) -> UserQuery {
    UserQuery { filter: UserFilter::default(), sort, page: PageRequest { limit, position } }
}

/// Walking next from First and prev from Last both visit every row once, in order.
pub async fn keyset_pages_cover_every_row_once_in_order(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let users = seed(store.as_ref(), &t, 57).await;
    for field in [UserSortField::DisplayName, UserSortField::UserPrincipalName, UserSortField::CreatedAt] {
        for descending in [false, true] {
            let sort = UserSort { field, descending };
            let mut expected: Vec<(Key, Uuid)> = users.iter().map(|u| (user_key(u, sort), u.id)).collect();
            expected.sort_by(|(key_a, id_a), (key_b, id_b)| {
                let ord = match (&key_a.value, &key_b.value) {
                    (SortValue::Text(x), SortValue::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
                    (SortValue::Time(x), SortValue::Time(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                }
                .then(id_a.as_bytes().cmp(id_b.as_bytes()));
                if descending { ord.reverse() } else { ord }
            });
            let expected: Vec<Uuid> = expected.into_iter().map(|(_, id)| id).collect();

            let mut seen = Vec::new();
            let mut position = Position::First;
            loop {
                let page = ok(store.list_users(t.actor.partner_id, t.customer.id, &query(sort, 10, position)).await);
                assert_eq!(page.total_count, 57);
                seen.extend(page.items.iter().map(|u| u.id));
                match page.cursors.next {
                    Some(c) => position = ok(PageRequest::parse(Some(10), Some(&c), &sort.as_str())).position,
                    None => break,
                }
            }
            assert_eq!(seen, expected, "forward walk, sort {}", sort.as_str());

            let mut back = Vec::new();
            let mut position = Position::Last;
            loop {
                let page = ok(store.list_users(t.actor.partner_id, t.customer.id, &query(sort, 10, position)).await);
                back.splice(0..0, page.items.iter().map(|u| u.id));
                match page.cursors.prev {
                    Some(c) => position = ok(PageRequest::parse(Some(10), Some(&c), &sort.as_str())).position,
                    None => break,
                }
            }
            assert_eq!(back, expected, "backward walk, sort {}", sort.as_str());
        }
    }
}

/// The per-customer counters agree with the rows after every kind of change.
pub async fn counters_follow_every_change(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let users = seed(store.as_ref(), &t, 6).await;
    let purge_at = NOW + Duration::days(30);
    for u in &users[..3] {
        ok(store.delete_user(t.actor, t.customer.id, u.id, purge_at, NOW).await);
    }
    let restored = ok(store.restore_users(t.actor, t.customer.id, &[users[0].id], NOW).await);
    assert!(restored[0].result.is_ok());
    let c = ok(store.get_customer(t.actor.partner_id, t.customer.id).await).expect("the customer");
    assert_eq!((c.active_users, c.deleted_users), (4, 2));
    assert_eq!(ok(store.purge_expired(purge_at + Duration::seconds(1)).await), 2);
    let c = ok(store.get_customer(t.actor.partner_id, t.customer.id).await).expect("the customer");
    assert_eq!((c.active_users, c.deleted_users), (4, 0));
    // A filtered count scans rows instead of reading the counters: they must agree.
    let mut q = query(UserSort::default(), 50, Position::First);
    q.filter.sign_in_blocked = Some(false);
    assert_eq!(ok(store.list_users(t.actor.partner_id, t.customer.id, &q).await).total_count, 4);
}

/// A taken username fails only its own row, case-insensitively, within one batch.
pub async fn taken_usernames_fail_alone_within_a_batch(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let records = vec![
        new_user(&t.customer, "ann", "Ann").record,
        new_user(&t.customer, "ANN", "Ann 2").record,
        new_user(&t.customer, "bob", "Bob").record,
    ];
    let results = ok(store.create_users(t.actor, t.customer.id, &records, NOW).await);
    assert!(results[0].is_ok());
    assert!(matches!(results[1], Err(roster_core::Error::UsernameTaken(_))));
    assert!(results[2].is_ok());
    let c = ok(store.get_customer(t.actor.partner_id, t.customer.id).await).expect("the customer");
    assert_eq!(c.active_users, 2);
}

/// A temporary password can be consumed once.
pub async fn temporary_passwords_are_consumed_once(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let NewTestUser { record, password } = new_user(&t.customer, "tess", "Tess");
    let upn_key = record.user.upn.key();
    ok(store.create_users(t.actor, t.customer.id, &[record], NOW).await);
    let found = ok(store.find_signin_user(&upn_key).await).expect("the user, found by name");
    assert_eq!(found.password_digest.as_deref(), Some(password.digest().as_str()));
    assert!(ok(store.consume_temporary_password(found.id, &password.digest(), NOW).await));
    assert!(!ok(store.consume_temporary_password(found.id, &password.digest(), NOW).await));
}

/// The purge spares a user at exactly `purge_at` and removes it just after.
pub async fn purge_spares_users_until_the_window_ends(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let users = seed(store.as_ref(), &t, 1).await;
    let purge_at = NOW + Duration::days(30);
    ok(store.delete_user(t.actor, t.customer.id, users[0].id, purge_at, NOW).await);
    assert_eq!(ok(store.purge_expired(purge_at).await), 0);
    assert!(ok(store.get_user(t.actor.partner_id, t.customer.id, users[0].id).await).is_some());
    assert_eq!(ok(store.purge_expired(purge_at + Duration::microseconds(1)).await), 1);
    assert!(ok(store.get_user(t.actor.partner_id, t.customer.id, users[0].id).await).is_none());
}

/// Another partner's ids read as absent.
pub async fn another_partner_reads_nothing(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let users = seed(store.as_ref(), &t, 2).await;
    let other = ok(store.create_partner(Uuid::now_v7(), "Other", NOW).await);
    assert!(ok(store.get_customer(other.id, t.customer.id).await).is_none());
    assert!(ok(store.get_user(other.id, t.customer.id, users[0].id).await).is_none());
    let page = ok(store.list_users(other.id, t.customer.id, &query(UserSort::default(), 50, Position::First)).await);
    assert!(page.items.is_empty());
    let other_actor = Actor { partner_id: other.id, agent_id: None };
    assert!(store.delete_user(other_actor, t.customer.id, users[0].id, NOW, NOW).await.is_err());
    let records = vec![new_user(&t.customer, "intruder", "X").record];
    assert!(matches!(
        store.create_users(other_actor, t.customer.id, &records, NOW).await,
        Err(roster_core::Error::NotFound)
    ));
}

/// Domains belong to one customer, so user principal names are global.
pub async fn a_domain_belongs_to_one_customer(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref()).await;
    let again = NewCustomer {
        id: Uuid::now_v7(),
        company_name: ok(OrganisationName::parse("Copycat")),
        domains: vec![ok(DomainName::parse(&t.customer.domains[0]))],
        country: ok(CountryCode::parse("FR")),
    };
    assert!(matches!(store.create_customer(t.actor, &again, NOW).await, Err(roster_core::Error::DomainTaken(_))));
    // Nothing of the refused customer is left behind.
    assert!(ok(store.get_customer(t.actor.partner_id, again.id).await).is_none());
}
