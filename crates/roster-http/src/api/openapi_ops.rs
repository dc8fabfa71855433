//! The operator's endpoints in the OpenAPI document: health and readiness at the
//! server's root, outside `/api/v1` (each path names its own server), with no
//! sign-in.

use serde_json::{Value, json};

/// Adds the operator's paths; called after the API's shared errors are declared,
/// which these do not answer.
pub(super) fn add_operations(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let status = |word: &str| {
        json!({"application/json": {"schema": {
            "type": "object",
            "properties": {"status": {"type": "string", "enum": [word]}},
            "required": ["status"],
            "additionalProperties": false
        }}})
    };
    let root = json!([{"url": "/"}]);
    paths.insert(
        "/healthz".into(),
        json!({
            "servers": root,
            "get": {
                "operationId": "healthz",
                "tags": ["operations"],
                "summary": "Liveness: the process answers",
                "security": [],
                "responses": {"200": {"description": "The process is up", "content": status("ok")}}
            }
        }),
    );
    paths.insert(
        "/readyz".into(),
        json!({
            "servers": root,
            "get": {
                "operationId": "readyz",
                "tags": ["operations"],
                "summary": "Readiness: the database answers, its migrations are this binary's, the import worker runs",
                "description": "Which check failed is logged, never answered.",
                "security": [],
                "responses": {
                    "200": {"description": "Ready to take work", "content": status("ready")},
                    "503": {"description": "Not ready; see the server's log", "content": status("unavailable")}
                }
            }
        }),
    );
}
