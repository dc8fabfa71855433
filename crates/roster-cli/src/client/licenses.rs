//! `roster licenses`: assign or remove products for many users at once.

use super::{ApiClient, ClientError, Connection, json_line, print_rows};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use reqwest::Method;
use roster_api::{LicenseInput, LicenseUpdateInput, LicenseUpdateResponse};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Args)]
pub struct LicenseTarget {
    #[command(flatten)]
    pub conn: Connection,
    #[arg(long)]
    pub customer: Uuid,
    /// A file of users, one user id or username (name@domain) per line.
    #[arg(long, conflicts_with = "filter", required_unless_present = "filter")]
    pub users: Option<std::path::PathBuf>,
    /// The users a list filter selects, as in the API: "license=none&usageLocation=FR".
    #[arg(long)]
    pub filter: Option<String>,
    #[arg(long = "product", required = true)]
    pub products: Vec<String>,
    /// Nothing changes unless every user succeeds.
    #[arg(long)]
    pub atomic: bool,
    /// Show what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum LicensesCommand {
    /// Assign products to users.
    Assign {
        #[command(flatten)]
        target: LicenseTarget,
        /// Service plans to turn off in the assigned products; the list replaces a
        /// holder's. Without it, users who already hold a product keep their plans.
        #[arg(long = "disable-plan")]
        disable_plans: Vec<String>,
    },
    /// Remove products from users.
    Remove {
        #[command(flatten)]
        target: LicenseTarget,
    },
}

impl ApiClient {
    pub async fn update_licenses(
        &self,
        customer: Uuid,
        update: &LicenseUpdateInput,
    ) -> Result<LicenseUpdateResponse, ClientError> {
        let path = format!("/customers/{customer}/license-updates");
        self.json(self.request(Method::POST, &path).json(update)).await
    }
}

/// The user ids a target names, in order.
async fn target_users(api: &ApiClient, t: &LicenseTarget) -> anyhow::Result<Vec<Uuid>> {
    if let Some(file) = &t.users {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let mut ids = Vec::new();
        for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Ok(id) = Uuid::parse_str(line) {
                ids.push(id);
                continue;
            }
            let query = [("search".to_owned(), line.to_owned()), ("limit".to_owned(), "50".to_owned())];
            let found = api.users_page(t.customer, &query, None).await?;
            match found.items.iter().find(|u| u.user_principal_name.eq_ignore_ascii_case(line)) {
                Some(user) => ids.push(user.id),
                None => bail!("{}:{n}: no active user {line:?}", file.display()),
            }
        }
        return Ok(ids);
    }
    // The filter goes to the API as it was written, pair by pair.
    let filter = t.filter.clone().unwrap_or_default();
    let mut query: Vec<(String, String)> = filter
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (kv.to_owned(), String::new()),
        })
        .collect();
    query.push(("limit".into(), "500".into()));
    let (users, _) = api.all_users(t.customer, &query, None).await?;
    Ok(users.into_iter().map(|u| u.id).collect())
}

/// A user's result as the table shows it: the errors on one line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultRow {
    user_id: Uuid,
    status: String,
    assigned: Vec<String>,
    removed: Vec<String>,
    errors: String,
}

pub async fn run_licenses(cmd: LicensesCommand) -> anyhow::Result<()> {
    let (target, assign, remove) = match cmd {
        LicensesCommand::Assign { target, disable_plans } => {
            let assign = target
                .products
                .iter()
                .map(|p| LicenseInput {
                    product_id: p.clone(),
                    disabled_service_plans: (!disable_plans.is_empty()).then(|| disable_plans.clone()),
                })
                .collect();
            (target, assign, Vec::new())
        }
        LicensesCommand::Remove { target } => {
            let remove = target.products.clone();
            (target, Vec::new(), remove)
        }
    };
    let api = target.conn.client();
    let user_ids = target_users(&api, &target).await?;
    if user_ids.is_empty() {
        bail!("no users selected");
    }
    let update = LicenseUpdateInput {
        user_ids,
        assign,
        remove,
        mode: Some(if target.atomic { "atomic" } else { "partial" }.to_owned()),
        dry_run: target.dry_run,
    };
    let outcome = api.update_licenses(target.customer, &update).await?;
    if target.conn.json {
        println!("{}", json_line(&outcome)?);
        return Ok(());
    }
    let rows: Vec<ResultRow> = outcome
        .results
        .into_iter()
        .map(|r| ResultRow {
            errors: r
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.product_id.as_deref().unwrap_or("user"), e.code))
                .collect::<Vec<_>>()
                .join("; "),
            user_id: r.user_id,
            status: r.status,
            assigned: r.assigned,
            removed: r.removed,
        })
        .collect();
    print_rows(
        &target.conn,
        &rows,
        &[
            ("userId", "USER"),
            ("status", "STATUS"),
            ("assigned", "ASSIGNED"),
            ("removed", "REMOVED"),
            ("errors", "ERRORS"),
        ],
    )?;
    let s = &outcome.summary;
    eprintln!(
        "{} succeeded, {} failed, {} unchanged{}",
        s.succeeded,
        s.failed,
        s.unchanged,
        if outcome.dry_run {
            " (dry run: nothing changed)"
        } else if !outcome.applied {
            " (atomic: nothing changed)"
        } else {
            ""
        }
    );
    Ok(())
}
