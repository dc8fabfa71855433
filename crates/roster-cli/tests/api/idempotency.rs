//! `Idempotency-Key`: a retried POST replays its first answer and does the work
//! once, on any instance; another request with the key is refused; keys are per
//! partner and gone after 24 hours; temporary passwords in kept answers are
//! sealed and forgotten after an hour; the CLI sends one key per command and
//! sends a POST again when its answer was lost.

use crate::requests::{Answer, answer, events, send};
use crate::*;
use reqwest::Method;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A POST with an `Idempotency-Key`, as the admin.
pub(crate) async fn post_keyed(app: &TestApp, path: &str, key: &str, body: &Value) -> Answer {
    send(app, &app.admin_token, Method::POST, path, &[("Idempotency-Key", key)], Some(body)).await
}

/// The first answer, then the same request again: the same status, body and
/// `ETag`, marked as a replay.
async fn twice(app: &TestApp, path: &str, key: &str, body: &Value) -> Answer {
    let first = post_keyed(app, path, key, body).await;
    assert!(!first.replayed(), "{path}: the first answer is no replay");
    let again = post_keyed(app, path, key, body).await;
    assert_same(path, &first, &again);
    first
}

fn assert_same(what: &str, first: &Answer, again: &Answer) {
    assert!(again.replayed(), "{what}: the second answer is a replay: {:?}", again.headers);
    assert_eq!(again.status, first.status, "{what}: {}", again.text);
    assert_eq!(again.text, first.text, "{what}");
    assert_eq!(again.header("etag"), first.header("etag"), "{what}");
    assert_eq!(again.header("content-type"), first.header("content-type"), "{what}");
}

