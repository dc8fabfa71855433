//! Security headers on every answer.
//!
//! One Content-Security-Policy serves every page: scripts, styles, images and
//! fetches only from Roster itself, no inline script or style (the console's
//! script and styles are the files under `/static/`), forms posting only to
//! Roster, and no framing. On JSON and files it is as harmless as it is useless.
//! `Strict-Transport-Security` is sent only when cookies are marked `Secure`,
//! that is when Roster is served over HTTPS.

use crate::startup::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of every answer.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Two years, as HSTS preload lists ask.
pub const STRICT_TRANSPORT_SECURITY_VALUE: &str = "max-age=63072000";

/// A middleware: adds the headers to any answer that does not set them itself.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE);
    set(X_FRAME_OPTIONS, "DENY");
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(REFERRER_POLICY, "same-origin");
    if state.config.secure_cookies {
        set(STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY_VALUE);
    }
    response
}

#[cfg(test)]
mod tests {
    /// Every template, read from the source tree.
    fn templates() -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    found.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        found
    }

    /// The policy has no 'unsafe-inline', so a template with inline script or style
    /// would break in the browser: none has any.
    #[test]
    fn templates_have_no_inline_script_or_style() {
        let templates = templates();
        assert!(templates.len() > 10);
        for (path, text) in templates {
            let lower = text.to_ascii_lowercase();
            assert!(!lower.contains("<style"), "{path}: <style>");
            assert!(!lower.contains(" style="), "{path}: a style attribute");
            assert!(!lower.contains("javascript:"), "{path}: a javascript: URL");
            for (i, _) in lower.match_indices("<script") {
                let tag = &lower[i..lower[i..].find('>').map_or(lower.len(), |e| i + e)];
                assert!(tag.contains(" src="), "{path}: an inline <script>");
            }
            for (i, _) in lower.match_indices(" on") {
                let word: String = lower[i + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                assert!(!lower[i + 1 + word.len()..].starts_with('='), "{path}: an event handler attribute {word}");
            }
        }
        assert!(!super::CONTENT_SECURITY_POLICY_VALUE.contains("unsafe"));
    }
}
