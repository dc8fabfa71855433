//! Group commit for users created one per request.
//!
//! Each create is a write transaction of about seven statements, and SQLite runs
//! one write transaction at a time, so single creates from many clients queue on
//! its write lock one by one. Creates for the same customer by the same agent that
//! arrive while such a transaction runs wait for it, and then share the next one.
//! Each still gets its own result: `Store::create_users` answers per user, so a
//! taken username fails only its own create.

use crate::error::{Error, Result};
use crate::model::{Actor, NewUserRecord, User};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use uuid::Uuid;

/// At most this many creates share one transaction.
const MAX_GROUP: usize = 500;

/// Partner, agent and customer: what one transaction's audit events and counters share.
type GroupKey = (Uuid, Option<Uuid>, Uuid);

struct Waiting {
    record: NewUserRecord,
    now: OffsetDateTime,
    reply: oneshot::Sender<Result<User>>,
}

#[derive(Default)]
pub struct CreateGroups {
    /// Creates waiting per key. A key is present exactly while a task runs its
    /// groups; whoever finds it absent starts that task.
    waiting: Mutex<HashMap<GroupKey, Vec<Waiting>>>,
}

impl std::fmt::Debug for CreateGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CreateGroups")
    }
}

impl CreateGroups {
    /// Creates one user, in a transaction shared with the creates for the same
    /// customer and agent that are waiting at the time.
    pub async fn create(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
        actor: Actor,
        customer_id: Uuid,
        record: NewUserRecord,
        now: OffsetDateTime,
    ) -> Result<User> {
        let key = (actor.partner_id, actor.agent_id, customer_id);
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            let start = !waiting.contains_key(&key);
            waiting.entry(key).or_default().push(Waiting { record, now, reply });
            start
        };
        if start {
            // A task of its own: if this request is dropped, the creates that joined
            // its group are still answered.
            tokio::spawn(run_groups(self.clone(), store.clone(), actor, customer_id));
        }
        answer.await.map_err(|_| Error::internal(std::io::Error::other("a grouped create was dropped unanswered")))?
    }
}

/// Runs the key's waiting creates, a group at a time, until none are left.
async fn run_groups(groups: Arc<CreateGroups>, store: Arc<dyn Store>, actor: Actor, customer_id: Uuid) {
    let key = (actor.partner_id, actor.agent_id, customer_id);
    let _unwinding = ClearOnPanic { groups: groups.clone(), key };
    loop {
        let group: Vec<Waiting> = {
            let mut waiting = groups.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(queue) = waiting.get_mut(&key) else { return };
            if queue.is_empty() {
                waiting.remove(&key);
                return;
            }
            let n = queue.len().min(MAX_GROUP);
            queue.drain(..n).collect()
        };
        run_group(store.as_ref(), actor, customer_id, group).await;
    }
}

/// If a group panics, the key's waiting creates are dropped, which answers each
/// with an error, and the key is freed for the next create to start a task;
/// otherwise later creates would queue behind a task that is gone.
struct ClearOnPanic {
    groups: Arc<CreateGroups>,
    key: GroupKey,
}

impl Drop for ClearOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.groups.waiting.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.key);
        }
    }
}

async fn run_group(store: &dyn Store, actor: Actor, customer_id: Uuid, group: Vec<Waiting>) {
    // One time for the group: the latest of its requests.
    let Some(now) = group.iter().map(|w| w.now).max() else { return };
    let records: Vec<NewUserRecord> = group.iter().map(|w| w.record.clone()).collect();
    match store.create_users(actor, customer_id, &records, now).await {
        Ok(results) if results.len() == group.len() => {
            for (w, result) in group.into_iter().zip(results) {
                // A requester that went away needs no answer.
                let _ = w.reply.send(result);
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(w) = group.into_iter().next() {
                let _ = w.reply.send(Err(e));
            }
        }
        // The whole transaction failed, and rolled back: each create runs alone,
        // so an error is answered to the create that caused it.
        _ => {
            for w in group {
                let result = store
                    .create_users(actor, customer_id, std::slice::from_ref(&w.record), w.now)
                    .await
                    .and_then(|mut results| results.pop().unwrap_or(Err(Error::NotFound)));
                let _ = w.reply.send(result);
            }
        }
    }
}
