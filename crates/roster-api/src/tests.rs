//! The wire format: what is omitted, what is `null`, and that a client reading
//! the server's JSON and writing it back gives the same JSON.

use super::*;
use serde_json::{Value, json};

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
}

fn to(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_patch_tells_an_absent_field_from_null() {
    let patch: UserPatchInput = from(json!({"firstName": null, "lastName": "Okafor", "signInBlocked": true}));
    assert_eq!(patch.first_name, Some(None));
    assert_eq!(patch.last_name, Some(Some("Okafor".to_owned())));
    assert_eq!(patch.usage_location, None);
    assert_eq!(patch.display_name, None);
    // Written back, an absent field stays absent and a cleared one stays null.
    assert_eq!(to(&patch), json!({"firstName": null, "lastName": "Okafor", "signInBlocked": true}));
}

#[test]
fn requests_refuse_unknown_fields_and_default_the_rest() {
    let refused = serde_json::from_value::<NewUserInput>(json!({"userName": "a", "displayName": "A", "colour": 1}));
    assert!(refused.is_err_and(|e| e.to_string().starts_with("unknown field `colour`")));
    let user: NewUserInput = from(json!({"userName": "a", "displayName": "A"}));
    assert!(user.domain.is_none() && user.roles.is_empty() && user.licenses.is_empty());
    let update: LicenseUpdateInput = from(json!({"userIds": [], "assign": [{"productId": "MAIL_P1"}]}));
    assert!(!update.dry_run && update.mode.is_none() && update.assign[0].disabled_service_plans.is_none());
}

#[test]
fn a_user_read_and_written_back_is_the_same_json() {
    let user = json!({
        "id": "01900000-0000-7000-8000-000000000001", "userPrincipalName": "ana@example.com",
        "firstName": null, "lastName": "Silva", "displayName": "Ana Silva", "usageLocation": "US",
        "roles": ["user-admin"], "signInBlocked": false, "state": "deleted",
        "deletedAt": "2026-01-02T03:04:05.12Z", "purgeAt": "2026-02-01T03:04:05.123456789Z",
        "licenses": [{"productId": "MAIL_P1", "disabledServicePlans": ["ARCHIVE"]}],
        "createdAt": "2025-12-31T23:59:59Z", "updatedAt": "2026-01-02T03:04:05.1Z"
    });
    assert_eq!(to(&from::<UserDto>(user.clone())), user);
}

#[test]
fn optional_parts_of_answers_are_left_out_not_null() {
    let job = json!({
        "id": "01900000-0000-7000-8000-000000000002", "status": "running", "total": 3, "processed": 1,
        "created": 1, "failed": 0, "createdAt": "2026-01-02T03:04:05Z", "finishedAt": null,
        "credentialsExpireAt": "2026-01-02T04:04:05Z"
    });
    assert_eq!(to(&from::<ImportJobDto>(job.clone())), job);
    let row = json!({"row": 2, "status": "pending", "errors": []});
    assert_eq!(to(&from::<ImportRowDto>(row.clone())), row);
    let failed = json!({"index": 0, "status": "failed", "error": {"code": "username_taken", "message": "taken"}});
    assert_eq!(to(&from::<BatchItemResult>(failed.clone())), failed);
}

#[test]
fn a_page_names_its_next_cursor() {
    let page: UserPage = from(json!({
        "items": [], "totalCount": 7, "cursors": {"first": "f", "prev": null, "next": "n", "last": "l"}
    }));
    assert_eq!((page.total_count(), page.next_cursor()), (7, Some("n")));
    assert!(page.into_items().is_empty());
}

#[test]
fn a_quantity_is_a_whole_number_however_written() {
    assert_eq!(from::<QuantityRequest>(json!({"quantity": 7})).quantity, 7);
    assert_eq!(from::<QuantityRequest>(json!({"quantity": 7.0})).quantity, 7);
    for bad in [json!(7.5), json!("7"), json!(1e300), json!(null)] {
        assert!(serde_json::from_value::<QuantityRequest>(json!({"quantity": bad})).is_err(), "{bad}");
    }
}
