//! Client commands: they call a running server's API with `--server` and `--token`
//! through a typed [`ApiClient`]. Each command group has its file, with the calls
//! it makes.

mod import;
mod licenses;
mod subscriptions;
mod users;

pub use import::{ImportCommand, run_import};
pub use licenses::{LicensesCommand, run_licenses};
pub use subscriptions::{SubscriptionsCommand, run_subscriptions};
pub use users::{UsersCommand, run_users};

use clap::Args;
use reqwest::{Method, RequestBuilder, StatusCode};
use roster_api::{ErrorBody, Paged};
use roster_core::imports::export::csv_field;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The header that names a changing request, so that sending it again is safe.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

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
    /// The Idempotency-Key of the command's first changing request (the next
    /// ones add `.2`, `.3`…). Running the command again with the same key
    /// within 24 hours replays its answers instead of changing anything twice.
    /// Without it, each run makes a random key of its own.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

impl Connection {
    pub fn client(&self) -> ApiClient {
        let client = ApiClient::new(&self.server, &self.token);
        match &self.idempotency_key {
            Some(key) => client.with_idempotency_key(key),
            None => client,
        }
    }
}

/// Why a call to the API failed; the CLI prints it after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("calling {base}")]
    Unreachable {
        base: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer broke off.
    #[error(transparent)]
    Read(#[from] reqwest::Error),
    /// The server said no, with its error body.
    #[error(
        "{status} {}: {}{}",
        body.code,
        body.message,
        body.details.as_ref().map(|d| format!(" {d}")).unwrap_or_default()
    )]
    Refused { status: u16, body: ErrorBody },
    /// The answer is not the JSON the call expects.
    #[error(transparent)]
    Decode(#[from] serde_json::Error),
}

impl ClientError {
    /// An error answer. A body that is not the API's error JSON (a proxy's page,
    /// say) is the message itself.
    fn refused(status: StatusCode, text: &str) -> Self {
        let body = serde_json::from_str(text).unwrap_or_else(|_| ErrorBody {
            code: "error".into(),
            message: text.into(),
            details: None,
            request_id: None,
        });
        Self::Refused { status: status.as_u16(), body }
    }

    /// An error answer to a download: its code and message only, as the CLI has
    /// always printed a failed download.
    fn refused_file(status: StatusCode, bytes: &[u8]) -> Self {
        let body = match serde_json::from_slice::<ErrorBody>(bytes) {
            Ok(body) => ErrorBody { details: None, ..body },
            Err(_) => ErrorBody { code: "error".into(), message: String::new(), details: None, request_id: None },
        };
        Self::Refused { status: status.as_u16(), body }
    }
}

/// A server's API under `/api/v1`, called with one agent's token. The calls of
/// each command group are in its file.
///
/// One client serves one command. Every POST it sends carries an
/// `Idempotency-Key`: the command's key, then the key with `.2`, `.3`… for its
/// next POSTs. A POST whose connection fails, or whose first attempt is still
/// running on the server (409 `idempotency_key_in_use`), is sent again with the
/// same key, so a retry never applies a change twice: the server replays the
/// answer of the attempt that went through.
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: String,
    idempotency_key: String,
    posts: std::sync::atomic::AtomicU32,
}

/// Sends of a keyed POST after a failed connection, and the pause before each.
const RETRY_PAUSES_MS: [u64; 3] = [500, 1000, 2000];

/// How long a keyed POST waits, in all, for the server's first attempt at it.
const IN_USE_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

