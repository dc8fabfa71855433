//! The OpenAPI document of `/api/v1`, exact enough for generated clients and for
//! schemathesis (`scripts/test`).
//!
//! utoipa's annotations on the handlers and on roster-api's types give the shapes.
//! Three things are added here, once, so that no operation can miss them:
//! - the errors every operation shares: 400 for a malformed id, query or body, 401,
//!   404 for a path naming what is not there, 413 and 415 for a body, 429 for the
//!   rate limits (with `Retry-After`), 500, 503 (with `Retry-After`), and 507 for
//!   any operation but a `GET`;
//! - the values the server takes, from the domain types that parse them (countries,
//!   roles, languages, sorts) and from its rules for text (lengths, no control
//!   characters, surrounding whitespace trimmed);
//! - response links, so a client (and schemathesis's stateful phase) can follow a
//!   created resource to the operations on it.

use super::error::ErrorBody;
use super::idempotency::IdempotencyDoc;
use super::preconditions::PreconditionsDoc;
use axum::Json;
use roster_core::domain::{CountryCode, DISPLAY_NAME_MAX, Language, PERSON_NAME_MAX, USER_NAME_MAX, UserRole};
use roster_core::paging::MAX_LIMIT;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Roster API", description = "Users and licenses of a partner's customers. Every error answers \
        `{code, message, details?}`; besides the codes of each operation, any path may answer 405 \
        `method_not_allowed` (with `Allow`), 408 `request_timeout` (a body or an answer past the server's time \
        limits), 414 `uri_too_long` or 431 `headers_too_large`."),
    servers((url = "/api/v1")),
    paths(
        super::handlers::list_products, super::handlers::list_subscriptions, super::handlers::buy_subscription,
        super::handlers::set_subscription_quantity, super::handlers::update_licenses,
        super::handlers::list_customers, super::handlers::create_customer, super::handlers::get_customer,
        super::handlers::list_users, super::handlers::create_user, super::handlers::create_users_batch,
        super::handlers::get_user, super::handlers::update_user, super::handlers::delete_user,
        super::handlers::reset_password, super::handlers::restore_users, super::handlers::list_audit_events,
        super::imports::start_import, super::imports::get_import, super::imports::take_credentials,
        super::imports::export_users, super::imports::import_template,
        super::subscriptions::get_subscription, super::subscriptions::add_seats
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth, &IdempotencyDoc, &PreconditionsDoc),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("rst_…").build()),
        );
    }
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

pub async fn openapi() -> Json<&'static Value> {
    Json(&DOCUMENT)
}

/// The whole document, as `/api/v1/openapi.json` serves it.
pub fn document() -> Value {
    let (doc, misses) = build();
    for miss in misses {
        tracing::error!(miss, "the OpenAPI document lacks a place openapi.rs adds to");
    }
    doc
}

/// What is added here names schemas, properties, parameters and responses; those
/// it does not find (a type renamed, say) are returned, and a test wants none.
type Misses = Vec<String>;

fn build() -> (Value, Misses) {
    let mut misses = Misses::new();
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for (method, operation) in item.as_object_mut().into_iter().flat_map(|m| m.iter_mut()) {
                declare_shared_errors(path, method, operation);
            }
        }
    }
    super::openapi_ops::add_operations(&mut doc);
    constrain_values(&mut doc, &mut misses);
    require_nullable_fields(&mut doc, &mut misses);
    declare_files(&mut doc, &mut misses);
    add_links(&mut doc, &mut misses);
    (doc, misses)
}

