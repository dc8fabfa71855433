//! Whether this instance can take work: its database answers with the schema this
//! binary knows, and its import worker runs.
//!
//! The worker's heartbeat is process liveness, not domain time, so it is kept on
//! the monotonic clock of the process rather than the `Clock`, which tests freeze.

use super::Services;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The last time a background loop showed it was running.
#[derive(Debug, Default)]
pub(crate) struct Heartbeat(Mutex<Option<Instant>>);

impl Heartbeat {
    fn beat(&self) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(Instant::now());
        }
    }

    fn within(&self, window: Duration) -> bool {
        self.0.lock().ok().and_then(|last| *last).is_some_and(|last| last.elapsed() <= window)
    }
}

/// What `/readyz` checks, each on its own; never shown to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub database: bool,
    pub migrations_current: bool,
    pub import_worker: bool,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database && self.migrations_current && self.import_worker
    }
}

/// How long the import worker may go without a beat and still count as alive. It
/// beats every second while it runs a job, and at least once a poll otherwise.
pub const IMPORT_WORKER_SILENCE: Duration = Duration::from_secs(10);

impl Services {
    /// Called by the import worker's loop: it is alive.
    pub fn import_worker_beat(&self) {
        self.import_worker_beat.beat();
    }

    /// The database answers, its migrations are this binary's, and the import
    /// worker beat within `IMPORT_WORKER_SILENCE`.
    pub async fn readiness(&self) -> Readiness {
        let (database, migrations_current) = match self.store.schema_status().await {
            Ok(status) => (true, status.is_current()),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: the database does not answer");
                (false, false)
            }
        };
        Readiness { database, migrations_current, import_worker: self.import_worker_beat.within(IMPORT_WORKER_SILENCE) }
    }
}
