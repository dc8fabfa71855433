//! Client commands: they call a running server's API with `--server` and `--token`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, Args)]
pub struct Connection {
    #[arg(long, env = "ROSTER_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[arg(long, env = "ROSTER_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Print JSON instead of a table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum State {
    Active,
    Deleted,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List a customer's users; filters combine with AND.
    List {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long, value_enum)]
        state: Option<State>,
        #[arg(long)]
        search: Option<String>,
        /// PRODUCT_ID, none or any
        #[arg(long)]
        license: Option<String>,
        /// a role, or any
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        usage_location: Option<String>,
        /// allowed or blocked
        #[arg(long)]
        sign_in: Option<String>,
        /// displayName, userPrincipalName or createdAt, - for descending
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        cursor: Option<String>,
        /// Follow the cursors to the end.
        #[arg(long)]
        all: bool,
    },
    /// Create a user; prints the temporary password once.
    Create {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        /// The local part, or name@domain.
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        #[arg(long)]
        usage_location: Option<String>,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    Get {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    /// Prints a new temporary password once.
    ResetPassword {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    Delete {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        user: Uuid,
    },
    /// Export the active users in the import template's columns (CSV or XLSX).
    Export {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        /// csv or xlsx
        #[arg(long, default_value = "csv")]
        format: String,
        /// The header language: en, fr, ru, zh-CN or it.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Restore deleted users within the retention window.
    Restore {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long = "user", required = true)]
        users: Vec<Uuid>,
    },
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(conn: &Connection) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1", conn.server.trim_end_matches('/')),
            token: conn.token.clone(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> anyhow::Result<Option<Value>> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token).query(query);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.with_context(|| format!("calling {}", self.base))?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            let body: Value = serde_json::from_str(&text).unwrap_or(json!({"message": text}));
            bail!(
                "{} {}: {}{}",
                status.as_u16(),
                body["code"].as_str().unwrap_or("error"),
                body["message"].as_str().unwrap_or(""),
                body.get("details").map(|d| format!(" {d}")).unwrap_or_default()
            );
        }
        Ok(if text.is_empty() { None } else { Some(serde_json::from_str(&text)?) })
    }

    /// A file the server sends, as bytes; an error answer becomes an error.
    async fn download(&self, method: reqwest::Method, path: &str, query: &[(&str, String)]) -> anyhow::Result<Vec<u8>> {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .query(query)
            .send()
            .await
            .with_context(|| format!("calling {}", self.base))?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if !status.is_success() {
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(json!({}));
            bail!(
                "{} {}: {}",
                status.as_u16(),
                body["code"].as_str().unwrap_or("error"),
                body["message"].as_str().unwrap_or("")
            );
        }
        Ok(bytes.to_vec())
    }

    /// Uploads a file as the raw body; the answer's status and JSON, whatever they are.
    async fn upload(
        &self,
        path: &str,
        query: &[(&str, String)],
        content_type: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<(u16, Value)> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .query(query)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await
            .with_context(|| format!("calling {}", self.base))?;
        let status = resp.status().as_u16();
        let text = resp.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(json!({"message": text}))))
    }

    /// A call whose answer is JSON (or nothing, read as `null`).
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        Ok(self.send(method, path, &[], body).await?.unwrap_or_default())
    }
}

const USER_COLUMNS: [(&str, &str); 6] = [
    ("id", "ID"),
    ("userPrincipalName", "USERNAME"),
    ("displayName", "DISPLAY NAME"),
    ("usageLocation", "LOCATION"),
    ("roles", "ROLES"),
    ("state", "STATE"),
];

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

use roster_core::export::csv_field;

fn print_rows(conn: &Connection, rows: &[Value], columns: &[(&str, &str)]) {
    if conn.json {
        println!("{}", serde_json::to_string_pretty(rows).unwrap_or_default());
        return;
    }
    let table: Vec<Vec<String>> = rows.iter().map(|r| columns.iter().map(|(k, _)| cell(&r[*k])).collect()).collect();
    if conn.csv {
        println!("{}", columns.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(","));
        for row in table {
            println!("{}", row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        }
        return;
    }
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, h))| table.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max(h.len()))
        .collect();
    let line = |cells: Vec<String>| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_owned()
    };
    println!("{}", line(columns.iter().map(|(_, h)| (*h).to_owned()).collect()));
    for row in table {
        println!("{}", line(row));
    }
}

