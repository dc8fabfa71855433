//! Audit snapshots: the before and after state of a change. They never hold a
//! password or a digest of one; `User` has no such field to leak.

use crate::model::{Customer, User};
use serde_json::{Value, json};

pub fn user_snapshot(u: &User) -> Value {
    json!({
        "userPrincipalName": u.user_principal_name,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "displayName": u.display_name,
        "usageLocation": u.usage_location,
        "roles": u.roles.names(),
        "signInBlocked": u.sign_in_blocked,
        "state": u.state.as_str(),
        "licenses": u.licenses.iter().map(|l| json!({"productId": l.product_id, "disabledServicePlans": l.disabled_service_plans})).collect::<Vec<_>>(),
    })
}

pub fn customer_snapshot(c: &Customer) -> Value {
    json!({"companyName": c.company_name, "domains": c.domains, "country": c.country})
}
