//! Idempotency keys: a client names a changing request with a key, and the
//! first answer to it is kept in the database for 24 hours, so a retry with the
//! same key and the same request, on any instance, gets that answer again
//! instead of doing the work twice.
//!
//! - Keys are per partner. A key with a different request (another agent,
//!   method, path, query or body) is refused as reused: an agent never gets
//!   another agent's answer.
//! - The first request holds its key while it runs, under a lease its instance
//!   keeps extending; another request with the key meanwhile is told the key is
//!   in use. A lease that runs out (its instance stopped) lets the next request
//!   take the key over and run.
//! - Secrets in a kept answer (temporary passwords) are never stored in clear:
//!   the stored body has them as `null`, and the answer as sent is kept sealed
//!   (`CredentialsKey`) for the hour import credentials are kept, then forgotten.
//!   A replay within that hour is the answer as sent; after it, the same answer
//!   with each password `null`.

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a key's first answer is replayed; then the key is forgotten.
pub const KEY_WINDOW: Duration = Duration::hours(24);

/// How long a request holds its key without its instance extending the hold.
pub const LEASE: Duration = Duration::seconds(30);

/// How often a running request extends its hold.
pub const LEASE_RENEWAL: std::time::Duration = std::time::Duration::from_secs(10);

/// JSON fields whose string values are secrets wherever they appear in an answer.
const SECRET_FIELDS: [&str; 3] = ["temporaryPassword", "password", "token"];

/// A client's key: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err("must be 1 to 255 characters");
        }
        if !text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err("must be printable ASCII");
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a request asks, as its key remembers it: the SHA-256 of its parts (who
/// sent it, its method, path with query, and body), each length-prefixed.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An answer as it was sent, and as a replay sends it again: the status, the
/// headers that describe the result (type, `ETag`, `Location`), and the body.
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    // The body may hold a temporary password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

/// An answer as the store keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body with every secret `null`.
    pub body: Vec<u8>,
    /// The body as sent, sealed, while it holds secrets and they are kept.
    pub sealed_body: Option<Vec<u8>>,
    /// When the sealed body is forgotten.
    pub secrets_expire_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for KeptAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptAnswer")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("sealed", &self.sealed_body.is_some())
            .finish()
    }
}

/// A key as stored, when a request finds it taken.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub fingerprint: String,
    /// `None` while the first request runs.
    pub answer: Option<KeptAnswer>,
    /// While the first request runs: until when it holds the key.
    pub locked_until: Option<OffsetDateTime>,
}

/// What a request may do with a key that is already stored (and in its window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDecision {
    /// Answer with the first answer.
    Replay,
    /// Refuse: the key names another request.
    Reused,
    /// Refuse for now: the first request is still running.
    InUse,
    /// Run: the first request's instance stopped holding the key before it answered.
    TakeOver,
}

impl KeyRecord {
    pub fn decide(&self, fingerprint: &str, now: OffsetDateTime) -> KeyDecision {
        if self.fingerprint != fingerprint {
            KeyDecision::Reused
        } else if self.answer.is_some() {
            KeyDecision::Replay
        } else if self.locked_until.is_some_and(|until| until > now) {
            KeyDecision::InUse
        } else {
            KeyDecision::TakeOver
        }
    }
}

/// What the store says of a key for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's now: run it, then keep its answer.
    Run,
    Replay(KeptAnswer),
    InUse,
    Reused,
}

/// The body with the string value of every secret field, at any depth, made
/// `null`; `None` when it holds no secret (or is no JSON), so it can be kept
/// as it is.
pub fn redact(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    // Most answers (a license update's 100,000 results) name no secret field:
    // looking for the names is far cheaper than parsing.
    if !SECRET_FIELDS.iter().any(|f| text.contains(&format!("\"{f}\""))) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    if !redact_value(&mut value) {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

fn redact_value(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let mut found = false;
            for (name, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&name.as_str()) && v.is_string() {
                    *v = serde_json::Value::Null;
                    found = true;
                } else {
                    found |= redact_value(v);
                }
            }
            found
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |found, v| redact_value(v) | found),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn keys_are_printable_ascii_of_1_to_255_characters() {
        assert!(IdempotencyKey::parse("a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse("with spaces and ~!").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse("tab\there").is_err());
        assert!(IdempotencyKey::parse("clé").is_err());
        assert!(IdempotencyKey::parse("nul\0").is_err());
    }

    #[test]
    fn fingerprints_tell_every_part_apart() {
        let base = fingerprint(&[b"POST", b"/a?x=1", b"{}"]);
        assert_eq!(base, fingerprint(&[b"POST", b"/a?x=1", b"{}"]));
        assert_ne!(base, fingerprint(&[b"PUT", b"/a?x=1", b"{}"]));
        assert_ne!(base, fingerprint(&[b"POST", b"/a?x=2", b"{}"]));
        assert_ne!(base, fingerprint(&[b"POST", b"/a?x=1", b"{ }"]));
        assert_ne!(fingerprint(&[b"POST", b"/ab", b""]), fingerprint(&[b"POST", b"/a", b"b"]));
    }

    #[test]
    fn secrets_become_null_wherever_they_are_and_other_bodies_are_kept_as_they_are() {
        let body = json!({"results": [
            {"index": 0, "temporaryPassword": "Secret-1", "user": {"id": "u"}},
            {"index": 1, "temporaryPassword": null, "error": {"code": "x"}}
        ]});
        let redacted = redact(body.to_string().as_bytes()).expect("a body with a password");
        let redacted: serde_json::Value = serde_json::from_slice(&redacted).unwrap();
        assert_eq!(redacted["results"][0]["temporaryPassword"], serde_json::Value::Null);
        assert_eq!(redacted["results"][0]["user"]["id"], "u");
        assert_eq!(redacted["results"][1]["error"]["code"], "x");
        let created = json!({"user": {"id": "u"}, "temporaryPassword": "Secret-2"}).to_string();
        assert!(!String::from_utf8(redact(created.as_bytes()).unwrap()).unwrap().contains("Secret-2"));
        assert_eq!(redact(br#"{"results": [{"userId": "u", "status": "succeeded"}]}"#), None);
        assert_eq!(redact(br#"{"password": 5}"#), None, "only string values are secrets");
        assert_eq!(redact(b"\"temporaryPassword\" in text that is not JSON"), None);
    }

    #[test]
    fn a_stored_key_replays_refuses_or_is_taken_over() {
        let now = datetime!(2026-01-05 10:00 UTC);
        let answer =
            KeptAnswer { status: 201, headers: vec![], body: vec![], sealed_body: None, secrets_expire_at: None };
        let running = KeyRecord { fingerprint: "f".into(), answer: None, locked_until: Some(now + LEASE) };
        assert_eq!(running.decide("f", now), KeyDecision::InUse);
        assert_eq!(running.decide("g", now), KeyDecision::Reused);
        assert_eq!(running.decide("f", now + LEASE), KeyDecision::TakeOver);
        let done = KeyRecord { answer: Some(answer), locked_until: None, ..running };
        assert_eq!(done.decide("f", now + LEASE), KeyDecision::Replay);
        assert_eq!(done.decide("g", now), KeyDecision::Reused);
    }
}
