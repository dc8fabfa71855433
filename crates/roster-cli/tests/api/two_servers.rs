//! Two `roster serve` processes on one PostgreSQL database hand out seats without
//! ever oversubscribing a subscription.

use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(database_url: &str) -> Server {
    serve_with(database_url, &[])
}

/// A `roster serve` process on port 0, with extra environment.
pub fn serve_with(database_url: &str, env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_DATABASE_URL", database_url)
        .env("ROSTER_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting roster serve");
    let stdout = child.stdout.take().expect("roster serve's stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("reading roster serve's first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Server { child, url }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_sharing_postgresql_never_oversubscribe() {
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (store, fixture) = fresh_store(Backend::Postgres).await;
    let services = Services::new(store, Arc::new(SystemClock), Policy::default());
    let partner = services.create_partner("Shared").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "two@servers.example", "admin").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    services
        .import_catalog(br#"{"products": [{"id": "SEAT", "name": "Seat"}, {"id": "OTHER", "name": "Other"}]}"#)
        .await
        .unwrap();
    let customer = services.create_customer(&agent, "Shared Co", &["shared.example".into()], "US").await.unwrap();
    let seat = services.buy_subscription(&agent, customer.id, "SEAT", 10).await.unwrap();
    services.buy_subscription(&agent, customer.id, "OTHER", 30).await.unwrap();
    let inputs: Vec<_> = (0..40)
        .map(|i| roster_core::services::NewUserInput {
            user_name: format!("u{i}"),
            domain: Some("shared.example".into()),
            display_name: format!("U {i}"),
            usage_location: Some("US".into()),
            ..Default::default()
        })
        .collect();
    let ids: Vec<String> = services
        .create_users(&agent, customer.id, &inputs)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.map(|c| c.user.id.to_string()).unwrap())
        .collect();

    let database_url = fixture.database_url();
    let servers = [serve(&database_url), serve(&database_url)];
    let http = reqwest::Client::new();
    let token = token.expose().to_owned();
    let mut tasks = Vec::new();
    for (i, chunk) in ids.chunks(3).enumerate() {
        let server = &servers[i % 2].url;
        let url = format!("{server}/api/v1/customers/{}/license-updates", customer.id);
        let body = match i % 4 {
            3 => json!({"userIds": chunk, "remove": ["SEAT"]}),
            2 => json!({"userIds": chunk, "assign": [{"productId": "SEAT"}, {"productId": "OTHER"}], "mode": "atomic"}),
            _ => json!({"userIds": chunk, "assign": [{"productId": "SEAT"}]}),
        };
        let (client, bearer) = (http.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(bearer).json(&body).send().await.map(|r| r.status())
        }));
        let url = format!("{}/api/v1/customers/{}/subscriptions/{}", servers[(i + 1) % 2].url, customer.id, seat.id);
        let (http, token) = (http.clone(), token.clone());
        let quantity = 6 + (i as i64 % 7);
        tasks.push(tokio::spawn(async move {
            http.patch(url).bearer_auth(token).json(&json!({"quantity": quantity})).send().await.map(|r| r.status())
        }));
    }
    for t in tasks {
        let status = t.await.unwrap().unwrap();
        assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
    }
    let subscriptions = services.subscriptions(&agent, customer.id).await.unwrap();
    for s in subscriptions {
        let query = roster_core::services::UserListParams {
            license: Some(s.product_id.clone()),
            limit: Some(1),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let holders = services.list_users(&agent, customer.id, &query).await.unwrap().total_count;
        assert_eq!(s.assigned, holders, "{}: assigned must equal the real number of assignments", s.product_id);
        assert!(s.assigned <= s.quantity, "{}: {} > {}", s.product_id, s.assigned, s.quantity);
    }
}
