//! `roster serve` killed with SIGKILL in the middle of its work: a 100,000-user
//! license update (one call, one transaction), a restore batch (a transaction per
//! user) and a purge (500 users a transaction). Each transaction is whole or
//! absent afterwards, the counters match the rows, and a new process finishes
//! the work.

use super::*;
use crate::two_servers::{serve, serve_with};
use roster_testkit::bulk::{check_invariants, licenses_by_user, seed_users, user_states};
use roster_testkit::{Backend, backend_available, fresh_store};

const UPDATE_USERS: usize = 100_000;

/// Every user holds exactly `[OLD]` or exactly `[NEW]`; how many of each.
async fn old_and_new(fixture: &roster_testkit::Fixture, customer_id: Uuid) -> (usize, usize) {
    let held = licenses_by_user(fixture, customer_id).await;
    assert_eq!(held.len(), UPDATE_USERS, "a user lost every license, or gained a first one");
    let old = held.values().filter(|l| l.as_slice() == ["OLD"]).count();
    let new = held.values().filter(|l| l.as_slice() == ["NEW"]).count();
    assert_eq!(old + new, UPDATE_USERS, "a user holds neither the old licenses nor the new ones");
    (old, new)
}

async fn killed_mid_license_update(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (store, fixture) = fresh_store(backend).await;
    let setup = Setup::new(store, "kill-update.example", UPDATE_USERS as i64).await;
    let started = Instant::now();
    seed_users(&fixture, &setup.seed("u", UPDATE_USERS, &["OLD"])).await;
    let seeded = started.elapsed();
    check_invariants(&fixture).await;
    let ids = licensed_ids(&fixture, setup.customer.id).await;
    let (to_new, to_old) = (
        json!({"userIds": ids, "assign": [{"productId": "NEW"}], "remove": ["OLD"]}),
        json!({"userIds": ids, "assign": [{"productId": "OLD"}], "remove": ["NEW"]}),
    );
    let path = setup.path("/license-updates");
    let http = reqwest::Client::new();
    let mut server = serve(&fixture.database_url());

    // A whole update first, to learn how long one takes here.
    let whole = call(&http, &server.url, &setup.token, reqwest::Method::POST, &path, Some(&to_new)).await.unwrap();
    assert_eq!(whole.status, StatusCode::OK, "{:.300}", whole.body.to_string());
    assert_eq!(whole.body["summary"]["succeeded"], UPDATE_USERS);
    assert_eq!(old_and_new(&fixture, setup.customer.id).await, (0, UPDATE_USERS));

    // The same call the other way, killed partway: its request is in, its answer
    // is not out. Should a call end before its kill, the next goes the other way
    // again and is killed sooner.
    let mut holding_new = true;
    let mut took = whole.took;
    let mut killed_at = None;
    for fraction in [0.4, 0.2, 0.1] {
        let body = if holding_new { to_old.clone() } else { to_new.clone() };
        let (client, url, token, path) = (http.clone(), server.url.clone(), setup.token.clone(), path.clone());
        let flip =
            tokio::spawn(async move { call(&client, &url, &token, reqwest::Method::POST, &path, Some(&body)).await });
        tokio::time::sleep(took.mul_f64(fraction)).await;
        if flip.is_finished() {
            let answered = flip.await.unwrap().unwrap();
            assert_eq!(answered.status, StatusCode::OK, "{:.300}", answered.body.to_string());
            holding_new = !holding_new;
            took = answered.took;
            continue;
        }
        server.child.kill().unwrap();
        let _ = server.child.wait();
        let answered = flip.await.unwrap();
        assert!(answered.is_err(), "the update was answered at the kill: {:.300}", format!("{answered:?}"));
        killed_at = Some(fraction);
        break;
    }
    let fraction = killed_at.expect("every update ended before its kill");

    let (old, new) = old_and_new(&fixture, setup.customer.id).await;
    // One call is one transaction: all of it or none.
    assert!(old == 0 || new == 0, "{old} users hold the old licenses and {new} the new ones");
    let invariants = check_invariants(&fixture).await;
    let _ = writeln_note(&format!(
        "{backend:?}: seeded {UPDATE_USERS} users in {seeded:.1?}; one update took {took:.1?}; killed at {fraction} \
         of that, after which {old} users hold OLD and {new} NEW; seats {:?}",
        invariants.seats
    ));

    // A new process on the same database works on the same users at once: the
    // killed transaction holds no lock.
    let second = serve(&fixture.database_url());
    let (product, other) = if new == 0 { ("NEW", "OLD") } else { ("OLD", "NEW") };
    let few = json!({"userIds": &ids[..10], "assign": [{"productId": product}], "remove": [other]});
    let again = call(&http, &second.url, &setup.token, reqwest::Method::POST, &path, Some(&few)).await.unwrap();
    assert_eq!(again.status, StatusCode::OK, "{:.300}", again.body.to_string());
    assert_eq!(again.body["summary"]["succeeded"], 10, "{:.300}", again.body.to_string());
    check_invariants(&fixture).await;
}