pub async fn run_users(cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::List {
            conn,
            customer,
            state,
            search,
            license,
            role,
            usage_location,
            sign_in,
            sort,
            limit,
            cursor,
            all,
        } => {
            let api = Api::new(&conn);
            let mut query: Vec<(&str, String)> = vec![("limit", limit.to_string())];
            let optional = [
                (
                    "state",
                    state.map(|s| match s {
                        State::Active => "active".to_owned(),
                        State::Deleted => "deleted".to_owned(),
                    }),
                ),
                ("search", search),
                ("license", license),
                ("role", role),
                ("usageLocation", usage_location),
                ("signIn", sign_in),
                ("sort", sort),
            ];
            query.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
            let mut rows = Vec::new();
            let mut cursor = cursor;
            let total = loop {
                let mut q = query.clone();
                if let Some(c) = &cursor {
                    q.push(("cursor", c.clone()));
                }
                let page = api
                    .send(reqwest::Method::GET, &format!("/customers/{customer}/users"), &q, None)
                    .await?
                    .unwrap_or_default();
                rows.extend(page["items"].as_array().cloned().unwrap_or_default());
                cursor = page["cursors"]["next"].as_str().map(str::to_owned);
                if !all || cursor.is_none() {
                    break page["totalCount"].as_i64().unwrap_or(0);
                }
            };
            print_rows(&conn, &rows, &USER_COLUMNS);
            if !conn.json && !conn.csv {
                eprintln!(
                    "{} of {total} users{}",
                    rows.len(),
                    cursor.map(|c| format!("; next page: --cursor {c}")).unwrap_or_default()
                );
            }
        }
        UsersCommand::Create {
            conn,
            customer,
            user_name,
            domain,
            display_name,
            first_name,
            last_name,
            usage_location,
            roles,
        } => {
            let api = Api::new(&conn);
            let body = json!({
                "userName": user_name, "domain": domain, "displayName": display_name, "firstName": first_name,
                "lastName": last_name, "usageLocation": usage_location, "roles": roles,
            });
            let created = api.call(reqwest::Method::POST, &format!("/customers/{customer}/users"), Some(body)).await?;
            if conn.json {
                println!("{created}");
            } else {
                print_rows(
                    &conn,
                    &[
                        json!({"id": created["user"]["id"], "userPrincipalName": created["user"]["userPrincipalName"], "temporaryPassword": created["temporaryPassword"]}),
                    ],
                    &[
                        ("id", "ID"),
                        ("userPrincipalName", "USERNAME"),
                        ("temporaryPassword", "TEMPORARY PASSWORD (shown once)"),
                    ],
                );
            }
        }
        UsersCommand::Get { conn, customer, user } => {
            let api = Api::new(&conn);
            let u = api.call(reqwest::Method::GET, &format!("/customers/{customer}/users/{user}"), None).await?;
            if conn.json { println!("{u}") } else { print_rows(&conn, &[u], &USER_COLUMNS) }
        }
        UsersCommand::ResetPassword { conn, customer, user } => {
            let api = Api::new(&conn);
            let r = api
                .call(reqwest::Method::POST, &format!("/customers/{customer}/users/{user}/reset-password"), None)
                .await?;
            if conn.json {
                println!("{r}");
            } else {
                print_rows(
                    &conn,
                    &[r],
                    &[("temporaryPassword", "TEMPORARY PASSWORD (shown once)"), ("expiresAt", "EXPIRES")],
                );
            }
        }
        UsersCommand::Delete { conn, customer, user } => {
            let api = Api::new(&conn);
            api.send(reqwest::Method::DELETE, &format!("/customers/{customer}/users/{user}"), &[], None).await?;
            if conn.json {
                println!("{}", json!({"userId": user, "state": "deleted"}))
            } else {
                println!("deleted {user}")
            }
        }
        UsersCommand::Export { conn, customer, format, lang, out } => {
            let api = Api::new(&conn);
            let path = format!("/customers/{customer}/users/export");
            let bytes = api.download(reqwest::Method::GET, &path, &[("format", format), ("lang", lang)]).await?;
            match out {
                Some(out) => std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
        }
        UsersCommand::Restore { conn, customer, users } => {
            let api = Api::new(&conn);
            let r = api
                .send(
                    reqwest::Method::POST,
                    &format!("/customers/{customer}/users/restore"),
                    &[],
                    Some(json!({"userIds": users})),
                )
                .await?
                .unwrap_or_default();
            let results: Vec<Value> = r["results"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut item| {
                    item["error"] = item["error"]["code"].clone();
                    item
                })
                .collect();
            print_rows(
                &conn,
                &results,
                &[
                    ("userId", "USER"),
                    ("status", "STATUS"),
                    ("restoredLicenses", "RESTORED LICENSES"),
                    ("error", "ERROR"),
                ],
            );
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Each product the customer owns, with quantity, assigned and available seats.
    List {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
    },
    /// Buy seats of a product the customer does not own yet.
    Buy {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        product: String,
        #[arg(long)]
        quantity: i64,
    },
    /// Buy more seats, or give some back (never below the seats assigned).
    SetQuantity {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        #[arg(long)]
        subscription: Uuid,
        #[arg(long)]
        quantity: i64,
    },
}

const SUBSCRIPTION_COLUMNS: [(&str, &str); 6] = [
    ("id", "ID"),
    ("productId", "PRODUCT"),
    ("productName", "NAME"),
    ("quantity", "TOTAL"),
    ("assigned", "ASSIGNED"),
    ("available", "AVAILABLE"),
];

pub async fn run_subscriptions(cmd: SubscriptionsCommand) -> anyhow::Result<()> {
    let (conn, rows) = match cmd {
        SubscriptionsCommand::List { conn, customer } => {
            let list = Api::new(&conn)
                .call(reqwest::Method::GET, &format!("/customers/{customer}/subscriptions"), None)
                .await?;
            (conn, list.as_array().cloned().unwrap_or_default())
        }
        SubscriptionsCommand::Buy { conn, customer, product, quantity } => {
            let body = json!({"productId": product, "quantity": quantity});
            let s = Api::new(&conn)
                .call(reqwest::Method::POST, &format!("/customers/{customer}/subscriptions"), Some(body))
                .await?;
            (conn, vec![s])
        }
        SubscriptionsCommand::SetQuantity { conn, customer, subscription, quantity } => {
            let path = format!("/customers/{customer}/subscriptions/{subscription}");
            let s = Api::new(&conn).call(reqwest::Method::PATCH, &path, Some(json!({"quantity": quantity}))).await?;
            (conn, vec![s])
        }
    };
    print_rows(&conn, &rows, &SUBSCRIPTION_COLUMNS);
    Ok(())
}

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
        /// Service plans to turn off in the assigned products.
        #[arg(long = "disable-plan")]
        disable_plans: Vec<String>,
    },
    /// Remove products from users.
    Remove {
        #[command(flatten)]
        target: LicenseTarget,
    },
}