impl ApiClient {
    pub fn new(server: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1", server.trim_end_matches('/')),
            token: token.to_owned(),
            idempotency_key: format!("roster-cli-{}", roster_core::secrets::random_base62(24)),
            posts: Default::default(),
        }
    }

    /// The key of the command's first POST, instead of a random one.
    pub fn with_idempotency_key(self, key: &str) -> Self {
        Self { idempotency_key: key.to_owned(), ..self }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if method != Method::POST {
            return request;
        }
        let n = self.posts.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let key = if n == 1 { self.idempotency_key.clone() } else { format!("{}.{n}", self.idempotency_key) };
        request.header(IDEMPOTENCY_KEY, key)
    }

    fn unreachable(&self, source: reqwest::Error) -> ClientError {
        ClientError::Unreachable { base: self.base.clone(), source }
    }

    /// Sends a request and reads its whole answer. A keyed POST is sent again
    /// with its key when the connection fails before the answer is read, or
    /// while the server says its first attempt is still running.
    async fn fetch(&self, request: RequestBuilder) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let request = request.build().map_err(|source| self.unreachable(source))?;
        let keyed = request.headers().contains_key(IDEMPOTENCY_KEY);
        let started = std::time::Instant::now();
        let mut failures = 0;
        loop {
            let attempt = match request.try_clone() {
                Some(attempt) if keyed => attempt,
                // Not keyed, or a body that cannot be sent twice: one attempt.
                _ => return self.read(self.http.execute(request).await).await,
            };
            match self.read(self.http.execute(attempt).await).await {
                Err(ClientError::Unreachable { .. } | ClientError::Read(_)) if failures < RETRY_PAUSES_MS.len() => {
                    tokio::time::sleep(std::time::Duration::from_millis(RETRY_PAUSES_MS[failures])).await;
                    failures += 1;
                }
                Ok((status, body)) if status == StatusCode::CONFLICT && started.elapsed() < IN_USE_WAIT => {
                    let in_use =
                        serde_json::from_slice::<ErrorBody>(&body).is_ok_and(|b| b.code == "idempotency_key_in_use");
                    if !in_use {
                        return Ok((status, body));
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                answer => return answer,
            }
        }
    }

    async fn read(
        &self,
        sent: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let response = sent.map_err(|source| self.unreachable(source))?;
        let status = response.status();
        Ok((status, response.bytes().await?.to_vec()))
    }

    /// The text of a successful answer; an error answer is an error.
    async fn text(&self, request: RequestBuilder) -> Result<String, ClientError> {
        let (status, body) = self.fetch(request).await?;
        let text = String::from_utf8_lossy(&body).into_owned();
        if !status.is_success() {
            return Err(ClientError::refused(status, &text));
        }
        Ok(text)
    }

    /// A successful answer's JSON, read as `T`.
    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, ClientError> {
        Ok(serde_json::from_str(&self.text(request).await?)?)
    }

    /// A file the server sends, as bytes; an error answer is an error.
    async fn file(&self, request: RequestBuilder) -> Result<Vec<u8>, ClientError> {
        let (status, bytes) = self.fetch(request).await?;
        if !status.is_success() {
            return Err(ClientError::refused_file(status, &bytes));
        }
        Ok(bytes)
    }

    /// One page of a list; `query` holds the list's parameters as API.md names them.
    async fn page<P: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
        cursor: Option<&str>,
    ) -> Result<P, ClientError> {
        let mut request = self.request(Method::GET, path).query(query);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        self.json(request).await
    }

    /// Every item of a list from `cursor` on, following `cursors.next` to the last
    /// page, with the total count the last page gave.
    async fn paginate<P: Paged + DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
        mut cursor: Option<String>,
    ) -> Result<(Vec<P::Item>, i64), ClientError> {
        let mut items = Vec::new();
        loop {
            let page: P = self.page(path, query, cursor.as_deref()).await?;
            cursor = page.next_cursor().map(str::to_owned);
            let total = page.total_count();
            items.extend(page.into_items());
            if cursor.is_none() {
                return Ok((items, total));
            }
        }
    }
}

/// A value as one line of JSON. It goes through `serde_json::Value`, as the
/// server's answers always went before they were printed: keys come out in the
/// same order.
fn json_line<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_value(value)?.to_string())
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Prints rows as a table, as CSV with `--csv` or as a JSON array with `--json`.
/// `columns` pairs each JSON key, which is also the CSV header, with the table's
/// header.
fn print_rows<T: Serialize>(conn: &Connection, rows: &[T], columns: &[(&str, &str)]) -> anyhow::Result<()> {
    let rows = rows.iter().map(serde_json::to_value).collect::<Result<Vec<Value>, _>>()?;
    if conn.json {
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows.iter().map(|r| columns.iter().map(|(k, _)| cell(&r[*k])).collect()).collect();
    if conn.csv {
        println!("{}", columns.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(","));
        for row in table {
            println!("{}", row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        }
        return Ok(());
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_as_the_cli_has_always_printed_it() {
        let body = r#"{"code":"validation_failed","message":"sort: use displayName","details":{"field":"sort"}}"#;
        let e = ClientError::refused(StatusCode::BAD_REQUEST, body);
        assert_eq!(e.to_string(), r#"400 validation_failed: sort: use displayName {"field":"sort"}"#);
        let e = ClientError::refused(StatusCode::BAD_GATEWAY, "upstream down");
        assert_eq!(e.to_string(), "502 error: upstream down");
        // A failed download has never shown its details, nor a body that is not JSON.
        let e = ClientError::refused_file(StatusCode::BAD_REQUEST, body.as_bytes());
        assert_eq!(e.to_string(), "400 validation_failed: sort: use displayName");
        let e = ClientError::refused_file(StatusCode::BAD_GATEWAY, b"upstream down");
        assert_eq!(e.to_string(), "502 error: ");
    }
}
