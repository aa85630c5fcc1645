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
    let args = SiteArgs {
        data_dir: Some(dir.to_path_buf()),
        site_id: Some("test-site".into()),
        ..Default::default()
    };
    config::resolve(RawConfig::default(), &args, dir).unwrap()
}

pub async fn test_site() -> TestSite {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: Clock = Arc::new(move || UnixMs(n.load(Ordering::SeqCst)));
    let site = site::open(runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let by = "test".parse().unwrap();
    for (name, role) in [
        ("ad", Role::Admin),
        ("ex", Role::Examiner),
        ("au", Role::Auditor),
    ] {
        accounts::create(
            &site.store,
            &site.log,
            name.parse().unwrap(),
            role,
            String::new(),
            Some(PASSWORD.into()),
            clock(),
            &by,
        )
        .await
        .unwrap();
    }
    let dev = accounts::create(
        &site.store,
        &site.log,
        "gate-a".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &by,
    )
    .await
    .unwrap();
    let router = app::router(app::state_of(&site, clock).await.unwrap());
    TestSite {
        _dir: dir,
        router,
        site,
        device_token: dev.token.unwrap(),
        now,
    }
}

impl TestSite {
    /// Logs a person in and returns the cookie header value.
    pub async fn login(&self, name: &str) -> String {
        let resp = self
            .router
            .clone()
            .oneshot(
                Request::post("/api/v1/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(format!(
                        r#"{{"name":"{name}","password":"{PASSWORD}"}}"#
                    )))
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
