//! Use cases of importing users from a file: check it, start a durable job, run
//! jobs in the background, report them, and hand out the temporary passwords once.

use super::licenses::check_new_user_licenses;
use super::{Services, actor, require};
use crate::domain::{AgentRole, CountryCode, ProductId, UserRole};
use crate::error::{Error, Result};
use crate::imports::{self as import, ImportContext, ImportError, RowPayload, RowReport};
use crate::model::*;
use crate::secrets::TemporaryPassword;
use uuid::Uuid;

/// A file checked against its customer.
#[derive(Debug, Clone)]
pub struct CheckedImport {
    /// Data rows in the file.
    pub total: usize,
    /// Rows that can be created, with their payloads as the job stores them (JSON).
    pub valid: Vec<(usize, String)>,
    /// Rows that cannot, with every problem of each.
    pub errors: Vec<RowReport>,
}

/// One row of a job, as reported.
#[derive(Debug, Clone)]
pub struct ImportRowView {
    pub row: i64,
    pub status: ImportRowStatus,
    pub user_id: Option<Uuid>,
    pub user_principal_name: Option<String>,
    /// Present until the passwords are delivered, or their hour is up.
    pub temporary_password: Option<TemporaryPassword>,
    pub errors: Vec<ImportRowError>,
}

/// A temporary password handed out by an import.
#[derive(Debug, Clone)]
pub struct ImportCredential {
    pub row: i64,
    pub user_principal_name: String,
    pub display_name: String,
    pub temporary_password: TemporaryPassword,
}

fn credential_context(job_id: Uuid, row: i64) -> Vec<u8> {
    format!("roster-import/{job_id}/{row}").into_bytes()
}

