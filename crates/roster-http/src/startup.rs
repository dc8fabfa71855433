//! Building and running the server. `Application::build` binds first and reports
//! the real port, so tests can bind to port 0.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use roster_core::Services;
use roster_core::services::{RateLimiter, RateLimits};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: String,
    /// Mark cookies `Secure`; set it whenever Roster is served over HTTPS.
    pub secure_cookies: bool,
    /// Large enough for a license update of 100,000 user ids.
    pub max_body_bytes: usize,
    /// Where the console sends temporary passwords by email; none turns Email off.
    pub smtp: Option<crate::console::SmtpConfig>,
    /// The API's requests per minute per token and per source address.
    pub rate_limits: RateLimits,
    /// How long a request's head may take to arrive (and a kept-alive connection
    /// may sit idle).
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive, from its head.
    pub body_timeout: Duration,
    /// How long a request may take from its head to its answer.
    pub request_timeout: Duration,
    /// Turns `GET /metrics` on, for requests that bear this token.
    pub metrics_token: Option<crate::metrics::MetricsToken>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            max_body_bytes: 16 * 1024 * 1024,
            smtp: None,
            rate_limits: RateLimits::default(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(120),
            request_timeout: Duration::from_secs(300),
            metrics_token: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub config: Arc<ServerConfig>,
    /// This instance's shares of the API's rate limits.
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    pub fn new(services: Arc<Services>, config: ServerConfig) -> Self {
        let limiter = Arc::new(RateLimiter::new(config.rate_limits));
        Self { services, config: Arc::new(config), limiter }
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    header_timeout: Duration,
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    // Every changing POST of the API takes an Idempotency-Key; see api::idempotency.
    let keyed = axum::middleware::from_fn_with_state(state.clone(), crate::api::idempotency::keyed);
    let limited = axum::middleware::from_fn_with_state(state.clone(), crate::api::rate_limit::rate_limit);
    Router::new()
        .merge(crate::health::router())
        .merge(crate::metrics::router(&state))
        .nest("/api/v1", crate::api::router().route_layer(keyed).layer(limited))
        .merge(crate::signin::router())
        .merge(
            crate::console::router()
                .layer(axum::middleware::from_fn_with_state(state.clone(), crate::console::frame_errors)),
        )
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(crate::api::limits::refuse_oversized_heads))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::timeouts::limit_time))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::headers::security_headers))
        // Its events (at debug) go in request_id's span: no span of its own.
        .layer(TraceLayer::new_for_http().make_span_with(|_: &axum::http::Request<_>| tracing::Span::none()))
        // Router layers wrap each route after routing, so this sees the matched
        // route's template; it counts the refusals of the layers above as well.
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        // Outermost: every answer, refusals of the layers above included, has its id.
        .layer(axum::middleware::from_fn(crate::request_id::middleware))
        .with_state(state)
}

impl Application {
    pub async fn build(services: Arc<Services>, config: ServerConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(&config.listen).await?;
        let port = listener.local_addr()?.port();
        let header_timeout = config.header_timeout;
        let state = AppState::new(services, config);
        Ok(Self { listener, router: router(state), port, header_timeout })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        crate::serve::serve(self.listener, self.router, self.header_timeout, std::future::pending()).await
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_with_shutdown(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        crate::serve::serve(self.listener, self.router, self.header_timeout, shutdown).await
    }
}

/// Removes users whose restore window has passed, every `interval`. Safe to run on
/// every instance: each purge deletes with `RETURNING`, so no user is counted twice.
pub fn spawn_purger(services: Arc<Services>, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            match services.purge_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "purged users past their restore window"),
                Err(e) => crate::errors::log_background(&e),
            }
        }
    })
}

/// Runs import jobs in the background: each pass takes every runnable job to its
/// end, then waits `poll`, or until this instance queues a job, before looking
/// again. Any number of instances may run one; a job's lease keeps them from
/// working on it at once.
pub fn spawn_import_worker(services: Arc<Services>, poll: Duration) -> tokio::task::JoinHandle<()> {
    let (keep, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _keep = keep;
        run_import_worker(services, poll, stop).await;
    })
}

/// As `spawn_import_worker`, until `stop` turns true: the job being run commits
/// the transaction it is writing, releases its lease, and the task ends.
pub fn spawn_import_worker_until(
    services: Arc<Services>,
    poll: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_import_worker(services, poll, stop))
}

async fn run_import_worker(services: Arc<Services>, poll: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    // Beats every second, whether it runs a job or waits for one: `/readyz`
    // reads the beat to know the worker is alive.
    let mut beat = tokio::time::interval(Duration::from_secs(1));
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !*stop.borrow() {
        match beating(&services, &mut beat, services.run_next_import_until(&stop)).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => crate::errors::log_background(&e),
        }
        let stopped = async {
            if stop.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = beating(&services, &mut beat, services.wait_for_import(poll)) => {}
            () = stopped => {}
        }
    }
}

/// Runs `work` to its end, beating the import worker's heart at every tick.
async fn beating<T>(
    services: &Services,
    beat: &mut tokio::time::Interval,
    work: impl std::future::Future<Output = T>,
) -> T {
    services.import_worker_beat();
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = beat.tick() => services.import_worker_beat(),
        }
    }
}
