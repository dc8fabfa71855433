//! One subscription: read it with its `ETag`, and buy more seats of it.

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, AuthAgent};
use super::preconditions::{IfMatch, Tagged};
use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use roster_api::{SeatsRequest, SubscriptionDto};
use uuid::Uuid;

#[utoipa::path(get, path = "/customers/{cid}/subscriptions/{sid}", params(("cid" = Uuid, Path), ("sid" = Uuid, Path)),
    responses((status = 200, body = SubscriptionDto), (status = 404, body = ErrorBody)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, sid)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Tagged<Json<SubscriptionDto>>> {
    Ok(Tagged::json(state.services.subscription(&agent, cid, sid).await?))
}

/// Adds `add` seats in one atomic increment (`quantity = quantity + add`), so
/// two purchases made at the same time both count. Setting the quantity
/// (PATCH) stays the way to give seats back.
#[utoipa::path(post, path = "/customers/{cid}/subscriptions/{sid}/seats", params(("cid" = Uuid, Path), ("sid" = Uuid, Path)),
    request_body = SeatsRequest,
    responses((status = 200, description = "The subscription with its new quantity", body = SubscriptionDto),
    (status = 400, description = "validation_failed: add below 1, or past 10,000,000 seats", body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_seats(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, sid)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<SeatsRequest>,
) -> ApiResult<Tagged<Json<SubscriptionDto>>> {
    Ok(Tagged::json(state.services.add_seats(&agent, cid, sid, body.add, if_match.expected()).await?))
}
