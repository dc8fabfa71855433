//! Slow clients over raw TCP: a head or a body trickled a byte at a time, or a
//! connection that sends nothing, is cut off once its timeout has passed; a
//! request within the limits is served. Nothing here touches the store, so
//! SQLite is enough.

use crate::*;
use roster_http::ServerConfig;
use roster_testkit::Backend;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEAD: Duration = Duration::from_secs(1);
const BODY: Duration = Duration::from_secs(2);

async fn app() -> TestApp {
    let config = ServerConfig {
        header_timeout: HEAD,
        body_timeout: BODY,
        request_timeout: Duration::from_secs(10),
        ..ServerConfig::default()
    };
    roster_testkit::spawn_app_with(Backend::Sqlite, config).await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap()
}

/// Writes `first`, then `trickle` a byte every 200 ms, reading what the server
/// sends, until it closes the connection (or 15 s pass). What it sent back, and
/// when the connection closed.
async fn trickle(stream: &mut TcpStream, first: &[u8], trickle: &[u8]) -> (String, Duration) {
    let start = Instant::now();
    stream.write_all(first).await.unwrap();
    let mut answer = Vec::new();
    let mut bytes = trickle.iter().cycle();
    while start.elapsed() < Duration::from_secs(15) {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&answer).into_owned(), start.elapsed()),
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {
                if let Some(b) = bytes.next() {
                    // The server may have closed already; the read says so next.
                    let _ = stream.write_all(&[*b]).await;
                }
            }
        }
    }
    panic!("the connection was still open after 15 s; got {:?}", String::from_utf8_lossy(&answer))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_head_is_cut_off() {
    let app = app().await;
    let mut s = connect(&app).await;
    let (answer, took) = trickle(&mut s, b"GET /login HTTP/1.1\r\n", b"X-Slow: aaaaaaaa\r\n").await;
    assert!(took >= HEAD - Duration::from_millis(100) && took < HEAD + Duration::from_secs(2), "{took:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_cut_off() {
    let app = app().await;
    let mut s = connect(&app).await;
    let (answer, took) = trickle(&mut s, b"", b"").await;
    assert!(took < HEAD + Duration::from_secs(2), "{took:?}");
    assert_eq!(answer, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off_with_408() {
    let app = app().await;
    for (path, auth, kind) in [
        ("/api/v1/customers", format!("Authorization: Bearer {}\r\n", app.admin_token), "application/json"),
        ("/login", String::new(), "application/x-www-form-urlencoded"),
    ] {
        let mut s = connect(&app).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: roster\r\n{auth}Content-Type: {kind}\r\nContent-Length: 1000\r\n\r\n"
        );
        let (answer, took) = trickle(&mut s, head.as_bytes(), b"{\"name\": \"slow").await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(answer.to_ascii_lowercase().contains("connection: close"), "{path}: {answer}");
        if path.starts_with("/api/") {
            assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
        }
        assert!(took >= BODY - Duration::from_millis(100) && took < BODY + Duration::from_secs(2), "{path}: {took:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_within_the_limits_are_served() {
    let app = app().await;
    // A head sent in pieces, well within its time, then another request on the
    // same connection.
    let mut s = connect(&app).await;
    for piece in [
        "GET /api/v1/pro",
        "ducts HTTP/1.1\r\nHost: roster\r\n",
        &format!("Authorization: Bearer {}\r\n\r\n", app.admin_token),
    ] {
        s.write_all(piece.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut buf = vec![0u8; 65536];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    // An ordinary client, with bodies, keeps working.
    let c = app.customer().await;
    let r = app.get(&app.admin_token, &format!("/customers/{}", c.id)).await;
    assert_eq!(r.status, StatusCode::OK);
}
