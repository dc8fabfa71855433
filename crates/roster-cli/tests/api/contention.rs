//! Many writers on one customer at once: assignments, removals, deletes,
//! restores, creates and batches from twelve clients, on one server or on two
//! sharing PostgreSQL. No request may fail with a 500 (PostgreSQL's deadlocks
//! were answered that way), and afterwards every counter must agree with the rows
//! it counts.

use crate::two_servers::serve;
use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const CLIENTS: usize = 12;
const OPERATIONS_PER_CLIENT: usize = 100;
const USERS: usize = 60;

/// The shared state of a run: where to send requests, and the users to act on.
#[derive(Clone)]
struct Workload {
    servers: Vec<String>,
    token: String,
    customer: String,
    domain: String,
    users: Vec<String>,
    http: reqwest::Client,
}

/// What one request did, for the report.
#[derive(Debug, Default)]
struct Tally {
    ok: AtomicUsize,
    refused: AtomicUsize,
    try_again: AtomicUsize,
}

impl Workload {
    /// Sends one operation of kind `k` (0..6) to server `s`; returns its status and code.
    async fn operation(&self, s: usize, k: usize, n: usize) -> (StatusCode, String) {
        let base = format!("{}/api/v1/customers/{}", self.servers[s % self.servers.len()], self.customer);
        let some_users = |count: usize| -> Vec<&str> {
            (0..count).map(|i| self.users[(n * 7 + i * 13) % self.users.len()].as_str()).collect()
        };
        let request = match k {
            0 => self.http.post(format!("{base}/license-updates")).json(&json!({
                "userIds": some_users(4), "assign": [{"productId": "MAIL_P1"}, {"productId": "ARCHIVE"}]
            })),
            1 => self.http.post(format!("{base}/license-updates")).json(&json!({
                "userIds": some_users(3), "remove": ["ARCHIVE", "MAIL_P1"], "mode": "atomic"
            })),
            2 => self.http.delete(format!("{base}/users/{}", some_users(1)[0])),
            3 => self.http.post(format!("{base}/users/restore")).json(&json!({"userIds": some_users(3)})),
            // Creates reuse the seeded users' names now and then: a name whose user
            // was deleted can be taken again, and then the deleted one cannot come
            // back; both race with the restores.
            4 => self.http.post(format!("{base}/users")).json(&json!({
                "userName": if n.is_multiple_of(3) { format!("u{}", n % USERS) } else { format!("single{n}") },
                "domain": self.domain, "displayName": format!("Single {n}"),
                "usageLocation": "FR", "licenses": [{"productId": "MAIL_P1"}]
            })),
            _ => {
                let users: Vec<Value> = (0..5usize)
                    .map(|i| {
                        let name = if i.is_multiple_of(2) {
                            format!("u{}", (n + i * 11) % USERS)
                        } else {
                            format!("batch{n}x{i}")
                        };
                        json!({"userName": name, "domain": self.domain, "displayName": "Batch", "usageLocation": "DE"})
                    })
                    .collect();
                self.http.post(format!("{base}/users/batch")).json(&json!({"users": users}))
            }
        };
        let response = request.bearer_auth(&self.token).send().await.expect("a request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    }

    async fn run(self) -> Tally {
        let tally = Arc::new(Tally::default());
        let mut clients = tokio::task::JoinSet::new();
        for client in 0..CLIENTS {
            let (work, tally) = (self.clone(), tally.clone());
            clients.spawn(async move {
                for op in 0..OPERATIONS_PER_CLIENT {
                    let n = client * OPERATIONS_PER_CLIENT + op;
                    let (status, code) = work.operation(client + op, (client + op * 5) % 6, n).await;
                    assert!(
                        status.as_u16() < 500 || (status == StatusCode::SERVICE_UNAVAILABLE && code == "try_again"),
                        "operation {n} answered {status} {code}"
                    );
                    let counter = match status.as_u16() {
                        503 => &tally.try_again,
                        s if s < 300 => &tally.ok,
                        _ => &tally.refused,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        while let Some(done) = clients.join_next().await {
            done.expect("a client");
        }
        let tally = Arc::try_unwrap(tally).expect("the clients are done");
        eprintln!("{} servers, {CLIENTS} clients: {tally:?}", self.servers.len());
        tally
    }
}

/// Every counter equals what it counts, read through filters that count rows
/// (`signIn=allowed` keeps the counters out of it; every user here may sign in).
async fn counters_agree_with_rows(app_url: &str, token: &str, customer: &str, http: &reqwest::Client) {
    let get = |path: String| async move {
        let r =
            http.get(format!("{app_url}/api/v1/customers/{customer}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json::<Value>().await.unwrap()
    };
    let total = |v: Value| v["totalCount"].as_i64().expect("a totalCount");
    for s in get("/subscriptions".into()).await.as_array().expect("subscriptions") {
        let product = s["productId"].as_str().unwrap();
        let holders = total(get(format!("/users?license={product}&signIn=allowed&limit=1")).await);
        assert_eq!(s["assigned"].as_i64(), Some(holders), "{product}: assigned seats against holders");
        assert!(s["assigned"].as_i64() <= s["quantity"].as_i64(), "{product} is oversubscribed");
    }
    for state in ["active", "deleted"] {
        let counted = total(get(format!("/users?state={state}&limit=1")).await);
        let rows = total(get(format!("/users?state={state}&signIn=allowed&limit=1")).await);
        assert_eq!(counted, rows, "{state} users");
    }
    for (filter, label) in [("license=none", "unlicensed"), ("license=any", "licensed")] {
        let counted = total(get(format!("/users?{filter}&limit=1")).await);
        let rows = total(get(format!("/users?{filter}&signIn=allowed&limit=1")).await);
        assert_eq!(counted, rows, "{label} users");
    }
    for location in ["FR", "DE"] {
        let counted = total(get(format!("/users?usageLocation={location}&limit=1")).await);
        let rows = total(get(format!("/users?usageLocation={location}&signIn=allowed&limit=1")).await);
        assert_eq!(counted, rows, "users in {location}");
    }
}

/// A customer with seats and `USERS` users, half of them licensed.
async fn seeded(services: &Services, token: &str) -> (String, String, Vec<String>) {
    let agent = services.authenticate_token(token).await.unwrap().expect("the token's agent");
    services.import_catalog(CATALOG.as_bytes()).await.unwrap();
    let domain = format!("c{}.example", uuid::Uuid::now_v7().simple());
    let customer = services.create_customer(&agent, "Busy Co", std::slice::from_ref(&domain), "FR").await.unwrap();
    services.buy_subscription(&agent, customer.id, "MAIL_P1", 90).await.unwrap();
    services.buy_subscription(&agent, customer.id, "ARCHIVE", 70).await.unwrap();
    let inputs: Vec<_> = (0..USERS)
        .map(|i| roster_core::services::NewUserInput {
            user_name: format!("u{i}"),
            domain: Some(domain.clone()),
            display_name: format!("User {i}"),
            usage_location: Some(if i % 2 == 0 { "FR" } else { "DE" }.into()),
            licenses: if i % 2 == 0 {
                vec![roster_core::services::LicenseInput { product_id: "MAIL_P1".into(), ..Default::default() }]
            } else {
                vec![]
            },
            ..Default::default()
        })
        .collect();
    let users = services
        .create_users(&agent, customer.id, &inputs)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().user.id.to_string())
        .collect();
    (customer.id.to_string(), domain, users)
}

const CATALOG: &str = r#"{"products": [
    {"id": "MAIL_P1", "name": "Mail Plan 1"},
    {"id": "ARCHIVE", "name": "Archive add-on", "requires": ["MAIL_P1"]}
]}"#;

both_backends! {
    async fn twelve_clients_writing_to_one_customer_get_no_500_and_every_counter_stays_right(app) {
        let (customer, domain, users) = seeded(&app.services, &app.admin_token).await;
        let work = Workload {
            servers: vec![app.address.clone()],
            token: app.admin_token.clone(),
            customer: customer.clone(),
            domain,
            users,
            http: app.http.clone(),
        };
        let tally = work.run().await;
        assert!(tally.ok.load(Ordering::Relaxed) > 0, "{tally:?}");
        counters_agree_with_rows(&app.address, &app.admin_token, &customer, &app.http).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_postgresql_under_mixed_writes_get_no_500_and_every_counter_stays_right() {
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (store, fixture) = fresh_store(Backend::Postgres).await;
    let services = Services::new(store, Arc::new(SystemClock), Policy::default());
    let partner = services.create_partner("Busy partner").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "busy@partner.example", "admin").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    let token = token.expose().to_owned();
    let (customer, domain, users) = seeded(&services, &token).await;
    let database_url = fixture.database_url();
    let servers = [serve(&database_url), serve(&database_url)];
    let work = Workload {
        servers: servers.iter().map(|s| s.url.clone()).collect(),
        token: token.clone(),
        customer: customer.clone(),
        domain,
        users,
        http: reqwest::Client::new(),
    };
    let http = work.http.clone();
    let tally = work.run().await;
    assert!(tally.ok.load(Ordering::Relaxed) > 0, "{tally:?}");
    counters_agree_with_rows(&servers[0].url, &token, &customer, &http).await;
}

/// A write that PostgreSQL fails to break a deadlock runs again, and succeeds.
/// A second connection holds the customer's row, which the delete takes last, and
/// then asks for the seats the delete holds: the delete, waiting longest, is the
/// one PostgreSQL fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_postgresql_fails_to_break_a_deadlock_runs_again() {
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (store, fixture) = fresh_store(Backend::Postgres).await;
    let services = Arc::new(Services::new(store, Arc::new(SystemClock), Policy::default()));
    let partner = services.create_partner("Deadlock partner").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "dead@lock.example", "admin").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    let (customer, _, users) = seeded(&services, token.expose()).await;
    let customer: uuid::Uuid = customer.parse().unwrap();
    let user: uuid::Uuid = users[0].parse().unwrap();

    let other = sqlx::PgPool::connect(&fixture.database_url()).await.unwrap();
    let deadlocks = || async {
        sqlx::query_scalar::<_, i64>("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            .fetch_one(&other)
            .await
            .unwrap()
    };
    let before = deadlocks().await;
    let mut holder = other.begin().await.unwrap();
    sqlx::query("UPDATE customers SET updated_at = updated_at WHERE id = $1")
        .bind(customer)
        .execute(&mut *holder)
        .await
        .unwrap();

    let delete = tokio::spawn({
        let (services, agent) = (services.clone(), agent.clone());
        async move { services.delete_user(&agent, customer, user).await }
    });
    // The delete now holds the seats and waits for the customer's row.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("SELECT 1 FROM subscriptions WHERE customer_id = $1 FOR UPDATE")
        .bind(customer)
        .execute(&mut *holder)
        .await
        .expect("PostgreSQL fails the delete, not this statement");
    holder.commit().await.unwrap();

    let deleted = delete.await.unwrap().expect("the delete, run again, succeeds");
    assert_eq!(deleted.state, roster_core::model::UserState::Deleted);
    // pg_stat_database is updated when a backend reports, shortly after.
    let mut seen = deadlocks().await;
    for _ in 0..50 {
        if seen > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        seen = deadlocks().await;
    }
    assert_eq!(seen - before, 1, "exactly one deadlock was broken");
}
