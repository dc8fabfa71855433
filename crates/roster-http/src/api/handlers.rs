use super::dto::{IntoApi, IntoCore};
use super::error::{ApiError, ApiResult, ErrorBody, domain_body};
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthAgent};
use super::preconditions::{IfMatch, Tagged};
use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use roster_api::{
    AuditEventPage, BatchItemResult, BatchRequest, BatchResponse, BuyRequest, CreatedUserDto, CustomerDto,
    CustomerPage, LicenseUpdateInput, LicenseUpdateResponse, ListParams, NewCustomerRequest, NewUserInput, PageParams,
    ProductList, QuantityRequest, ResetPasswordResponse, RestoreRequest, RestoreResponse, SubscriptionDto, UserDto,
    UserListParams, UserPage, UserPatchInput,
};
use uuid::Uuid;

#[utoipa::path(get, path = "/customers", params(ListParams), responses(
    (status = 200, body = CustomerPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_customers(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<CustomerPage>> {
    let page =
        state.services.list_customers(&agent, params.search.as_deref(), params.limit, params.cursor.as_deref()).await?;
    Ok(Json(page.into_api()))
}

#[utoipa::path(post, path = "/customers", request_body = NewCustomerRequest, responses(
    (status = 201, body = CustomerDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 409, description = "domain_taken", body = ErrorBody)))]
pub async fn create_customer(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiJson(body): ApiJson<NewCustomerRequest>,
) -> ApiResult<Tagged<(StatusCode, Json<CustomerDto>)>> {
    let customer = state.services.create_customer(&agent, &body.company_name, &body.domains, &body.country).await?;
    Ok(Tagged::created(customer))
}

#[utoipa::path(get, path = "/customers/{cid}", params(("cid" = Uuid, Path)), responses(
    (status = 200, body = CustomerDto), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
) -> ApiResult<Tagged<Json<CustomerDto>>> {
    Ok(Tagged::json(state.services.customer(&agent, cid).await?))
}

#[utoipa::path(get, path = "/customers/{cid}/users", params(("cid" = Uuid, Path), UserListParams), responses(
    (status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<UserListParams>,
) -> ApiResult<Json<UserPage>> {
    let query = params.into_core().parse()?;
    Ok(Json(state.services.list_users(&agent, cid, &query).await?.into_api()))
}

#[utoipa::path(post, path = "/customers/{cid}/users", params(("cid" = Uuid, Path)), request_body = NewUserInput,
    responses((status = 201, body = CreatedUserDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "username_taken", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NewUserInput>,
) -> ApiResult<(StatusCode, Json<CreatedUserDto>)> {
    let created = state.services.create_user(&agent, cid, &body.into_core()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUserDto {
            temporary_password: created.temporary_password.expose().to_owned(),
            user: created.user.into_api(),
        }),
    ))
}

