//! The `roster` binary: operator commands that work on the database directly, and
//! client commands that call a running server's API.
//!
//! Configuration is layered: defaults, then `ROSTER_*` environment variables, then
//! flags. Every variable is listed in the README.

pub mod backup;
mod client;
mod demo;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use roster_core::services::RateLimits;
use roster_core::{Policy, Services, Store, SystemClock};
use roster_http::{Application, ServerConfig, spawn_import_worker_until, spawn_purger};
use serde_json::json;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "Users and licenses for a partner's customers")]
pub struct Cli {
    /// sqlite://FILE?mode=rwc or postgres://…
    #[arg(
        long,
        env = "ROSTER_DATABASE_URL",
        default_value = "sqlite://roster.db?mode=rwc",
        global = true,
        hide_env_values = true
    )]
    pub database_url: DatabaseUrl,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and create a partner with one admin agent.
    Init {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        json: bool,
    },
    /// Partners (tenants).
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// The partner's staff.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The product catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Apply the database migrations.
    Migrate,
    /// Copy a live SQLite database into FILE (consistent, while serve runs).
    /// PostgreSQL: use pg_dump.
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check a backup, then put it in place of the SQLite database. Stop every
    /// `roster serve` on that database first.
    RestoreBackup {
        file: std::path::PathBuf,
        /// Replace an existing database (kept as FILE.before-restore).
        #[arg(long)]
        replace: bool,
    },
    /// Serve the API and the sign-in pages.
    Serve(ServeArgs),
    /// Create a demo partner with customers and users, then serve.
    Demo(ServeArgs),
    /// Customers' users, through a server's API.
    #[command(subcommand)]
    Users(client::UsersCommand),
    /// Customers' subscriptions, through a server's API.
    #[command(subcommand)]
    Subscriptions(client::SubscriptionsCommand),
    /// Assign or remove licenses for many users, through a server's API.
    #[command(subcommand)]
    Licenses(client::LicensesCommand),
    /// Import users from a file, through a server's API, with a progress bar.
    #[command(subcommand)]
    Import(client::ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import a catalog file (JSON, see API.md); upserts by product id, all or nothing.
    Import { file: std::path::PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    Create {
        #[arg(long)]
        partner: Uuid,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "sales", "helpdesk"])]
        role: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    Create {
        /// The agent's email.
        #[arg(long)]
        agent: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Days a deleted user can be restored.
    #[arg(long, env = "ROSTER_RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: i64,
    /// Days a temporary password stays valid.
    #[arg(long, env = "ROSTER_TEMP_PASSWORD_DAYS", default_value_t = 14)]
    pub temp_password_days: i64,
    /// Seconds between purges of users past their restore window.
    #[arg(long, env = "ROSTER_PURGE_INTERVAL_SECS", default_value_t = 300)]
    pub purge_interval_secs: u64,
    /// Mark cookies Secure (serve over HTTPS).
    #[arg(long, env = "ROSTER_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 32 bytes in base64 that seal the temporary passwords an import keeps until
    /// they are delivered. Every instance sharing a database needs the same key;
    /// without one, a key is made for this process, and an import interrupted by a
    /// restart cannot hand out the passwords it had already made.
    #[arg(long, env = "ROSTER_CREDENTIALS_KEY", hide_env_values = true)]
    pub credentials_key: Option<String>,
    /// Seconds an import worker holds a job without progress before another takes it.
    #[arg(long, env = "ROSTER_IMPORT_LEASE_SECS", default_value_t = 30)]
    pub import_lease_secs: i64,
    /// Where the console emails temporary passwords: smtp://HOST:PORT (plain),
    /// smtp+starttls://HOST:PORT or smtps://HOST:PORT, with optional USER:PASS@.
    /// Without it the console offers no Email button.
    #[arg(long, env = "ROSTER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of those emails.
    #[arg(long, env = "ROSTER_SMTP_FROM", default_value = "roster@localhost")]
    pub smtp_from: String,
    /// API requests a minute per token, across every instance; 0 turns it off.
    #[arg(long, env = "ROSTER_RATE_LIMIT_PER_TOKEN", default_value_t = RateLimits::default().per_token)]
    pub rate_limit_per_token: u32,
    /// API requests a minute per source address, across every instance; 0 turns it off.
    #[arg(long, env = "ROSTER_RATE_LIMIT_PER_ADDRESS", default_value_t = RateLimits::default().per_address)]
    pub rate_limit_per_address: u32,
    /// Seconds a request's head may take to arrive (and a kept-alive connection may sit idle).
    #[arg(long, env = "ROSTER_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// Seconds a request's body may take to arrive, from its head.
    #[arg(long, env = "ROSTER_BODY_TIMEOUT_SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,
    /// Seconds a request may take from its head to its answer.
    #[arg(long, env = "ROSTER_REQUEST_TIMEOUT_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Seconds a SIGTERM or Ctrl-C leaves requests in flight, and the import
    /// batch being written, to finish before the process exits.
    #[arg(long, env = "ROSTER_SHUTDOWN_GRACE", default_value_t = 30)]
    pub shutdown_grace: u64,
    /// Turns `GET /metrics` on: scrapers send `Authorization: Bearer <this token>`.
    /// Without it (or empty), `/metrics` answers 404.
    #[arg(long, env = "ROSTER_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

/// A database URL whose `Debug` and `Display` hide the password.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("sqlite:") || s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(Self(s.to_owned()))
        } else {
            Err("use sqlite://FILE?mode=rwc or postgres://USER@HOST/DB".into())
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.split_once("://"), self.0.rfind('@')) {
            (Some((scheme, rest)), Some(at)) if rest.contains(':') && at > scheme.len() => {
                let userinfo = &self.0[scheme.len() + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                write!(f, "{scheme}://{user}:***{}", &self.0[at..])
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

pub async fn open_store(url: &DatabaseUrl) -> anyhow::Result<Arc<dyn Store>> {
    let raw = url.expose();
    let store: Arc<dyn Store> = if raw.starts_with("sqlite:") {
        Arc::new(roster_sqlite::SqliteStore::connect(raw).await.with_context(|| format!("opening {url}"))?)
    } else {
        Arc::new(roster_postgres::PgStore::connect(raw).await.with_context(|| format!("connecting to {url}"))?)
    };
    Ok(store)
}

/// Logs to stderr, filtered by `ROSTER_LOG`, as text or, with
/// `ROSTER_LOG_FORMAT=json`, one JSON object a line (its spans, the request's
/// `request_id` among them, under `span` and `spans`).
fn init_tracing() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match std::env::var("ROSTER_LOG_FORMAT").as_deref() {
        Err(std::env::VarError::NotPresent) | Ok("" | "text") => {
            let _ = builder.try_init();
        }
        Ok("json") => {
            let _ = builder.json().with_current_span(true).with_span_list(true).try_init();
        }
        Ok(other) => bail!("ROSTER_LOG_FORMAT must be text or json, not {other:?}"),
        Err(std::env::VarError::NotUnicode(_)) => bail!("ROSTER_LOG_FORMAT must be text or json"),
    }
    Ok(())
}

fn policy(args: &ServeArgs) -> anyhow::Result<Policy> {
    if args.retention_days < 1 || args.temp_password_days < 1 {
        bail!("--retention-days and --temp-password-days must be at least 1");
    }
    if args.import_lease_secs < 1 {
        bail!("--import-lease-secs must be at least 1");
    }
    let credentials_key = match &args.credentials_key {
        Some(key) => roster_core::secrets::CredentialsKey::from_base64(key).map_err(anyhow::Error::msg)?,
        None => {
            tracing::warn!(
                "ROSTER_CREDENTIALS_KEY is not set; import passwords kept by this process cannot be read after a restart"
            );
            roster_core::secrets::CredentialsKey::generate()
        }
    };
    Ok(Policy {
        retention: time::Duration::days(args.retention_days),
        temporary_password_ttl: time::Duration::days(args.temp_password_days),
        credentials_key,
        import_lease: time::Duration::seconds(args.import_lease_secs),
        ..Policy::default()
    })
}

/// Applies the migrations this binary knows; refuses a database that a newer
/// Roster has migrated, rather than run on a schema this binary does not know.
async fn migrate(store: &dyn Store, url: &DatabaseUrl) -> anyhow::Result<()> {
    let status = store.schema_status().await.context("reading the database's migrations")?;
    if !status.unknown.is_empty() {
        let unknown: Vec<String> = status.unknown.iter().map(i64::to_string).collect();
        bail!(
            "the database at {url} was migrated by a newer Roster: its migration(s) {} are unknown to this binary \
             (roster {}); run that newer Roster, or restore a backup taken before the upgrade",
            unknown.join(", "),
            env!("CARGO_PKG_VERSION")
        );
    }
    store.migrate().await.context("applying migrations")
}

async fn services(url: &DatabaseUrl, policy: Policy) -> anyhow::Result<Arc<Services>> {
    let store = open_store(url).await?;
    migrate(store.as_ref(), url).await?;
    Ok(Arc::new(Services::new(store, Arc::new(SystemClock), policy)))
}

/// What `init` prints; also what `demo` prints for its admin.
pub struct Initialized {
    pub partner_id: Uuid,
    pub agent_id: Uuid,
    pub password: String,
    pub api_token: String,
}

pub async fn init(services: &Services, partner: &str, admin_email: &str) -> anyhow::Result<Initialized> {
    let partner = services.create_partner(partner).await?;
    let (agent, password) = services.create_agent(partner.id, admin_email, "admin").await?;
    let (_, token) = services.create_token(&agent.email).await?;
    Ok(Initialized {
        partner_id: partner.id,
        agent_id: agent.id,
        password: password.expose().to_owned(),
        api_token: token.expose().to_owned(),
    })
}

async fn serve(services: Arc<Services>, args: &ServeArgs) -> anyhow::Result<()> {
    let smtp = args
        .smtp_url
        .as_deref()
        .map(|url| roster_http::console::SmtpConfig::parse(url, &args.smtp_from))
        .transpose()
        .map_err(|e| anyhow::anyhow!("ROSTER_SMTP_URL: {e}"))?;
    let app = Application::build(
        services.clone(),
        ServerConfig {
            listen: args.listen.clone(),
            secure_cookies: args.secure_cookies,
            smtp,
            rate_limits: RateLimits { per_token: args.rate_limit_per_token, per_address: args.rate_limit_per_address },
            header_timeout: Duration::from_secs(args.header_timeout_secs),
            body_timeout: Duration::from_secs(args.body_timeout_secs),
            request_timeout: Duration::from_secs(args.request_timeout_secs),
            metrics_token: args.metrics_token.clone().and_then(roster_http::metrics::MetricsToken::new),
            ..ServerConfig::default()
        },
    )
    .await
    .with_context(|| format!("listening on {}", args.listen))?;
    // Listening for SIGTERM before saying we listen: one sent at once is not lost.
    let signal = shutdown_signal()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    spawn_purger(services.clone(), Duration::from_secs(args.purge_interval_secs.max(1)));
    let worker = spawn_import_worker_until(services, Duration::from_millis(500), stopped.clone());
    println!("listening on http://{}", app.local_addr()?);
    let mut server_stopped = stopped;
    let mut server = tokio::spawn(app.run_with_shutdown(async move {
        let _ = server_stopped.wait_for(|s| *s).await;
    }));
    tokio::select! {
        result = &mut server => return Ok(result??),
        () = signal => {}
    }
    let grace = Duration::from_secs(args.shutdown_grace);
    tracing::info!(
        grace_secs = args.shutdown_grace,
        "stopping: no new connections; finishing the requests in flight and the import transaction being written"
    );
    let _ = stop.send(true);
    let finished = tokio::time::timeout(grace, async {
        let served = server.await;
        let _ = worker.await;
        served
    })
    .await;
    match finished {
        Ok(served) => served??,
        Err(_) => tracing::warn!(
            grace_secs = args.shutdown_grace,
            "requests or an import transaction were still running when the grace period ended; exiting"
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves at the first SIGTERM or Ctrl-C (SIGINT).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing()?;
    let url = &cli.database_url;
    match cli.command {
        Command::Init { partner, admin_email, json } => {
            let services = services(url, Policy::default()).await?;
            let done = init(&services, &partner, &admin_email).await?;
            if json {
                println!(
                    "{}",
                    json!({"partnerId": done.partner_id, "agentId": done.agent_id, "password": done.password, "apiToken": done.api_token})
                );
            } else {
                println!("partner:   {}", done.partner_id);
                println!("admin:     {admin_email}");
                println!("password:  {}   (shown once)", done.password);
                println!("API token: {}   (shown once)", done.api_token);
            }
        }
        Command::Partner(PartnerCommand::Create { name, json }) => {
            let services = services(url, Policy::default()).await?;
            let partner = services.create_partner(&name).await?;
            if json {
                println!("{}", json!({"partnerId": partner.id, "name": partner.name}));
            } else {
                println!("partner: {}", partner.id);
            }
        }
        Command::Agent(AgentCommand::Create { partner, email, role, json }) => {
            let services = services(url, Policy::default()).await?;
            let (agent, password) = services.create_agent(partner, &email, &role).await?;
            if json {
                println!(
                    "{}",
                    json!({"agentId": agent.id, "email": agent.email, "role": agent.role.as_str(), "password": password.expose()})
                );
            } else {
                println!("agent:    {} ({})", agent.email, agent.role.as_str());
                println!("password: {}   (shown once)", password.expose());
            }
        }
        Command::Token(TokenCommand::Create { agent, json }) => {
            let services = services(url, Policy::default()).await?;
            let (_, token) = services.create_token(&agent).await?;
            if json {
                println!("{}", json!({"token": token.expose()}));
            } else {
                println!("{}", token.expose());
            }
        }
        Command::Catalog(CatalogCommand::Import { file }) => {
            let services = services(url, Policy::default()).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let products = services.import_catalog(&bytes).await?;
            println!("imported {} products from {}", products.len(), file.display());
        }
        Command::Migrate => {
            let store = open_store(url).await?;
            migrate(store.as_ref(), url).await?;
            println!("migrations applied to {url}");
        }
        Command::Backup { out } => {
            backup::backup(url.expose(), &out).await?;
            println!("backed up {url} to {}", out.display());
        }
        Command::RestoreBackup { file, replace } => {
            let target = backup::restore(url.expose(), &file, replace).await?;
            println!("restored {} to {}", file.display(), target.display());
        }
        Command::Serve(args) => {
            let services = services(url, policy(&args)?).await?;
            serve(services, &args).await?;
        }
        Command::Demo(args) => {
            let services = services(url, policy(&args)?).await?;
            let demo = demo::seed(&services).await?;
            let app_url = format!("http://{}", args.listen);
            println!("Roster demo over {url}");
            println!("  API:       {app_url}/api/v1 (OpenAPI at {app_url}/api/v1/openapi.json)");
            println!("  console:   {app_url}/ (agents sign in at {app_url}/login)");
            println!("  users:     {app_url}/signin");
            println!("  agent:     {} / {}", demo::ADMIN_EMAIL, demo.password);
            println!("  API token: {}", demo.api_token);
            println!("  try:       curl -H 'Authorization: Bearer {}' {app_url}/api/v1/customers", demo.api_token);
            serve(services, &args).await?;
        }
        Command::Users(cmd) => client::run_users(cmd).await?,
        Command::Subscriptions(cmd) => client::run_subscriptions(cmd).await?,
        Command::Licenses(cmd) => client::run_licenses(cmd).await?,
        Command::Import(cmd) => client::run_import(cmd).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn database_urls_hide_their_password() {
        let url: DatabaseUrl =
            "postgres://roster:s3cret@db.example:5432/roster".parse().unwrap_or(DatabaseUrl(String::new()));
        assert!(!format!("{url} {url:?}").contains("s3cret"));
        assert!(format!("{url}").contains("db.example"));
    }
}
