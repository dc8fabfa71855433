//! Roster's one integration-test binary. Every test runs against a real server on
//! port 0 with a fresh database, once on SQLite and once on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "all of this binary is tests: allow-unwrap-in-tests covers #[test] fns, and the helpers beside them \
              should fail as loudly, saying what they expected"
)]

mod audit;
mod backup;
mod browser;
mod browser_layout;
mod browser_licenses;
mod browser_screens;
mod cli;
mod conformance;
mod console;
mod contention;
mod customers;
mod errors;
mod etags;
mod faults;
mod health;
mod hostile;
mod idempotency;
mod imports;
mod isolation;
mod json_logs;
mod licenses;
mod lifecycle;
mod listing;
mod metrics;
mod openapi;
mod rate_limits;
mod request_ids;
mod requests;
mod restart;
mod schema;
mod seats;
mod security;
mod shutdown;
mod signin;
mod signin_limits;
mod slow_clients;
mod strict;
mod subscriptions;
mod translations;
mod two_servers;
mod upgrades;
mod users;

pub use reqwest::StatusCode;
pub use roster_testkit::{TestApp, TestCustomer, both_backends, str_at};
pub use serde_json::{Value, json};
