//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::config::{RawConfig, SiteArgs};
use examd::state::Clock;
use examd::{accounts, app, config, site};
use http_body_util::BodyExt;
use model::{Role, UnixMs};
use tower::ServiceExt;

/// A site on a temporary SQLite database with one account per role.
pub struct TestSite {
    pub _dir: tempfile::TempDir,
    pub router: Router,
    pub site: site::Site,
    pub device_token: String,
    pub now: Arc<AtomicI64>,
}

pub const PASSWORD: &str = "correct-horse-9";

pub fn runtime(dir: &Path) -> config::Runtime {
    runtime_with(RawConfig::default(), dir)
}

/// The runtime of a test site in `dir` configured by `raw` (e.g. cameras).
pub fn runtime_with(raw: RawConfig, dir: &Path) -> config::Runtime {
    let args = SiteArgs {
        data_dir: Some(dir.to_path_buf()),
        site_id: Some("test-site".into()),
        ..Default::default()
    };
    config::resolve(raw, &args, dir).unwrap()
}

pub async fn test_site() -> TestSite {
    test_site_with(RawConfig::default()).await.0
}

/// [`test_site`] configured by `raw`, with the daemon state behind its router.
pub async fn test_site_with(raw: RawConfig) -> (TestSite, examd::state::AppState) {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: Clock = Arc::new(move || UnixMs(n.load(Ordering::SeqCst)));
    let site = site::open(runtime_with(raw, dir.path()), clock.clone())
        .await
        .unwrap();
    let device_token = create_accounts(
        &site,
        &clock,
        &[
            ("ad", Role::Admin),
            ("ex", Role::Examiner),
            ("au", Role::Auditor),
        ],
        PASSWORD,
        "gate-a",
    )
    .await;
    let state = app::state_of(&site, clock).await.unwrap();
    let router = app::router(state.clone());
    let t = TestSite {
        _dir: dir,
        router,
        site,
        device_token,
        now,
    };
    (t, state)
}

/// Creates the people `(name, role)` with `password`, then the device account `device`; returns the device's token.
pub async fn create_accounts(
    site: &site::Site,
    clock: &Clock,
    people: &[(&str, Role)],
    password: &str,
    device: &str,
) -> String {
    let by = "test".parse().unwrap();
    for (name, role) in people {
        accounts::create(
            &site.store,
            &site.log,
            name.parse().unwrap(),
            *role,
            String::new(),
            Some(password.into()),
            clock(),
            &by,
        )
        .await
        .unwrap();
    }
    accounts::create(
        &site.store,
        &site.log,
        device.parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &by,
    )
    .await
    .unwrap()
    .token
    .unwrap()
}

/// Logs a person in to a running daemon over HTTP and returns the cookie header value.
pub async fn login_over_http(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    password: &str,
) -> String {
    let resp = http
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK, "login of {name}");
    resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Logs a person in through the site's router (in process) and returns the cookie header value.
pub async fn login_via_router(router: &Router, name: &str, password: &str) -> String {
    let resp = router
        .clone()
        .oneshot(
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"name": name, "password": password}).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "login of {name}");
    let set = resp
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

impl TestSite {
    /// Logs a person in and returns the cookie header value.
    pub async fn login(&self, name: &str) -> String {
        login_via_router(&self.router, name, PASSWORD).await
    }

    /// Sends a request with the given credentials; returns status and body.
    pub async fn call(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let is_sse = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/event-stream"));
        if is_sse {
            return (status, Vec::new());
        }
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, body)
    }
}

/// The examd binary under test.
pub fn examd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_examd"))
}

/// Whether `EXAMD_<name>_REQUIRED=1` makes a skipped prerequisite a failure (CI sets these).
pub fn required(name: &str) -> bool {
    std::env::var(format!("EXAMD_{name}_REQUIRED")).is_ok_and(|v| v == "1")
}

/// Kills and reaps a child process when dropped, so a failing test leaves nothing running.
pub struct Kill(pub std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The installed chromedriver, or `None` after printing why `what` is skipped.
/// Panics instead of skipping when `EXAMD_BROWSER_REQUIRED=1` (CI).
pub fn chromedriver(what: &str) -> Option<String> {
    let found = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .map(str::to_owned);
    if found.is_none() {
        assert!(
            !required("BROWSER"),
            "EXAMD_BROWSER_REQUIRED=1 but chromedriver is not installed"
        );
        eprintln!("SKIP {what}: chromedriver not found (apt-get install chromium chromium-driver)");
    }
    found
}

/// Starts `driver` on a free port and opens a headless Chromium session through it.
/// Keep the returned guard alive for as long as the session is used.
pub async fn browser(driver: &str) -> (Kill, fantoccini::Client) {
    use std::process::{Command, Stdio};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let guard = Kill(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=zh-CN"]
        }
    }))
    .unwrap();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..100 {
        match fantoccini::ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return (guard, c),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not accept a session on port {port}");
}