/// Fields that are always there, `null` when empty: utoipa makes every `Option`
/// optional.
fn require_nullable_fields(doc: &mut Value, misses: &mut Misses) {
    for (name, fields) in [
        ("UserDto", &["firstName", "lastName", "usageLocation", "deletedAt", "purgeAt"][..]),
        ("CursorsDto", &["prev", "next"]),
        ("AuditEventDto", &["agentId"]),
        ("LicenseErrorDto", &["productId"]),
        ("RowErrorDto", &["column"]),
        ("ImportJobDto", &["finishedAt"]),
    ] {
        let Some(required) = doc.pointer_mut(&format!("/components/schemas/{name}/required")) else {
            misses.push(format!("schema {name}"));
            continue;
        };
        if let Value::Array(required) = required {
            required.extend(fields.iter().map(|f| json!(f)));
        }
    }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The files some operations answer with, in the format asked for.
fn declare_files(doc: &mut Value, misses: &mut Misses) {
    let file = json!({"schema": {"type": "string"}});
    for path in ["/customers/{cid}/users/export", "/imports/template"] {
        let pointer = format!("/paths/{}/get/responses/200/content", path.replace('/', "~1"));
        match doc.pointer_mut(&pointer) {
            Some(content) => *content = json!({"text/csv": file, XLSX: file}),
            None => misses.push(pointer),
        }
    }
    let pointer = "/paths/~1customers~1{cid}~1imports~1{jid}~1credentials/post/responses/200/content";
    match doc.pointer_mut(pointer) {
        Some(Value::Object(content)) => drop(content.insert("text/csv".into(), file)),
        _ => misses.push(pointer.to_owned()),
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Adds the errors any operation of its shape can answer, and a description to
/// every response (OpenAPI requires one).
fn declare_shared_errors(path: &str, method: &str, operation: &mut Value) {
    let takes =
        |location: &str| operation["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == location));
    let (has_path, has_query) = (takes("path"), takes("query"));
    let body_types: Vec<String> =
        operation["requestBody"]["content"].as_object().map(|c| c.keys().cloned().collect()).unwrap_or_default();
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut shared = Vec::new();
    if has_path || has_query || !body_types.is_empty() {
        shared.push((
            "400",
            "`validation_failed`: a malformed id, query parameter or body; `details.field` names it where it can",
        ));
    }
    shared.push(("401", "`unauthorized`: no valid API token (`WWW-Authenticate: Bearer`)"));
    if path.contains("{cid}") {
        shared.push(("404", "`not_found`: no such customer for this partner, or nothing under it with that id"));
    }
    if !body_types.is_empty() {
        shared.push(("413", "`payload_too_large`: the body is over the server's limit"));
        shared.push(("415", "`unsupported_media_type`: the body is not of a type this operation takes"));
    }
    shared.push((
        "429",
        "`rate_limited`: too many requests this minute for the token or the source address; \
         `Retry-After` gives the seconds until the window ends",
    ));
    shared.push(("500", "`internal_error`: something failed on the server's side; it is logged"));
    shared.push((
        "503",
        "`database_unavailable`: the database cannot be reached just now (down, restarting, or every connection \
         busy past the pool's acquire timeout), or `try_again`: a write kept colliding with others; nothing was \
         changed, and the same request may be sent again after `Retry-After` seconds",
    ));
    if method != "get" {
        shared.push((
            "507",
            "`storage_full`: the database's disk is full; nothing was changed, reads still work, and writes work \
             again once space is freed",
        ));
    }
    for (status, description) in shared {
        responses.entry(status).or_insert_with(|| error_response(description));
    }
    if let Some(limited) = responses.get_mut("429") {
        limited["headers"] = json!({"Retry-After": {
            "description": "Seconds until the rate-limit window ends",
            "required": true,
            "schema": {"type": "integer", "minimum": 1}
        }});
    }
    for (status, response) in responses.iter_mut() {
        if response.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
            let description = match status.as_str() {
                "200" => "OK",
                "201" => "Created",
                "202" => "Accepted",
                "204" => "No content",
                "400" => "`validation_failed`, or a rule of the request broken: the code says which",
                "403" => "`forbidden`: the agent's role does not allow this",
                "404" => "`not_found`, or `user_not_found`",
                _ => "An error; the code says which",
            };
            response["description"] = json!(description);
        }
    }
}

/// Whitespace that the server trims from text: Rust's `char::is_whitespace`.
const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// A character that is neither whitespace nor a control character.
const VISIBLE: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Any character but a control character (`char::is_control`).
const NOT_CONTROL: &str = r"[^\x00-\x1F\x7F-\x9F]";

/// Text as the server reads it: trimmed, then at most `max` characters and no
/// control characters; when not `required`, blank means absent.
fn text(max: usize, required: bool) -> Value {
    let core = format!("{VISIBLE}(?:{NOT_CONTROL}{{0,{}}}{VISIBLE})?", max - 2);
    if required {
        json!({"minLength": 1, "pattern": format!("^[{SPACE}]*{core}[{SPACE}]*$")})
    } else {
        json!({"pattern": format!("^[{SPACE}]*(?:{core})?[{SPACE}]*$")})
    }
}

const LABEL: &str = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const TOP_LABEL: &str = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/// No dot first, last, or twice in a row.
const USER_NAME: &str = r"[A-Za-z0-9'_!#^~-]+(?:\.[A-Za-z0-9'_!#^~-]+)*";
const PRODUCT_ID: &str = "[A-Za-z0-9_.-]{1,64}";

/// A service plan id as `domain::check_service_plan_id` takes it.
fn service_plan_id() -> Value {
    let max = roster_core::domain::SERVICE_PLAN_ID_MAX;
    json!({"minLength": 1, "maxLength": max, "pattern": format!("^{NOT_CONTROL}*{VISIBLE}{NOT_CONTROL}*$")})
}

fn product_id() -> Value {
    json!({"minLength": 1, "maxLength": 64, "pattern": format!("^{PRODUCT_ID}$")})
}

fn domain() -> String {
    format!("(?:{LABEL}\\.)+{TOP_LABEL}")
}

fn countries(extra: &[Value]) -> Value {
    let mut values: Vec<Value> = CountryCode::all().map(|c| json!(c.as_str())).collect();
    values.extend_from_slice(extra);
    json!({"enum": values})
}

fn roles(extra: &[&str]) -> Value {
    let values: Vec<&str> = extra.iter().copied().chain(UserRole::ALL.iter().map(|r| r.as_str())).collect();
    json!({"enum": values})
}

fn one_of(values: &[&str]) -> Value {
    json!({"enum": values})
}

/// Merges `constraint` into the schema at `pointer`, or puts it in the place of
/// what is there when that is not a schema (a `required` list).
fn constrain(doc: &mut Value, misses: &mut Misses, pointer: &str, constraint: Value) {
    match (doc.pointer_mut(pointer), constraint) {
        (Some(Value::Object(schema)), Value::Object(constraint)) => schema.extend(constraint),
        (Some(target), constraint) => *target = constraint,
        (None, _) => misses.push(pointer.to_owned()),
    }
}

/// Merges `constraint` into the schema of the query or path parameter `name` of
/// the operation `method path`.
fn constrain_param(doc: &mut Value, misses: &mut Misses, path: &str, method: &str, name: &str, constraint: Value) {
    let params = doc.pointer_mut(&format!("/paths/{}/{method}/parameters", path.replace('/', "~1")));
    let Some(param) = params.and_then(Value::as_array_mut).and_then(|ps| ps.iter_mut().find(|p| p["name"] == name))
    else {
        misses.push(format!("{method} {path} parameter {name}"));
        return;
    };
    if let (Some(Value::Object(schema)), Value::Object(constraint)) = (param.get_mut("schema"), constraint) {
        schema.extend(constraint);
    }
}

fn constrain_values(doc: &mut Value, misses: &mut Misses) {
    let schema = |name: &str, property: &str| format!("/components/schemas/{name}/properties/{property}");
    let null_or_blank = [Value::Null, json!("")];
    let cases: Vec<(String, Value)> = vec![
        (schema("NewCustomerRequest", "companyName"), text(256, true)),
        (schema("NewCustomerRequest", "domains"), json!({"minItems": 1, "maxItems": 50})),
        (
            schema("NewCustomerRequest", "domains") + "/items",
            json!({"maxLength": 253, "pattern": format!("^{}$", domain())}),
        ),
        (schema("NewCustomerRequest", "country"), countries(&[])),
        // The server also takes `name@domain` in userName with no domain; the document
        // gives the form of API.md, which a pattern can bound.
        (
            schema("NewUser", "userName"),
            json!({"pattern": format!("^{USER_NAME}$"), "minLength": 1, "maxLength": USER_NAME_MAX}),
        ),
        (
            schema("NewUser", "domain"),
            json!({"type": "string", "maxLength": 253, "pattern": format!("^{}$", domain())}),
        ),
        ("/components/schemas/NewUser/required".into(), json!(["userName", "domain", "displayName"])),
        (schema("NewUser", "firstName"), text(PERSON_NAME_MAX, false)),
        (schema("NewUser", "lastName"), text(PERSON_NAME_MAX, false)),
        (schema("NewUser", "displayName"), text(DISPLAY_NAME_MAX, true)),
        (schema("NewUser", "usageLocation"), countries(&null_or_blank)),
        (schema("NewUser", "roles") + "/items", roles(&[])),
        (schema("UserPatch", "firstName"), text(PERSON_NAME_MAX, false)),
        (schema("UserPatch", "lastName"), text(PERSON_NAME_MAX, false)),
        (schema("UserPatch", "displayName"), text(DISPLAY_NAME_MAX, true)),
        (schema("UserPatch", "usageLocation"), countries(&null_or_blank)),
        (schema("UserPatch", "roles") + "/items", roles(&[])),
        (schema("LicenseRequest", "productId"), product_id()),
        (schema("LicenseRequest", "disabledServicePlans") + "/items", service_plan_id()),
        (schema("BuyRequest", "productId"), product_id()),
        (schema("BuyRequest", "quantity"), json!({"minimum": 1, "maximum": roster_core::services::MAX_SEATS})),
        (schema("QuantityRequest", "quantity"), json!({"minimum": 0, "maximum": roster_core::services::MAX_SEATS})),
        (schema("SeatsRequest", "add"), json!({"minimum": 1, "maximum": roster_core::services::MAX_SEATS})),
        (schema("BatchRequest", "users"), json!({"minItems": 1, "maxItems": roster_core::services::MAX_BATCH})),
        (schema("RestoreRequest", "userIds"), json!({"minItems": 1, "maxItems": roster_core::services::MAX_BATCH})),
        (
            schema("LicenseUpdate", "userIds"),
            json!({"minItems": 1, "maxItems": roster_core::services::MAX_LICENSE_UPDATE_USERS, "uniqueItems": true}),
        ),
        (
            "/components/schemas/LicenseUpdate".into(),
            json!({"anyOf": [
                {"required": ["assign"], "properties": {"assign": {"minItems": 1}}},
                {"required": ["remove"], "properties": {"remove": {"minItems": 1}}}
            ]}),
        ),
        (schema("LicenseUpdate", "remove") + "/items", product_id()),
        (schema("LicenseUpdate", "mode"), json!({"enum": ["partial", "atomic", null]})),
        (schema("UserDto", "state"), one_of(&["active", "deleted"])),
        (schema("UserDto", "roles") + "/items", roles(&[])),
        (schema("BatchItemResult", "status"), one_of(&["created", "failed"])),
        (schema("RestoreItemResult", "status"), one_of(&["restored", "failed"])),
        (schema("UserLicenseResultDto", "status"), one_of(&["succeeded", "failed", "unchanged"])),
        (schema("ImportJobDto", "status"), one_of(&["queued", "running", "succeeded", "failed"])),
        (schema("ImportRowDto", "status"), one_of(&["pending", "created", "failed"])),
    ];
    for (pointer, constraint) in cases {
        constrain(doc, misses, &pointer, constraint);
    }

    let limit = json!({"minimum": 1, "maximum": MAX_LIMIT, "default": roster_core::paging::DEFAULT_LIMIT});
    let languages: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
    let sorts = ["displayName", "userPrincipalName", "createdAt"];
    let sorts: Vec<String> = sorts.iter().flat_map(|s| [s.to_string(), format!("-{s}")]).collect();
    let sorts: Vec<&str> = std::iter::once("").chain(sorts.iter().map(String::as_str)).collect();
    let users = "/customers/{cid}/users";
    let params: Vec<(&str, &str, &str, Value)> = vec![
        ("/customers", "get", "limit", limit.clone()),
        ("/customers", "get", "search", text(256, false)),
        ("/customers/{cid}/audit-events", "get", "limit", limit.clone()),
        (users, "get", "limit", limit),
        (users, "get", "state", one_of(&["active", "deleted"])),
        (users, "get", "search", text(256, false)),
        (
            users,
            "get",
            "license",
            json!({"pattern": format!("^(?:{PRODUCT_ID})?$"),
            "description": "A product id, `none` or `any`"}),
        ),
        (users, "get", "role", roles(&["", "any"])),
        (users, "get", "usageLocation", countries(&[json!("")])),
        (users, "get", "signIn", one_of(&["", "allowed", "blocked"])),
        (users, "get", "sort", one_of(&sorts)),
        ("/customers/{cid}/users/export", "get", "format", one_of(&["csv", "xlsx"])),
        ("/customers/{cid}/users/export", "get", "lang", one_of(&languages)),
        ("/imports/template", "get", "format", one_of(&["csv", "xlsx"])),
        ("/imports/template", "get", "lang", one_of(&languages)),
        ("/customers/{cid}/imports", "post", "location", countries(&[json!("")])),
        ("/customers/{cid}/imports/{jid}/credentials", "post", "format", one_of(&["json", "csv"])),
    ];
    for (path, method, name, constraint) in params {
        constrain_param(doc, misses, path, method, name, constraint);
    }
}

/// A link to `operation_id` from the response `from`: (path, method, status).
fn link(
    doc: &mut Value,
    misses: &mut Misses,
    from: (&str, &str, &str),
    name: &str,
    operation_id: &str,
    parameters: Value,
) {
    let (path, method, status) = from;
    let pointer = format!("/paths/{}/{method}/responses/{status}", path.replace('/', "~1"));
    let Some(Value::Object(response)) = doc.pointer_mut(&pointer) else {
        misses.push(pointer);
        return;
    };
    let links = response.entry("links").or_insert_with(|| Value::Object(Map::new()));
    links[name] = json!({"operationId": operation_id, "parameters": parameters});
}

fn add_links(doc: &mut Value, misses: &mut Misses) {
    let customer = json!({"cid": "$response.body#/id"});
    for (name, operation_id) in [
        ("GetCustomer", "get_customer"),
        ("ListUsers", "list_users"),
        ("CreateUser", "create_user"),
        ("CreateUsers", "create_users_batch"),
        ("ListSubscriptions", "list_subscriptions"),
        ("BuySubscription", "buy_subscription"),
        ("ListAuditEvents", "list_audit_events"),
        ("ExportUsers", "export_users"),
        ("StartImport", "start_import"),
    ] {
        link(doc, misses, ("/customers", "post", "201"), name, operation_id, customer.clone());
    }
    let user = json!({"cid": "$request.path.cid", "uid": "$response.body#/user/id"});
    for (name, operation_id) in [
        ("GetUser", "get_user"),
        ("UpdateUser", "update_user"),
        ("ResetPassword", "reset_password"),
        ("DeleteUser", "delete_user"),
    ] {
        link(doc, misses, ("/customers/{cid}/users", "post", "201"), name, operation_id, user.clone());
    }
    let subscription = json!({"cid": "$request.path.cid", "sid": "$response.body#/id"});
    link(
        doc,
        misses,
        ("/customers/{cid}/subscriptions", "post", "201"),
        "SetQuantity",
        "set_subscription_quantity",
        subscription,
    );
    let job = json!({"cid": "$request.path.cid", "jid": "$response.body#/id"});
    link(doc, misses, ("/customers/{cid}/imports", "post", "202"), "GetImport", "get_import", job.clone());
    link(doc, misses, ("/customers/{cid}/imports", "post", "202"), "TakeCredentials", "take_credentials", job);
    // Only a cursor a list gave out is one it takes back; the last page's always exists.
    link(
        doc,
        misses,
        ("/customers", "get", "200"),
        "LastPage",
        "list_customers",
        json!({"cursor": "$response.body#/cursors/last"}),
    );
    link(
        doc,
        misses,
        ("/customers/{cid}/audit-events", "get", "200"),
        "LastPage",
        "list_audit_events",
        json!({"cid": "$request.path.cid", "cursor": "$response.body#/cursors/last"}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_added_finds_its_place() {
        assert_eq!(build().1, Misses::new());
    }

    #[test]
    fn every_operation_declares_401_500_and_503_and_every_response_a_description() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            // The operator's endpoints at the root take no sign-in; see openapi_ops.
            if item.get("servers").is_some() {
                continue;
            }
            for (method, op) in item.as_object().into_iter().flatten() {
                for status in ["401", "500", "503"] {
                    assert!(op["responses"][status].is_object(), "{method} {path} lacks {status}");
                }
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    assert!(response["description"].is_string(), "{method} {path} {status}");
                }
            }
        }
    }
}
