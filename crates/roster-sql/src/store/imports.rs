//! Import jobs: a checked file's rows, created by a background worker in batches
//! whose users and row outcomes are written in one transaction.

use super::rows::{self, IMPORT_JOB_COLUMNS};
use super::{Pool, SqlStore, Tx, db_err, user_changes};
use crate::{D, Db};
use roster_core::error::{Error, Result};
use roster_core::model::*;
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use std::collections::HashSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// Which of these user principal name keys active users hold.
pub(super) async fn taken_usernames(bulk: &Pool, upn_keys: &[String]) -> Result<HashSet<String>> {
    let mut taken = HashSet::new();
    for chunk in upn_keys.chunks(2000) {
        let mut qb = QueryBuilder::<Db>::new("SELECT upn_key FROM users WHERE state = 'active' AND upn_key IN (");
        let mut list = qb.separated(", ");
        for key in chunk {
            list.push_bind(key.as_str());
        }
        qb.push(")");
        for row in qb.build().fetch_all(bulk).await.map_err(db_err)? {
            taken.insert(row.try_get::<String, _>(0).map_err(db_err)?);
        }
    }
    Ok(taken)
}

/// Stores a job for the partner's customer and its rows, all pending. `NotFound`
/// when the customer is not the partner's.
pub(super) async fn create_job(
    tx: &mut Tx,
    job: &ImportJob,
    rows: &[(i64, String)],
    now: OffsetDateTime,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO import_jobs (id, customer_id, partner_id, agent_id, status, total, credentials_expire_at, \
         created_at, updated_at) \
         SELECT $1, id, partner_id, $2, 'queued', $3, $4, $5, $5 FROM customers WHERE id = $6 AND partner_id = $7",
    )
    .bind(job.id)
    .bind(job.agent_id)
    .bind(job.total)
    .bind(D::to_db(job.credentials_expire_at))
    .bind(D::to_db(now))
    .bind(job.customer_id)
    .bind(job.partner_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if inserted.rows_affected() != 1 {
        return Err(Error::NotFound);
    }
    for chunk in rows.chunks(1000) {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO import_rows (job_id, row_number, payload, status) ");
        qb.push_values(chunk, |mut b, (row, payload)| {
            b.push_bind(job.id).push_bind(*row).push_bind(payload.as_str()).push_bind("pending");
        });
        qb.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

pub(super) async fn get_job(
    pool: &Pool,
    partner_id: Uuid,
    customer_id: Uuid,
    job_id: Uuid,
) -> Result<Option<ImportJob>> {
    let sql =
        format!("SELECT {IMPORT_JOB_COLUMNS} FROM import_jobs WHERE id = $1 AND customer_id = $2 AND partner_id = $3");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(job_id)
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(rows::import_job).transpose().map_err(db_err)
}

pub(super) async fn job_rows(bulk: &Pool, job_id: Uuid) -> Result<Vec<ImportRowRecord>> {
    let rows = sqlx::query(
        "SELECT row_number, status, user_id, user_principal_name, errors, credential FROM import_rows \
         WHERE job_id = $1 ORDER BY row_number",
    )
    .bind(job_id)
    .fetch_all(bulk)
    .await
    .map_err(db_err)?;
    rows.iter().map(rows::import_row).collect::<Result<_, _>>().map_err(db_err)
}

/// Takes a queued job, or a running one whose lease has run out, until
/// `lease_until`. A conditional update is the claim: of two instances reaching for
/// the same job, one changes the row and the other changes nothing.
pub(super) async fn claim_job(
    pool: &Pool,
    lease_until: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<ImportJob>> {
    let candidates = sqlx::query(
        "SELECT id FROM import_jobs WHERE status IN ('queued', 'running') \
         AND (lease_until IS NULL OR lease_until < $1) \
         ORDER BY created_at LIMIT 5",
    )
    .bind(D::to_db(now))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    for candidate in candidates {
        let id: Uuid = candidate.try_get("id").map_err(db_err)?;
        let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE import_jobs SET status = 'running', lease_until = $1, updated_at = $2 \
             WHERE id = $3 AND status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < $2) \
             RETURNING {IMPORT_JOB_COLUMNS}"
        )))
        .bind(D::to_db(lease_until))
        .bind(D::to_db(now))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
        if let Some(row) = claimed {
            return rows::import_job(&row).map(Some).map_err(db_err);
        }
    }
    Ok(None)
}

