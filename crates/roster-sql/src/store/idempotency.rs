//! Idempotency keys and the answers kept for them, one row per partner and key.
//! The decisions (replay, refuse, take over) are `roster_core::idempotency`'s.

use super::{DbRow, Pool, Tx, db_err, rows};
use crate::D;
use roster_core::error::{Error, Result};
use roster_core::idempotency::{Claim, IdempotencyKey, KeptAnswer, KeyDecision, KeyRecord};
use roster_sql::Dialect;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

/// Takes the key for a request, or reads why it cannot, in the caller's write
/// transaction. Two requests with one key serialize on its row: the second
/// insert waits for the first to commit, then finds the row.
pub(super) async fn claim(
    tx: &mut Tx,
    partner_id: Uuid,
    key: &IdempotencyKey,
    fingerprint: &str,
    locked_until: OffsetDateTime,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Claim> {
    // A key past its window is forgotten, whether or not the purge has run.
    sqlx::query("DELETE FROM idempotency_keys WHERE partner_id = $1 AND idempotency_key = $2 AND expires_at <= $3")
        .bind(partner_id)
        .bind(key.as_str())
        .bind(D::to_db(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (partner_id, idempotency_key, fingerprint, locked_until, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(partner_id)
    .bind(key.as_str())
    .bind(fingerprint)
    .bind(D::to_db(locked_until))
    .bind(D::to_db(now))
    .bind(D::to_db(expires_at))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Run);
    }
    let row = sqlx::query(
        "SELECT fingerprint, status, headers, body, sealed_body, secrets_expire_at, locked_until \
         FROM idempotency_keys WHERE partner_id = $1 AND idempotency_key = $2",
    )
    .bind(partner_id)
    .bind(key.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    // Gone since the insert found it: its request released it a moment ago. The
    // client is told to try again, and then finds the key free.
    let Some(row) = row else { return Ok(Claim::InUse) };
    let record = record(&row).map_err(db_err)?;
    Ok(match record.decide(fingerprint, now) {
        KeyDecision::Reused => Claim::Reused,
        KeyDecision::InUse => Claim::InUse,
        KeyDecision::Replay => match record.answer {
            Some(answer) => Claim::Replay(answer),
            None => Claim::InUse,
        },
        KeyDecision::TakeOver => {
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET locked_until = $1 WHERE partner_id = $2 AND idempotency_key = $3 \
                 AND status IS NULL AND locked_until <= $4",
            )
            .bind(D::to_db(locked_until))
            .bind(partner_id)
            .bind(key.as_str())
            .bind(D::to_db(now))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
            if taken.rows_affected() == 1 { Claim::Run } else { Claim::InUse }
        }
    })
}

fn record(row: &DbRow) -> Result<KeyRecord, sqlx::Error> {
    let status: Option<i32> = row.try_get("status")?;
    let answer = match status {
        None => None,
        Some(status) => {
            let headers: Vec<(String, String)> = match row.try_get::<Option<&str>, _>("headers")? {
                Some(text) => rows::parse_json("headers", text)?,
                None => Vec::new(),
            };
            Some(KeptAnswer {
                status: u16::try_from(status).map_err(|e| rows::invalid("status", e))?,
                headers,
                body: row.try_get::<Option<Vec<u8>>, _>("body")?.unwrap_or_default(),
                sealed_body: row.try_get("sealed_body")?,
                secrets_expire_at: rows::time_opt(row, "secrets_expire_at")?,
            })
        }
    };
    Ok(KeyRecord {
        fingerprint: row.try_get("fingerprint")?,
        answer,
        locked_until: rows::time_opt(row, "locked_until")?,
    })
}

/// Extends the hold of a request that is still running.
pub(super) async fn hold(
    pool: &Pool,
    partner_id: Uuid,
    key: &IdempotencyKey,
    locked_until: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET locked_until = $1 \
         WHERE partner_id = $2 AND idempotency_key = $3 AND status IS NULL",
    )
    .bind(D::to_db(locked_until))
    .bind(partner_id)
    .bind(key.as_str())
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Keeps the answer; the first one kept stays (a request that took over a key
/// whose first holder still finished answers the same way, but is not kept).
pub(super) async fn keep(pool: &Pool, partner_id: Uuid, key: &IdempotencyKey, answer: &KeptAnswer) -> Result<()> {
    let headers = serde_json::to_string(&answer.headers).map_err(Error::internal)?;
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3, sealed_body = $4, \
         secrets_expire_at = $5, locked_until = NULL \
         WHERE partner_id = $6 AND idempotency_key = $7 AND status IS NULL",
    )
    .bind(i32::from(answer.status))
    .bind(headers)
    .bind(answer.body.as_slice())
    .bind(answer.sealed_body.as_deref())
    .bind(answer.secrets_expire_at.map(D::to_db))
    .bind(partner_id)
    .bind(key.as_str())
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Drops a key whose request kept no answer.
pub(super) async fn release(pool: &Pool, partner_id: Uuid, key: &IdempotencyKey) -> Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE partner_id = $1 AND idempotency_key = $2 AND status IS NULL")
        .bind(partner_id)
        .bind(key.as_str())
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Forgets keys past their window, and the sealed answers past their hour.
pub(super) async fn forget_expired(pool: &Pool, now: OffsetDateTime) -> Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
        .bind(D::to_db(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    sqlx::query(
        "UPDATE idempotency_keys SET sealed_body = NULL WHERE sealed_body IS NOT NULL AND secrets_expire_at <= $1",
    )
    .bind(D::to_db(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}