#[utoipa::path(post, path = "/customers/{cid}/users/batch", params(("cid" = Uuid, Path)), request_body = BatchRequest,
    responses((status = 200, description = "A result per user, in order", body = BatchResponse),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_users_batch(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BatchRequest>,
) -> ApiResult<Json<BatchResponse>> {
    let users: Vec<_> = body.users.into_iter().map(IntoCore::into_core).collect();
    let results = state.services.create_users(&agent, cid, &users).await?;
    let results = results
        .into_iter()
        .enumerate()
        .map(|(index, r)| match r {
            Ok(created) => BatchItemResult {
                index,
                status: "created".into(),
                temporary_password: Some(created.temporary_password.expose().to_owned()),
                user: Some(created.user.into_api()),
                error: None,
            },
            Err(e) => {
                if let roster_core::Error::Internal(inner) = &e {
                    crate::errors::log_internal(inner.as_ref());
                }
                BatchItemResult {
                    index,
                    status: "failed".into(),
                    user: None,
                    temporary_password: None,
                    error: Some(domain_body(&e)),
                }
            }
        })
        .collect();
    Ok(Json(BatchResponse { results }))
}

#[utoipa::path(get, path = "/customers/{cid}/users/{uid}", params(("cid" = Uuid, Path), ("uid" = Uuid, Path)),
    responses((status = 200, description = "Active or deleted", body = UserDto), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, uid)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Tagged<Json<UserDto>>> {
    Ok(Tagged::json(state.services.user(&agent, cid, uid).await?))
}

#[utoipa::path(patch, path = "/customers/{cid}/users/{uid}", params(("cid" = Uuid, Path), ("uid" = Uuid, Path)),
    request_body = UserPatchInput, responses((status = 200, body = UserDto), (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "user_deleted", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, uid)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<UserPatchInput>,
) -> ApiResult<Tagged<Json<UserDto>>> {
    Ok(Tagged::json(state.services.update_user_if(&agent, cid, uid, &body.into_core(), if_match.expected()).await?))
}

#[utoipa::path(delete, path = "/customers/{cid}/users/{uid}", params(("cid" = Uuid, Path), ("uid" = Uuid, Path)),
    responses((status = 204, description = "The user is deleted and can be restored within the window"),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "user_deleted", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, uid)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    state.services.delete_user_if(&agent, cid, uid, if_match.expected()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/customers/{cid}/users/{uid}/reset-password", params(("cid" = Uuid, Path), ("uid" = Uuid, Path)),
    responses((status = 200, body = ResetPasswordResponse), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "user_deleted", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, uid)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<ResetPasswordResponse>> {
    let (password, expires_at) = state.services.reset_password(&agent, cid, uid).await?;
    Ok(Json(ResetPasswordResponse { temporary_password: password.expose().to_owned(), expires_at }))
}

#[utoipa::path(post, path = "/customers/{cid}/users/restore", params(("cid" = Uuid, Path)), request_body = RestoreRequest,
    responses((status = 200, description = "A result per user", body = RestoreResponse), (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn restore_users(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RestoreRequest>,
) -> ApiResult<Json<RestoreResponse>> {
    let outcomes = state.services.restore_users(&agent, cid, &body.user_ids).await?;
    Ok(Json(RestoreResponse { results: outcomes.into_iter().map(IntoApi::into_api).collect() }))
}

#[utoipa::path(get, path = "/customers/{cid}/audit-events", params(("cid" = Uuid, Path), PageParams),
    responses((status = 200, description = "Newest first", body = AuditEventPage), (status = 404, body = ErrorBody)))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<AuditEventPage>> {
    if params.search.is_some() {
        return Err(ApiError::bad_request(Some("search".into()), "the activity log has no search"));
    }
    let page = state.services.audit_events(&agent, cid, params.limit, params.cursor.as_deref()).await?;
    Ok(Json(page.into_api()))
}

#[utoipa::path(get, path = "/products", responses((status = 200, description = "The catalog", body = ProductList)))]
pub async fn list_products(
    State(state): State<AppState>,
    AuthAgent(_agent): AuthAgent,
) -> ApiResult<Json<ProductList>> {
    let catalog = state.services.catalog().await?;
    Ok(Json(ProductList { products: catalog.products().map(|p| p.definition().into_api()).collect() }))
}

#[utoipa::path(get, path = "/customers/{cid}/subscriptions", params(("cid" = Uuid, Path)),
    responses((status = 200, body = [SubscriptionDto]), (status = 404, body = ErrorBody)))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<SubscriptionDto>>> {
    let subscriptions = state.services.subscriptions(&agent, cid).await?;
    Ok(Json(subscriptions.into_iter().map(IntoApi::into_api).collect()))
}

#[utoipa::path(post, path = "/customers/{cid}/subscriptions", params(("cid" = Uuid, Path)), request_body = BuyRequest,
    responses((status = 201, body = SubscriptionDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "subscription_exists", body = ErrorBody)))]
pub async fn buy_subscription(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BuyRequest>,
) -> ApiResult<Tagged<(StatusCode, Json<SubscriptionDto>)>> {
    Ok(Tagged::created(state.services.buy_subscription(&agent, cid, &body.product_id, body.quantity).await?))
}

#[utoipa::path(patch, path = "/customers/{cid}/subscriptions/{sid}", params(("cid" = Uuid, Path), ("sid" = Uuid, Path)),
    request_body = QuantityRequest, responses((status = 200, body = SubscriptionDto), (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, description = "quantity_below_assigned", body = ErrorBody)))]
pub async fn set_subscription_quantity(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath((cid, sid)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<QuantityRequest>,
) -> ApiResult<Tagged<Json<SubscriptionDto>>> {
    let expected = if_match.expected();
    Ok(Tagged::json(state.services.set_subscription_quantity_if(&agent, cid, sid, body.quantity, expected).await?))
}

#[utoipa::path(post, path = "/customers/{cid}/license-updates", params(("cid" = Uuid, Path)), request_body = LicenseUpdateInput,
    responses((status = 200, description = "A result for each user, in the order given", body = LicenseUpdateResponse),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_licenses(
    State(state): State<AppState>,
    AuthAgent(agent): AuthAgent,
    ApiPath(cid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<LicenseUpdateInput>,
) -> ApiResult<Json<LicenseUpdateResponse>> {
    Ok(Json(state.services.update_licenses(&agent, cid, &body.into_core()).await?.into_api()))
}
