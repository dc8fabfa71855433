use roster_testkit::conformance as c;
use roster_testkit::{Backend, backend_available, fresh_store};

macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        $(
            mod $check {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let (store, _fixture) = fresh_store(Backend::Sqlite).await;
                    c::$check(store).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if !backend_available(Backend::Postgres).await {
                        return;
                    }
                    let (store, _fixture) = fresh_store(Backend::Postgres).await;
                    c::$check(store).await;
                }
            }
        )*
    };
}

conformance!(
    keyset_pages_cover_every_row_once_in_order,
    counters_follow_every_change,
    taken_usernames_fail_alone_within_a_batch,
    temporary_passwords_are_consumed_once,
    purge_spares_users_until_the_window_ends,
    another_partner_reads_nothing,
    a_domain_belongs_to_one_customer,
);
