//! Roster's benchmarks. They print figures; they never pass or fail on time.
//!
//! `cargo run --release -p roster-bench -- paging [--users N] [--samples N]`
//! seeds N users (default 1,000,000) into one customer on a fresh SQLite file and
//! prints p50/p99 latency over HTTP for the first, next, previous and last pages,
//! and for filtered and searched pages.
//!
//! `cargo run --release -p roster-bench -- import [--rows N] [--runs N]` imports a
//! CSV of N users (default 100,000) through the API and the background worker, and
//! prints rows/s and the process's peak RSS.
//!
//! `cargo run --release -p roster-bench -- assign [--users N] [--runs N]` assigns one
//! product to N users (default 100,000) in one license-update call on SQLite, and
//! removes it again, N runs (default 5), and in the
//! same run inserts the same N assignment rows with a bare prepared statement in one
//! transaction: the floor the call is compared with, once through sqlx and once
//! through the SQLite C library without a driver thread.

// The allocator the roster binary ships with, so figures match production.

mod assign;
mod common;
mod contention;
mod import;
mod load;
mod paging;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Paging a customer with many users, over HTTP.
    Paging {
        #[arg(long, default_value_t = 1_000_000)]
        users: usize,
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// A postgres:// URL; a fresh schema is made there. SQLite when absent.
        #[arg(long)]
        database: Option<String>,
    },
    /// Creating one user per request, from many concurrent clients.
    Create {
        #[arg(long, default_value_t = 20_000)]
        users: usize,
        #[arg(long, default_value_t = 16)]
        clients: usize,
    },
    /// Reading one user by id, from many concurrent connections.
    Get {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Importing a CSV file of many users end to end, over HTTP.
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Many clients writing to one customer at once: assignments, removals,
    /// deletes, restores, creates and batches.
    Contention {
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 12)]
        clients: usize,
        /// Servers sharing the database (2 needs PostgreSQL).
        #[arg(long, default_value_t = 1)]
        instances: usize,
        /// Creates reuse the names of users others delete and restore.
        #[arg(long)]
        reuse_names: bool,
        /// A postgres:// URL; a fresh schema is made there. SQLite when absent.
        #[arg(long)]
        database: Option<String>,
    },
    /// One license-update call for many users, against a bare-insert floor.
    Assign {
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// A postgres:// URL; a fresh schema is made there. SQLite when absent.
        #[arg(long)]
        database: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Paging { users, samples, database } => paging::paging(users, samples, database.as_deref()).await,
        Bench::Assign { users, runs, database } => assign::assign(users, runs.max(1), database.as_deref()).await,
        Bench::Create { users, clients } => load::create(users, clients.max(1)).await,
        Bench::Get { seconds, connections } => load::get(seconds, connections.max(1)).await,
        Bench::Contention { seconds, clients, instances, reuse_names, database } => {
            contention::contention(seconds, clients.max(1), instances.max(1), reuse_names, database.as_deref()).await
        }
        Bench::Import { rows, runs } => import::import(rows, runs.max(1)).await,
    }
}
