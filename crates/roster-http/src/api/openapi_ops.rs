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
    paths.insert(
        "/metrics".into(),
        json!({
            "servers": root,
            "get": {
                "operationId": "metrics",
                "tags": ["operations"],
                "summary": "This instance's metrics in the Prometheus text format (OpenMetrics 1.0)",
                "description": "Off (404) unless the server is given ROSTER_METRICS_TOKEN; then it takes `Authorization: Bearer` with that token. The metrics are listed in the README's Operating Roster section.",
                "security": [{"metricsToken": []}],
                "responses": {
                    "200": {"description": "Every metric", "content": {crate::metrics::CONTENT_TYPE: {"schema": {"type": "string"}}}},
                    "401": {"description": "No token, or not the configured one", "content": {"text/plain; charset=utf-8": {"schema": {"type": "string"}}}},
                    "404": {"description": "Metrics are off"}
                }
            }
        }),
    );
    if let Some(schemes) = doc.pointer_mut("/components/securitySchemes").and_then(Value::as_object_mut) {
        schemes.insert(
            "metricsToken".into(),
            json!({"type": "http", "scheme": "bearer", "description": "The server's ROSTER_METRICS_TOKEN"}),
        );
    }
}
