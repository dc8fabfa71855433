//! Between the domain and the wire. Domain values become the JSON shapes of
//! `roster_api` (API.md), and requests as they arrived become the inputs the core's
//! services take. Both sides are foreign to this crate, so where `From` cannot be
//! implemented two local traits stand in: `into_api()` and `into_core()`.

use roster_api as api;
use roster_core::catalog::ProductDefinition;
use roster_core::model::{
    AuditEvent, Customer, LicenseResultStatus, LicenseUpdateOutcome, RestoreOutcome, Subscription, User,
};
use roster_core::paging::{Cursors, Page};
use roster_core::services;

/// A domain value as the API spells it.
pub trait IntoApi {
    type Api;
    fn into_api(self) -> Self::Api;
}

/// A request as it arrived, as the input a service takes.
pub trait IntoCore {
    type Core;
    fn into_core(self) -> Self::Core;
}

impl IntoApi for Cursors {
    type Api = api::CursorsDto;
    fn into_api(self) -> api::CursorsDto {
        api::CursorsDto { first: self.first, prev: self.prev, next: self.next, last: self.last }
    }
}

macro_rules! page_into_api {
    ($item:ty, $page:ident) => {
        impl IntoApi for Page<$item> {
            type Api = api::$page;
            fn into_api(self) -> api::$page {
                api::$page {
                    items: self.items.into_iter().map(IntoApi::into_api).collect(),
                    total_count: self.total_count,
                    cursors: self.cursors.into_api(),
                }
            }
        }
    };
}

page_into_api!(Customer, CustomerPage);
page_into_api!(User, UserPage);
page_into_api!(AuditEvent, AuditEventPage);

impl IntoApi for Customer {
    type Api = api::CustomerDto;
    fn into_api(self) -> api::CustomerDto {
        api::CustomerDto {
            id: self.id,
            company_name: self.company_name,
            domains: self.domains,
            country: self.country,
            user_count: self.active_users,
            deleted_user_count: self.deleted_users,
            created_at: self.created_at,
        }
    }
}