both_backends! {
    async fn a_retried_post_replays_its_first_answer_and_does_the_work_once(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let subs = format!("/customers/{}/subscriptions", c.id);
        let bought = twice(&app, &subs, "buy-mail", &json!({"productId": "MAIL_P1", "quantity": 2})).await;
        assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.text);
        assert!(bought.header("etag").is_some());

        let users = format!("/customers/{}/users", c.id);
        let ana = json!({"userName": "ana", "domain": c.domain, "displayName": "Ana", "usageLocation": "FR", "licenses": [{"productId": "MAIL_P1"}]});
        let created = twice(&app, &users, "create-ana", &ana).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["temporaryPassword"].as_str().map(str::len), Some(16), "the replay holds the same password");
        assert_eq!(app.get(&app.admin_token, &users).await.body["totalCount"], 1);

        let bob = app.user(&c, "bob", json!({"usageLocation": "FR"})).await;
        let update = json!({"userIds": [bob["user"]["id"]], "assign": [{"productId": "MAIL_P1"}]});
        let updates = format!("/customers/{}/license-updates", c.id);
        let assigned = twice(&app, &updates, "assign-bob", &update).await;
        assert_eq!(assigned.body["results"][0]["status"], "succeeded", "{}", assigned.text);
        // Done again without its key, the same update would change nothing; the
        // replay is still the first answer.
        let fresh = app.post(&app.admin_token, &updates, &update).await;
        assert_eq!(fresh.body["results"][0]["status"], "unchanged");

        let list = app.get(&app.admin_token, &subs).await.body;
        assert_eq!((list[0]["quantity"].as_i64(), list[0]["assigned"].as_i64()), (Some(2), Some(2)));
        assert_eq!(events(&app, &c, "subscription.created").await, 1);
        assert_eq!(events(&app, &c, "user.created").await, 2, "ana once, and bob");
        assert_eq!(events(&app, &c, "user.licenses_updated").await, 1);
    }

    async fn every_changing_post_takes_a_key(app) {
        app.with_catalog().await;
        let customer = twice(&app, "/customers", "customer", &json!({"companyName": "Keyed Ltd", "domains": ["keyed.example"], "country": "FR"})).await;
        assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.text);
        let cid = str_at(&customer.body, "/id").to_owned();
        let c = TestCustomer { id: cid.clone(), domain: "keyed.example".into() };
        let sub = twice(&app, &format!("/customers/{cid}/subscriptions"), "sub", &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        let sid = str_at(&sub.body, "/id").to_owned();
        let seats = twice(&app, &format!("/customers/{cid}/subscriptions/{sid}/seats"), "seats", &json!({"add": 2})).await;
        assert_eq!((seats.status, seats.body["quantity"].as_i64()), (StatusCode::OK, Some(3)));
        let batch = json!({"users": [{"userName": "a", "domain": c.domain, "displayName": "A"}, {"userName": "b", "domain": c.domain, "displayName": "B"}]});
        let batch = twice(&app, &format!("/customers/{cid}/users/batch"), "batch", &batch).await;
        assert_eq!(batch.body["results"][1]["status"], "created", "{}", batch.text);
        let uid = str_at(&batch.body, "/results/0/user/id").to_owned();
        let reset = twice(&app, &format!("/customers/{cid}/users/{uid}/reset-password"), "reset", &json!({})).await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
        let update = json!({"userIds": [uid], "assign": [{"productId": "MAIL_P1"}]});
        let updated = twice(&app, &format!("/customers/{cid}/license-updates"), "update", &update).await;
        assert_eq!(updated.body["results"][0]["errors"][0]["code"], "usage_location_required", "{}", updated.text);
        let refused = twice(&app, &format!("/customers/{cid}/subscriptions"), "sub-again", &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        assert_eq!(refused.code(), "subscription_exists", "an error answer is kept and replayed too");
        assert_eq!(app.delete(&app.admin_token, &format!("/customers/{cid}/users/{uid}")).await.status, StatusCode::NO_CONTENT);
        let restored = twice(&app, &format!("/customers/{cid}/users/restore"), "restore", &json!({"userIds": [uid]})).await;
        assert_eq!(restored.body["results"][0]["status"], "restored", "{}", restored.text);

        let csv = format!("Display name,Username\nCee,cee@{}\n", c.domain);
        let import = |key: &'static str| {
            app.http
                .post(app.url(&format!("/api/v1/customers/{cid}/imports")))
                .bearer_auth(&app.admin_token)
                .header("Idempotency-Key", key)
                .header("content-type", "text/csv")
                .body(csv.clone())
        };
        let queued = answer(import("import")).await;
        assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.text);
        let again = answer(import("import")).await;
        assert_same("import", &queued, &again);
        assert_eq!(events(&app, &c, "user.password_reset").await, 1);
        assert_eq!(events(&app, &c, "user.restored").await, 1);
        assert_eq!(events(&app, &c, "subscription.seats_added").await, 1);
    }

    async fn a_key_names_one_request_of_one_agent_and_each_partner_has_its_own(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let subs = format!("/customers/{}/subscriptions", c.id);
        let first = post_keyed(&app, &subs, "shared-key", &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let other_body = post_keyed(&app, &subs, "shared-key", &json!({"productId": "MAIL_P2", "quantity": 1})).await;
        assert_eq!((other_body.status, other_body.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
        let other_path = post_keyed(&app, "/customers", "shared-key", &json!({"companyName": "X", "domains": ["x-reused.example"], "country": "US"})).await;
        assert_eq!(other_path.code(), "idempotency_key_reused");
        // Another agent of the partner never gets this agent's answer.
        let sales = app.agent_token("sales").await;
        let by_sales = send(&app, &sales, Method::POST, &subs, &[("Idempotency-Key", "shared-key")], Some(&json!({"productId": "MAIL_P1", "quantity": 1}))).await;
        assert_eq!(by_sales.code(), "idempotency_key_reused");
        assert_eq!(app.get(&app.admin_token, &subs).await.body.as_array().map(Vec::len), Some(1));
        // Another partner's keys are its own.
        let other = app.other_partner_token().await;
        let theirs = send(&app, &other, Method::POST, "/customers", &[("Idempotency-Key", "shared-key")], Some(&json!({"companyName": "Theirs", "domains": ["theirs-keyed.example"], "country": "US"}))).await;
        assert_eq!((theirs.status, theirs.replayed()), (StatusCode::CREATED, false), "{}", theirs.text);
    }

    async fn bad_keys_are_refused_before_anything_runs(app) {
        let c = app.customer().await;
        let path = format!("/api/v1/customers/{}/users", c.id);
        let body = json!({"userName": "kim", "domain": c.domain, "displayName": "Kim"});
        let long = "k".repeat(256);
        let values: [&[u8]; 4] = [b"", long.as_bytes(), b"tab\there", b"cl\xc3\xa9"];
        for value in values {
            let header = reqwest::header::HeaderValue::from_bytes(value).unwrap();
            let request = app.http.post(app.url(&path)).bearer_auth(&app.admin_token).header("Idempotency-Key", header).json(&body);
            let refused = answer(request).await;
            assert_eq!((refused.status, refused.code()), (StatusCode::BAD_REQUEST, "validation_failed"), "{value:?}: {}", refused.text);
            assert_eq!(refused.body["details"]["field"], "Idempotency-Key");
        }
        let anonymous = answer(app.http.post(app.url(&path)).header("Idempotency-Key", "k").json(&body)).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let fine = answer(app.http.post(app.url(&path)).bearer_auth(&app.admin_token).header("Idempotency-Key", "k".repeat(255)).json(&body)).await;
        assert_eq!(fine.status, StatusCode::CREATED, "{}", fine.text);
    }

    async fn a_key_is_replayed_for_24_hours_then_forgotten(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let sub = app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        let seats = format!("/customers/{}/subscriptions/{}/seats", c.id, str_at(&sub.body, "/id"));
        let first = post_keyed(&app, &seats, "daily", &json!({"add": 1})).await;
        assert_eq!(first.body["quantity"], 2);
        app.clock.advance(time::Duration::hours(24) - time::Duration::microseconds(1));
        let replayed = post_keyed(&app, &seats, "daily", &json!({"add": 1})).await;
        assert_same("just inside the window", &first, &replayed);
        app.clock.advance(time::Duration::microseconds(1));
        let again = post_keyed(&app, &seats, "daily", &json!({"add": 1})).await;
        assert_eq!((again.replayed(), again.body["quantity"].as_i64()), (false, Some(3)), "past the window the key is new");
        assert_eq!(app.raw_idempotency_keys().await.len(), 1);
        app.clock.advance(time::Duration::hours(24));
        app.services.purge_expired().await.unwrap();
        assert!(app.raw_idempotency_keys().await.is_empty(), "the purge forgets keys past their window");
    }

    async fn temporary_passwords_in_kept_answers_are_sealed_and_forgotten_after_an_hour(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let created = post_keyed(&app, &users, "create-lee", &json!({"userName": "lee", "domain": c.domain, "displayName": "Lee"})).await;
        let password = str_at(&created.body, "/temporaryPassword").to_owned();
        let uid = str_at(&created.body, "/user/id").to_owned();
        let reset = post_keyed(&app, &format!("{users}/{uid}/reset-password"), "reset-lee", &json!({})).await;
        let reset_password = str_at(&reset.body, "/temporaryPassword").to_owned();
        let batch = post_keyed(&app, &format!("{users}/batch"), "batch-moe", &json!({"users": [{"userName": "moe", "domain": c.domain, "displayName": "Moe"}]})).await;
        let batch_password = str_at(&batch.body, "/results/0/temporaryPassword").to_owned();

        let stored = app.raw_idempotency_keys().await;
        assert_eq!(stored.len(), 3);
        for (key, body, sealed) in &stored {
            let body = body.clone().unwrap_or_default();
            let sealed = sealed.clone().unwrap_or_else(|| panic!("{key}: the answer as sent is kept sealed"));
            for secret in [&password, &reset_password, &batch_password] {
                for bytes in [&body, &sealed] {
                    assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{key}: a password is stored in clear");
                }
            }
            assert!(String::from_utf8_lossy(&body).contains("\"temporaryPassword\":null"), "{key}");
        }
        let log = roster_testkit::logs::captured();
        assert!(!log.contains(&password) && !log.contains(&reset_password), "a temporary password reached the log");

        let again = post_keyed(&app, &users, "create-lee", &json!({"userName": "lee", "domain": c.domain, "displayName": "Lee"})).await;
        assert_same("within the hour", &created, &again);
        app.clock.advance(time::Duration::hours(1));
        let later = post_keyed(&app, &users, "create-lee", &json!({"userName": "lee", "domain": c.domain, "displayName": "Lee"})).await;
        assert_eq!((later.status, later.replayed()), (StatusCode::CREATED, true));
        assert_eq!(later.body["temporaryPassword"], Value::Null, "after the hour the password is gone: {}", later.text);
        assert_eq!(later.body["user"], created.body["user"]);
        let later_reset = post_keyed(&app, &format!("{users}/{uid}/reset-password"), "reset-lee", &json!({})).await;
        assert_eq!(later_reset.body["temporaryPassword"], Value::Null);
        assert_eq!(later_reset.body["expiresAt"], reset.body["expiresAt"]);
        app.services.purge_expired().await.unwrap();
        assert!(app.raw_idempotency_keys().await.iter().all(|(_, _, sealed)| sealed.is_none()), "the purge forgets sealed answers");
    }

    async fn a_key_whose_holder_stopped_is_taken_over_once_its_hold_runs_out(app) {
        use roster_core::idempotency::{Claim, IdempotencyKey, KeptAnswer, LEASE};
        let store = &app.services.store;
        let key = IdempotencyKey::parse("held").unwrap();
        let t0 = app.services.now();
        let day = time::Duration::hours(24);
        let claim = |fingerprint: &'static str, now: time::OffsetDateTime| {
            let key = key.clone();
            async move { store.claim_idempotency_key(app.partner_id, &key, fingerprint, now + LEASE, now + day, now).await.unwrap() }
        };
        assert_eq!(claim("f", t0).await, Claim::Run);
        assert_eq!(claim("f", t0).await, Claim::InUse);
        assert_eq!(claim("g", t0).await, Claim::Reused);
        // Its instance holds it while the request runs...
        store.hold_idempotency_key(app.partner_id, &key, t0 + time::Duration::seconds(20) + LEASE).await.unwrap();
        assert_eq!(claim("f", t0 + LEASE).await, Claim::InUse);
        // ...and once the hold runs out, one request takes it over.
        let later = t0 + time::Duration::seconds(20) + LEASE;
        assert_eq!(claim("f", later).await, Claim::Run);
        assert_eq!(claim("f", later).await, Claim::InUse);
        let answer = KeptAnswer { status: 201, headers: vec![("content-type".into(), "application/json".into())], body: b"{}".to_vec(), sealed_body: None, secrets_expire_at: None };
        store.keep_idempotent_answer(app.partner_id, &key, &answer).await.unwrap();
        assert_eq!(claim("f", later + LEASE).await, Claim::Replay(answer.clone()));
        // A kept answer is never released; a key whose request kept none is.
        store.release_idempotency_key(app.partner_id, &key).await.unwrap();
        assert_eq!(claim("f", later).await, Claim::Replay(answer));
        let other = IdempotencyKey::parse("released").unwrap();
        assert_eq!(store.claim_idempotency_key(app.partner_id, &other, "f", t0 + LEASE, t0 + day, t0).await.unwrap(), Claim::Run);
        store.release_idempotency_key(app.partner_id, &other).await.unwrap();
        assert_eq!(store.claim_idempotency_key(app.partner_id, &other, "f", t0 + LEASE, t0 + day, t0).await.unwrap(), Claim::Run);
    }

    async fn concurrent_requests_with_one_key_do_the_work_once(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let sub = app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 1})).await;
        let seats = format!("/customers/{}/subscriptions/{}/seats", c.id, str_at(&sub.body, "/id"));
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let request = app.http.post(app.url(&format!("/api/v1{seats}"))).bearer_auth(&app.admin_token);
                tokio::spawn(answer(request.header("Idempotency-Key", "at-once").json(&json!({"add": 5}))))
            })
            .collect();
        let mut answers = Vec::new();
        for t in tries {
            answers.push(t.await.unwrap());
        }
        let done: Vec<&Answer> = answers.iter().filter(|a| a.status == StatusCode::OK).collect();
        assert!(!done.is_empty());
        for a in &answers {
            match a.status {
                StatusCode::OK => assert_eq!(a.text, done[0].text),
                StatusCode::CONFLICT => {
                    assert_eq!(a.code(), "idempotency_key_in_use");
                    assert_eq!(a.header("retry-after"), Some("1"));
                }
                other => panic!("{other}: {}", a.text),
            }
        }
        let now = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await.body;
        assert_eq!(now[0]["quantity"], 6, "five seats added once");
        assert_eq!(events(&app, &c, "subscription.seats_added").await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_sharing_postgresql_replay_each_others_answers() {
    use roster_core::secrets::CredentialsKey;
    use roster_core::{Policy, Services, SystemClock};
    use roster_testkit::{Backend, backend_available, fresh_store};
    if !backend_available(Backend::Postgres).await {
        return;
    }
    let (store, fixture) = fresh_store(Backend::Postgres).await;
    let key = CredentialsKey::generate().to_base64();
    let policy = Policy { credentials_key: CredentialsKey::from_base64(&key).unwrap(), ..Policy::default() };
    let services = Services::new(store, Arc::new(SystemClock), policy);
    let partner = services.create_partner("Shared keys").await.unwrap();
    let (agent, _) = services.create_agent(partner.id, "keys@servers.example", "admin").await.unwrap();
    let (_, token) = services.create_token(&agent.email).await.unwrap();
    let customer = services.create_customer(&agent, "Keyed Co", &["keyed-shared.example".into()], "US").await.unwrap();

    let database_url = fixture.database_url();
    let env = [("ROSTER_CREDENTIALS_KEY", key.as_str())];
    let servers =
        [crate::two_servers::serve_with(&database_url, &env), crate::two_servers::serve_with(&database_url, &env)];
    let http = reqwest::Client::new();
    let post = |server: usize, body: Value| {
        let url = format!("{}/api/v1/customers/{}/users", servers[server].url, customer.id);
        answer(http.post(url).bearer_auth(token.expose()).header("Idempotency-Key", "across").json(&body))
    };
    let body = json!({"userName": "sam", "domain": "keyed-shared.example", "displayName": "Sam"});
    let first = post(0, body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let elsewhere = post(1, body).await;
    assert_same("on the other server", &first, &elsewhere);
    assert!(elsewhere.body["temporaryPassword"].is_string(), "the other server opens the sealed answer");
    let other = post(1, json!({"userName": "max", "domain": "keyed-shared.example", "displayName": "Max"})).await;
    assert_eq!(other.code(), "idempotency_key_reused");
}

fn roster(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .env("ROSTER_LOG", "warn")
        .args(args)
        .output()
        .expect("running roster")
}

/// A TCP proxy to `target` that loses the answer on its first connection: it
/// passes the request on, waits for the answer to start, and hangs up. Later
/// connections pass both ways. Returns its address and the connections it took.
async fn lossy_proxy(target: String) -> (String, Arc<AtomicUsize>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut server = tokio::net::TcpStream::connect(&target).await.unwrap();
            tokio::spawn(async move {
                if n > 0 {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    return;
                }
                let (mut from_client, to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                let request = tokio::spawn(async move { tokio::io::copy(&mut from_client, &mut to_server).await });
                let mut first = [0u8; 1];
                let _ = from_server.read(&mut first).await;
                drop(to_client);
                request.abort();
            });
        }
    });
    (address, connections)
}

