//! Sign-in: customer users' sessions and failed attempts, and agents' console
//! sessions. Only SHA-256 digests of session tokens are stored.

use super::{Pool, Tx, db_err, push_id_list, rows};
use crate::{D, Db};
use roster_core::error::{Error, Result};
use roster_core::model::{AgentSession, SigninReservation, SigninUser, UserSession};
use roster_sql::Dialect;
use sqlx::{QueryBuilder, Row};
use time::OffsetDateTime;
use uuid::Uuid;

/// The user who signs in with this username: an active user wins over deleted
/// ones that held the name before. Each state is looked up on its own so both
/// planners use the partial index of that state.
pub(super) async fn find_signin_user(pool: &Pool, upn_key: &str) -> Result<Option<SigninUser>> {
    const COLUMNS: &str =
        "id, user_principal_name, display_name, state, sign_in_blocked, password_digest, password_expires_at";
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ( \
           SELECT {COLUMNS}, 0 AS preference, updated_at AS changed FROM users WHERE upn_key = $1 AND state = 'active' \
           UNION ALL \
           SELECT {COLUMNS}, 1, updated_at FROM users WHERE upn_key = $1 AND state = 'deleted' \
         ) AS found ORDER BY preference, changed DESC LIMIT 1"
    )))
    .bind(upn_key)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| rows::signin_user(&r)).transpose().map_err(db_err)
}

/// Records one attempt under each key, in one statement committed on its own,
/// then counts each key's attempts after `since` in a second one: by then every
/// attempt recorded before this one is committed and counted.
pub(super) async fn reserve_signin_attempt(
    pool: &Pool,
    keys: &[String],
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<SigninReservation> {
    let rows: Vec<Uuid> = keys.iter().map(|_| Uuid::now_v7()).collect();
    let mut insert = QueryBuilder::<Db>::new("INSERT INTO signin_failures (id, upn_key, at) ");
    insert.push_values(rows.iter().zip(keys), |mut b, (id, key)| {
        b.push_bind(*id).push_bind(key.as_str()).push_bind(D::to_db(now));
    });
    insert.build().execute(pool).await.map_err(db_err)?;
    let mut counts = Vec::with_capacity(keys.len());
    for key in keys {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signin_failures WHERE upn_key = $1 AND at > $2")
            .bind(key)
            .bind(D::to_db(since))
            .fetch_one(pool)
            .await
            .map_err(db_err)?;
        counts.push(count);
    }
    Ok(SigninReservation { rows, counts })
}

pub(super) async fn forget_signin_attempt(pool: &Pool, rows: &[Uuid]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Db>::new("DELETE FROM signin_failures WHERE id IN ");
    push_id_list(&mut qb, rows.iter().copied());
    qb.build().execute(pool).await.map_err(db_err)?;
    Ok(())
}

/// Clears a temporary password if it is still the stored one; false if it was
/// already used.
pub(super) async fn consume_temporary_password(
    pool: &Pool,
    user_id: Uuid,
    digest: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET password_digest = NULL, updated_at = $1 \
         WHERE id = $2 AND password_digest = $3 AND state = 'active'",
    )
    .bind(D::to_db(now))
    .bind(user_id)
    .bind(digest)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(r.rows_affected() == 1)
}

pub(super) async fn insert_user_session<'e, E>(exec: E, s: &UserSession, now: OffsetDateTime) -> Result<()>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    sqlx::query(
        "INSERT INTO user_sessions (token_hash, user_id, purpose, csrf_token, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.token_hash)
    .bind(s.user_id)
    .bind(s.purpose.as_str())
    .bind(&s.csrf_token)
    .bind(D::to_db(s.expires_at))
    .bind(D::to_db(now))
    .execute(exec)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// A live session of an active user whose sign-in is allowed.
pub(super) async fn find_user_session(
    pool: &Pool,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<UserSession>> {
    let row = sqlx::query(
        "SELECT s.token_hash, s.user_id, s.purpose, s.csrf_token, s.expires_at FROM user_sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.state = 'active' AND u.sign_in_blocked = FALSE",
    )
    .bind(token_hash)
    .bind(D::to_db(now))
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| rows::user_session(&r)).transpose().map_err(db_err)
}

pub(super) async fn delete_user_session(pool: &Pool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Ends every session of a user: after a reset, a block or a delete.
pub(super) async fn sign_out_everywhere(tx: &mut Tx, user_id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM user_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Stores a chosen password and swaps the change-password session for a
/// signed-in one. Consuming the change session first makes a replayed form fail
/// (`NotFound`).
pub(super) async fn complete_password_change(
    tx: &mut Tx,
    change_session_hash: &str,
    user_id: Uuid,
    password_hash: &str,
    password_expires_at: OffsetDateTime,
    new_session: &UserSession,
    now: OffsetDateTime,
) -> Result<()> {
    // The user's row first, then its sessions, as a block or a reset takes them:
    // the update happens only while the change session is live.
    let changed = sqlx::query(
        "UPDATE users SET password_digest = $1, password_expires_at = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'active' AND EXISTS (SELECT 1 FROM user_sessions s \
         WHERE s.token_hash = $5 AND s.user_id = $4 AND s.purpose = 'change_password' AND s.expires_at > $3)",
    )
    .bind(password_hash)
    .bind(D::to_db(password_expires_at))
    .bind(D::to_db(now))
    .bind(user_id)
    .bind(change_session_hash)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    // Consuming the change session makes a replayed form fail: of two racing,
    // the second deletes nothing and its transaction is rolled back.
    let consumed = sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1 AND user_id = $2")
        .bind(change_session_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    if changed.rows_affected() == 0 || consumed.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    insert_user_session(&mut **tx, new_session, now).await
}

pub(super) async fn create_agent_session(
    pool: &Pool,
    token_hash: &str,
    agent_id: Uuid,
    csrf_token: &str,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agent_sessions (token_hash, agent_id, csrf_token, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(agent_id)
    .bind(csrf_token)
    .bind(D::to_db(expires_at))
    .bind(D::to_db(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub(super) async fn find_agent_session(
    pool: &Pool,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<AgentSession>> {
    let row = sqlx::query(
        "SELECT s.token_hash, s.csrf_token, s.expires_at, a.id, a.partner_id, a.email, a.role, a.created_at \
         FROM agent_sessions s JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(D::to_db(now))
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| {
        Ok(AgentSession {
            token_hash: r.try_get("token_hash")?,
            agent: rows::agent(&r)?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: rows::time(&r, "expires_at")?,
        })
    })
    .transpose()
    .map_err(db_err)
}

pub(super) async fn delete_agent_session(pool: &Pool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Drops expired sessions of both kinds, and failed sign-ins far older than any
/// rate-limit window.
pub(super) async fn forget_expired(pool: &Pool, now: OffsetDateTime) -> Result<()> {
    for sql in ["DELETE FROM user_sessions WHERE expires_at <= $1", "DELETE FROM agent_sessions WHERE expires_at <= $1"]
    {
        sqlx::query(sql).bind(D::to_db(now)).execute(pool).await.map_err(db_err)?;
    }
    sqlx::query("DELETE FROM signin_failures WHERE at < $1")
        .bind(D::to_db(now - time::Duration::days(1)))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}
