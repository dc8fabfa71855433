//! Fault tests (issue 15): the real `roster serve` killed with SIGKILL in the
//! middle of its work, its PostgreSQL stopped under load, its SQLite disk filled,
//! and its clock jumping. After each, the invariants every write keeps are read
//! back from the rows (`roster_testkit::bulk::check_invariants`).
//!
//! - `kills`: a 100,000-user license update, a restore batch and a purge, each
//!   killed midway, on both backends;
//! - `outage`: PostgreSQL stopped and started again under load (a cluster of the
//!   test's own; SQLite has no server to stop);
//! - `full_disk`: SQLite on a full tmpfs (PostgreSQL answers a full WAL disk by
//!   stopping itself, which `outage` covers);
//! - `clock`: the restore window, the purge, temporary passwords and the sign-in
//!   limit with a clock that jumps back and forth, on both backends.

mod clock;
mod full_disk;
mod kills;
mod outage;

use crate::*;
use roster_core::model::{Agent, Customer};
use roster_core::{Policy, Services, Store, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Services on a store with a partner, its admin agent and API token, the two
/// products OLD and NEW, and a customer owning `domain` with a subscription of
/// `seats` to each.
pub struct Setup {
    pub services: Arc<Services>,
    pub agent: Agent,
    pub token: String,
    pub customer: Customer,
}

impl Setup {
    pub async fn new(store: Arc<dyn Store>, domain: &str, seats: i64) -> Self {
        let services = Arc::new(Services::new(store, Arc::new(SystemClock), Policy::default()));
        let partner = services.create_partner(domain).await.unwrap();
        let (agent, _) = services.create_agent(partner.id, &format!("admin@{domain}"), "admin").await.unwrap();
        let (_, token) = services.create_token(&agent.email).await.unwrap();
        services
            .import_catalog(br#"{"products": [{"id": "OLD", "name": "Old"}, {"id": "NEW", "name": "New"}]}"#)
            .await
            .unwrap();
        let customer = services.create_customer(&agent, domain, &[domain.to_owned()], "US").await.unwrap();
        for product in ["OLD", "NEW"] {
            services.buy_subscription(&agent, customer.id, product, seats).await.unwrap();
        }
        Self { services, agent, token: token.expose().to_owned(), customer }
    }

    /// `count` users `{prefix}{i}`, seeded in bulk, holding (or, deleted,
    /// remembering) `licenses`; see `bulk::Seed`.
    pub fn seed<'a>(
        &'a self,
        prefix: &'a str,
        count: usize,
        licenses: &'a [&'a str],
    ) -> roster_testkit::bulk::Seed<'a> {
        roster_testkit::bulk::Seed {
            partner_id: self.agent.partner_id,
            customer_id: self.customer.id,
            domain: &self.customer.domains[0],
            prefix,
            count,
            location: "US",
            licenses,
            deleted: None,
            now: roster_core::Clock::now(&SystemClock),
        }
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/customers/{}{rest}", self.customer.id)
    }
}

/// A status, the code of its body, and how long the request took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub code: String,
    pub retry_after: Option<String>,
    pub body: Value,
    pub took: Duration,
}

/// Sends `method` to `server` + `path` with the token and an optional JSON body.
/// A request that fails on the way (the server gone) is `Err`.
pub async fn call(
    http: &reqwest::Client,
    server: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Answer, reqwest::Error> {
    let started = Instant::now();
    let mut request = http.request(method, format!("{server}{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response.text().await?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    let code = body["code"].as_str().unwrap_or("").to_owned();
    Ok(Answer { status, code, retry_after, body, took: started.elapsed() })
}

/// The ids of every user of the customer who holds a license, as the rows say.
pub async fn licensed_ids(fixture: &roster_testkit::Fixture, customer_id: Uuid) -> Vec<Uuid> {
    roster_testkit::bulk::licenses_by_user(fixture, customer_id).await.into_keys().collect()
}