/// The user ids a target names, in order.
async fn target_users(api: &Api, t: &LicenseTarget) -> anyhow::Result<Vec<String>> {
    let list_path = format!("/customers/{}/users", t.customer);
    if let Some(file) = &t.users {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let mut ids = Vec::new();
        for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if Uuid::parse_str(line).is_ok() {
                ids.push(line.to_owned());
                continue;
            }
            let found = api
                .send(reqwest::Method::GET, &list_path, &[("search", line.to_owned()), ("limit", "50".into())], None)
                .await?
                .unwrap_or_default();
            let exact = found["items"].as_array().and_then(|items| {
                items.iter().find(|u| u["userPrincipalName"].as_str().is_some_and(|upn| upn.eq_ignore_ascii_case(line)))
            });
            match exact.and_then(|u| u["id"].as_str()) {
                Some(id) => ids.push(id.to_owned()),
                None => bail!("{}:{n}: no active user {line:?}", file.display()),
            }
        }
        return Ok(ids);
    }
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
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let page = api.send(reqwest::Method::GET, &list_path, &q, None).await?.unwrap_or_default();
        ids.extend(page["items"].as_array().into_iter().flatten().filter_map(|u| u["id"].as_str().map(str::to_owned)));
        cursor = page["cursors"]["next"].as_str().map(str::to_owned);
        if cursor.is_none() {
            return Ok(ids);
        }
    }
}

pub async fn run_licenses(cmd: LicensesCommand) -> anyhow::Result<()> {
    let (target, assign, remove) = match cmd {
        LicensesCommand::Assign { target, disable_plans } => {
            let assign: Vec<Value> = target
                .products
                .iter()
                .map(|p| json!({"productId": p, "disabledServicePlans": disable_plans}))
                .collect();
            (target, assign, Vec::new())
        }
        LicensesCommand::Remove { target } => {
            let remove = target.products.clone();
            (target, Vec::new(), remove)
        }
    };
    let api = Api::new(&target.conn);
    let users = target_users(&api, &target).await?;
    if users.is_empty() {
        bail!("no users selected");
    }
    let body = json!({
        "userIds": users, "assign": assign, "remove": remove,
        "mode": if target.atomic { "atomic" } else { "partial" }, "dryRun": target.dry_run,
    });
    let outcome =
        api.call(reqwest::Method::POST, &format!("/customers/{}/license-updates", target.customer), Some(body)).await?;
    if target.conn.json {
        println!("{outcome}");
        return Ok(());
    }
    let rows: Vec<Value> = outcome["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut r| {
            let errors: Vec<String> = r["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| format!("{}: {}", e["productId"].as_str().unwrap_or("user"), e["code"].as_str().unwrap_or("")))
                .collect();
            r["errors"] = json!(errors.join("; "));
            r
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
    );
    let s = &outcome["summary"];
    eprintln!(
        "{} succeeded, {} failed, {} unchanged{}",
        s["succeeded"],
        s["failed"],
        s["unchanged"],
        match (outcome["dryRun"].as_bool(), outcome["applied"].as_bool()) {
            (Some(true), _) => " (dry run: nothing changed)",
            (_, Some(false)) => " (atomic: nothing changed)",
            _ => "",
        }
    );
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import users from a CSV (any encoding or delimiter Excel saves) or XLSX file:
    /// every row is checked first, then a background job creates them in batches.
    Users {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        customer: Uuid,
        file: std::path::PathBuf,
        /// Check the file and print every problem; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The usage location of rows that give none (ISO 3166 alpha-2).
        #[arg(long)]
        location: Option<String>,
        /// Write the usernames and temporary passwords here (mode 0600) instead of
        /// printing them. They can be fetched only once.
        #[arg(long)]
        credentials_out: Option<std::path::PathBuf>,
    },
}

const ROW_ERROR_COLUMNS: [(&str, &str); 4] =
    [("row", "ROW"), ("column", "COLUMN"), ("code", "CODE"), ("message", "MESSAGE")];

/// One line per problem: row, column, code and message.
fn row_problems(rows: &Value) -> Vec<Value> {
    rows.as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| {
            r["errors"].as_array().cloned().unwrap_or_default().into_iter().map(
                move |e| json!({"row": r["row"], "column": e["column"], "code": e["code"], "message": e["message"]}),
            )
        })
        .collect()
}

