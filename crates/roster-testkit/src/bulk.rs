//! Fast fixtures for the fault tests: users seeded by one `INSERT … SELECT` per
//! table (100,000 in a second or two, where the service layer takes minutes in a
//! debug build), with their seats and counters moved as the store moves them; and
//! the invariants every write keeps, read back from the rows themselves.

use crate::{Fixture, RawDb};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Users to seed into one customer: `{prefix}{i}@{domain}` for `i` in `0..count`,
/// each at `location`, holding (or, when deleted, remembering) `licenses`.
#[derive(Debug, Clone)]
pub struct Seed<'a> {
    pub partner_id: Uuid,
    pub customer_id: Uuid,
    pub domain: &'a str,
    pub prefix: &'a str,
    pub count: usize,
    pub location: &'a str,
    pub licenses: &'a [&'a str],
    /// `Some((deleted_at, purge_at))` seeds deleted users, `None` active ones.
    pub deleted: Option<(OffsetDateTime, OffsetDateTime)>,
    pub now: OffsetDateTime,
}

const SQLITE_USERS: &str = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1) \
     INSERT INTO users (id, customer_id, partner_id, user_principal_name, upn_key, display_name, display_name_key, \
     search_key, usage_location, state, deleted_at, purge_at, created_at, updated_at) \
     SELECT randomblob(16), $2, $3, $4 || i || '@' || $5, $4 || i || '@' || $5, 'User ' || i, 'user ' || i, \
     'user ' || i || char(10) || $4 || i || '@' || $5, $6, $7, $8, $9, $10, $10 FROM n";

const PG_USERS: &str = "INSERT INTO users (id, customer_id, partner_id, user_principal_name, upn_key, display_name, \
     display_name_key, search_key, usage_location, state, deleted_at, purge_at, created_at, updated_at) \
     SELECT gen_random_uuid(), $2, $3, $4 || i || '@' || $5, $4 || i || '@' || $5, 'User ' || i, 'user ' || i, \
     'user ' || i || chr(10) || $4 || i || '@' || $5, $6, $7, $8, $9, $10, $10 FROM generate_series(0, $1 - 1) AS s(i)";

const LICENSES: &str = "INSERT INTO user_licenses (user_id, product_id, disabled_service_plans, created_at) \
     SELECT id, $1, '[]', $2 FROM users WHERE customer_id = $3 AND upn_key LIKE $4";

const COUNTERS: &str = "UPDATE customers SET active_users = active_users + $1, deleted_users = deleted_users + $2, \
     licensed_users = licensed_users + $3 WHERE id = $4";

const LOCATION: &str = "INSERT INTO customer_locations (customer_id, usage_location, active_users) VALUES ($1, $2, $3) \
     ON CONFLICT (customer_id, usage_location) DO UPDATE \
     SET active_users = customer_locations.active_users + excluded.active_users";

const SEATS: &str = "UPDATE subscriptions SET assigned = assigned + $1 WHERE customer_id = $2 AND product_id = $3";

/// Runs the same statements on either backend's pool (the binds differ in type
/// only for timestamps, which each arm converts itself).
macro_rules! on_db {
    ($db:expr, $pool:ident, $ts:ident => $body:expr) => {
        match &$db {
            RawDb::Sqlite($pool) => {
                let $ts = |t: OffsetDateTime| roster_core::clock::to_unix_micros(t);
                $body
            }
            RawDb::Postgres($pool) => {
                let $ts = |t: OffsetDateTime| t;
                $body
            }
        }
    };
}

/// Seeds `seed` in one transaction, moving seats and counters by the same SQL
/// increments the store uses: active users take seats and count; deleted users
/// remember their licenses, take no seat, and count as deleted.
pub async fn seed_users(fixture: &Fixture, seed: &Seed<'_>) {
    let n = seed.count as i64;
    let (state, deleted_at, purge_at) = match seed.deleted {
        Some((d, p)) => ("deleted", Some(d), Some(p)),
        None => ("active", None, None),
    };
    let active = if seed.deleted.is_none() { n } else { 0 };
    let licensed = if seed.licenses.is_empty() { 0 } else { active };
    let like = format!("{}%@{}", seed.prefix, seed.domain);
    let db = fixture.raw_db().await;
    let users_sql = match &db {
        RawDb::Sqlite(_) => SQLITE_USERS,
        RawDb::Postgres(_) => PG_USERS,
    };
    let done: Result<(), sqlx::Error> = on_db!(db, pool, ts => async {
        let mut tx = pool.begin().await?;
        sqlx::query(users_sql)
            .bind(n)
            .bind(seed.customer_id)
            .bind(seed.partner_id)
            .bind(seed.prefix)
            .bind(seed.domain)
            .bind(seed.location)
            .bind(state)
            .bind(deleted_at.map(ts))
            .bind(purge_at.map(ts))
            .bind(ts(seed.now))
            .execute(&mut *tx)
            .await?;
        for product in seed.licenses {
            sqlx::query(LICENSES).bind(*product).bind(ts(seed.now)).bind(seed.customer_id).bind(&like)
                .execute(&mut *tx).await?;
            if active > 0 {
                sqlx::query(SEATS).bind(active).bind(seed.customer_id).bind(*product).execute(&mut *tx).await?;
            }
        }
        sqlx::query(COUNTERS).bind(active).bind(n - active).bind(licensed).bind(seed.customer_id)
            .execute(&mut *tx).await?;
        if active > 0 {
            sqlx::query(LOCATION).bind(seed.customer_id).bind(seed.location).bind(active).execute(&mut *tx).await?;
        }
        tx.commit().await
    }
    .await);
    done.unwrap_or_else(|e| panic!("seeding {} users: {e:?}", seed.count));
}

