//! Roster over HTTP: the JSON API under `/api/v1`, the partner console and the
//! customer-user sign-in pages.

pub mod api;
pub mod console;
mod cookies;
mod errors;
mod files;
pub mod headers;
pub mod health;
pub mod metrics;
pub mod request_id;
mod routes;
mod serve;
pub mod signin;
pub mod startup;
pub mod timeouts;

pub use startup::{AppState, Application, ServerConfig, spawn_import_worker, spawn_import_worker_until, spawn_purger};
