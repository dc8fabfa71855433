//! The JSON API of API.md, under `/api/v1`.

pub mod dto;
pub mod error;
pub mod extract;
mod handlers;
pub mod idempotency;
pub mod imports;
pub mod limits;
mod openapi;
mod openapi_doc;
mod openapi_ops;
pub mod preconditions;
pub mod rate_limit;
mod subscriptions;

use crate::startup::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use openapi::{ApiDoc, document};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(handlers::list_products))
        .route("/customers/{cid}/subscriptions", get(handlers::list_subscriptions).post(handlers::buy_subscription))
        .route(
            "/customers/{cid}/subscriptions/{sid}",
            get(subscriptions::get_subscription).patch(handlers::set_subscription_quantity),
        )
        .route("/customers/{cid}/subscriptions/{sid}/seats", post(subscriptions::add_seats))
        .route("/customers", get(handlers::list_customers).post(handlers::create_customer))
        .route("/customers/{cid}", get(handlers::get_customer))
        .route("/customers/{cid}/users", get(handlers::list_users).post(handlers::create_user))
        .route("/customers/{cid}/users/batch", post(handlers::create_users_batch))
        .route("/customers/{cid}/users/export", get(imports::export_users))
        .route("/imports/template", get(imports::import_template))
        .route("/customers/{cid}/users/restore", post(handlers::restore_users))
        .route(
            "/customers/{cid}/users/{uid}",
            get(handlers::get_user).patch(handlers::update_user).delete(handlers::delete_user),
        )
        .route("/customers/{cid}/users/{uid}/reset-password", post(handlers::reset_password))
        .route("/customers/{cid}/license-updates", post(handlers::update_licenses))
        .route("/customers/{cid}/audit-events", get(handlers::list_audit_events))
        .route(
            "/customers/{cid}/imports",
            post(imports::start_import).layer(axum::extract::DefaultBodyLimit::max(roster_core::imports::MAX_BYTES)),
        )
        .route("/customers/{cid}/imports/{jid}", get(imports::get_import))
        .route("/customers/{cid}/imports/{jid}/credentials", post(imports::take_credentials))
        .route("/openapi.json", get(openapi::openapi))
        // After every route: it gives the routes there are its answer to a method
        // they do not take; axum adds the `Allow` header.
        .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed })
        .fallback(|| async { error::ApiError::RouteNotFound })
}
