//! The `Store` implementation both backends share.
//!
//! SQLite and PostgreSQL accept the same SQL here (`$N` placeholders, row-value
//! comparisons, partial unique indexes, `ON CONFLICT DO NOTHING`, `RETURNING`), so
//! the statements are written once. Each backend crate expands `impl_sql_store!`
//! with its own database type; before that it defines, in the same module:
//! - `struct <Store>` with three `sqlx::Pool<DB>` fields: `pool` for reads,
//!   `writer` for write transactions, and `bulk` for reads that sweep many rows
//!   once (an import's rows, the usernames a file names);
//! - `type DbTime` with `fn to_db(OffsetDateTime) -> DbTime` and
//!   `fn from_db(DbTime) -> OffsetDateTime` (SQLite stores microseconds, PostgreSQL
//!   `timestamptz`);
//! - `const BEGIN_WRITE: &str`, the statement that opens a write transaction
//!   (`BEGIN IMMEDIATE` on SQLite, so writers queue instead of failing);
//! - `const LOCK_SEATS: &str`, appended to the seat query of a license update
//!   (`FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write lock is held);
//! - `const JSON_ROWS: &str` and `const JSON_ROW: &str`, the aggregate that gathers
//!   rows into one JSON array and the function that builds one row as an array
//!   (`json_group_array`/`json_array` on SQLite, `json_agg`/`json_build_array` on
//!   PostgreSQL);
//! - `const UUID_TEXT: &str`, a function turning a uuid column into text JSON can
//!   hold (`hex` on SQLite, where ids are blobs; `text` on PostgreSQL);
//! - `fn push_users_with_licenses(&mut QueryBuilder<Db>, &[Uuid])`, the `FROM` clause
//!   of the users with those ids as `u`, each left-joined to its licenses as `l`
//!   (an `IN` list on SQLite; keyed lateral lookups on PostgreSQL, whose planner
//!   scans the table for a long list when its statistics are off);
//! - `static MIGRATOR: sqlx::migrate::Migrator`.
//!
//! A macro rather than generics: every expansion is concrete, so there are no
//! `for<'r> Decode<'r, DB>` bounds to thread through each query.

