//! Write transactions, and what happens when the database fails one to break a
//! deadlock or a serialization conflict: the unit of work runs again from the
//! start, a few times, then the caller is told to try again (`Error::TryAgain`,
//! 503 `try_again` over HTTP). Writers take their locks in one order (seats by
//! product, users, counters), so this is the exception, not the rule.

use super::{SqlStore, Tx, db_err};
use crate::D;
use rand::RngExt;
use roster_core::error::{Error, Result};
use roster_sql::Dialect;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How many times a unit of work runs before its caller is told to try again.
const ATTEMPTS: u32 = 4;

/// A unit of work's transaction and value, and whether to keep what it wrote.
pub(super) struct Done<T> {
    tx: Tx,
    value: T,
    keep: bool,
}

impl<T> Done<T> {
    pub fn commit(tx: Tx, value: T) -> Self {
        Self { tx, value, keep: true }
    }

    /// The work wrote nothing worth keeping (a dry run, a refusal).
    pub fn roll_back(tx: Tx, value: T) -> Self {
        Self { tx, value, keep: false }
    }
}

/// One run of a unit of work: it receives the transaction and hands it back.
pub(super) type Work<'a, T> = Pin<Box<dyn Future<Output = Result<Done<T>>> + Send + 'a>>;

impl SqlStore {
    pub(super) async fn begin_write(&self) -> Result<Tx> {
        self.writer.begin_with(D::BEGIN_WRITE).await.map_err(db_err)
    }

    /// Runs `work` in a write transaction, then commits or rolls back as it says.
    pub(super) async fn write<'a, T: Send>(&self, mut work: impl FnMut(Tx) -> Work<'a, T> + Send) -> Result<T> {
        let mut attempt = 1;
        loop {
            let ran = async {
                let done = work(self.begin_write().await?).await?;
                if done.keep {
                    done.tx.commit().await.map_err(db_err)?;
                } else {
                    done.tx.rollback().await.map_err(db_err)?;
                }
                Ok(done.value)
            }
            .await;
            match ran {
                Ok(value) => return Ok(value),
                Err(e) => again(attempt, e).await?,
            }
            attempt += 1;
        }
    }
}

/// After attempt number `attempt` failed with `e`: `Ok` (after a short, random
/// pause, longer at each attempt, so the transactions that collided do not
/// collide again at once) when the work should run again; else the error to give
/// the caller.
pub(super) async fn again(attempt: u32, e: Error) -> Result<()> {
    if !is_transient(&e) {
        return Err(e);
    }
    if attempt >= ATTEMPTS {
        tracing::warn!(attempts = attempt, error = %e, "a write kept colliding; the caller is told to try again");
        return Err(Error::TryAgain);
    }
    let ms = rand::rng().random_range(5..=20) * u64::from(attempt);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(())
}

/// Whether the database failed the transaction only to break a deadlock or a
/// serialization conflict: running it again may well succeed.
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Internal(source) => source.downcast_ref::<sqlx::Error>().is_some_and(D::is_transient),
        _ => false,
    }
}
