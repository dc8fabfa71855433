//! A real browser and a real mail server for the console's end-to-end tests:
//! headless Chromium driven through chromedriver, and Python's aiosmtpd writing
//! what it receives into a maildir.
//!
//! Ask `Browser::available()` and `SmtpSink::available()` first: outside CI a
//! missing Chromium or aiosmtpd skips the test with a note; in CI (`CI=true`) it
//! fails it. Once they are there, anything that goes wrong starting them panics.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().expect("the free port's address").port()
}

fn wait_for_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A headless Chromium session with its own profile, download folder and a
/// folder for screenshots, all under the test's temporary directory.
pub struct Browser {
    pub client: Client,
    pub dir: PathBuf,
    pub downloads: PathBuf,
    driver: Child,
}

impl Browser {
    /// Whether Chromium and chromedriver are installed (see the module's note).
    pub fn available() -> bool {
        let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
        super::present_or_skip(
            present,
            "Chromium with chromedriver is not installed",
            "scripts/test installs Debian's chromium and chromium-driver",
        )
    }

    /// Starts chromedriver and a browser session; panics when either fails.
    pub async fn start(dir: &Path) -> Browser {
        let profile = dir.join("chromium-profile");
        let downloads = dir.join("downloads");
        for folder in [&profile, &downloads] {
            std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("creating {}: {e}", folder.display()));
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting chromedriver: {e}"));
        assert!(wait_for_port(port, Duration::from_secs(20)), "chromedriver did not start on port {port}");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert("goog:loggingPrefs".into(), serde_json::json!({"browser": "ALL"}));
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,1000", "--lang=en-US",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "intl.accept_languages": "en-US,en",
                },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("connecting to chromedriver: {e}"));
        Browser { client, dir: dir.to_owned(), downloads, driver }
    }

    /// Saves a PNG of the page into the test's directory.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let path = self.dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("screenshot: {}", path.display());
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap_or_else(|e| panic!("clearing {css}: {e}"));
        field.send_keys(value).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Clicks something that loads a new page, and waits until it has.
    pub async fn submit(&self, css: &str) {
        self.js("window.__rosterOldPage = true; return null").await;
        self.click(css).await;
        let start = Instant::now();
        loop {
            let fresh = self
                .client
                .execute("return window.__rosterOldPage === undefined && document.readyState === 'complete'", vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if fresh {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "clicking {css} did not load a page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let source = self.client.source().await.unwrap_or_default();
                panic!("no element {css} on {url}: {e}\n{source}")
            }
        }
    }

    /// Waits up to `limit` for an element, as a page that updates itself shows it.
    pub async fn wait_for(&self, css: &str, limit: Duration) -> fantoccini::elements::Element {
        match self.client.wait().at_most(limit).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("{css} did not appear within {limit:?}: {e}\n{}", self.page_text().await),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_else(|e| panic!("reading the text of {css}: {e}"))
    }

    /// The whole page's visible text.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script {script}: {e}"))
    }

    /// Runs an asynchronous script; it calls `arguments[0]` with its value.
    pub async fn js_async(&self, script: &str) -> serde_json::Value {
        self.client.execute_async(script, vec![]).await.unwrap_or_else(|e| panic!("script {script}: {e}"))
    }

    /// What Chromium reported refusing under the pages' Content-Security-Policy
    /// since the last call: each a message of its console ("Refused to …"), read
    /// through chromedriver's browser log, which survives page loads.
    pub async fn csp_violations(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap_or_else(|e| panic!("reading the browser log: {e}"));
        log.as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| entry["message"].as_str())
            .filter(|m| m.contains("Content Security Policy"))
            .map(str::to_owned)
            .collect()
    }

    /// Moves the mouse over the element's centre, as a pointer hovering it.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let element = self.find(css).await;
        let over = PointerAction::MoveToElement { element, duration: None, x: 0.0, y: 0.0 };
        let mouse = MouseActions::new("mouse".to_owned()).then(over);
        self.client.perform_actions(mouse).await.unwrap_or_else(|e| panic!("hovering {css}: {e}"));
    }

    /// Makes the page's viewport exactly `width` by `height` CSS pixels (a
    /// desktop viewport at scale 1, so a page wider than it scrolls sideways
    /// rather than being zoomed out), through Chromium's DevTools protocol:
    /// a window cannot be made as narrow as a phone.
    pub async fn viewport(&self, width: u32, height: u32) {
        let params = serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false});
        self.client
            .issue_cmd(Cdp { cmd: "Emulation.setDeviceMetricsOverride", params })
            .await
            .unwrap_or_else(|e| panic!("setting the viewport to {width}x{height}: {e}"));
    }

    /// Ends the session; first fails the test if any page broke the policy.
    pub async fn close(self) {
        let violations = self.csp_violations().await;
        assert!(violations.is_empty(), "the console broke its Content-Security-Policy: {violations:#?}");
        let Browser { client, mut driver, .. } = self;
        let _ = client.close().await;
        let _ = driver.kill();
        let _ = driver.wait();
    }
}

/// chromedriver's own command for the browser's console log (not in W3C WebDriver):
/// the entries since it was last asked.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// chromedriver's own command running a DevTools protocol command in the page.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// An SMTP server (Python's aiosmtpd) that files every message it gets into a maildir.
pub struct SmtpSink {
    pub port: u16,
    maildir: PathBuf,
    child: Child,
}

impl SmtpSink {
    /// Whether Python's aiosmtpd is installed (see the module's note).
    pub fn available() -> bool {
        let has_module = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        super::present_or_skip(has_module, "Python's aiosmtpd is not installed", "scripts/test installs it with pip")
    }

    /// Starts the server; panics when it does not start.
    pub fn start(dir: &Path) -> SmtpSink {
        let maildir = dir.join("maildir");
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting aiosmtpd: {e}"));
        assert!(wait_for_port(port, Duration::from_secs(20)), "aiosmtpd did not start on port {port}");
        SmtpSink { port, maildir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, waiting up to `wait` for the first: its
    /// headers, then each part decoded from its transfer encoding by Python's
    /// own `email` package, so what a mail client would show can be checked.
    pub fn messages(&self, wait: Duration) -> Vec<String> {
        const DECODE: &str = "import email, sys\n\
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
            print(''.join(f'{k}: {v}\\n' for k, v in m.items()))\n\
            for p in m.walk():\n\
            \x20   if not p.is_multipart():\n\
            \x20       print(p.get_content_type(), p.get_filename() or '')\n\
            \x20       print(p.get_payload(decode=True).decode('utf-8', 'replace'))\n";
        let start = Instant::now();
        loop {
            let found: Vec<String> = std::fs::read_dir(self.maildir.join("new"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| {
                    let out = Command::new("python3").arg("-c").arg(DECODE).arg(e.path()).output();
                    let out = out.unwrap_or_else(|err| panic!("decoding {}: {err}", e.path().display()));
                    String::from_utf8_lossy(&out.stdout).into_owned()
                })
                .collect();
            if !found.is_empty() || start.elapsed() > wait {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