/// A note past the test harness's capture, for the figures a run shows.
fn writeln_note(note: &str) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(std::io::stderr(), "note: {note}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_user_license_update_killed_midway_on_sqlite_is_whole_or_absent() {
    killed_mid_license_update(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_user_license_update_killed_midway_on_postgresql_is_whole_or_absent() {
    killed_mid_license_update(Backend::Postgres).await;
}

const RESTORE_USERS: usize = 1000;

/// Polls `done(active, deleted)` on the rows every few milliseconds, for up to
/// a minute, and returns the counts once it holds.
async fn wait_for_rows(
    fixture: &roster_testkit::Fixture,
    customer_id: Uuid,
    done: impl Fn(i64, i64) -> bool,
) -> (i64, i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (active, deleted) = user_states(fixture, customer_id).await;
        if done(active, deleted) {
            return (active, deleted);
        }
        assert!(Instant::now() < deadline, "still {active} active and {deleted} deleted users after a minute");
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

async fn killed_mid_restore(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (store, fixture) = fresh_store(backend).await;
    let setup = Setup::new(store, "kill-restore.example", RESTORE_USERS as i64).await;
    let mut seed = setup.seed("r", RESTORE_USERS, &["OLD"]);
    seed.deleted = Some((seed.now - time::Duration::days(1), seed.now + time::Duration::days(29)));
    seed_users(&fixture, &seed).await;
    check_invariants(&fixture).await;
    let ids = licensed_ids(&fixture, setup.customer.id).await;
    let body = json!({"userIds": ids});
    let path = setup.path("/users/restore");
    let http = reqwest::Client::new();
    let mut server = serve(&fixture.database_url());
    let (client, url, token, request, path_in) =
        (http.clone(), server.url.clone(), setup.token.clone(), body.clone(), path.clone());
    let restore =
        tokio::spawn(async move { call(&client, &url, &token, reqwest::Method::POST, &path_in, Some(&request)).await });
    let n = RESTORE_USERS as i64;
    let (restored, _) = wait_for_rows(&fixture, setup.customer.id, |active, _| active >= n / 10).await;
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let answered = restore.await.unwrap();
    assert!(answered.is_err(), "the restore was answered before the kill ({restored} restored): {answered:?}");
    let (active, deleted) = user_states(&fixture, setup.customer.id).await;
    assert!(active < n, "every user was restored before the kill");
    assert_eq!(active + deleted, n);
    // Each restored user holds its seat again; each other one still remembers its license.
    let invariants = check_invariants(&fixture).await;
    assert_eq!(invariants.seats[1], ("OLD".to_owned(), n, active));
    assert_eq!(licenses_by_user(&fixture, setup.customer.id).await.len(), RESTORE_USERS);

    // The same batch again on a new process: those already back answer
    // user_not_deleted, the rest come back with their license.
    let second = serve(&fixture.database_url());
    let again = call(&http, &second.url, &setup.token, reqwest::Method::POST, &path, Some(&body)).await.unwrap();
    assert_eq!(again.status, StatusCode::OK, "{:.300}", again.body.to_string());
    let results = again.body["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), RESTORE_USERS, "{:.300}", again.body.to_string());
    let not_deleted = results.iter().filter(|r| r.to_string().contains("user_not_deleted")).count();
    assert_eq!(not_deleted as i64, active, "{:.300}", again.body.to_string());
    assert_eq!(user_states(&fixture, setup.customer.id).await, (n, 0));
    assert_eq!(check_invariants(&fixture).await.seats[1], ("OLD".to_owned(), n, n));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_batch_killed_midway_on_sqlite_keeps_each_user_whole() {
    killed_mid_restore(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_batch_killed_midway_on_postgresql_keeps_each_user_whole() {
    killed_mid_restore(Backend::Postgres).await;
}

const PURGE_USERS: usize = 50_000;
/// Users one purge transaction removes (`user_changes::purge_batch`).
const PURGE_BATCH: i64 = 500;

/// The ids the purge audited, each as often as it was audited.
async fn purged_in_audit(services: &Services, agent: &Agent, customer_id: Uuid) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = services.audit_events(agent, customer_id, Some(500), cursor.as_deref()).await.unwrap();
        for event in &page.items {
            if event.action == "user.purged" {
                ids.extend(event.user_ids.iter().map(ToString::to_string));
            }
        }
        match page.cursors.next {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

async fn killed_mid_purge(backend: Backend) {
    if !backend_available(backend).await {
        return;
    }
    let (store, fixture) = fresh_store(backend).await;
    let setup = Setup::new(store, "kill-purge.example", 10).await;
    let mut seed = setup.seed("p", PURGE_USERS, &["OLD"]);
    seed.deleted = Some((seed.now - time::Duration::days(31), seed.now - time::Duration::days(1)));
    seed_users(&fixture, &seed).await;
    // Ten active users the purge must leave alone, holding their seats.
    seed_users(&fixture, &setup.seed("keep", 10, &["OLD"])).await;
    check_invariants(&fixture).await;
    let n = PURGE_USERS as i64;
    // The purge runs as the process starts.
    let mut server = serve_with(&fixture.database_url(), &[("ROSTER_PURGE_INTERVAL_SECS", "3600")]);
    let (_, deleted) = wait_for_rows(&fixture, setup.customer.id, |_, deleted| deleted < n - 2 * PURGE_BATCH).await;
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let (active, left) = user_states(&fixture, setup.customer.id).await;
    assert!(left > 0, "the purge ended before the kill ({deleted} left when seen); it proves nothing");
    assert_eq!(active, 10);
    assert_eq!((n - left) % PURGE_BATCH, 0, "a purge transaction was cut in two: {left} left");
    check_invariants(&fixture).await;
    let audited = purged_in_audit(&setup.services, &setup.agent, setup.customer.id).await;
    assert_eq!(audited.len() as i64, n - left, "each purged user is audited once");

    // A new process finishes the purge as it starts.
    let _second = serve_with(&fixture.database_url(), &[("ROSTER_PURGE_INTERVAL_SECS", "3600")]);
    wait_for_rows(&fixture, setup.customer.id, |_, deleted| deleted == 0).await;
    assert_eq!(user_states(&fixture, setup.customer.id).await, (10, 0));
    assert_eq!(check_invariants(&fixture).await.seats[1], ("OLD".to_owned(), 10, 10));
    let mut audited = purged_in_audit(&setup.services, &setup.agent, setup.customer.id).await;
    audited.sort_unstable();
    audited.dedup();
    assert_eq!(audited.len(), PURGE_USERS, "each purged user is audited once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_killed_midway_on_sqlite_leaves_whole_batches_and_finishes_on_restart() {
    killed_mid_purge(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_killed_midway_on_postgresql_leaves_whole_batches_and_finishes_on_restart() {
    killed_mid_purge(Backend::Postgres).await;
}
