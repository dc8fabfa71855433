use crate::*;

both_backends! {
    async fn the_openapi_document_covers_every_route(app) {
        let r = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.expect("a JSON document");
        assert_eq!(doc["openapi"], "3.1.0");
        for (path, methods) in [
            ("/products", vec!["get"]),
            ("/customers/{cid}/license-updates", vec!["post"]),
            ("/customers/{cid}/subscriptions", vec!["get", "post"]),
            ("/customers/{cid}/subscriptions/{sid}", vec!["patch"]),
            ("/customers", vec!["get", "post"]),
            ("/customers/{cid}", vec!["get"]),
            ("/customers/{cid}/users", vec!["get", "post"]),
            ("/customers/{cid}/users/batch", vec!["post"]),
            ("/customers/{cid}/users/restore", vec!["post"]),
            ("/customers/{cid}/users/{uid}", vec!["get", "patch", "delete"]),
            ("/customers/{cid}/users/{uid}/reset-password", vec!["post"]),
            ("/customers/{cid}/audit-events", vec!["get"]),
        ] {
            for m in methods {
                assert!(doc["paths"][path][m].is_object(), "{m} {path} is missing");
            }
        }
        let params: Vec<&str> = doc["paths"]["/customers/{cid}/users"]["get"]["parameters"].as_array().map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect()).unwrap_or_default();
        for p in ["state", "search", "license", "role", "usageLocation", "signIn", "sort", "limit", "cursor"] {
            assert!(params.contains(&p), "user list parameter {p} is missing: {params:?}");
        }
        assert!(doc["components"]["schemas"]["NewUser"].is_object());
    }
}