#[macro_export]
macro_rules! impl_sql_store {
    ($store:ident, $db:ty) => {
        mod sql_store_impl {
            use super::{$store, BEGIN_WRITE, DbTime, JSON_ROW, JSON_ROWS, LOCK_SEATS, MIGRATOR, UUID_TEXT, from_db, push_users_with_licenses, to_db};
            use async_trait::async_trait;
            use roster_core::audit::{customer_snapshot, user_snapshot};
            use roster_core::error::{Error, Result};
            use roster_core::model::*;
            use roster_core::paging::*;
            use roster_core::domain::{AgentRole, RoleSet};
            use roster_core::store::Store;
            use sqlx::{QueryBuilder, Row};
            use std::collections::HashMap;
            use time::OffsetDateTime;
            use uuid::Uuid;

            type Db = $db;
            type Tx = sqlx::Transaction<'static, Db>;
            type DbRow = <Db as sqlx::Database>::Row;

            fn db_err(e: sqlx::Error) -> Error {
                Error::internal(e)
            }

            fn unique_violation(e: &sqlx::Error, needle: &str) -> bool {
                e.as_database_error().is_some_and(|d| {
                    d.is_unique_violation()
                        && (d.constraint().is_some_and(|c| c.contains(needle)) || d.message().contains(needle))
                })
            }

            const USER_COLUMNS: &str = "u.id, u.customer_id, u.user_principal_name, u.first_name, u.last_name, \
                u.display_name, u.usage_location, u.roles_mask, u.sign_in_blocked, u.state, u.deleted_at, \
                u.purge_at, u.created_at, u.updated_at";

            fn time_opt(row: &DbRow, col: &str) -> std::result::Result<Option<OffsetDateTime>, sqlx::Error> {
                Ok(row.try_get::<Option<DbTime>, _>(col)?.map(from_db))
            }

            const IMPORT_JOB_COLUMNS: &str = "id, customer_id, partner_id, agent_id, status, total, processed, created, failed, \
                credentials_expire_at, created_at, finished_at";

            fn import_job_from_row(row: &DbRow) -> std::result::Result<ImportJob, sqlx::Error> {
                Ok(ImportJob {
                    id: row.try_get("id")?,
                    customer_id: row.try_get("customer_id")?,
                    partner_id: row.try_get("partner_id")?,
                    agent_id: row.try_get("agent_id")?,
                    status: ImportStatus::from_db(&row.try_get::<String, _>("status")?),
                    total: row.try_get("total")?,
                    processed: row.try_get("processed")?,
                    created: row.try_get("created")?,
                    failed: row.try_get("failed")?,
                    credentials_expire_at: from_db(row.try_get("credentials_expire_at")?),
                    created_at: from_db(row.try_get("created_at")?),
                    finished_at: time_opt(row, "finished_at")?,
                })
            }

            fn user_from_row(row: &DbRow) -> std::result::Result<User, sqlx::Error> {
                Ok(User {
                    id: row.try_get("id")?,
                    customer_id: row.try_get("customer_id")?,
                    user_principal_name: row.try_get("user_principal_name")?,
                    first_name: row.try_get("first_name")?,
                    last_name: row.try_get("last_name")?,
                    display_name: row.try_get("display_name")?,
                    usage_location: row.try_get("usage_location")?,
                    roles: RoleSet::from_mask(row.try_get("roles_mask")?),
                    sign_in_blocked: row.try_get("sign_in_blocked")?,
                    state: UserState::from_db(row.try_get::<&str, _>("state")?),
                    deleted_at: time_opt(row, "deleted_at")?,
                    purge_at: time_opt(row, "purge_at")?,
                    licenses: Vec::new(),
                    created_at: from_db(row.try_get("created_at")?),
                    updated_at: from_db(row.try_get("updated_at")?),
                })
            }

            fn agent_from_row(row: &DbRow) -> std::result::Result<Agent, sqlx::Error> {
                let role: String = row.try_get("role")?;
                Ok(Agent {
                    id: row.try_get("id")?,
                    partner_id: row.try_get("partner_id")?,
                    email: row.try_get("email")?,
                    role: AgentRole::parse(&role).unwrap_or(AgentRole::Helpdesk),
                    created_at: from_db(row.try_get("created_at")?),
                })
            }

            /// Fills in the licenses of the given users.
            async fn attach_licenses<'e, E>(exec: E, users: &mut [User]) -> std::result::Result<(), sqlx::Error>
            where
                E: sqlx::Executor<'e, Database = Db>,
            {
                if users.is_empty() {
                    return Ok(());
                }
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT user_id, product_id, disabled_service_plans FROM user_licenses WHERE user_id IN (",
                );
                let mut list = qb.separated(", ");
                for u in users.iter() {
                    list.push_bind(u.id);
                }
                qb.push(") ORDER BY product_id");
                let rows = qb.build().fetch_all(exec).await?;
                let mut by_user: HashMap<Uuid, Vec<License>> = HashMap::new();
                for row in rows {
                    let plans: String = row.try_get("disabled_service_plans")?;
                    by_user.entry(row.try_get("user_id")?).or_default().push(License {
                        product_id: row.try_get("product_id")?,
                        disabled_service_plans: serde_json::from_str(&plans).unwrap_or_default(),
                    });
                }
                for u in users.iter_mut() {
                    u.licenses = by_user.remove(&u.id).unwrap_or_default();
                }
                Ok(())
            }

            async fn load_user(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> std::result::Result<Option<User>, sqlx::Error> {
                let sql = format!(
                    "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.customer_id = $2 AND u.partner_id = $3"
                );
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(user_id)
                    .bind(customer_id)
                    .bind(partner_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some(row) = row else { return Ok(None) };
                let mut users = vec![user_from_row(&row)?];
                attach_licenses(&mut **tx, &mut users).await?;
                Ok(users.pop())
            }

            const AUDIT_INSERT: &str =
                "INSERT INTO audit_events (id, partner_id, customer_id, agent_id, action, user_ids, before_state, after_state, at)";

            async fn write_audit(
                tx: &mut Tx,
                actor: Actor,
                customer_id: Uuid,
                action: &str,
                user_ids: &[Uuid],
                (before, after): (serde_json::Value, serde_json::Value),
                now: OffsetDateTime,
            ) -> std::result::Result<(), sqlx::Error> {
                sqlx::query(sqlx::AssertSqlSafe(format!("{AUDIT_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")))
                .bind(Uuid::now_v7())
                .bind(actor.partner_id)
                .bind(customer_id)
                .bind(actor.agent_id)
                .bind(action)
                .bind(serde_json::to_string(user_ids).unwrap_or_default())
                .bind(before.to_string())
                .bind(after.to_string())
                .bind(to_db(now))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The user, or `UserNotFound` when it is absent or another partner's.
            async fn load_existing(tx: &mut Tx, actor: Actor, customer_id: Uuid, user_id: Uuid) -> Result<User> {
                load_user(tx, actor.partner_id, customer_id, user_id).await.map_err(db_err)?.ok_or(Error::UserNotFound)
            }

            /// Ends every session of a user: after a reset, a block or a delete.
            async fn sign_out_everywhere(tx: &mut Tx, user_id: Uuid) -> Result<()> {
                sqlx::query("DELETE FROM user_sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            /// Reads the user after a change, audits before and after, and commits.
            async fn finish_user_change(
                mut tx: Tx,
                actor: Actor,
                customer_id: Uuid,
                action: &str,
                before: &User,
                now: OffsetDateTime,
            ) -> Result<User> {
                let after = load_existing(&mut tx, actor, customer_id, before.id).await?;
                write_audit(&mut tx, actor, customer_id, action, &[before.id], (user_snapshot(before), user_snapshot(&after)), now)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(after)
            }

            async fn insert_session<'e, E>(exec: E, s: &UserSession, now: OffsetDateTime) -> Result<()>
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
                .bind(to_db(s.expires_at))
                .bind(to_db(now))
                .execute(exec)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            fn holdings_json(h: &roster_core::licensing::Holdings) -> serde_json::Value {
                serde_json::Value::Object(
                    h.iter().map(|(p, plans)| (p.as_ref().to_owned(), serde_json::json!(plans))).collect(),
                )
            }

            /// The customer's seats, locked for the rest of the transaction.
            async fn locked_seats(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<roster_core::licensing::Seats>> {
                let sql = format!(
                    "SELECT product_id, quantity, assigned FROM subscriptions WHERE customer_id = $1 AND partner_id = $2{LOCK_SEATS}"
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(customer_id).bind(partner_id).fetch_all(&mut **tx).await.map_err(db_err)?;
                rows.iter()
                    .filter_map(|r| {
                        let product: String = r.try_get("product_id").ok()?;
                        Some(Ok(roster_core::licensing::Seats {
                            product_id: roster_core::domain::ProductId::parse(&product).ok()?,
                            quantity: r.try_get("quantity").ok()?,
                            assigned: r.try_get("assigned").ok()?,
                        }))
                    })
                    .collect()
            }

            /// Moves `assigned` by `delta`, only if the result stays within 0..=quantity.
            async fn move_seats(tx: &mut Tx, customer_id: Uuid, product_id: &str, delta: i64, now: OffsetDateTime) -> Result<bool> {
                let r = sqlx::query(
                    "UPDATE subscriptions SET assigned = assigned + $1, updated_at = $2 \
                     WHERE customer_id = $3 AND product_id = $4 AND assigned + $1 <= quantity AND assigned + $1 >= 0",
                )
                .bind(delta)
                .bind(to_db(now))
                .bind(customer_id)
                .bind(product_id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            /// Moves the customer's counts of active users at each usage location
            /// (users without one are not counted).
            async fn move_location_users<'a>(
                tx: &mut Tx,
                customer_id: Uuid,
                moves: impl IntoIterator<Item = (Option<&'a str>, i64)>,
            ) -> Result<()> {
                let mut deltas: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
                for (location, delta) in moves {
                    if let Some(location) = location {
                        *deltas.entry(location).or_default() += delta;
                    }
                }
                for (location, delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
                    // A decrement updates the row the increment made; an insert of a
                    // negative count would fail its CHECK before meeting the conflict.
                    let sql = if delta > 0 {
                        "INSERT INTO customer_locations (customer_id, usage_location, active_users) VALUES ($1, $2, $3) \
                         ON CONFLICT (customer_id, usage_location) DO UPDATE SET active_users = customer_locations.active_users + excluded.active_users"
                    } else {
                        "UPDATE customer_locations SET active_users = active_users + $3 WHERE customer_id = $1 AND usage_location = $2"
                    };
                    sqlx::query(sql).bind(customer_id).bind(location).bind(delta).execute(&mut **tx).await.map_err(db_err)?;
                }
                Ok(())
            }

            /// Moves the customer's count of licensed active users.
            async fn move_licensed_users(tx: &mut Tx, customer_id: Uuid, delta: i64) -> Result<()> {
                if delta != 0 {
                    sqlx::query("UPDATE customers SET licensed_users = licensed_users + $1 WHERE id = $2")
                        .bind(delta)
                        .bind(customer_id)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                Ok(())
            }

            /// `move_seats` for a transaction that counted the seats under its lock: it
            /// cannot fail, and if it ever does, the whole transaction is dropped.
            async fn move_locked_seats(tx: &mut Tx, customer_id: Uuid, product_id: &str, delta: i64, now: OffsetDateTime) -> Result<()> {
                if delta == 0 || move_seats(tx, customer_id, product_id, delta, now).await? {
                    return Ok(());
                }
                Err(Error::internal(std::io::Error::other(format!("seat count of {product_id} moved under the lock"))))
            }

            /// Licenses of the given users, as holdings.
            async fn holdings_of(tx: &mut Tx, ids: &[Uuid]) -> Result<HashMap<Uuid, roster_core::licensing::Holdings>> {
                let mut map: HashMap<Uuid, roster_core::licensing::Holdings> = HashMap::new();
                for chunk in ids.chunks(500) {
                    let mut qb = QueryBuilder::<Db>::new("SELECT user_id, product_id, disabled_service_plans FROM user_licenses WHERE user_id IN (");
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    for row in qb.build().fetch_all(&mut **tx).await.map_err(db_err)? {
                        let product: String = row.try_get("product_id").map_err(db_err)?;
                        let plans: String = row.try_get("disabled_service_plans").map_err(db_err)?;
                        if let Ok(p) = roster_core::domain::ProductId::parse(&product) {
                            map.entry(row.try_get("user_id").map_err(db_err)?)
                                .or_default()
                                .insert(p, serde_json::from_str(&plans).unwrap_or_default());
                        }
                    }
                }
                Ok(map)
            }

            /// The requested users of one customer with their licenses, keyed by id.
            ///
            /// Each chunk comes back as one JSON text aggregated in the database: sqlx
            /// hands SQLite rows over from its worker thread one at a time, which for
            /// 100,000 users cost more than the lookups themselves.
            async fn license_targets(
                tx: &mut Tx,
                partner_id: Uuid,
                customer_id: Uuid,
                ids: &[Uuid],
            ) -> Result<std::collections::BTreeMap<Uuid, roster_core::licensing::UserLicenses>> {
                use roster_core::domain::{CountryCode, ProductId};
                type Entry = (String, i64, String, Option<String>, Option<String>, Option<String>);
                let mut users: std::collections::BTreeMap<Uuid, roster_core::licensing::UserLicenses> = Default::default();
                for chunk in ids.chunks(2000) {
                    // By primary key alone, scope checked in the select list: naming the
                    // customer in the WHERE clause lets the planner walk a customer index.
                    let mut qb = QueryBuilder::<Db>::new(format!(
                        "SELECT CAST({JSON_ROWS}({JSON_ROW}({UUID_TEXT}(u.id), CASE WHEN u.customer_id = "
                    ));
                    qb.push_bind(customer_id);
                    qb.push(" AND u.partner_id = ");
                    qb.push_bind(partner_id);
                    qb.push(" THEN 1 ELSE 0 END, u.state, u.usage_location, l.product_id, l.disabled_service_plans)) AS TEXT) ");
                    push_users_with_licenses(&mut qb, chunk);
                    let json: Option<String> = qb.build().fetch_one(&mut **tx).await.map_err(db_err)?.try_get(0).map_err(db_err)?;
                    let entries: Vec<Entry> = match json {
                        Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
                        None => continue,
                    };
                    for (id, owned, state, location, product, plans) in entries {
                        let id = Uuid::try_parse(&id).map_err(Error::internal)?;
                        if owned != 1 {
                            continue;
                        }
                        let user = users.entry(id).or_insert_with(|| roster_core::licensing::UserLicenses {
                            deleted: state == "deleted",
                            usage_location: location.and_then(|c| CountryCode::parse(&c).ok()),
                            held: Default::default(),
                        });
                        if let Some(product) = product.and_then(|p| ProductId::parse(&p).ok()) {
                            let plans = plans.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
                            user.held.insert(product, plans);
                        }
                    }
                }
                Ok(users)
            }

            /// Inserts users into the transaction's customer: seats (when licenses are
            /// asked for) then the customer row are locked, a taken username or a missing
            /// seat fails that user alone, and nothing is half-created.
            async fn insert_new_users(tx: &mut Tx, actor: Actor, customer_id: Uuid, users: &[NewUserRecord], now: OffsetDateTime) -> Result<Vec<Result<User>>> {
                // Seats first, as every writer that takes both locks them.
                let wants_licenses = users.iter().any(|r| !r.user.licenses.is_empty());
                let mut available: HashMap<String, i64> = if wants_licenses {
                    locked_seats(tx, actor.partner_id, customer_id)
                        .await?
                        .into_iter()
                        .map(|s| (s.product_id.as_ref().to_owned(), s.quantity - s.assigned))
                        .collect()
                } else {
                    HashMap::new()
                };
                let mut taken: HashMap<String, i64> = HashMap::new();
                // The customer row is the batch's lock and its scope check.
                let owned = sqlx::query("UPDATE customers SET updated_at = $1 WHERE id = $2 AND partner_id = $3")
                    .bind(to_db(now))
                    .bind(customer_id)
                    .bind(actor.partner_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                if owned.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                let mut results: Vec<Option<Result<User>>> = users.iter().map(|_| None).collect();
                // Users without licenses take no seat, so they go in many rows per
                // statement; users with licenses go one by one, in order, because
                // a seat goes to the next user only once the previous one exists.
                let plain: Vec<usize> = (0..users.len()).filter(|&i| users[i].user.licenses.is_empty()).collect();
                for chunk in plain.chunks(500) {
                    let records: Vec<&NewUserRecord> = chunk.iter().map(|&i| &users[i]).collect();
                    let inserted = insert_user_rows(tx, actor, customer_id, &records, now).await?;
                    for &i in chunk {
                        results[i] = Some(if inserted.contains(&users[i].id) {
                            Ok(new_user(&users[i], customer_id, Vec::new(), now))
                        } else {
                            Err(Error::UsernameTaken(users[i].user.upn.to_string()))
                        });
                    }
                }
                for (i, record) in users.iter().enumerate().filter(|(_, r)| !r.user.licenses.is_empty()) {
                    let u = &record.user;
                    if let Some(short) = u.licenses.iter().find(|l| available.get(l.product_id.as_ref()).copied().unwrap_or(0) < 1) {
                        results[i] = Some(Err(roster_core::licensing::LicenseError::insufficient(&short.product_id).into()));
                        continue;
                    }
                    if insert_user_rows(tx, actor, customer_id, &[record], now).await?.is_empty() {
                        results[i] = Some(Err(Error::UsernameTaken(u.upn.to_string())));
                        continue;
                    }
                    let mut licenses = Vec::with_capacity(u.licenses.len());
                    for l in &u.licenses {
                        let plans: std::collections::BTreeSet<&String> = l.disabled_service_plans.iter().collect();
                        sqlx::query("INSERT INTO user_licenses (user_id, product_id, disabled_service_plans, created_at) VALUES ($1, $2, $3, $4)")
                            .bind(record.id)
                            .bind(l.product_id.as_ref())
                            .bind(serde_json::to_string(&plans).map_err(Error::internal)?)
                            .bind(to_db(now))
                            .execute(&mut **tx)
                            .await
                            .map_err(db_err)?;
                        *available.entry(l.product_id.as_ref().to_owned()).or_default() -= 1;
                        *taken.entry(l.product_id.as_ref().to_owned()).or_default() += 1;
                        licenses.push(License {
                            product_id: l.product_id.as_ref().to_owned(),
                            disabled_service_plans: plans.into_iter().cloned().collect(),
                        });
                    }
                    licenses.sort_by(|a, b| a.product_id.cmp(&b.product_id));
                    results[i] = Some(Ok(new_user(record, customer_id, licenses, now)));
                }
                let results: Vec<Result<User>> = results.into_iter().map(|r| r.unwrap_or(Err(Error::NotFound))).collect();
                let created: Vec<&User> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
                // One audit event per group of users created together (a batch, or
                // a batch of an import), as license changes are grouped: `userIds`
                // lists them and `after` holds each one's snapshot in that order. A
                // user created alone keeps a single snapshot.
                for group in created.chunks(500) {
                    let ids: Vec<Uuid> = group.iter().map(|u| u.id).collect();
                    let after = match group {
                        [one] => user_snapshot(one),
                        many => serde_json::Value::Array(many.iter().map(|u| user_snapshot(u)).collect()),
                    };
                    write_audit(tx, actor, customer_id, "user.created", &ids, (serde_json::Value::Null, after), now)
                        .await
                        .map_err(db_err)?;
                }
                for (product, delta) in &taken {
                    move_locked_seats(tx, customer_id, product, *delta, now).await?;
                }
                move_licensed_users(tx, customer_id, created.iter().filter(|u| !u.licenses.is_empty()).count() as i64).await?;
                move_location_users(tx, customer_id, created.iter().map(|u| (u.usage_location.as_deref(), 1))).await?;
                sqlx::query("UPDATE customers SET active_users = active_users + $1 WHERE id = $2")
                    .bind(created.len() as i64)
                    .bind(customer_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                Ok(results)
            }

            /// Creates the users of one batch of an import and records each row's
            /// outcome, in the caller's transaction: (created, failed). Rows that are
            /// no longer pending (another worker's, before its lease ran out) are skipped.
            async fn write_import_batch(tx: &mut Tx, job: &ImportJob, work: &[ImportRowWork], now: OffsetDateTime) -> Result<(i64, i64)> {
                let row_of = |w: &ImportRowWork| match w {
                    ImportRowWork::Create { row, .. } | ImportRowWork::Fail { row, .. } => *row,
                };
                let (Some(first), Some(last)) = (work.iter().map(row_of).min(), work.iter().map(row_of).max()) else {
                    return Ok((0, 0));
                };
                // A batch is the job's next pending rows in row order, so its range holds
                // no other pending row; one range read is cheaper than a key per row.
                let json: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST({JSON_ROWS}(row_number) AS TEXT) FROM import_rows \
                     WHERE job_id = $1 AND row_number BETWEEN $2 AND $3 AND status = 'pending'"
                )))
                .bind(job.id)
                .bind(first)
                .bind(last)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                let pending: std::collections::HashSet<i64> = match json {
                    Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
                    None => Default::default(),
                };
                let work: Vec<&ImportRowWork> = work.iter().filter(|w| pending.contains(&row_of(w))).collect();
                let to_create: Vec<NewUserRecord> = work
                    .iter()
                    .filter_map(|w| match w {
                        ImportRowWork::Create { record, .. } => Some(NewUserRecord::clone(record)),
                        ImportRowWork::Fail { .. } => None,
                    })
                    .collect();
                let mut created = insert_new_users(tx, job.actor(), job.customer_id, &to_create, now).await?.into_iter();
                // (row, status, user id, username, errors, credential) for every row.
                type Outcome = (i64, &'static str, Option<Uuid>, Option<String>, Option<String>, Option<Vec<u8>>);
                let mut outcomes: Vec<Outcome> = Vec::with_capacity(work.len());
                for w in &work {
                    let outcome = match w {
                        ImportRowWork::Create { row, credential, .. } => match created.next() {
                            Some(Ok(user)) => (*row, "created", Some(user.id), Some(user.user_principal_name), None, Some(credential.clone())),
                            Some(Err(e)) => {
                                let column = match e {
                                    Error::License { .. } | Error::ProductNotOwned(_) => "Licenses",
                                    _ => "Username",
                                };
                                let error = ImportRowError { column: Some(column.into()), code: e.code().into(), message: e.to_string() };
                                (*row, "failed", None, None, Some(serde_json::to_string(&[error]).map_err(Error::internal)?), None)
                            }
                            None => return Err(Error::internal(std::io::Error::other("a created user went missing from its batch"))),
                        },
                        ImportRowWork::Fail { row, errors } => {
                            (*row, "failed", None, None, Some(serde_json::to_string(errors).map_err(Error::internal)?), None)
                        }
                    };
                    outcomes.push(outcome);
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

            /// Inserts user rows in one statement; a taken username (the partial
            /// unique index) skips its row without aborting the transaction. The ids
            /// of the rows inserted.
            async fn insert_user_rows(
                tx: &mut Tx,
                actor: Actor,
                customer_id: Uuid,
                records: &[&NewUserRecord],
                now: OffsetDateTime,
            ) -> Result<std::collections::HashSet<Uuid>> {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO users (id, customer_id, partner_id, user_principal_name, upn_key, first_name, last_name, \
                     display_name, display_name_key, search_key, usage_location, roles_mask, sign_in_blocked, state, \
                     password_digest, password_expires_at, created_at, updated_at) ",
                );
                qb.push_values(records, |mut row, record| {
                    let u = &record.user;
                    row.push_bind(record.id)
                        .push_bind(customer_id)
                        .push_bind(actor.partner_id)
                        .push_bind(u.upn.to_string())
                        .push_bind(u.upn.key())
                        .push_bind(u.first_name.as_ref().map(|n| n.as_ref().to_owned()))
                        .push_bind(u.last_name.as_ref().map(|n| n.as_ref().to_owned()))
                        .push_bind(u.display_name.as_ref().to_owned())
                        .push_bind(display_name_key(u.display_name.as_ref()))
                        .push_bind(search_key(u.display_name.as_ref(), &u.upn.key()))
                        .push_bind(u.usage_location.map(|c| c.as_str().to_owned()))
                        .push_bind(u.roles.mask())
                        .push_bind(false)
                        .push_bind("active")
                        .push_bind(record.password_digest.clone())
                        .push_bind(to_db(record.password_expires_at))
                        .push_bind(to_db(now))
                        .push_bind(to_db(now));
                });
                // Without RETURNING: sqlx hands rows over one by one, and in the usual
                // case every row goes in. Ids are fresh, so when some did not, the ids
                // now present are the ones this statement inserted.
                qb.push(" ON CONFLICT DO NOTHING");
                let inserted = qb.build().execute(&mut **tx).await.map_err(db_err)?.rows_affected();
                if inserted == records.len() as u64 {
                    return Ok(records.iter().map(|r| r.id).collect());
                }
                let mut qb = QueryBuilder::<Db>::new("SELECT id FROM users WHERE id IN (");
                let mut list = qb.separated(", ");
                for r in records {
                    list.push_bind(r.id);
                }
                qb.push(")");
                qb.build()
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| r.try_get::<Uuid, _>(0))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(db_err)
            }

            fn new_user(record: &NewUserRecord, customer_id: Uuid, licenses: Vec<License>, now: OffsetDateTime) -> User {
                let u = &record.user;
                User {
                    id: record.id,
                    customer_id,
                    user_principal_name: u.upn.to_string(),
                    first_name: u.first_name.as_ref().map(|n| n.as_ref().to_owned()),
                    last_name: u.last_name.as_ref().map(|n| n.as_ref().to_owned()),
                    display_name: u.display_name.as_ref().to_owned(),
                    usage_location: u.usage_location.map(|c| c.as_str().to_owned()),
                    roles: u.roles,
                    sign_in_blocked: false,
                    state: UserState::Active,
                    deleted_at: None,
                    purge_at: None,
                    licenses,
                    created_at: now,
                    updated_at: now,
                }
            }

            /// Where a keyset page starts and which way it reads.
            struct Keyset<'a> {
                column: &'a str,
                descending: bool,
            }

            impl Keyset<'_> {
                /// `(col, id) > key` in display order (`<` when descending, flipped for `before`).
                fn push_condition(&self, qb: &mut QueryBuilder<Db>, key: &Key, after: bool) {
                    let greater = after != self.descending;
                    qb.push(format!(" AND ({}, {}) {} (", self.column, "id", if greater { ">" } else { "<" }));
                    match &key.value {
                        SortValue::Text(t) => qb.push_bind(t.clone()),
                        SortValue::Time(t) => qb.push_bind(to_db(*t)),
                    };
                    qb.push(", ");
                    qb.push_bind(key.id);
                    qb.push(")");
                }

                fn push_order(&self, qb: &mut QueryBuilder<Db>, forward: bool) {
                    let dir = if forward != self.descending { "ASC" } else { "DESC" };
                    qb.push(format!(" ORDER BY {} {dir}, id {dir}", self.column));
                }
            }

            /// Reads one page. `base` pushes `SELECT … WHERE <scope and filters>`;
            /// `exists_base` pushes `SELECT 1 … WHERE <same>`.
            async fn read_page<T>(
                pool: &sqlx::Pool<Db>,
                keyset: Keyset<'_>,
                page: &PageRequest,
                base: impl Fn(&mut QueryBuilder<Db>),
                exists_base: impl Fn(&mut QueryBuilder<Db>),
                map: impl Fn(&DbRow) -> std::result::Result<T, sqlx::Error>,
                key_of: impl Fn(&T) -> Key,
            ) -> std::result::Result<(Vec<T>, bool, bool), sqlx::Error> {
                let limit = i64::from(page.limit);
                let mut qb = QueryBuilder::<Db>::new("");
                base(&mut qb);
                let forward = matches!(page.position, Position::First | Position::After(_));
                match &page.position {
                    Position::First | Position::Last => {}
                    Position::After(k) => keyset.push_condition(&mut qb, k, true),
                    Position::Before(k) => keyset.push_condition(&mut qb, k, false),
                }
                keyset.push_order(&mut qb, forward);
                qb.push(" LIMIT ");
                qb.push_bind(limit + 1);
                let rows = qb.build().fetch_all(pool).await?;
                let mut items = rows.iter().map(&map).collect::<std::result::Result<Vec<T>, _>>()?;
                let more = items.len() as i64 > limit;
                items.truncate(page.limit as usize);
                if !forward {
                    items.reverse();
                }
                // The far side of a page: probe one row beyond the opposite edge.
                let probe = |edge: &T, after: bool| {
                    let mut qb = QueryBuilder::<Db>::new("");
                    exists_base(&mut qb);
                    keyset.push_condition(&mut qb, &key_of(edge), after);
                    // Ordered, so the probe walks the sort index from the edge. Without
                    // an order PostgreSQL's generic plan took LIMIT 1 as a cheap
                    // sequential scan, which read 280,000 rows before the last page's
                    // neighbours.
                    keyset.push_order(&mut qb, after);
                    qb.push(" LIMIT 1");
                    qb
                };
                let (has_before, has_after) = match &page.position {
                    Position::First => (false, more),
                    Position::Last => (more, false),
                    Position::After(_) => match items.first() {
                        Some(first) => (probe(first, false).build().fetch_optional(pool).await?.is_some(), more),
                        None => (false, false),
                    },
                    Position::Before(_) => match items.last() {
                        Some(last) => (more, probe(last, true).build().fetch_optional(pool).await?.is_some()),
                        None => (false, false),
                    },
                };
                Ok((items, has_before, has_after))
            }

            /// From this many matches up, a search page walks the sort order's index
            /// and tests each name, instead of fetching every match through a
            /// trigram index (PostgreSQL) and sorting them: a page of 50 then reads
            /// about 50 × users / matches entries, which is fewer than the matches.
            const SEARCH_WALK_MIN_MATCHES: i64 = 2_000;

            /// How a page finds the users a search term matches.
            #[derive(Clone, Copy, PartialEq, Eq)]
            enum SearchPlan {
                /// Through an index on the names, where the database has one.
                Indexed,
                /// Along the sort order, the term tested on each row. The planner
                /// cannot know how common a term is (PostgreSQL guesses 20 rows for
                /// any LIKE), so a common term is written in a form no index answers.
                WalkSortOrder,
            }

            fn push_user_scope(
                qb: &mut QueryBuilder<Db>,
                partner_id: Uuid,
                customer_id: Uuid,
                filter: &UserFilter,
                search_plan: SearchPlan,
            ) {
                // The partner is checked once on the customer, not on every row: the
                // (customer_id, partner_id) foreign key makes the two equivalent, and
                // it keeps filtered counts inside their indexes.
                qb.push(" FROM users u WHERE u.customer_id = (SELECT c.id FROM customers c WHERE c.id = ");
                qb.push_bind(customer_id);
                qb.push(" AND c.partner_id = ");
                qb.push_bind(partner_id);
                qb.push(") AND u.state = ");
                qb.push_bind(filter.state.as_str());
                if let Some(search) = &filter.search {
                    let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    let pattern = format!("%{escaped}%");
                    qb.push(match search_plan {
                        SearchPlan::Indexed => " AND u.search_key LIKE ",
                        SearchPlan::WalkSortOrder => " AND (u.search_key || '') LIKE ",
                    });
                    qb.push_bind(pattern);
                    qb.push(" ESCAPE '\\'");
                }
                match &filter.license {
                    None => {}
                    Some(LicenseFilter::None) => {
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)");
                    }
                    Some(LicenseFilter::Any) => {
                        qb.push(" AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id)");
                    }
                    Some(LicenseFilter::Product(p)) => {
                        qb.push(" AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id AND l.product_id = ");
                        qb.push_bind(p.as_ref().to_owned());
                        qb.push(")");
                    }
                }
                match filter.role {
                    None => {}
                    Some(RoleFilter::Any) => {
                        qb.push(" AND u.roles_mask <> 0");
                    }
                    Some(RoleFilter::Role(r)) => {
                        qb.push(" AND u.roles_mask <> 0 AND (u.roles_mask & ");
                        qb.push_bind(r.bit());
                        qb.push(") <> 0");
                    }
                }
                if let Some(c) = filter.usage_location {
                    qb.push(" AND u.usage_location = ");
                    qb.push_bind(c.as_str().to_owned());
                }
                match filter.sign_in_blocked {
                    None => {}
                    Some(true) => {
                        qb.push(" AND u.sign_in_blocked = TRUE");
                    }
                    Some(false) => {
                        qb.push(" AND u.sign_in_blocked = FALSE");
                    }
                }
            }

            fn user_sort_column(sort: UserSort) -> &'static str {
                match sort.field {
                    UserSortField::DisplayName => "u.display_name_key",
                    UserSortField::UserPrincipalName => "u.upn_key",
                    UserSortField::CreatedAt => "u.created_at",
                }
            }

            async fn customer_domains(pool: &sqlx::Pool<Db>, ids: &[Uuid]) -> std::result::Result<HashMap<Uuid, Vec<String>>, sqlx::Error> {
                let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
                if ids.is_empty() {
                    return Ok(map);
                }
                let mut qb = QueryBuilder::<Db>::new("SELECT customer_id, domain FROM customer_domains WHERE customer_id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY position");
                for row in qb.build().fetch_all(pool).await? {
                    map.entry(row.try_get("customer_id")?).or_default().push(row.try_get("domain")?);
                }
                Ok(map)
            }

            const CUSTOMER_COLUMNS: &str =
                "id, partner_id, company_name, company_name_key, country, active_users, deleted_users, created_at";

            fn customer_from_row(row: &DbRow) -> std::result::Result<Customer, sqlx::Error> {
                Ok(Customer {
                    id: row.try_get("id")?,
                    partner_id: row.try_get("partner_id")?,
                    company_name: row.try_get("company_name")?,
                    domains: Vec::new(),
                    country: row.try_get("country")?,
                    active_users: row.try_get("active_users")?,
                    deleted_users: row.try_get("deleted_users")?,
                    created_at: from_db(row.try_get("created_at")?),
                })
            }

            const SUBSCRIPTION_COLUMNS: &str = "s.id, s.customer_id, s.product_id, p.name AS product_name, s.quantity, \
                s.assigned, s.created_at, s.updated_at";

            fn subscription_from_row(row: &DbRow) -> std::result::Result<Subscription, sqlx::Error> {
                Ok(Subscription {
                    id: row.try_get("id")?,
                    customer_id: row.try_get("customer_id")?,
                    product_id: row.try_get("product_id")?,
                    product_name: row.try_get("product_name")?,
                    quantity: row.try_get("quantity")?,
                    assigned: row.try_get("assigned")?,
                    created_at: from_db(row.try_get("created_at")?),
                    updated_at: from_db(row.try_get("updated_at")?),
                })
            }

            fn subscription_snapshot(s: &Subscription) -> serde_json::Value {
                serde_json::json!({"productId": s.product_id, "quantity": s.quantity, "assigned": s.assigned})
            }

            async fn load_subscription(tx: &mut Tx, partner_id: Uuid, customer_id: Uuid, id: Uuid) -> Result<Option<Subscription>> {
                let sql = format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN products p ON p.id = s.product_id \
                     WHERE s.id = $1 AND s.customer_id = $2 AND s.partner_id = $3"
                );
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .bind(customer_id)
                    .bind(partner_id)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                row.map(|r| subscription_from_row(&r)).transpose().map_err(db_err)
            }

            impl $store {
                async fn begin_write(&self) -> std::result::Result<Tx, sqlx::Error> {
                    self.writer.begin_with(BEGIN_WRITE).await
                }

                /// Restores one user in its own transaction.
                async fn restore_one(
                    &self,
                    actor: Actor,
                    customer_id: Uuid,
                    user_id: Uuid,
                    catalog: &roster_core::catalog::Catalog,
                    now: OffsetDateTime,
                ) -> Result<RestoreOutcome> {
                    let failed = |f: RestoreFailure| RestoreOutcome {
                        user_id,
                        result: Err(f),
                        restored_licenses: Vec::new(),
                        unrestored_licenses: Vec::new(),
                    };
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let seats = locked_seats(&mut tx, actor.partner_id, customer_id).await?;
                    let Some(before) = load_user(&mut tx, actor.partner_id, customer_id, user_id).await.map_err(db_err)? else {
                        return Ok(failed(RestoreFailure::NotFound));
                    };
                    if before.state != UserState::Deleted {
                        return Ok(failed(RestoreFailure::NotDeleted));
                    }
                    if before.purge_at.is_some_and(|p| now > p) {
                        return Ok(failed(RestoreFailure::WindowExpired));
                    }
                    let updated = sqlx::query(
                        "UPDATE users SET state = 'active', deleted_at = NULL, purge_at = NULL, updated_at = $1 \
                         WHERE id = $2 AND state = 'deleted' AND NOT EXISTS \
                         (SELECT 1 FROM users o WHERE o.upn_key = users.upn_key AND o.state = 'active')",
                    )
                    .bind(to_db(now))
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await;
                    match updated {
                        Ok(r) if r.rows_affected() == 1 => {}
                        Ok(_) => return Ok(failed(RestoreFailure::UsernameTaken)),
                        Err(e) if unique_violation(&e, "upn") => return Ok(failed(RestoreFailure::UsernameTaken)),
                        Err(e) => return Err(db_err(e)),
                    }
                    sqlx::query("UPDATE customers SET active_users = active_users + 1, deleted_users = deleted_users - 1 WHERE id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    move_location_users(&mut tx, customer_id, [(before.usage_location.as_deref(), 1)]).await?;
                    // Remembered licenses come back where seats and rules allow.
                    let remembered = holdings_of(&mut tx, &[user_id]).await?.remove(&user_id).unwrap_or_default();
                    let location = before.usage_location.as_deref().and_then(|c| roster_core::domain::CountryCode::parse(c).ok());
                    let (kept, dropped) = roster_core::licensing::plan_restore(catalog, &seats, location, remembered);
                    for (product, _) in &dropped {
                        sqlx::query("DELETE FROM user_licenses WHERE user_id = $1 AND product_id = $2")
                            .bind(user_id)
                            .bind(product.as_ref())
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    for product in kept.keys() {
                        move_locked_seats(&mut tx, customer_id, product.as_ref(), 1, now).await?;
                    }
                    move_licensed_users(&mut tx, customer_id, i64::from(!kept.is_empty())).await?;
                    let after = finish_user_change(tx, actor, customer_id, "user.restored", &before, now).await?;
                    Ok(RestoreOutcome {
                        user_id,
                        result: Ok(after),
                        restored_licenses: kept.keys().map(|p| p.as_ref().to_owned()).collect(),
                        unrestored_licenses: dropped.into_iter().map(|(p, code)| (p.as_ref().to_owned(), code.as_str().to_owned())).collect(),
                    })
                }
            }

            #[async_trait]
            impl Store for $store {
                async fn migrate(&self) -> Result<()> {
                    MIGRATOR.run(&self.pool).await.map_err(Error::internal)
                }

                async fn create_partner(&self, id: Uuid, name: &str, now: OffsetDateTime) -> Result<Partner> {
                    sqlx::query("INSERT INTO partners (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                        .bind(id)
                        .bind(name)
                        .bind(to_db(now))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(Partner { id, name: name.to_owned(), created_at: now })
                }

                async fn get_partner(&self, id: Uuid) -> Result<Option<Partner>> {
                    let row = sqlx::query("SELECT id, name, created_at FROM partners WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| -> std::result::Result<Partner, sqlx::Error> {
                        Ok(Partner { id: r.try_get("id")?, name: r.try_get("name")?, created_at: from_db(r.try_get("created_at")?) })
                    })
                    .transpose()
                    .map_err(db_err)
                }

                async fn create_agent(&self, agent: &NewAgent, now: OffsetDateTime) -> Result<Agent> {
                    let inserted = sqlx::query(
                        "INSERT INTO agents (id, partner_id, email, role, password_hash, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(agent.id)
                    .bind(agent.partner_id)
                    .bind(agent.email.as_ref())
                    .bind(agent.role.as_str())
                    .bind(&agent.password_hash)
                    .bind(to_db(now))
                    .execute(&self.pool)
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

                async fn find_agent_by_email(&self, email: &str) -> Result<Option<(Agent, String)>> {
                    let row = sqlx::query("SELECT id, partner_id, email, role, password_hash, created_at FROM agents WHERE email = $1")
                        .bind(email)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| Ok((agent_from_row(&r)?, r.try_get("password_hash")?))).transpose().map_err(db_err)
                }

                async fn set_agent_password(&self, agent_id: Uuid, password_hash: &str, now: OffsetDateTime) -> Result<()> {
                    let r = sqlx::query("UPDATE agents SET password_hash = $1, updated_at = $2 WHERE id = $3")
                        .bind(password_hash)
                        .bind(to_db(now))
                        .bind(agent_id)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    if r.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
                }

                async fn create_api_token(&self, agent_id: Uuid, token_hash: &str, now: OffsetDateTime) -> Result<()> {
                    sqlx::query("INSERT INTO api_tokens (token_hash, agent_id, created_at) VALUES ($1, $2, $3)")
                        .bind(token_hash)
                        .bind(agent_id)
                        .bind(to_db(now))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn agent_by_token(&self, token_hash: &str) -> Result<Option<Agent>> {
                    let row = sqlx::query(
                        "SELECT a.id, a.partner_id, a.email, a.role, a.created_at FROM api_tokens t \
                         JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                    row.map(|r| agent_from_row(&r)).transpose().map_err(db_err)
                }

                async fn upsert_products(&self, products: &[roster_core::catalog::Product], now: OffsetDateTime) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    for p in products {
                        let definition = serde_json::to_string(&p.definition()).map_err(Error::internal)?;
                        sqlx::query(
                            "INSERT INTO products (id, name, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                             ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, \
                             updated_at = excluded.updated_at",
                        )
                        .bind(p.id.as_ref())
                        .bind(&p.name)
                        .bind(definition)
                        .bind(to_db(now))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                async fn catalog(&self) -> Result<roster_core::catalog::Catalog> {
                    let rows = sqlx::query("SELECT definition FROM products ORDER BY id").fetch_all(&self.pool).await.map_err(db_err)?;
                    let definitions = rows
                        .iter()
                        .map(|r| {
                            let json: String = r.try_get("definition").map_err(db_err)?;
                            serde_json::from_str(&json).map_err(Error::internal)
                        })
                        .collect::<Result<Vec<_>>>()?;
                    roster_core::catalog::catalog_from_definitions(definitions).map_err(Error::internal)
                }

                async fn create_subscription(&self, actor: Actor, customer_id: Uuid, product_id: &str, quantity: i64, now: OffsetDateTime) -> Result<Subscription> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let id = Uuid::now_v7();
                    let inserted = sqlx::query(
                        "INSERT INTO subscriptions (id, customer_id, partner_id, product_id, quantity, assigned, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
                    )
                    .bind(id)
                    .bind(customer_id)
                    .bind(actor.partner_id)
                    .bind(product_id)
                    .bind(quantity)
                    .bind(to_db(now))
                    .execute(&mut *tx)
                    .await;
                    match inserted {
                        Ok(_) => {}
                        Err(e) if unique_violation(&e, "product") || unique_violation(&e, "subscriptions") => {
                            return Err(Error::SubscriptionExists(product_id.to_owned()));
                        }
                        Err(e) => return Err(db_err(e)),
                    }
                    let created = load_subscription(&mut tx, actor.partner_id, customer_id, id).await?.ok_or(Error::NotFound)?;
                    write_audit(&mut tx, actor, customer_id, "subscription.created", &[], (serde_json::Value::Null, subscription_snapshot(&created)), now)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(created)
                }

                async fn list_subscriptions(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Vec<Subscription>> {
                    let sql = format!(
                        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN products p ON p.id = s.product_id \
                         WHERE s.customer_id = $1 AND s.partner_id = $2 ORDER BY p.name, s.product_id"
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(customer_id).bind(partner_id).fetch_all(&self.pool).await.map_err(db_err)?;
                    rows.iter().map(subscription_from_row).collect::<std::result::Result<_, _>>().map_err(db_err)
                }

                async fn set_subscription_quantity(&self, actor: Actor, customer_id: Uuid, subscription_id: Uuid, quantity: i64, now: OffsetDateTime) -> Result<Subscription> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let before = load_subscription(&mut tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
                    // The comparison with `assigned` happens in the update, against the
                    // row as it is now, never against what was read above.
                    let updated = sqlx::query("UPDATE subscriptions SET quantity = $1, updated_at = $2 WHERE id = $3 AND assigned <= $1")
                        .bind(quantity)
                        .bind(to_db(now))
                        .bind(subscription_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if updated.rows_affected() == 0 {
                        let current = load_subscription(&mut tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
                        return Err(Error::QuantityBelowAssigned(current.assigned));
                    }
                    let after = load_subscription(&mut tx, actor.partner_id, customer_id, subscription_id).await?.ok_or(Error::NotFound)?;
                    write_audit(&mut tx, actor, customer_id, "subscription.quantity_changed", &[], (subscription_snapshot(&before), subscription_snapshot(&after)), now)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(after)
                }

                async fn update_licenses(
                    &self,
                    actor: Actor,
                    customer_id: Uuid,
                    catalog: &roster_core::catalog::Catalog,
                    user_ids: &[Uuid],
                    change: &roster_core::licensing::LicenseChange,
                    atomic: bool,
                    dry_run: bool,
                    now: OffsetDateTime,
                ) -> Result<LicenseUpdateOutcome> {
                    use roster_core::licensing::{UserLicenses, plan_update};
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let seats = locked_seats(&mut tx, actor.partner_id, customer_id).await?;
                    let users = license_targets(&mut tx, actor.partner_id, customer_id, user_ids).await?;
                    let plan = plan_update(catalog, &seats, &users, user_ids, change);
                    let applied = !dry_run && !(atomic && plan.any_failed());
                    if !applied {
                        tx.rollback().await.map_err(db_err)?;
                        return Ok(LicenseUpdateOutcome { dry_run, applied, results: plan.results });
                    }
                    // Rows with the same product and plans differ only by user, so each
                    // statement binds the shared values once and one id per row.
                    let mut upserts: std::collections::BTreeMap<(&str, String), Vec<Uuid>> = Default::default();
                    for (user_id, product, plans) in &plan.upserts {
                        let plans = serde_json::to_string(plans).map_err(Error::internal)?;
                        upserts.entry((product.as_ref(), plans)).or_default().push(*user_id);
                    }
                    for ((product, plans), ids) in &upserts {
                        for chunk in ids.chunks(2000) {
                            let mut qb = QueryBuilder::<Db>::new("INSERT INTO user_licenses (user_id, product_id, disabled_service_plans, created_at) SELECT column1, ");
                            qb.push_bind(*product);
                            qb.push(", ");
                            qb.push_bind(plans.as_str());
                            qb.push(", ");
                            qb.push_bind(to_db(now));
                            qb.push(" FROM (");
                            qb.push_values(chunk, |mut row, id| {
                                row.push_bind(*id);
                            });
                            // `WHERE TRUE` tells SQLite's parser that ON starts the upsert clause, not a join.
                            qb.push(") AS requested WHERE TRUE ON CONFLICT (user_id, product_id) DO UPDATE SET disabled_service_plans = excluded.disabled_service_plans");
                            qb.build().execute(&mut *tx).await.map_err(db_err)?;
                        }
                    }
                    let mut by_product: std::collections::BTreeMap<&str, Vec<Uuid>> = Default::default();
                    for (user_id, product) in &plan.deletions {
                        by_product.entry(product.as_ref()).or_default().push(*user_id);
                    }
                    for (product, ids) in by_product {
                        for chunk in ids.chunks(2000) {
                            let mut qb = QueryBuilder::<Db>::new("DELETE FROM user_licenses WHERE product_id = ");
                            qb.push_bind(product.to_owned());
                            qb.push(" AND user_id IN (");
                            let mut list = qb.separated(", ");
                            for id in chunk {
                                list.push_bind(*id);
                            }
                            qb.push(")");
                            qb.build().execute(&mut *tx).await.map_err(db_err)?;
                        }
                    }
                    for (product, delta) in &plan.seat_deltas {
                        move_locked_seats(&mut tx, customer_id, product.as_ref(), *delta, now).await?;
                    }
                    let licensed: i64 = plan.changes.iter().map(|(_, before, after)| i64::from(!after.is_empty()) - i64::from(!before.is_empty())).sum();
                    move_licensed_users(&mut tx, customer_id, licensed).await?;
                    // One audit event per group of users whose licenses went from the
                    // same state to the same state, many events per statement.
                    let groups = plan.change_groups(1000);
                    for chunk in groups.chunks(200) {
                        let mut qb = QueryBuilder::<Db>::new(format!("{AUDIT_INSERT} "));
                        qb.push_values(chunk, |mut row, group| {
                            row.push_bind(Uuid::now_v7())
                                .push_bind(actor.partner_id)
                                .push_bind(customer_id)
                                .push_bind(actor.agent_id)
                                .push_bind("user.licenses_updated")
                                .push_bind(serde_json::json!(group.user_ids).to_string())
                                .push_bind(holdings_json(group.before).to_string())
                                .push_bind(holdings_json(group.after).to_string())
                                .push_bind(to_db(now));
                        });
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(LicenseUpdateOutcome { dry_run, applied, results: plan.results })
                }

                async fn create_customer(&self, actor: Actor, c: &NewCustomer, now: OffsetDateTime) -> Result<Customer> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    sqlx::query(
                        "INSERT INTO customers (id, partner_id, company_name, company_name_key, country, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(c.id)
                    .bind(actor.partner_id)
                    .bind(c.company_name.as_ref())
                    .bind(c.company_name.as_ref().to_lowercase())
                    .bind(c.country.as_str())
                    .bind(to_db(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    for (position, domain) in c.domains.iter().enumerate() {
                        let inserted = sqlx::query(
                            "INSERT INTO customer_domains (domain, customer_id, position, created_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(domain.as_ref())
                        .bind(c.id)
                        .bind(position as i64)
                        .bind(to_db(now))
                        .execute(&mut *tx)
                        .await;
                        match inserted {
                            Ok(_) => {}
                            Err(e) if unique_violation(&e, "domain") => return Err(Error::DomainTaken(domain.as_ref().to_owned())),
                            Err(e) => return Err(db_err(e)),
                        }
                    }
                    let customer = Customer {
                        id: c.id,
                        partner_id: actor.partner_id,
                        company_name: c.company_name.as_ref().to_owned(),
                        domains: c.domains.iter().map(|d| d.as_ref().to_owned()).collect(),
                        country: c.country.as_str().to_owned(),
                        active_users: 0,
                        deleted_users: 0,
                        created_at: now,
                    };
                    write_audit(&mut tx, actor, c.id, "customer.created", &[], (serde_json::Value::Null, customer_snapshot(&customer)), now)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(customer)
                }

                async fn get_customer(&self, partner_id: Uuid, customer_id: Uuid) -> Result<Option<Customer>> {
                    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1 AND partner_id = $2");
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(customer_id)
                        .bind(partner_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    let Some(row) = row else { return Ok(None) };
                    let mut customer = customer_from_row(&row).map_err(db_err)?;
                    customer.domains = customer_domains(&self.pool, &[customer.id]).await.map_err(db_err)?.remove(&customer.id).unwrap_or_default();
                    Ok(Some(customer))
                }

                async fn list_customers(&self, partner_id: Uuid, search: Option<&str>, page: &PageRequest) -> Result<Page<Customer>> {
                    let scope = |qb: &mut QueryBuilder<Db>| {
                        qb.push(" FROM customers WHERE partner_id = ");
                        qb.push_bind(partner_id);
                        if let Some(s) = search {
                            let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                            qb.push(" AND company_name_key LIKE ");
                            qb.push_bind(format!("%{escaped}%"));
                            qb.push(" ESCAPE '\\'");
                        }
                    };
                    let key_of = |c: &Customer| Key { value: SortValue::Text(c.company_name.to_lowercase()), id: c.id };
                    let (mut items, has_before, has_after) = read_page(
                        &self.pool,
                        Keyset { column: "company_name_key", descending: false },
                        page,
                        |qb| {
                            qb.push(format!("SELECT {CUSTOMER_COLUMNS}"));
                            scope(qb);
                        },
                        |qb| {
                            qb.push("SELECT 1");
                            scope(qb);
                        },
                        customer_from_row,
                        key_of,
                    )
                    .await
                    .map_err(db_err)?;
                    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
                    scope(&mut count);
                    let total_count: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err)?;
                    let ids: Vec<Uuid> = items.iter().map(|c| c.id).collect();
                    let mut domains = customer_domains(&self.pool, &ids).await.map_err(db_err)?;
                    for c in items.iter_mut() {
                        c.domains = domains.remove(&c.id).unwrap_or_default();
                    }
                    Ok(Slice { items, has_before, has_after, total_count }.into_page("companyName", key_of))
                }

                async fn create_users(&self, actor: Actor, customer_id: Uuid, users: &[NewUserRecord], now: OffsetDateTime) -> Result<Vec<Result<User>>> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let results = insert_new_users(&mut tx, actor, customer_id, users, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(results)
                }

                async fn taken_usernames(&self, upn_keys: &[String]) -> Result<std::collections::HashSet<String>> {
                    let mut taken = std::collections::HashSet::new();
                    for chunk in upn_keys.chunks(2000) {
                        let mut qb = QueryBuilder::<Db>::new("SELECT upn_key FROM users WHERE state = 'active' AND upn_key IN (");
                        let mut list = qb.separated(", ");
                        for key in chunk {
                            list.push_bind(key.as_str());
                        }
                        qb.push(")");
                        for row in qb.build().fetch_all(&self.bulk).await.map_err(db_err)? {
                            taken.insert(row.try_get::<String, _>(0).map_err(db_err)?);
                        }
                    }
                    Ok(taken)
                }

                async fn create_import_job(&self, job: &ImportJob, rows: &[(i64, String)], now: OffsetDateTime) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    sqlx::query(
                        "INSERT INTO import_jobs (id, customer_id, partner_id, agent_id, status, total, credentials_expire_at, created_at, updated_at) \
                         SELECT $1, id, partner_id, $2, 'queued', $3, $4, $5, $5 FROM customers WHERE id = $6 AND partner_id = $7",
                    )
                    .bind(job.id)
                    .bind(job.agent_id)
                    .bind(job.total)
                    .bind(to_db(job.credentials_expire_at))
                    .bind(to_db(now))
                    .bind(job.customer_id)
                    .bind(job.partner_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected()
                    .eq(&1)
                    .then_some(())
                    .ok_or(Error::NotFound)?;
                    for chunk in rows.chunks(1000) {
                        let mut qb = QueryBuilder::<Db>::new("INSERT INTO import_rows (job_id, row_number, payload, status) ");
                        qb.push_values(chunk, |mut b, (row, payload)| {
                            b.push_bind(job.id).push_bind(*row).push_bind(payload.as_str()).push_bind("pending");
                        });
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                async fn get_import_job(&self, partner_id: Uuid, customer_id: Uuid, job_id: Uuid) -> Result<Option<ImportJob>> {
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {IMPORT_JOB_COLUMNS} FROM import_jobs WHERE id = $1 AND customer_id = $2 AND partner_id = $3")))
                        .bind(job_id)
                        .bind(customer_id)
                        .bind(partner_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    row.as_ref().map(import_job_from_row).transpose().map_err(db_err)
                }

                async fn import_job_rows(&self, job_id: Uuid) -> Result<Vec<ImportRowRecord>> {
                    let rows = sqlx::query(
                        "SELECT row_number, status, user_id, user_principal_name, errors, credential FROM import_rows WHERE job_id = $1 ORDER BY row_number",
                    )
                    .bind(job_id)
                    .fetch_all(&self.bulk)
                    .await
                    .map_err(db_err)?;
                    rows.iter()
                        .map(|r| {
                            let errors: Option<String> = r.try_get("errors")?;
                            Ok(ImportRowRecord {
                                row: r.try_get("row_number")?,
                                status: ImportRowStatus::from_db(&r.try_get::<String, _>("status")?),
                                user_id: r.try_get("user_id")?,
                                user_principal_name: r.try_get("user_principal_name")?,
                                errors: errors.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or_default(),
                                credential: r.try_get("credential")?,
                            })
                        })
                        .collect::<std::result::Result<_, sqlx::Error>>()
                        .map_err(db_err)
                }

                async fn claim_import_job(&self, lease_until: OffsetDateTime, now: OffsetDateTime) -> Result<Option<ImportJob>> {
                    // A conditional update is the claim: of two instances reaching for
                    // the same job, one changes the row and the other changes nothing.
                    let candidates = sqlx::query(
                        "SELECT id FROM import_jobs WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < $1) \
                         ORDER BY created_at LIMIT 5",
                    )
                    .bind(to_db(now))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    for candidate in candidates {
                        let id: Uuid = candidate.try_get("id").map_err(db_err)?;
                        let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "UPDATE import_jobs SET status = 'running', lease_until = $1, updated_at = $2 \
                             WHERE id = $3 AND status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < $2) \
                             RETURNING {IMPORT_JOB_COLUMNS}"
                        )))
                        .bind(to_db(lease_until))
                        .bind(to_db(now))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                        if let Some(row) = claimed {
                            return import_job_from_row(&row).map(Some).map_err(db_err);
                        }
                    }
                    Ok(None)
                }

                async fn pending_import_rows(&self, job_id: Uuid, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
                    // One JSON text for the whole batch: sqlx hands rows over one by one.
                    let json: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT CAST({JSON_ROWS}({JSON_ROW}(p.row_number, p.payload)) AS TEXT) FROM \
                         (SELECT row_number, payload FROM import_rows WHERE job_id = $1 AND row_number > $2 \
                          AND status = 'pending' ORDER BY row_number LIMIT $3) AS p"
                    )))
                    .bind(job_id)
                    .bind(after)
                    .bind(limit)
                    .fetch_one(&self.bulk)
                    .await
                    .map_err(db_err)?;
                    let mut rows: Vec<(i64, String)> = match json {
                        Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
                        None => Vec::new(),
                    };
                    rows.sort_unstable_by_key(|r| r.0);
                    Ok(rows)
                }

                async fn record_import_batches(&self, job: &ImportJob, mut batches: ImportBatches, rows_per_transaction: usize) -> Result<()> {
                    let mut next = batches.recv().await;
                    while let Some(first) = next.take() {
                        let mut tx = self.begin_write().await.map_err(db_err)?;
                        // The job row first: transactions of one job never run side by side.
                        sqlx::query("UPDATE import_jobs SET lease_until = $1, updated_at = $2 WHERE id = $3")
                            .bind(to_db(first.lease_until))
                            .bind(to_db(first.now))
                            .bind(job.id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        let (mut rows, mut created, mut failed) = (0, 0, 0);
                        let mut batch = first;
                        loop {
                            let (ok, bad) = write_import_batch(&mut tx, job, &batch.work, batch.now).await?;
                            rows += batch.work.len();
                            created += ok;
                            failed += bad;
                            if rows >= rows_per_transaction {
                                break;
                            }
                            match batches.try_recv() {
                                Ok(ready) => batch = ready,
                                Err(_) => break,
                            }
                        }
                        sqlx::query("UPDATE import_jobs SET processed = processed + $1, created = created + $2, failed = failed + $3 WHERE id = $4")
                            .bind(created + failed)
                            .bind(created)
                            .bind(failed)
                            .bind(job.id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        tx.commit().await.map_err(db_err)?;
                        next = batches.recv().await;
                    }
                    Ok(())
                }

                async fn finish_import_job(&self, job_id: Uuid, now: OffsetDateTime) -> Result<()> {
                    sqlx::query(
                        "UPDATE import_jobs SET status = 'succeeded', lease_until = NULL, finished_at = $1, updated_at = $1 \
                         WHERE id = $2 AND status = 'running' AND NOT EXISTS (SELECT 1 FROM import_rows WHERE job_id = $2 AND status = 'pending')",
                    )
                    .bind(to_db(now))
                    .bind(job_id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn take_import_credentials(&self, partner_id: Uuid, customer_id: Uuid, job_id: Uuid) -> Result<Vec<SealedImportCredential>> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let owned = sqlx::query("SELECT 1 FROM import_jobs WHERE id = $1 AND customer_id = $2 AND partner_id = $3")
                        .bind(job_id)
                        .bind(customer_id)
                        .bind(partner_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if owned.is_none() {
                        return Err(Error::NotFound);
                    }
                    // RETURNING shows the row after the update, so read, then forget.
                    // The user is the job's own (its partner and customer were checked
                    // above); a purged user leaves no display name.
                    let rows = sqlx::query(
                        "SELECT r.row_number, r.user_principal_name, u.display_name, r.credential FROM import_rows r \
                         LEFT JOIN users u ON u.id = r.user_id \
                         WHERE r.job_id = $1 AND r.credential IS NOT NULL ORDER BY r.row_number",
                    )
                    .bind(job_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    sqlx::query("UPDATE import_rows SET credential = NULL WHERE job_id = $1 AND credential IS NOT NULL")
                        .bind(job_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let out = rows
                        .iter()
                        .map(|r| {
                            Ok(SealedImportCredential {
                                row: r.try_get("row_number")?,
                                user_principal_name: r.try_get::<Option<String>, _>("user_principal_name")?.unwrap_or_default(),
                                display_name: r.try_get::<Option<String>, _>("display_name")?.unwrap_or_default(),
                                credential: r.try_get("credential")?,
                            })
                        })
                        .collect::<std::result::Result<Vec<SealedImportCredential>, sqlx::Error>>()
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(out)
                }

                async fn get_user(&self, partner_id: Uuid, customer_id: Uuid, user_id: Uuid) -> Result<Option<User>> {
                    // One statement, licenses aggregated beside the row: each statement
                    // is a round trip to the driver's thread, and on the hot read path
                    // those hand-offs cost more than the lookups.
                    let sql = format!(
                        "SELECT {USER_COLUMNS}, (SELECT CAST({JSON_ROWS}({JSON_ROW}(l.product_id, l.disabled_service_plans)) AS TEXT) \
                         FROM user_licenses l WHERE l.user_id = u.id) AS licenses \
                         FROM users u WHERE u.id = $1 AND u.customer_id = $2 AND u.partner_id = $3"
                    );
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(user_id)
                        .bind(customer_id)
                        .bind(partner_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    let Some(row) = row else { return Ok(None) };
                    let mut user = user_from_row(&row).map_err(db_err)?;
                    // SQLite aggregates no rows to [], PostgreSQL to NULL.
                    let held: Vec<(String, String)> = match row.try_get::<Option<String>, _>("licenses").map_err(db_err)? {
                        Some(text) => serde_json::from_str(&text).map_err(Error::internal)?,
                        None => Vec::new(),
                    };
                    user.licenses = held
                        .into_iter()
                        .map(|(product_id, plans)| License { product_id, disabled_service_plans: serde_json::from_str(&plans).unwrap_or_default() })
                        .collect();
                    user.licenses.sort_by(|a, b| a.product_id.cmp(&b.product_id));
                    Ok(Some(user))
                }

                async fn get_users(&self, partner_id: Uuid, customer_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<User>> {
                    let mut users = Vec::with_capacity(user_ids.len());
                    for chunk in user_ids.chunks(2000) {
                        // By primary key, the customer checked on the rows read: naming
                        // it in the WHERE clause lets the planner walk a customer index.
                        // Its partner is on the row as well (the foreign key pairs them).
                        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.partner_id = "));
                        qb.push_bind(partner_id);
                        qb.push(" AND u.id IN (");
                        let mut list = qb.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        qb.push(")");
                        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
                        let mut found: Vec<User> = rows
                            .iter()
                            .map(user_from_row)
                            .filter(|u| u.as_ref().map_or(true, |u| u.customer_id == customer_id))
                            .collect::<std::result::Result<_, _>>()
                            .map_err(db_err)?;
                        attach_licenses(&self.pool, &mut found).await.map_err(db_err)?;
                        users.append(&mut found);
                    }
                    Ok(users)
                }

                async fn count_users(&self, partner_id: Uuid, customer_id: Uuid, filter: &UserFilter) -> Result<i64> {
                    if filter.is_state_only() {
                        // The counters kept in the same transactions as every change.
                        let column = match filter.state {
                            UserState::Active => "active_users",
                            UserState::Deleted => "deleted_users",
                        };
                        let sql = format!("SELECT {column} FROM customers WHERE id = $1 AND partner_id = $2");
                        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                            .bind(customer_id)
                            .bind(partner_id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_err)
                            .map(|n| n.unwrap_or(0))
                    } else if let Some(license) = filter.license_only() {
                        // Counters again: licensed active users per customer, and each
                        // subscription's assigned seats, which are held by active users only.
                        let counted = match license {
                            LicenseFilter::Product(p) => {
                                sqlx::query_scalar("SELECT assigned FROM subscriptions WHERE customer_id = $1 AND partner_id = $2 AND product_id = $3")
                                    .bind(customer_id)
                                    .bind(partner_id)
                                    .bind(p.as_ref())
                                    .fetch_optional(&self.pool)
                                    .await
                            }
                            other => {
                                let column = if matches!(other, LicenseFilter::None) { "active_users - licensed_users" } else { "licensed_users" };
                                let sql = format!("SELECT {column} FROM customers WHERE id = $1 AND partner_id = $2");
                                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(customer_id).bind(partner_id).fetch_optional(&self.pool).await
                            }
                        };
                        counted.map_err(db_err).map(|n| n.unwrap_or(0))
                    } else if let Some(location) = filter.location_only() {
                        sqlx::query_scalar(
                            "SELECT l.active_users FROM customer_locations l JOIN customers c ON c.id = l.customer_id \
                             WHERE c.id = $1 AND c.partner_id = $2 AND l.usage_location = $3",
                        )
                        .bind(customer_id)
                        .bind(partner_id)
                        .bind(location.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)
                        .map(|n| n.unwrap_or(0))
                    } else {
                        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
                        push_user_scope(&mut count, partner_id, customer_id, filter, SearchPlan::Indexed);
                        count.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err)
                    }
                }

                async fn list_users(&self, partner_id: Uuid, customer_id: Uuid, query: &UserQuery) -> Result<Page<User>> {
                    let filter = &query.filter;
                    let sort = query.sort;
                    let key_of = |u: &User| user_key(u, sort);
                    let total_count = self.count_users(partner_id, customer_id, filter).await?;
                    let search = if filter.search.is_some() && total_count >= SEARCH_WALK_MIN_MATCHES {
                        SearchPlan::WalkSortOrder
                    } else {
                        SearchPlan::Indexed
                    };
                    let (mut items, has_before, has_after) = read_page(
                        &self.pool,
                        Keyset { column: user_sort_column(sort), descending: sort.descending },
                        &query.page,
                        |qb| {
                            qb.push(format!("SELECT {USER_COLUMNS}"));
                            push_user_scope(qb, partner_id, customer_id, filter, search);
                        },
                        |qb| {
                            qb.push("SELECT 1");
                            push_user_scope(qb, partner_id, customer_id, filter, search);
                        },
                        user_from_row,
                        key_of,
                    )
                    .await
                    .map_err(db_err)?;
                    attach_licenses(&self.pool, &mut items).await.map_err(db_err)?;
                    Ok(Slice { items, has_before, has_after, total_count }.into_page(&sort.as_str(), key_of))
                }

                async fn update_user(&self, actor: Actor, customer_id: Uuid, user_id: Uuid, patch: &UserPatch, now: OffsetDateTime) -> Result<User> {
                    // A new location must keep every held license sellable. The seats
                    // are locked first, so no license update assigns in between.
                    let catalog = match patch.usage_location {
                        Some(_) => Some(self.catalog().await?),
                        None => None,
                    };
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    if catalog.is_some() {
                        locked_seats(&mut tx, actor.partner_id, customer_id).await?;
                    }
                    let before = load_existing(&mut tx, actor, customer_id, user_id).await?;
                    if before.state == UserState::Deleted {
                        return Err(Error::UserDeleted);
                    }
                    if let (Some(catalog), Some(location)) = (&catalog, patch.usage_location) {
                        let held: Vec<roster_core::domain::ProductId> =
                            before.licenses.iter().filter_map(|l| roster_core::domain::ProductId::parse(&l.product_id).ok()).collect();
                        if let Some(conflict) = roster_core::licensing::check_location_change(catalog, &held, location) {
                            return Err(conflict.into());
                        }
                    }
                    let mut qb = QueryBuilder::<Db>::new("UPDATE users SET updated_at = ");
                    qb.push_bind(to_db(now));
                    if let Some(v) = &patch.first_name {
                        qb.push(", first_name = ");
                        qb.push_bind(v.as_ref().map(|n| n.as_ref().to_owned()));
                    }
                    if let Some(v) = &patch.last_name {
                        qb.push(", last_name = ");
                        qb.push_bind(v.as_ref().map(|n| n.as_ref().to_owned()));
                    }
                    if let Some(v) = &patch.display_name {
                        qb.push(", display_name = ");
                        qb.push_bind(v.as_ref().to_owned());
                        qb.push(", display_name_key = ");
                        qb.push_bind(display_name_key(v.as_ref()));
                        qb.push(", search_key = ");
                        qb.push_bind(search_key(v.as_ref(), &before.user_principal_name.to_lowercase()));
                    }
                    if let Some(v) = &patch.usage_location {
                        qb.push(", usage_location = ");
                        qb.push_bind(v.map(|c| c.as_str().to_owned()));
                    }
                    if let Some(v) = patch.roles {
                        qb.push(", roles_mask = ");
                        qb.push_bind(v.mask());
                    }
                    if let Some(v) = patch.sign_in_blocked {
                        qb.push(", sign_in_blocked = ");
                        qb.push_bind(v);
                    }
                    qb.push(" WHERE id = ");
                    qb.push_bind(user_id);
                    qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    if let Some(location) = patch.usage_location {
                        let moves = [(before.usage_location.as_deref(), -1), (location.as_ref().map(|c| c.as_str()), 1)];
                        move_location_users(&mut tx, customer_id, moves).await?;
                    }
                    if patch.sign_in_blocked == Some(true) {
                        sign_out_everywhere(&mut tx, user_id).await?;
                    }
                    finish_user_change(tx, actor, customer_id, "user.updated", &before, now).await
                }

                async fn set_temporary_password(&self, actor: Actor, customer_id: Uuid, user_id: Uuid, digest: &str, expires_at: OffsetDateTime, now: OffsetDateTime) -> Result<User> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    let user = load_existing(&mut tx, actor, customer_id, user_id).await?;
                    if user.state == UserState::Deleted {
                        return Err(Error::UserDeleted);
                    }
                    sqlx::query("UPDATE users SET password_digest = $1, password_expires_at = $2, updated_at = $3 WHERE id = $4")
                        .bind(digest)
                        .bind(to_db(expires_at))
                        .bind(to_db(now))
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    // A reset signs the user out everywhere.
                    sign_out_everywhere(&mut tx, user_id).await?;
                    write_audit(
                        &mut tx,
                        actor,
                        customer_id,
                        "user.password_reset",
                        &[user_id], (serde_json::Value::Null, serde_json::json!({"temporaryPasswordExpiresAt": expires_at.unix_timestamp()})),
                        now)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(user)
                }

                async fn delete_user(&self, actor: Actor, customer_id: Uuid, user_id: Uuid, purge_at: OffsetDateTime, now: OffsetDateTime) -> Result<User> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    // Seats first, as every license change takes them: a user's licenses
                    // cannot change between reading them and freeing their seats.
                    locked_seats(&mut tx, actor.partner_id, customer_id).await?;
                    let before = load_existing(&mut tx, actor, customer_id, user_id).await?;
                    let r = sqlx::query(
                        "UPDATE users SET state = 'deleted', deleted_at = $1, purge_at = $2, updated_at = $1 \
                         WHERE id = $3 AND state = 'active'",
                    )
                    .bind(to_db(now))
                    .bind(to_db(purge_at))
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if r.rows_affected() == 0 {
                        return Err(Error::UserDeleted);
                    }
                    // The seats go back; the license rows stay, remembered for a restore.
                    sqlx::query(
                        "UPDATE subscriptions SET assigned = assigned - 1, updated_at = $1 WHERE customer_id = $2 \
                         AND product_id IN (SELECT product_id FROM user_licenses WHERE user_id = $3)",
                    )
                    .bind(to_db(now))
                    .bind(customer_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    sqlx::query("UPDATE customers SET active_users = active_users - 1, deleted_users = deleted_users + 1 WHERE id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    move_licensed_users(&mut tx, customer_id, -i64::from(!before.licenses.is_empty())).await?;
                    move_location_users(&mut tx, customer_id, [(before.usage_location.as_deref(), -1)]).await?;
                    sign_out_everywhere(&mut tx, user_id).await?;
                    finish_user_change(tx, actor, customer_id, "user.deleted", &before, now).await
                }

                async fn restore_users(&self, actor: Actor, customer_id: Uuid, user_ids: &[Uuid], now: OffsetDateTime) -> Result<Vec<RestoreOutcome>> {
                    let catalog = self.catalog().await?;
                    let mut outcomes = Vec::with_capacity(user_ids.len());
                    for &user_id in user_ids {
                        outcomes.push(self.restore_one(actor, customer_id, user_id, &catalog, now).await?);
                    }
                    Ok(outcomes)
                }

                async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64> {
                    // Housekeeping rides along: dead sessions, and failed sign-ins far
                    // older than any rate-limit window.
                    sqlx::query("DELETE FROM user_sessions WHERE expires_at <= $1")
                        .bind(to_db(now))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    sqlx::query("DELETE FROM agent_sessions WHERE expires_at <= $1")
                        .bind(to_db(now))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    // Import credentials never outlive their hour, delivered or not.
                    sqlx::query(
                        "UPDATE import_rows SET credential = NULL WHERE credential IS NOT NULL \
                         AND job_id IN (SELECT id FROM import_jobs WHERE credentials_expire_at <= $1)",
                    )
                    .bind(to_db(now))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    sqlx::query("DELETE FROM signin_failures WHERE at < $1")
                        .bind(to_db(now - time::Duration::days(1)))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    let mut total = 0u64;
                    loop {
                        let mut tx = self.begin_write().await.map_err(db_err)?;
                        let rows = sqlx::query(
                            "DELETE FROM users WHERE id IN \
                             (SELECT id FROM users WHERE state = 'deleted' AND purge_at < $1 LIMIT 500) \
                             RETURNING id, customer_id, partner_id",
                        )
                        .bind(to_db(now))
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        if rows.is_empty() {
                            break;
                        }
                        let mut by_customer: HashMap<(Uuid, Uuid), Vec<Uuid>> = HashMap::new();
                        for row in &rows {
                            let key = (row.try_get("customer_id").map_err(db_err)?, row.try_get("partner_id").map_err(db_err)?);
                            by_customer.entry(key).or_default().push(row.try_get("id").map_err(db_err)?);
                        }
                        for ((customer_id, partner_id), ids) in by_customer {
                            sqlx::query("UPDATE customers SET deleted_users = deleted_users - $1 WHERE id = $2")
                                .bind(ids.len() as i64)
                                .bind(customer_id)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err)?;
                            let system = Actor { partner_id, agent_id: None };
                            write_audit(&mut tx, system, customer_id, "user.purged", &ids, (serde_json::Value::Null, serde_json::Value::Null), now)
                                .await
                                .map_err(db_err)?;
                        }
                        tx.commit().await.map_err(db_err)?;
                        total += rows.len() as u64;
                    }
                    Ok(total)
                }

                async fn list_audit_events(&self, partner_id: Uuid, customer_id: Uuid, page: &PageRequest) -> Result<Page<AuditEvent>> {
                    let scope = |qb: &mut QueryBuilder<Db>| {
                        qb.push(" FROM audit_events WHERE customer_id = ");
                        qb.push_bind(customer_id);
                        qb.push(" AND partner_id = ");
                        qb.push_bind(partner_id);
                    };
                    let map = |r: &DbRow| -> std::result::Result<AuditEvent, sqlx::Error> {
                        let user_ids: String = r.try_get("user_ids")?;
                        let before: String = r.try_get("before_state")?;
                        let after: String = r.try_get("after_state")?;
                        Ok(AuditEvent {
                            id: r.try_get("id")?,
                            at: from_db(r.try_get("at")?),
                            customer_id: r.try_get("customer_id")?,
                            agent_id: r.try_get("agent_id")?,
                            action: r.try_get("action")?,
                            user_ids: serde_json::from_str(&user_ids).unwrap_or_default(),
                            before: serde_json::from_str(&before).unwrap_or_default(),
                            after: serde_json::from_str(&after).unwrap_or_default(),
                        })
                    };
                    let key_of = |e: &AuditEvent| Key { value: SortValue::Time(e.at), id: e.id };
                    let (items, has_before, has_after) = read_page(
                        &self.pool,
                        Keyset { column: "at", descending: true },
                        page,
                        |qb| {
                            qb.push("SELECT id, at, customer_id, agent_id, action, user_ids, before_state, after_state");
                            scope(qb);
                        },
                        |qb| {
                            qb.push("SELECT 1");
                            scope(qb);
                        },
                        map,
                        key_of,
                    )
                    .await
                    .map_err(db_err)?;
                    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
                    scope(&mut count);
                    let total_count: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err)?;
                    Ok(Slice { items, has_before, has_after, total_count }.into_page("-at", key_of))
                }

                async fn find_signin_user(&self, upn_key: &str) -> Result<Option<SigninUser>> {
                    // An active user wins over deleted ones that held the name before.
                    // Each state is looked up on its own so both planners use the
                    // partial index of that state.
                    const COLUMNS: &str = "id, user_principal_name, display_name, state, sign_in_blocked, password_digest, password_expires_at";
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {COLUMNS} FROM ( \
                           SELECT {COLUMNS}, 0 AS preference, updated_at AS changed FROM users WHERE upn_key = $1 AND state = 'active' \
                           UNION ALL \
                           SELECT {COLUMNS}, 1, updated_at FROM users WHERE upn_key = $1 AND state = 'deleted' \
                         ) AS found ORDER BY preference, changed DESC LIMIT 1"
                    )))
                    .bind(upn_key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                    row.map(|r| -> std::result::Result<SigninUser, sqlx::Error> {
                        Ok(SigninUser {
                            id: r.try_get("id")?,
                            user_principal_name: r.try_get("user_principal_name")?,
                            display_name: r.try_get("display_name")?,
                            state: UserState::from_db(r.try_get::<&str, _>("state")?),
                            sign_in_blocked: r.try_get("sign_in_blocked")?,
                            password_digest: r.try_get("password_digest")?,
                            password_expires_at: time_opt(&r, "password_expires_at")?,
                        })
                    })
                    .transpose()
                    .map_err(db_err)
                }

                async fn count_signin_failures(&self, upn_key: &str, since: OffsetDateTime) -> Result<i64> {
                    sqlx::query_scalar("SELECT COUNT(*) FROM signin_failures WHERE upn_key = $1 AND at > $2")
                        .bind(upn_key)
                        .bind(to_db(since))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db_err)
                }

                async fn record_signin_failure(&self, upn_key: &str, now: OffsetDateTime) -> Result<()> {
                    sqlx::query("INSERT INTO signin_failures (id, upn_key, at) VALUES ($1, $2, $3)")
                        .bind(Uuid::now_v7())
                        .bind(upn_key)
                        .bind(to_db(now))
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn consume_temporary_password(&self, user_id: Uuid, digest: &str, now: OffsetDateTime) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE users SET password_digest = NULL, updated_at = $1 WHERE id = $2 AND password_digest = $3 AND state = 'active'",
                    )
                    .bind(to_db(now))
                    .bind(user_id)
                    .bind(digest)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn create_user_session(&self, s: &UserSession, now: OffsetDateTime) -> Result<()> {
                    insert_session(&self.pool, s, now).await?;
                    Ok(())
                }

                async fn find_user_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<UserSession>> {
                    let row = sqlx::query(
                        "SELECT s.token_hash, s.user_id, s.purpose, s.csrf_token, s.expires_at FROM user_sessions s \
                         JOIN users u ON u.id = s.user_id \
                         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.state = 'active' AND u.sign_in_blocked = FALSE",
                    )
                    .bind(token_hash)
                    .bind(to_db(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                    row.map(|r| -> std::result::Result<UserSession, sqlx::Error> {
                        Ok(UserSession {
                            token_hash: r.try_get("token_hash")?,
                            user_id: r.try_get("user_id")?,
                            purpose: SessionPurpose::from_db(r.try_get::<&str, _>("purpose")?),
                            csrf_token: r.try_get("csrf_token")?,
                            expires_at: from_db(r.try_get("expires_at")?),
                        })
                    })
                    .transpose()
                    .map_err(db_err)
                }

                async fn delete_user_session(&self, token_hash: &str) -> Result<()> {
                    sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn create_agent_session(
                    &self,
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
                    .bind(to_db(expires_at))
                    .bind(to_db(now))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn find_agent_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<AgentSession>> {
                    let row = sqlx::query(
                        "SELECT s.token_hash, s.csrf_token, s.expires_at, \
                         a.id, a.partner_id, a.email, a.role, a.created_at FROM agent_sessions s \
                         JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = $1 AND s.expires_at > $2",
                    )
                    .bind(token_hash)
                    .bind(to_db(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                    row.map(|r| -> std::result::Result<AgentSession, sqlx::Error> {
                        Ok(AgentSession {
                            token_hash: r.try_get("token_hash")?,
                            agent: agent_from_row(&r)?,
                            csrf_token: r.try_get("csrf_token")?,
                            expires_at: from_db(r.try_get("expires_at")?),
                        })
                    })
                    .transpose()
                    .map_err(db_err)
                }

                async fn delete_agent_session(&self, token_hash: &str) -> Result<()> {
                    sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn selection(&self, session_hash: &str, customer_id: Uuid) -> Result<Vec<Uuid>> {
                    sqlx::query_scalar(
                        "SELECT user_id FROM agent_selections WHERE session_hash = $1 AND customer_id = $2 ORDER BY user_id",
                    )
                    .bind(session_hash)
                    .bind(customer_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)
                }

                async fn change_selection(
                    &self,
                    session_hash: &str,
                    customer_id: Uuid,
                    remove: &[Uuid],
                    add: &[Uuid],
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    for chunk in remove.chunks(500) {
                        let mut qb = QueryBuilder::<Db>::new("DELETE FROM agent_selections WHERE session_hash = ");
                        qb.push_bind(session_hash);
                        qb.push(" AND customer_id = ");
                        qb.push_bind(customer_id);
                        qb.push(" AND user_id IN (");
                        let mut list = qb.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        qb.push(")");
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    for chunk in add.chunks(500) {
                        let mut qb = QueryBuilder::<Db>::new("INSERT INTO agent_selections (session_hash, customer_id, user_id) ");
                        qb.push_values(chunk, |mut row, id| {
                            row.push_bind(session_hash).push_bind(customer_id).push_bind(*id);
                        });
                        qb.push(" ON CONFLICT DO NOTHING");
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn clear_selection(&self, session_hash: &str, customer_id: Uuid) -> Result<()> {
                    sqlx::query("DELETE FROM agent_selections WHERE session_hash = $1 AND customer_id = $2")
                        .bind(session_hash)
                        .bind(customer_id)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn complete_password_change(
                    &self,
                    change_session_hash: &str,
                    user_id: Uuid,
                    password_hash: &str,
                    password_expires_at: OffsetDateTime,
                    new_session: &UserSession,
                    now: OffsetDateTime,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err(db_err)?;
                    // Consuming the change session first makes a replayed form fail.
                    let consumed = sqlx::query(
                        "DELETE FROM user_sessions WHERE token_hash = $1 AND user_id = $2 AND purpose = 'change_password' AND expires_at > $3",
                    )
                    .bind(change_session_hash)
                    .bind(user_id)
                    .bind(to_db(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if consumed.rows_affected() == 0 {
                        return Err(Error::NotFound);
                    }
                    sqlx::query("UPDATE users SET password_digest = $1, password_expires_at = $2, updated_at = $3 WHERE id = $4 AND state = 'active'")
                        .bind(password_hash)
                        .bind(to_db(password_expires_at))
                        .bind(to_db(now))
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    insert_session(&mut *tx, new_session, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }
            }
        }
    };
}