/// The next pending rows after row `after`, in row order, read as one JSON text:
/// sqlx hands rows over one by one.
pub(super) async fn pending_rows(bulk: &Pool, job_id: Uuid, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    let json: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST({}({}(p.row_number, p.payload)) AS TEXT) FROM \
         (SELECT row_number, payload FROM import_rows WHERE job_id = $1 AND row_number > $2 \
          AND status = 'pending' ORDER BY row_number LIMIT $3) AS p",
        D::JSON_ROWS,
        D::JSON_ROW
    )))
    .bind(job_id)
    .bind(after)
    .bind(limit)
    .fetch_one(bulk)
    .await
    .map_err(db_err)?;
    let mut rows: Vec<(i64, String)> = rows::aggregated("rows", json).map_err(db_err)?;
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rows)
}

/// Extends the job's lease. Taken first in each of the job's transactions: two of
/// them never run side by side.
async fn extend_lease(tx: &mut Tx, job_id: Uuid, lease_until: OffsetDateTime, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE import_jobs SET lease_until = $1, updated_at = $2 WHERE id = $3")
        .bind(D::to_db(lease_until))
        .bind(D::to_db(now))
        .bind(job_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Adds a transaction's rows to the job's counters.
async fn count_done(tx: &mut Tx, job_id: Uuid, created: i64, failed: i64) -> Result<()> {
    sqlx::query(
        "UPDATE import_jobs SET processed = processed + $1, created = created + $2, failed = failed + $3 WHERE id = $4",
    )
    .bind(created + failed)
    .bind(created)
    .bind(failed)
    .bind(job_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn row_of(w: &ImportRowWork) -> i64 {
    match w {
        ImportRowWork::Create { row, .. } | ImportRowWork::Fail { row, .. } => *row,
    }
}

/// A row's outcome as stored: status, user id, username, errors (JSON), sealed
/// temporary password.
type Outcome = (i64, &'static str, Option<Uuid>, Option<String>, Option<String>, Option<Vec<u8>>);

/// Creates the users of one batch and records each row's outcome, in the
/// caller's transaction: (created, failed). Rows that are no longer pending
/// (another worker's, before its lease ran out) are skipped.
async fn write_batch(tx: &mut Tx, job: &ImportJob, work: &[ImportRowWork], now: OffsetDateTime) -> Result<(i64, i64)> {
    let (Some(first), Some(last)) = (work.iter().map(row_of).min(), work.iter().map(row_of).max()) else {
        return Ok((0, 0));
    };
    // A batch is the job's next pending rows in row order, so its range holds no
    // other pending row; one range read is cheaper than a key per row.
    let json: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST({}(row_number) AS TEXT) FROM import_rows \
         WHERE job_id = $1 AND row_number BETWEEN $2 AND $3 AND status = 'pending'",
        D::JSON_ROWS
    )))
    .bind(job.id)
    .bind(first)
    .bind(last)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)?;
    let pending: HashSet<i64> = rows::aggregated("row_number", json).map_err(db_err)?;
    let work: Vec<&ImportRowWork> = work.iter().filter(|w| pending.contains(&row_of(w))).collect();
    let to_create: Vec<NewUserRecord> = work
        .iter()
        .filter_map(|w| match w {
            ImportRowWork::Create { record, .. } => Some(NewUserRecord::clone(record)),
            ImportRowWork::Fail { .. } => None,
        })
        .collect();
    let mut created = user_changes::create(tx, job.actor(), job.customer_id, &to_create, now).await?.into_iter();
    let errors_json = |errors: &[ImportRowError]| serde_json::to_string(errors).map_err(Error::internal);
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(work.len());
    for w in &work {
        outcomes.push(match w {
            ImportRowWork::Create { row, credential, .. } => match created.next() {
                Some(Ok(user)) => {
                    (*row, "created", Some(user.id), Some(user.user_principal_name), None, Some(credential.clone()))
                }
                Some(Err(e)) => (*row, "failed", None, None, Some(errors_json(&[e.import_row_error()])?), None),
                None => {
                    return Err(Error::internal(std::io::Error::other("a created user went missing from its batch")));
                }
            },
            ImportRowWork::Fail { row, errors } => (*row, "failed", None, None, Some(errors_json(errors)?), None),
        });
    }
    let ok = outcomes.iter().filter(|o| o.1 == "created").count() as i64;
    let failed = outcomes.len() as i64 - ok;
    for chunk in outcomes.chunks(1000) {
        // VALUES columns are column1… on both databases.
        let mut qb = QueryBuilder::<Db>::new(
            "UPDATE import_rows SET status = v.column2, user_id = v.column3, user_principal_name = v.column4, \
             errors = v.column5, credential = v.column6 FROM (",
        );
        qb.push_values(chunk, |mut b, (row, status, user_id, upn, errors, credential)| {
            b.push_bind(*row)
                .push_bind(*status)
                .push_bind(*user_id)
                .push_bind(upn.clone())
                .push_bind(errors.clone())
                .push_bind(credential.clone());
        });
        qb.push(") AS v WHERE import_rows.row_number = v.column1 AND import_rows.job_id = ");
        qb.push_bind(job.id);
        qb.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok((ok, failed))
}

/// One transaction of an import's worker: the batches an earlier attempt took
/// (replayed after a rollback), then more that are already waiting, up to
/// `rows_per_transaction` rows, and the job's counters; committed. Fewer commits
/// write each index page fewer times, and a transaction never holds the write
/// lock waiting for a batch to be prepared.
pub(super) async fn write_batches(
    store: &SqlStore,
    job: &ImportJob,
    taken: &mut Vec<ImportBatch>,
    batches: &mut ImportBatches,
    rows_per_transaction: usize,
) -> Result<()> {
    let Some(first) = taken.first() else { return Ok(()) };
    let mut tx = store.begin_write().await?;
    extend_lease(&mut tx, job.id, first.lease_until, first.now).await?;
    let (mut rows, mut created, mut failed) = (0, 0, 0);
    let mut next = 0;
    loop {
        if next == taken.len() {
            if rows >= rows_per_transaction {
                break;
            }
            match batches.try_recv() {
                Ok(ready) => taken.push(ready),
                Err(_) => break,
            }
        }
        let batch = &taken[next];
        let (ok, bad) = write_batch(&mut tx, job, &batch.work, batch.now).await?;
        rows += batch.work.len();
        created += ok;
        failed += bad;
        next += 1;
    }
    count_done(&mut tx, job.id, created, failed).await?;
    tx.commit().await.map_err(db_err)
}

/// Gives up a running job's lease: the next claim, on any instance, takes it.
pub(super) async fn release_job(pool: &Pool, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE import_jobs SET lease_until = NULL, updated_at = $1 WHERE id = $2 AND status = 'running'")
        .bind(D::to_db(now))
        .bind(job_id)
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Marks a job with no pending rows left as succeeded.
pub(super) async fn finish_job(pool: &Pool, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "UPDATE import_jobs SET status = 'succeeded', lease_until = NULL, finished_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'running' \
         AND NOT EXISTS (SELECT 1 FROM import_rows WHERE job_id = $2 AND status = 'pending')",
    )
    .bind(D::to_db(now))
    .bind(job_id)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The job's sealed temporary passwords, in row order, forgotten as they are
/// read. `NotFound` when the job is not the partner's customer's.
pub(super) async fn take_credentials(
    tx: &mut Tx,
    partner_id: Uuid,
    customer_id: Uuid,
    job_id: Uuid,
) -> Result<Vec<SealedImportCredential>> {
    let owned = sqlx::query("SELECT 1 FROM import_jobs WHERE id = $1 AND customer_id = $2 AND partner_id = $3")
        .bind(job_id)
        .bind(customer_id)
        .bind(partner_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if owned.is_none() {
        return Err(Error::NotFound);
    }
    // RETURNING shows the row after the update, so read, then forget. The user is
    // the job's own (its partner and customer were checked above); a purged user
    // leaves no display name.
    let rows = sqlx::query(
        "SELECT r.row_number, r.user_principal_name, u.display_name, r.credential FROM import_rows r \
         LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.job_id = $1 AND r.credential IS NOT NULL ORDER BY r.row_number",
    )
    .bind(job_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    sqlx::query("UPDATE import_rows SET credential = NULL WHERE job_id = $1 AND credential IS NOT NULL")
        .bind(job_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(SealedImportCredential {
                row: r.try_get("row_number")?,
                // A row keeps a password only once its user is created, with its name.
                user_principal_name: r.try_get("user_principal_name")?,
                display_name: r.try_get::<Option<String>, _>("display_name")?.unwrap_or_default(),
                credential: r.try_get("credential")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_err)
}

/// Forgets the temporary passwords of jobs past their hour, delivered or not.
pub(super) async fn forget_expired_credentials(pool: &Pool, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "UPDATE import_rows SET credential = NULL WHERE credential IS NOT NULL \
         AND job_id IN (SELECT id FROM import_jobs WHERE credentials_expire_at <= $1)",
    )
    .bind(D::to_db(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}
