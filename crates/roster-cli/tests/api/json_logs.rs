//! `ROSTER_LOG_FORMAT=json`: a `roster serve` process writes one JSON object a
//! line, and a request's lines carry its id.

use roster_testkit::{Backend, fresh_store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id() {
    let (_store, fixture) = fresh_store(Backend::Sqlite).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ROSTER_DATABASE_URL", fixture.database_url())
        .env("ROSTER_LOG", "info,tower_http=debug")
        .env("ROSTER_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting roster serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_owned();
    let stderr = child.stderr.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let r = reqwest::Client::new()
        .get(format!("{url}/api/v1/customers"))
        .header("x-request-id", "json-log-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut found = None;
    let mut seen = Vec::new();
    while found.is_none() && std::time::Instant::now() < deadline {
        let Ok(line) = lines.recv_timeout(std::time::Duration::from_millis(200)) else { continue };
        let parsed: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        if parsed["span"]["request_id"] == "json-log-id-1" {
            found = Some(parsed);
        }
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    let found = found.unwrap_or_else(|| panic!("no line with the request id: {seen:#?}"));
    assert!(found["level"].is_string() && found["timestamp"].is_string(), "{found}");
    assert_eq!(found["span"]["path"], "/api/v1/customers");
}

#[test]
fn an_unknown_log_format_refuses_to_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["migrate"])
        .env("ROSTER_DATABASE_URL", "sqlite::memory:")
        .env("ROSTER_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROSTER_LOG_FORMAT must be text or json"));
}