/// Every user's licenses (deleted users' remembered ones included), by user id;
/// users without any are absent.
pub async fn licenses_by_user(fixture: &Fixture, customer_id: Uuid) -> BTreeMap<Uuid, Vec<String>> {
    let sql = "SELECT l.user_id, l.product_id FROM user_licenses l JOIN users u ON u.id = l.user_id \
               WHERE u.customer_id = $1 ORDER BY l.user_id, l.product_id";
    let db = fixture.raw_db().await;
    let rows: Vec<(Uuid, String)> =
        on_db!(db, pool, _ts => sqlx::query_as(sql).bind(customer_id).fetch_all(pool).await)
            .expect("reading the licenses");
    let mut by_user: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (user, product) in rows {
        by_user.entry(user).or_default().push(product);
    }
    by_user
}

/// How many users a customer has in each state, counted from the rows.
pub async fn user_states(fixture: &Fixture, customer_id: Uuid) -> (i64, i64) {
    let sql = "SELECT COUNT(CASE WHEN state = 'active' THEN 1 END), COUNT(CASE WHEN state = 'deleted' THEN 1 END) \
               FROM users WHERE customer_id = $1";
    let db = fixture.raw_db().await;
    on_db!(db, pool, _ts => sqlx::query_as(sql).bind(customer_id).fetch_one(pool).await).expect("counting users")
}

const CUSTOMER_COUNTS: &str = "SELECT c.id, CAST(c.active_users AS BIGINT), \
     (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id AND u.state = 'active'), \
     CAST(c.deleted_users AS BIGINT), \
     (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id AND u.state = 'deleted'), \
     CAST(c.licensed_users AS BIGINT), \
     (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id AND u.state = 'active' \
      AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)) \
     FROM customers c ORDER BY c.id";

const SEAT_COUNTS: &str = "SELECT s.product_id, CAST(s.quantity AS BIGINT), CAST(s.assigned AS BIGINT), \
     (SELECT COUNT(*) FROM user_licenses l JOIN users u ON u.id = l.user_id \
      WHERE u.customer_id = s.customer_id AND u.state = 'active' AND l.product_id = s.product_id) \
     FROM subscriptions s ORDER BY s.customer_id, s.product_id";

const STORED_LOCATIONS: &str = "SELECT customer_id, usage_location, CAST(active_users AS BIGINT) \
     FROM customer_locations WHERE active_users <> 0";

const COUNTED_LOCATIONS: &str = "SELECT customer_id, usage_location, COUNT(*) FROM users \
     WHERE state = 'active' AND usage_location IS NOT NULL GROUP BY customer_id, usage_location";

type CustomerCounts = (Uuid, i64, i64, i64, i64, i64, i64);
type LocationCounts = Vec<(Uuid, String, i64)>;
/// Customers' counters, seats, and per-location counters as stored and as counted.
type Counts = (Vec<CustomerCounts>, Vec<(String, i64, i64, i64)>, LocationCounts, LocationCounts);

/// What `check_invariants` found, for a test to say more about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invariants {
    /// Per subscription: product, quantity, assigned (all checked equal to the rows).
    pub seats: Vec<(String, i64, i64)>,
}

/// Checks, from the rows, what every write keeps: each customer's active,
/// deleted and licensed counters and its per-location counts; each
/// subscription's assigned seats equal to its active holders and within its
/// quantity; and, on SQLite, `PRAGMA integrity_check` and the foreign keys.
/// Panics naming the first that does not hold.
pub async fn check_invariants(fixture: &Fixture) -> Invariants {
    let db = fixture.raw_db().await;
    let (customers, seats, stored, counted): Counts = on_db!(db, pool, _ts => async {
        Ok::<_, sqlx::Error>((
            sqlx::query_as(CUSTOMER_COUNTS).fetch_all(pool).await?,
            sqlx::query_as(SEAT_COUNTS).fetch_all(pool).await?,
            sqlx::query_as(STORED_LOCATIONS).fetch_all(pool).await?,
            sqlx::query_as(COUNTED_LOCATIONS).fetch_all(pool).await?,
        ))
    }
    .await)
    .expect("reading the counters and the rows");
    for (id, active, active_rows, deleted, deleted_rows, licensed, licensed_rows) in customers {
        assert_eq!(
            (active, deleted, licensed),
            (active_rows, deleted_rows, licensed_rows),
            "customer {id}: counters (active, deleted, licensed) against the rows"
        );
    }
    for (product, quantity, assigned, holders) in &seats {
        assert_eq!(assigned, holders, "{product}: assigned seats against the users holding it");
        assert!(assigned <= quantity, "{product}: {assigned} assigned of {quantity}");
    }
    let as_map = |rows: Vec<(Uuid, String, i64)>| -> BTreeMap<(Uuid, String), i64> {
        rows.into_iter().map(|(c, l, n)| ((c, l), n)).collect()
    };
    assert_eq!(as_map(stored), as_map(counted), "per-location counters against the rows");
    if let RawDb::Sqlite(pool) = &db {
        let check: Vec<String> =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_all(pool).await.expect("PRAGMA integrity_check");
        assert_eq!(check, ["ok"], "PRAGMA integrity_check");
        let orphans: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(pool)
            .await
            .expect("foreign keys");
        assert!(orphans.is_empty(), "rows breaking a foreign key: {orphans:?}");
    }
    Invariants { seats: seats.into_iter().map(|(p, q, a, _)| (p, q, a)).collect() }
}
