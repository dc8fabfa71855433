//! Roster's one integration-test binary. Every test runs against a real server on
//! port 0 with a fresh database, once on SQLite and once on PostgreSQL.

mod audit;
mod browser;
mod cli;
mod conformance;
mod console;
mod customers;
mod errors;
mod imports;
mod isolation;
mod licenses;
mod lifecycle;
mod listing;
mod openapi;
mod restart;
mod signin;
mod subscriptions;
mod two_servers;
mod users;

pub use reqwest::StatusCode;
pub use roster_testkit::{TestApp, both_backends};
pub use serde_json::{Value, json};
