//! Partners, their agents, and the agents' API tokens (stored as SHA-256 only).

use super::{Pool, db_err, rows, unique_violation};
use crate::D;
use roster_core::error::{Error, Result};
use roster_core::model::{Agent, NewAgent, Partner};
use roster_sql::Dialect;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn create_partner(pool: &Pool, id: Uuid, name: &str, now: OffsetDateTime) -> Result<Partner> {
    sqlx::query("INSERT INTO partners (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
        .bind(id)
        .bind(name)
        .bind(D::to_db(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(Partner { id, name: name.to_owned(), created_at: now })
}

pub(super) async fn get_partner(pool: &Pool, id: Uuid) -> Result<Option<Partner>> {
    let row = sqlx::query("SELECT id, name, created_at FROM partners WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(Partner { id: r.try_get("id")?, name: r.try_get("name")?, created_at: rows::time(&r, "created_at")? })
    })
    .transpose()
    .map_err(db_err)
}

/// `EmailTaken` when another agent has the email.
pub(super) async fn create_agent(pool: &Pool, agent: &NewAgent, now: OffsetDateTime) -> Result<Agent> {
    let inserted = sqlx::query(
        "INSERT INTO agents (id, partner_id, email, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(agent.id)
    .bind(agent.partner_id)
    .bind(agent.email.as_ref())
    .bind(agent.role.as_str())
    .bind(&agent.password_hash)
    .bind(D::to_db(now))
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => Ok(Agent {
            id: agent.id,
            partner_id: agent.partner_id,
            email: agent.email.as_ref().to_owned(),
            role: agent.role,
            created_at: now,
        }),
        Err(e) if unique_violation(&e, "email") => Err(Error::EmailTaken(agent.email.as_ref().to_owned())),
        Err(e) => Err(db_err(e)),
    }
}

/// The agent and its password hash.
pub(super) async fn find_agent_by_email(pool: &Pool, email: &str) -> Result<Option<(Agent, String)>> {
    let row = sqlx::query("SELECT id, partner_id, email, role, password_hash, created_at FROM agents WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| Ok((rows::agent(&r)?, r.try_get("password_hash")?))).transpose().map_err(db_err)
}

/// `NotFound` when there is no such agent.
pub(super) async fn set_agent_password(pool: &Pool, agent_id: Uuid, hash: &str, now: OffsetDateTime) -> Result<()> {
    let r = sqlx::query("UPDATE agents SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(D::to_db(now))
        .bind(agent_id)
        .execute(pool)
        .await
        .map_err(db_err)?;
    if r.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
}

pub(super) async fn create_api_token(pool: &Pool, agent_id: Uuid, token_hash: &str, now: OffsetDateTime) -> Result<()> {
    sqlx::query("INSERT INTO api_tokens (token_hash, agent_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(agent_id)
        .bind(D::to_db(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(super) async fn agent_by_token(pool: &Pool, token_hash: &str) -> Result<Option<Agent>> {
    let row = sqlx::query(
        "SELECT a.id, a.partner_id, a.email, a.role, a.created_at FROM api_tokens t \
         JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| rows::agent(&r)).transpose().map_err(db_err)
}

pub(super) async fn partner_agents(pool: &Pool, partner_id: Uuid) -> Result<Vec<Agent>> {
    let found =
        sqlx::query("SELECT id, partner_id, email, role, created_at FROM agents WHERE partner_id = $1 ORDER BY email")
            .bind(partner_id)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    found.iter().map(rows::agent).collect::<Result<Vec<_>, _>>().map_err(db_err)
}