impl Services {
    /// Reads `bytes` (CSV or XLSX) and checks every row, writing nothing.
    /// `default_location` is the usage location of rows that give none.
    pub async fn check_import(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        bytes: &[u8],
        default_location: Option<&str>,
        role_names: &[(String, UserRole)],
    ) -> Result<CheckedImport> {
        require(agent, &[AgentRole::Admin])?;
        let customer = self.customer(agent, customer_id).await?;
        let default_location = match default_location.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => Some(CountryCode::parse(l).map_err(|e| Error::validation("location", e))?),
            None => None,
        };
        let sheet = import::read(bytes)?;
        let keys: Vec<String> = sheet.rows.iter().filter_map(|r| import::username_key(r, &customer.domains)).collect();
        let taken = self.store.taken_usernames(&keys).await?;
        drop(keys);
        let catalog = self.store.catalog().await?;
        let seats: Vec<crate::licensing::Seats> = self
            .store
            .list_subscriptions(agent.partner_id, customer.id)
            .await?
            .into_iter()
            .map(|s| {
                Ok(crate::licensing::Seats {
                    product_id: ProductId::parse(&s.product_id).map_err(Error::internal)?,
                    quantity: s.quantity,
                    assigned: s.assigned,
                })
            })
            .collect::<Result<_>>()?;
        let ctx = ImportContext {
            domains: &customer.domains,
            default_location,
            catalog: &catalog,
            seats: &seats,
            taken: &taken,
            role_names,
        };
        let mut checked =
            CheckedImport { total: sheet.rows.len(), valid: Vec::with_capacity(sheet.rows.len()), errors: Vec::new() };
        let mut encoding_failed = None;
        import::check_rows_each(&sheet, &ctx, |row| match row.outcome {
            Ok(user) => match serde_json::to_string(&RowPayload::of(&user)) {
                // A payload is built by doubling; 100,000 of them held at their
                // capacity would take half as much again.
                Ok(mut json) => {
                    json.shrink_to_fit();
                    checked.valid.push((row.row, json));
                }
                Err(e) => encoding_failed = Some(e),
            },
            Err(problems) => {
                checked.errors.push(RowReport { row: row.row, errors: problems.into_iter().map(Into::into).collect() })
            }
        });
        match encoding_failed {
            Some(e) => Err(Error::internal(e)),
            None => Ok(checked),
        }
    }

    /// Checks the file and, when every row is good, stores it as a queued job for
    /// the background worker. A file with bad rows writes nothing and reports them.
    pub async fn start_import(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        bytes: &[u8],
        default_location: Option<&str>,
        role_names: &[(String, UserRole)],
    ) -> Result<ImportJob> {
        let checked = self.check_import(agent, customer_id, bytes, default_location, role_names).await?;
        if !checked.errors.is_empty() {
            return Err(ImportError::Rows(checked.errors).into());
        }
        let now = self.now();
        let job = ImportJob {
            id: Uuid::now_v7(),
            customer_id,
            partner_id: agent.partner_id,
            agent_id: actor(agent).agent_id,
            status: ImportStatus::Queued,
            total: checked.total as i64,
            processed: 0,
            created: 0,
            failed: 0,
            credentials_expire_at: now + self.policy.import_credentials_ttl,
            created_at: now,
            finished_at: None,
        };
        let rows: Vec<(i64, String)> = checked.valid.into_iter().map(|(row, json)| (row as i64, json)).collect();
        self.store.create_import_job(&job, &rows, now).await?;
        self.import_queued.notify_one();
        Ok(job)
    }

    /// Waits until this instance queues an import, or `poll` has passed: jobs
    /// another instance queued, or one whose worker stopped, are found by polling.
    pub async fn wait_for_import(&self, poll: std::time::Duration) {
        let _ = tokio::time::timeout(poll, self.import_queued.notified()).await;
    }

    /// A job and its progress.
    pub async fn import_job(&self, agent: &Agent, customer_id: Uuid, job_id: Uuid) -> Result<ImportJob> {
        require(agent, &[AgentRole::Admin])?;
        self.store.get_import_job(agent.partner_id, customer_id, job_id).await?.ok_or(Error::NotFound)
    }

    /// A job and each of its rows; temporary passwords are shown while they are kept.
    pub async fn import_job_results(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        job_id: Uuid,
    ) -> Result<(ImportJob, Vec<ImportRowView>)> {
        let job = self.import_job(agent, customer_id, job_id).await?;
        let key = &self.policy.credentials_key;
        let rows = self
            .store
            .import_job_rows(job.id)
            .await?
            .into_iter()
            .map(|r| ImportRowView {
                temporary_password: r
                    .credential
                    .as_deref()
                    .and_then(|c| key.open(c, &credential_context(job.id, r.row))),
                row: r.row,
                status: r.status,
                user_id: r.user_id,
                user_principal_name: r.user_principal_name,
                errors: r.errors,
            })
            .collect();
        Ok((job, rows))
    }

    /// The job's temporary passwords, once: after this call they are gone.
    pub async fn take_import_credentials(
        &self,
        agent: &Agent,
        customer_id: Uuid,
        job_id: Uuid,
    ) -> Result<Vec<ImportCredential>> {
        require(agent, &[AgentRole::Admin])?;
        let sealed = self.store.take_import_credentials(agent.partner_id, customer_id, job_id).await?;
        let key = &self.policy.credentials_key;
        Ok(sealed
            .into_iter()
            .filter_map(|c| {
                let password = key.open(&c.credential, &credential_context(job_id, c.row));
                if password.is_none() {
                    tracing::warn!(%job_id, row = c.row, "an import credential could not be opened; was the credentials key changed?");
                }
                Some(ImportCredential {
                    row: c.row,
                    user_principal_name: c.user_principal_name,
                    display_name: c.display_name,
                    temporary_password: password?,
                })
            })
            .collect())
    }

    /// Runs one import job, if one is waiting or was left by a worker that stopped,
    /// to the end. A transaction creates the users of whole batches and records
    /// their rows, so a crash at any point leaves every row either done once or
    /// still pending. Returns whether there was a job.
    pub async fn run_next_import(&self) -> Result<bool> {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        self.run_next_import_until(&stop).await
    }

    /// As `run_next_import`, until `stop` turns true: then no further batch is
    /// prepared, the batches already handed to the writer are committed, and the
    /// job's lease is released at once, so another instance (or this one, started
    /// again) takes the job without waiting for the lease to run out.
    pub async fn run_next_import_until(&self, stop: &tokio::sync::watch::Receiver<bool>) -> Result<bool> {
        let now = self.now();
        let Some(job) = self.store.claim_import_job(now + self.policy.import_lease, now).await? else {
            return Ok(false);
        };
        tracing::info!(job_id = %job.id, total = job.total, done = job.processed, "running an import job");
        let rules = std::sync::Arc::new((
            self.store.catalog().await?,
            self.owned_products(job.partner_id, job.customer_id).await?,
        ));
        // Batches are pipelined: while one is written, the next is read and
        // prepared (parsed, passwords made and sealed) on another thread. The store
        // writes them one at a time, in row order.
        let (sender, batches) = tokio::sync::mpsc::channel(1);
        let prepare = {
            let (job, rules) = (&job, &rules);
            async move {
                let mut after = 0;
                while !*stop.borrow() {
                    let Some((last, work)) = self.prepare_import_batch(job, rules, after).await? else { break };
                    let now = self.now();
                    let batch = ImportBatch { work, now, lease_until: now + self.policy.import_lease };
                    // A closed channel means the writer stopped; its error is the one to report.
                    if sender.send(batch).await.is_err() {
                        break;
                    }
                    after = last;
                }
                Ok::<(), Error>(())
            }
        };
        let write = self.store.record_import_batches(&job, batches, self.policy.import_transaction_rows);
        let (written, prepared) = tokio::join!(write, prepare);
        written?;
        prepared?;
        // Rows finished by this run, for `/metrics`.
        if let Some(after) = self.store.get_import_job(job.partner_id, job.customer_id, job.id).await? {
            self.metrics.imported_rows(u64::try_from(after.processed - job.processed).unwrap_or(0));
        }
        // Marks the job done only when no row is pending.
        self.store.finish_import_job(job.id, self.now()).await?;
        if *stop.borrow() {
            self.store.release_import_job(job.id, self.now()).await?;
            tracing::info!(job_id = %job.id, "stopped an import job between transactions; its lease is released");
        }
        Ok(true)
    }

    /// Reads the pending rows after `after` and turns each into the user to create,
    /// or the reason it cannot be; `None` when none are left.
    async fn prepare_import_batch(
        &self,
        job: &ImportJob,
        rules: &std::sync::Arc<(crate::catalog::Catalog, std::collections::BTreeSet<ProductId>)>,
        after: i64,
    ) -> Result<Option<(i64, Vec<ImportRowWork>)>> {
        let pending = self.store.pending_import_rows(job.id, after, self.policy.import_batch.max(1) as i64).await?;
        let Some(&(last, _)) = pending.last() else { return Ok(None) };
        let (services, rules, job_id) = (self.clone(), rules.clone(), job.id);
        let work = tokio::task::spawn_blocking(move || {
            let (catalog, owned) = &*rules;
            let now = services.now();
            pending
                .into_iter()
                .map(|(row, payload)| {
                    let user = serde_json::from_str::<RowPayload>(&payload)
                        .map_err(|e| Error::validation("row", e.to_string()))
                        .and_then(|p| p.to_new_user().map_err(|e| Error::validation("row", e)))
                        .and_then(|user| check_new_user_licenses(catalog, owned, user));
                    match user {
                        Ok(user) => {
                            let (record, password) = services.new_record(user, now);
                            let credential =
                                services.policy.credentials_key.seal(&password, &credential_context(job_id, row));
                            ImportRowWork::Create { row, record: Box::new(record), credential }
                        }
                        Err(e) => ImportRowWork::Fail {
                            row,
                            errors: vec![ImportRowError {
                                column: None,
                                code: e.code().into(),
                                message: e.to_string(),
                                words: None,
                            }],
                        },
                    }
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(Error::internal)?;
        Ok(Some((last, work)))
    }
}
