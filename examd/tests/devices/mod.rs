//! Configured sensors: an R30x simulator on a pty linked where the configuration says, seen connected with
//! a finger, captured at its true resolution, unplugged and plugged back; `/api/v1/devices` by role; the
//! devices page live in headless Chromium; `examd sim` and `examd sensor capture|enroll` as processes; desk
//! enrolment into the identity registry through `POST /api/v1/devices/{id}/enroll`, in-process and by the CLI.
//! This file holds the simulated sensors and the site the tests share.

mod enrolment;
mod page;
mod sensors;
mod sim_cli;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::config::{RawConfig, SiteArgs};
use examd::state::{AppState, Clock};
use examd::{app, config, site};
use fp_r30x::protocol::ImageGeometry;
use fp_r30x::sim::SimPty;
use hw::pty::PtyLink;
use model::Role;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{Kill, examd_bin};

const PW: &str = "devices-pass-1";

/// A simulated R30x module whose finger 0 is a synthetic print, linked at `link`.
fn plug(link: &Path) -> (SimPty, PtyLink) {
    plug_fingers(link, 1)
}

/// A simulated R30x module holding `fingers` synthetic prints (finger 0 on the sensor), linked at `link`.
fn plug_fingers(link: &Path, fingers: u32) -> (SimPty, PtyLink) {
    let prints = examd::devices::cli::synthetic_prints(fingers, 7, 1, ImageGeometry::Optical);
    let sim = fp_r30x::SimHandle::new(fp_r30x::Simulator::new(
        fp_r30x::SimConfig::default(),
        prints,
    ));
    let pty = SimPty::spawn(sim).unwrap();
    let l = PtyLink::create(pty.path(), link).unwrap();
    (pty, l)
}

fn sensor_toml(link: &Path) -> String {
    format!(
        "[[sensor]]\nid = \"gate-a\"\nkind = \"r30x\"\nport = \"{}\"\nrole = \"gate-A\"\n",
        link.display()
    )
}

struct Site {
    _dir: tempfile::TempDir,
    state: AppState,
    router: axum::Router,
    device_token: String,
}

async fn site_with(toml_text: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let raw: RawConfig = toml::from_str(toml_text).unwrap();
    let args = SiteArgs {
        data_dir: Some(dir.path().to_path_buf()),
        site_id: Some("test-site".into()),
        ..Default::default()
    };
    let rt = config::resolve(raw, &args, dir.path()).unwrap();
    let clock: Clock = examd::state::system_clock();
    let site = site::open(rt, clock.clone()).await.unwrap();
    let device_token = crate::support::create_accounts(
        &site,
        &clock,
        &[
            ("ad", Role::Admin),
            ("ex", Role::Examiner),
            ("au", Role::Auditor),
        ],
        PW,
        "reader",
    )
    .await;
    let state = app::state_of(&site, clock).await.unwrap();
    Site {
        _dir: dir,
        router: app::router(state.clone()),
        state,
        device_token,
    }
}

impl Site {
    async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn login(&self, name: &str) -> String {
        crate::support::login_via_router(&self.router, name, PW).await
    }

    async fn get(&self, path: &str, cookie: &str) -> (StatusCode, Value) {
        self.call(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Polls `/api/v1/devices` until sensor 0 satisfies `ok` (10 s at most).
    async fn wait_sensor(&self, cookie: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..100 {
            let (status, v) = self.get("/api/v1/devices", cookie).await;
            assert_eq!(status, StatusCode::OK);
            if ok(&v["sensors"][0]) {
                return v["sensors"][0].clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, v) = self.get("/api/v1/devices", cookie).await;
        panic!("sensor never {what}: {v}");
    }
}

/// Starts `examd sim <args>` and returns it once it printed its first line (the pty or TCP address).
fn start_sim(args: &[&str]) -> (Kill, String) {
    let mut child = Command::new(examd_bin())
        .arg("sim")
        .args(args)
        .env("EXAMD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("the simulator printed a line").unwrap();
    std::thread::spawn(move || for _ in lines {});
    (Kill(child), first)
}

fn desk_toml(link: &Path) -> String {
    format!(
        "[[sensor]]\nid = \"desk\"\nkind = \"r30x\"\nport = \"{}\"\nrole = \"desk\"\n",
        link.display()
    )
}

impl Site {
    async fn post(&self, path: &str, cookie: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
}
