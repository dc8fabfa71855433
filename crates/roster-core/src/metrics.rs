//! This instance's counters for `GET /metrics`, in Prometheus' text format. The
//! counters live here, shared (`Arc`) by the services and the HTTP layer; what the
//! database holds (pool use, import jobs waiting, seats) is read at scrape time.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A metric's labels: names fixed by the code, values from a closed set.
type Labels = Vec<(&'static str, String)>;

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The counters this instance keeps since it started.
#[derive(Debug)]
pub struct Metrics {
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    import_rows: Counter,
    license_updates: Family<Labels, Counter>,
    license_failures: Family<Labels, Counter>,
    signin_failures: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            import_rows: Counter::default(),
            license_updates: Family::default(),
            license_failures: Family::default(),
            signin_failures: Family::default(),
        }
    }
}

/// What the database holds, read at scrape time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreMetrics {
    /// Connections of the main pool, open and idle.
    pub pool_size: u64,
    pub pool_idle: u64,
    pub imports_queued: i64,
    pub imports_running: i64,
    /// Per product: seats assigned and seats still free, over every customer.
    pub seats: Vec<ProductSeats>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductSeats {
    pub product_id: String,
    pub assigned: i64,
    pub available: i64,
}

impl Metrics {
    /// One answered request: `route` is the route's template (never the raw path).
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = vec![("method", method.to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// Rows an import worker finished (created or failed), committed.
    pub fn imported_rows(&self, rows: u64) {
        self.import_rows.inc_by(rows);
    }

    /// A license update's end: `ok` or `error` (refused as a whole), and the code
    /// of each failure (per user, or the refusal's).
    pub fn license_update(&self, outcome: &'static str, failure_codes: impl IntoIterator<Item = String>) {
        self.license_updates.get_or_create(&vec![("outcome", outcome.to_owned())]).inc();
        for code in failure_codes {
            self.license_failures.get_or_create(&vec![("code", code)]).inc();
        }
    }

    /// A refused sign-in: `who` is `user` or `agent`, `reason` why.
    pub fn signin_failure(&self, who: &'static str, reason: &'static str) {
        self.signin_failures.get_or_create(&vec![("who", who.to_owned()), ("reason", reason.to_owned())]).inc();
    }

    /// Every metric, the database's included, in the Prometheus text format
    /// (OpenMetrics 1.0).
    pub fn render(&self, store: &StoreMetrics) -> String {
        let mut r = Registry::with_prefix("roster");
        r.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            self.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time from a request's head to its answer, by method, route template and status",
            self.latency.clone(),
        );
        r.register("import_rows", "Import rows finished by this instance's import worker", self.import_rows.clone());
        r.register(
            "license_updates",
            "License updates answered, by outcome (ok or error)",
            self.license_updates.clone(),
        );
        r.register(
            "license_update_failures",
            "Failures in license updates, by code (one per failed user and rule, or the refusal's)",
            self.license_failures.clone(),
        );
        r.register(
            "signin_failures",
            "Refused sign-ins, by who (user or agent) and reason",
            self.signin_failures.clone(),
        );
        let gauge = |v: i64| {
            let g: Gauge = Gauge::default();
            g.set(v);
            g
        };
        r.register("db_pool_connections", "Open connections of the database pool", gauge(as_i64(store.pool_size)));
        r.register("db_pool_idle_connections", "Idle connections of the database pool", gauge(as_i64(store.pool_idle)));
        let jobs: Family<Labels, Gauge> = Family::default();
        jobs.get_or_create(&vec![("status", "queued".into())]).set(store.imports_queued);
        jobs.get_or_create(&vec![("status", "running".into())]).set(store.imports_running);
        r.register("import_jobs", "Import jobs queued and running, in the database", jobs);
        let assigned: Family<Labels, Gauge> = Family::default();
        let available: Family<Labels, Gauge> = Family::default();
        for p in &store.seats {
            let labels = vec![("product", p.product_id.clone())];
            assigned.get_or_create(&labels).set(p.assigned);
            available.get_or_create(&labels).set(p.available);
        }
        r.register("seats_assigned", "Seats assigned, per product, over every customer", assigned);
        r.register("seats_available", "Seats owned and not assigned, per product, over every customer", available);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &r);
        out
    }
}

fn as_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