impl IntoApi for User {
    type Api = api::UserDto;
    fn into_api(self) -> api::UserDto {
        api::UserDto {
            id: self.id,
            user_principal_name: self.user_principal_name,
            first_name: self.first_name,
            last_name: self.last_name,
            display_name: self.display_name,
            usage_location: self.usage_location,
            roles: self.roles.names(),
            sign_in_blocked: self.sign_in_blocked,
            state: self.state.as_str().to_owned(),
            deleted_at: self.deleted_at,
            purge_at: self.purge_at,
            licenses: self
                .licenses
                .into_iter()
                .map(|l| api::LicenseDto { product_id: l.product_id, disabled_service_plans: l.disabled_service_plans })
                .collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl IntoApi for RestoreOutcome {
    type Api = api::RestoreItemResult;
    fn into_api(self) -> api::RestoreItemResult {
        let unrestored_licenses = self
            .unrestored_licenses
            .into_iter()
            .map(|(product_id, code)| api::UnrestoredLicense { product_id, code })
            .collect();
        match self.result {
            Ok(user) => api::RestoreItemResult {
                user_id: self.user_id,
                status: "restored".into(),
                restored_licenses: self.restored_licenses,
                unrestored_licenses,
                user: Some(user.into_api()),
                error: None,
            },
            Err(f) => api::RestoreItemResult {
                user_id: self.user_id,
                status: "failed".into(),
                restored_licenses: Vec::new(),
                unrestored_licenses,
                user: None,
                error: Some(api::ErrorBody {
                    code: f.code().into(),
                    message: f.message().into(),
                    details: None,
                    request_id: None,
                }),
            },
        }
    }
}

impl IntoApi for AuditEvent {
    type Api = api::AuditEventDto;
    fn into_api(self) -> api::AuditEventDto {
        api::AuditEventDto {
            id: self.id,
            at: self.at,
            agent_id: self.agent_id,
            action: self.action,
            user_ids: self.user_ids,
            before: self.before,
            after: self.after,
        }
    }
}

impl IntoApi for ProductDefinition {
    type Api = api::Product;
    fn into_api(self) -> api::Product {
        api::Product {
            id: self.id,
            name: self.name,
            service_plans: self
                .service_plans
                .into_iter()
                .map(|p| api::ServicePlan { id: p.id, name: p.name })
                .collect(),
            requires: self.requires,
            excludes: self.excludes,
            available_in: self.available_in,
            unavailable_in: self.unavailable_in,
        }
    }
}

impl IntoApi for Subscription {
    type Api = api::SubscriptionDto;
    fn into_api(self) -> api::SubscriptionDto {
        api::SubscriptionDto {
            available: self.available(),
            id: self.id,
            product_id: self.product_id,
            product_name: self.product_name,
            quantity: self.quantity,
            assigned: self.assigned,
        }
    }
}

impl IntoApi for LicenseUpdateOutcome {
    type Api = api::LicenseUpdateResponse;
    fn into_api(self) -> api::LicenseUpdateResponse {
        use LicenseResultStatus as S;
        let count = |s: S| self.results.iter().filter(|r| r.status == s).count();
        let summary = api::LicenseSummary {
            succeeded: count(S::Succeeded),
            failed: count(S::Failed),
            unchanged: count(S::Unchanged),
        };
        let results = self
            .results
            .into_iter()
            .map(|r| api::UserLicenseResultDto {
                user_id: r.user_id,
                status: r.status.as_str().to_owned(),
                assigned: r.assigned,
                removed: r.removed,
                errors: r
                    .errors
                    .into_iter()
                    .map(|e| api::LicenseErrorDto { product_id: e.product_id, code: e.code, message: e.message })
                    .collect(),
                not_applied: r.not_applied,
                unchanged: r.unchanged,
            })
            .collect();
        api::LicenseUpdateResponse { dry_run: self.dry_run, applied: self.applied, results, summary }
    }
}

impl IntoCore for api::NewUserInput {
    type Core = services::NewUserInput;
    fn into_core(self) -> services::NewUserInput {
        services::NewUserInput {
            user_name: self.user_name,
            domain: self.domain,
            first_name: self.first_name,
            last_name: self.last_name,
            display_name: self.display_name,
            usage_location: self.usage_location,
            roles: self.roles,
            licenses: self.licenses.into_iter().map(IntoCore::into_core).collect(),
        }
    }
}

impl IntoCore for api::LicenseInput {
    type Core = services::LicenseInput;
    fn into_core(self) -> services::LicenseInput {
        services::LicenseInput {
            product_id: self.product_id,
            disabled_service_plans: self.disabled_service_plans,
            ..Default::default()
        }
    }
}

impl IntoCore for api::LicenseUpdateInput {
    type Core = services::LicenseUpdateInput;
    fn into_core(self) -> services::LicenseUpdateInput {
        services::LicenseUpdateInput {
            user_ids: self.user_ids,
            assign: self.assign.into_iter().map(IntoCore::into_core).collect(),
            remove: self.remove,
            mode: self.mode,
            dry_run: self.dry_run,
        }
    }
}

impl IntoCore for api::UserPatchInput {
    type Core = services::UserPatchInput;
    fn into_core(self) -> services::UserPatchInput {
        services::UserPatchInput {
            first_name: self.first_name,
            last_name: self.last_name,
            display_name: self.display_name,
            usage_location: self.usage_location,
            roles: self.roles,
            sign_in_blocked: self.sign_in_blocked,
        }
    }
}

impl IntoCore for api::UserListParams {
    type Core = services::UserListParams;
    fn into_core(self) -> services::UserListParams {
        services::UserListParams {
            state: self.state,
            search: self.search,
            license: self.license,
            role: self.role,
            usage_location: self.usage_location,
            sign_in: self.sign_in,
            sort: self.sort,
            limit: self.limit,
            cursor: self.cursor,
        }
    }
}