pub async fn run_import(cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Users { conn, customer, file, dry_run, location, credentials_out } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let content_type = if bytes.starts_with(b"PK\x03\x04") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    let api = Api::new(&conn);
    let mut query = vec![("dryRun", dry_run.to_string())];
    if let Some(l) = &location {
        query.push(("location", l.clone()));
    }
    let path = format!("/customers/{customer}/imports");
    let (status, body) = api.upload(&path, &query, content_type, bytes).await?;
    let problems = match status {
        200 => row_problems(&body["rows"]),
        202 => Vec::new(),
        400 if body["details"]["rows"].is_array() => row_problems(&body["details"]["rows"]),
        _ => bail!(
            "{status} {}: {}{}",
            body["code"].as_str().unwrap_or("error"),
            body["message"].as_str().unwrap_or(""),
            body.get("details").map(|d| format!(" {d}")).unwrap_or_default()
        ),
    };
    if !problems.is_empty() {
        print_rows(&conn, &problems, &ROW_ERROR_COLUMNS);
        let rows = problems.iter().map(|p| p["row"].as_i64()).collect::<std::collections::BTreeSet<_>>().len();
        bail!("{rows} rows have problems; nothing was imported");
    }
    if dry_run {
        eprintln!("{} rows checked; every row can be imported", body["total"]);
        return Ok(());
    }
    let job_id = body["id"].as_str().context("the server did not name the job")?.to_owned();
    let total = body["total"].as_u64().unwrap_or(0);
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    loop {
        let job = api.call(reqwest::Method::GET, &format!("{path}/{job_id}?results=false"), None).await?;
        bar.set_position(job["processed"].as_u64().unwrap_or(0));
        if matches!(job["status"].as_str(), Some("succeeded" | "failed")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let job = api.call(reqwest::Method::GET, &format!("{path}/{job_id}"), None).await?;
    bar.finish_and_clear();
    let failed: Vec<Value> =
        job["results"].as_array().into_iter().flatten().filter(|r| r["status"] == "failed").cloned().collect();
    if !failed.is_empty() {
        print_rows(&conn, &row_problems(&Value::Array(failed)), &ROW_ERROR_COLUMNS);
    }
    eprintln!(
        "import {}: {} created, {} failed of {}",
        job["status"].as_str().unwrap_or("?"),
        job["created"],
        job["failed"],
        job["total"]
    );
    let credentials_path = format!("{path}/{job_id}/credentials");
    match credentials_out {
        Some(out) => {
            // The server's CSV, as the console downloads it.
            let csv = api.download(reqwest::Method::POST, &credentials_path, &[("format", "csv".into())]).await?;
            write_private(&out, &csv)?;
            let written = String::from_utf8_lossy(&csv).lines().count().saturating_sub(1);
            eprintln!("{written} temporary passwords written to {}", out.display());
        }
        None => {
            let credentials = api.call(reqwest::Method::POST, &credentials_path, None).await?;
            let credentials = credentials["credentials"].as_array().cloned().unwrap_or_default();
            let columns = [
                ("userPrincipalName", "USERNAME"),
                ("displayName", "DISPLAY NAME"),
                ("temporaryPassword", "TEMPORARY PASSWORD"),
            ];
            print_rows(&conn, &credentials, &columns);
        }
    }
    if job["status"] != "succeeded" {
        bail!("the import did not finish");
    }
    Ok(())
}

/// Writes `bytes` into a file only its owner can read, made so before the first
/// byte is written.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    // An existing file keeps its mode on open; narrow it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    Ok(())
}
