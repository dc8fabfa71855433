//! `/healthz` and `/readyz`: no sign-in, no data, and readiness that follows the
//! database's schema and the import worker.

use crate::*;
use roster_core::{Policy, Services, SystemClock};
use roster_testkit::{Backend, backend_available, fresh_store};
use std::sync::Arc;

async fn status_of(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (status, r.json().await.unwrap())
}

both_backends! {
    async fn health_and_readiness_answer_without_a_sign_in_and_without_data(app) {
        assert_eq!(status_of(&app, "/healthz").await, (StatusCode::OK, json!({"status": "ok"})));
        assert_eq!(status_of(&app, "/readyz").await, (StatusCode::OK, json!({"status": "ready"})));
        // The documented paths name the root as their server and need no token.
        let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        for path in ["/healthz", "/readyz"] {
            assert_eq!(doc["paths"][path]["servers"], json!([{"url": "/"}]), "{path}");
            assert_eq!(doc["paths"][path]["get"]["security"], json!([]), "{path}");
        }
    }

    async fn a_database_migrated_by_a_newer_roster_is_not_ready(app) {
        app.fixture.add_future_migration(99_990_001).await;
        assert_eq!(status_of(&app, "/readyz").await, (StatusCode::SERVICE_UNAVAILABLE, json!({"status": "unavailable"})));
        // The process itself is still up.
        assert_eq!(status_of(&app, "/healthz").await.0, StatusCode::OK);
    }
}

async fn readiness_follows_the_import_worker(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (store, _fixture) = fresh_store(backend).await;
    let services = Arc::new(Services::new(store, Arc::new(SystemClock), Policy::default()));
    let before = services.readiness().await;
    assert!(before.database && before.migrations_current, "{before:?}");
    assert!(!before.import_worker && !before.is_ready(), "no worker runs yet: {before:?}");
    let worker = roster_http::spawn_import_worker(services.clone(), std::time::Duration::from_millis(25));
    let mut ready = services.readiness().await;
    for _ in 0..100 {
        if ready.is_ready() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        ready = services.readiness().await;
    }
    worker.abort();
    assert!(ready.is_ready(), "{ready:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_import_worker_on_sqlite() {
    readiness_follows_the_import_worker(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_import_worker_on_postgresql() {
    readiness_follows_the_import_worker(Backend::Postgres).await;
}
