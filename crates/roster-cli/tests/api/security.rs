//! Security headers: every answer (pages, files, the API, refusals) carries the
//! Content-Security-Policy without inline script or style, refuses framing, turns
//! off MIME sniffing and limits the Referer; HSTS only with `--secure-cookies`.
//! The headers touch no store, so SQLite is enough; browser.rs checks in Chromium
//! that the console breaks nothing under the policy.

use crate::*;
use roster_testkit::Backend;

async fn heads(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, reqwest::header::HeaderMap) {
    let mut request = app.http.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.headers().clone())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = roster_testkit::spawn_app(Backend::Sqlite).await;
    let token = app.admin_token.clone();
    let pages = [
        ("/login", None, StatusCode::OK),
        ("/signin", None, StatusCode::OK),
        ("/", None, StatusCode::SEE_OTHER),
        ("/static/console.css", None, StatusCode::OK),
        ("/static/console.js", None, StatusCode::OK),
        ("/static/signin.css", None, StatusCode::OK),
        ("/no/such/page", None, StatusCode::NOT_FOUND),
        ("/api/v1/products", Some(token.as_str()), StatusCode::OK),
        ("/api/v1/products", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/openapi.json", None, StatusCode::OK),
    ];
    for (path, token, status) in pages {
        let (got, h) = heads(&app, path, token).await;
        assert_eq!(got, status, "{path}");
        let csp = header(&h, "content-security-policy");
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(header(&h, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&h, "referrer-policy"), "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: HSTS without --secure-cookies");
    }
    // The sign-in pages' style is a file now, and served as CSS.
    let page = app.http.get(app.url("/signin")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(r#"<link rel="stylesheet" href="/static/signin.css">"#) && !page.contains("<style"),
        "{page}"
    );
    let (_, h) = heads(&app, "/static/signin.css", None).await;
    assert_eq!(header(&h, "content-type"), "text/css; charset=utf-8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_add_strict_transport_security() {
    let config = roster_http::ServerConfig { secure_cookies: true, ..Default::default() };
    let app = roster_testkit::spawn_app_with(Backend::Sqlite, config).await;
    for path in ["/login", "/api/v1/openapi.json"] {
        let (_, h) = heads(&app, path, None).await;
        assert_eq!(header(&h, "strict-transport-security"), "max-age=63072000", "{path}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{path}");
    }
}