both_backends! {
    async fn the_cli_sends_one_key_per_command_so_a_rerun_with_it_changes_nothing(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 5})).await;
        let ana = app.user(&c, "ana", json!({"usageLocation": "US"})).await;
        let dir = std::env::temp_dir().join(format!("roster-keys-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("users.txt");
        std::fs::write(&file, format!("{}\n", str_at(&ana, "/user/id"))).unwrap();
        let file = file.display().to_string();
        let assign = || {
            roster(&["licenses", "assign", "--server", &app.address, "--token", &app.admin_token, "--customer", &c.id,
                "--users", &file, "--product", "MAIL_P1", "--idempotency-key", "assign-ana-once", "--json"])
        };
        let first = assign();
        assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
        let second = assign();
        assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
        assert_eq!(first.stdout, second.stdout, "the rerun prints the first run's answer");
        assert!(String::from_utf8_lossy(&first.stdout).contains("succeeded"));
        let subs = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await.body;
        assert_eq!(subs[0]["assigned"], 1);
        assert_eq!(events(&app, &c, "user.licenses_updated").await, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    async fn a_post_whose_answer_is_lost_is_sent_again_by_the_cli_and_applied_once(app) {
        app.with_catalog().await;
        let c = app.customer().await;
        let sub = app.post(&app.admin_token, &format!("/customers/{}/subscriptions", c.id), &json!({"productId": "MAIL_P1", "quantity": 3})).await;
        let sid = str_at(&sub.body, "/id").to_owned();
        let target = app.address.trim_start_matches("http://").to_owned();
        let (proxy, connections) = lossy_proxy(target).await;
        let (token, cid) = (app.admin_token.clone(), c.id.clone());
        let run = tokio::task::spawn_blocking(move || {
            roster(&["subscriptions", "add-seats", "--server", &proxy, "--token", &token, "--customer", &cid,
                "--subscription", &sid, "--add", "1", "--json"])
        })
        .await
        .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let printed: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(printed[0]["quantity"], 4, "the CLI prints the answer it lost the first time");
        assert_eq!(connections.load(Ordering::SeqCst), 2, "the POST was sent twice");
        let now = app.get(&app.admin_token, &format!("/customers/{}/subscriptions", c.id)).await.body;
        assert_eq!(now[0]["quantity"], 4, "and applied once");
        assert_eq!(events(&app, &c, "subscription.seats_added").await, 1);
    }
}
