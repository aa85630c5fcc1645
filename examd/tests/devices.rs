//! Configured sensors: an R30x simulator on a pty linked where the configuration says, seen connected with
//! a finger, captured at its true resolution, unplugged and plugged back; `/api/v1/devices` by role; the
//! devices page live in headless Chromium; `examd sim` and `examd sensor capture|enroll` as processes; desk
//! enrolment into the identity registry through `POST /api/v1/devices/{id}/enroll`, in-process and by the CLI.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::config::{RawConfig, SiteArgs};
use examd::state::{AppState, Clock};
use examd::{accounts, app, config, site};
use fantoccini::Locator;
use fp_r30x::protocol::ImageGeometry;
use fp_r30x::sim::SimPty;
use hw::pty::PtyLink;
use model::Role;
use serde_json::Value;
use tower::ServiceExt;

use crate::durability::{add_person, start_daemon_with};
use crate::support::{Kill, browser, chromedriver, examd_bin};

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
            Some(PW.into()),
            clock(),
            &by,
        )
        .await
        .unwrap();
    }
    let dev = accounts::create(
        &site.store,
        &site.log,
        "reader".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &by,
    )
    .await
    .unwrap();
    let state = app::state_of(&site, clock).await.unwrap();
    Site {
        _dir: dir,
        router: app::router(state.clone()),
        state,
        device_token: dev.token.unwrap(),
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
        let resp = self
            .router
            .clone()
            .oneshot(
                Request::post("/api/v1/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(format!(
                        r#"{{"name":"{name}","password":"{PW}"}}"#
                    )))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let set = resp.headers().get(header::SET_COOKIE).unwrap();
        set.to_str().unwrap().split(';').next().unwrap().to_owned()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_sensor_connects_captures_and_comes_back_after_unplug() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("fp-a");
    let (pty, l) = plug(&link);
    let s = site_with(&sensor_toml(&link)).await;
    let admin = s.login("ad").await;

    let v = s
        .wait_sensor(&admin, "connected with a finger", |x| {
            x["link"] == "connected" && x["finger_present"] == true
        })
        .await;
    assert_eq!(v["id"], "gate-a");
    assert_eq!(v["kind"], "r30x");
    assert_eq!(v["role"], "gate-A");
    assert_eq!(v["selector"], format!("r30x:{}@57600", link.display()));
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(256), Some(288))
    );
    assert_eq!(v["ppi"], 500);

    // Lifting the finger shows.
    pty.handle().place_finger(None);
    s.wait_sensor(&admin, "without a finger", |x| x["finger_present"] == false)
        .await;
    // No finger: the capture says so and the sensor stays connected.
    let id: examd::devices::DeviceId = "gate-a".parse().unwrap();
    let e = s
        .state
        .areas
        .devices
        .capture(&id, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no finger"), "{e}");
    // With a finger: an image at the module's true resolution, extracted.
    pty.handle().place_finger(Some(0));
    let c = s
        .state
        .areas
        .devices
        .capture(&id, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!((c.image.width(), c.image.height(), c.ppi), (256, 288, 500));
    let t = c.template.expect("a synthetic print extracts");
    assert!(t.minutiae.len() >= scoring::MIN_MINUTIAE);
    let v = s
        .wait_sensor(&admin, "counting the capture", |x| x["captures"] == 1)
        .await;
    assert!(v["last_capture_ms"].as_i64().is_some());

    // Unplugged: lost, with the error.
    drop(l);
    drop(pty);
    let v = s.wait_sensor(&admin, "lost", |x| x["link"] == "lost").await;
    assert!(
        v["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{v}"
    );
    assert_eq!(v["finger_present"], false);
    // Plugged back at the same place: connected again.
    let (_pty, _l) = plug(&link);
    let v = s
        .wait_sensor(&admin, "back", |x| x["link"] == "connected")
        .await;
    assert_eq!(v["reconnects"], 1);

    // Each link change and the capture are in the log.
    let (_, ev) = s.get("/api/v1/events?kind=device.status", &admin).await;
    let links: Vec<&str> = ev["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["payload"]["link"].as_str().unwrap())
        .collect();
    assert_eq!(links, ["connected", "lost", "connected"]);
    let (_, ev) = s.get("/api/v1/events?kind=device.capture", &admin).await;
    let cap = &ev["events"][0]["payload"];
    assert_eq!(
        (cap["device"].as_str(), cap["ppi"].as_u64()),
        (Some("gate-a"), Some(500))
    );
    assert!(cap["minutiae"].as_u64().unwrap() >= scoring::MIN_MINUTIAE as u64);
    s.state.areas.shutdown().await;
}

#[tokio::test]
async fn devices_api_admits_watchers_only() {
    let s = site_with("").await;
    let (status, _) = s
        .call(Request::get("/api/v1/devices").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s
        .call(
            Request::get("/api/v1/devices")
                .header(header::AUTHORIZATION, format!("Bearer {}", s.device_token))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for who in ["ad", "ex", "au"] {
        let cookie = s.login(who).await;
        let (status, v) = s.get("/api/v1/devices", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(v["sensors"], serde_json::json!([]));
        assert_eq!(v["door_module"], Value::Null, "no gate service runs here");
    }
    s.state.areas.shutdown().await;
}

#[test]
fn a_bad_sensor_entry_stops_the_daemon_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("examd.toml");
    std::fs::write(
        &cfg,
        "[[sensor]]\nid = \"a\"\nkind = \"zk9500\"\nport = \"/dev/x\"\nrole = \"desk\"\n",
    )
    .unwrap();
    let out = Command::new(examd_bin())
        .args(["sensor", "list", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sensor \"a\": kind must be r30x, nb1010 or upektc, got \"zk9500\""),
        "{err}"
    );
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

fn examd(args: &[&str], extra: &[&Path]) -> (bool, String, String) {
    let out = Command::new(examd_bin())
        .args(args)
        .args(extra)
        .env("EXAMD_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sim_r30x_serves_sensor_capture_and_enroll() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("r30x");
    let link_s = link.to_string_lossy().into_owned();
    let (_sim, line) = start_sim(&["r30x", "--link", &link_s, "--seed", "11"]);
    assert!(
        line.contains("/dev/pts/") && line.contains(&link_s),
        "{line}"
    );
    assert!(link.exists());

    let png = dir.path().join("f.png");
    let device = format!("r30x:{link_s}");
    let (ok, out, err) = examd(
        &["sensor", "capture", "--device", &device, "--out"],
        &[&png],
    );
    assert!(ok, "{err}");
    assert!(out.contains("256×288 px @ 500 ppi, quality"), "{out}");
    let img =
        scoring::decode_image(&std::fs::read(&png).unwrap(), scoring::Limits::default()).unwrap();
    assert_eq!(img.dimensions(), (256, 288));

    let iso = dir.path().join("d1.iso");
    let (ok, out, err) = examd(
        &[
            "sensor",
            "enroll",
            "--device",
            &device,
            "--person",
            "D1",
            "--impressions",
            "2",
            "--lift-secs",
            "1",
            "--out",
        ],
        &[&iso],
    );
    assert!(ok, "{err}");
    assert!(out.starts_with("D1: impression"), "{out}");
    let t = scoring::Template::from_standard_bytes(&std::fs::read(&iso).unwrap()).unwrap();
    assert!(t.minutiae.len() >= scoring::MIN_MINUTIAE);

    // A configured id that does not exist and is no selector is named.
    let (ok, _, err) = examd(&["sensor", "capture", "--device", "nope", "--out"], &[&png]);
    assert!(!ok);
    assert!(
        err.contains("--device \"nope\" is neither a configured sensor"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_door_and_gnss_answer_on_their_links() {
    let dir = tempfile::tempdir().unwrap();
    let door = dir.path().join("door");
    let (_door, line) = start_sim(&["door", "--link", &door.to_string_lossy()]);
    assert!(line.contains("door"), "{line}");
    let endpoint: door_modbus::Endpoint =
        format!("modbus-rtu:{}/1", door.display()).parse().unwrap();
    let mut ctx = endpoint.connect().await.unwrap();
    use tokio_modbus::client::Reader;
    let inputs = tokio::time::timeout(Duration::from_secs(5), ctx.read_discrete_inputs(0, 8))
        .await
        .expect("the door module answers")
        .unwrap()
        .unwrap();
    assert_eq!(inputs.len(), 8);

    let gnss = dir.path().join("gnss");
    let (_gnss, _) = start_sim(&["gnss", "--link", &gnss.to_string_lossy()]);
    let port =
        tokio_serial::SerialStream::open(&tokio_serial::new(gnss.to_string_lossy(), 115_200))
            .unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(port));
    let first = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let l = lines.next_line().await.unwrap().unwrap();
            if l.starts_with("$GNGGA") {
                return l;
            }
        }
    })
    .await
    .expect("NMEA sentences arrive");
    assert!(first.contains(",4,"), "RTK fixed: {first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_page_shows_sensors_live_in_chromium() {
    let Some(driver) = chromedriver("devices page browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("fp-a");
    let (pty, l) = plug(&link);
    let cfg = dir.path().join("examd.toml");
    std::fs::write(&cfg, sensor_toml(&link)).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    add_person(&data, "admin", "admin", PW);
    let cfg_s = cfg.to_string_lossy().into_owned();
    let (daemon, base) = start_daemon_with(&data, &["--config", &cfg_s]);
    let _daemon = Kill(daemon);
    let (_driver, c) = browser(&driver).await;
    let pty = Arc::new(std::sync::Mutex::new(Some((pty, l))));
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password")).await?.send_keys(PW).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        // The nav leads to the devices page.
        c.find(Locator::Css("nav a[href=\"/devices\"]"))
            .await?
            .click()
            .await?;
        let text = row_text(
            &c,
            "tr#sensor-gate-a[data-link=\"connected\"][data-finger=\"true\"]",
            "已连接",
        )
        .await?;
        assert!(text.contains("256×288 @ 500 ppi"), "{text}");
        // Lifting the finger and unplugging show without a reload.
        pty.lock()
            .unwrap()
            .as_ref()
            .unwrap()
            .0
            .handle()
            .place_finger(None);
        c.wait()
            .for_element(Locator::Css("tr#sensor-gate-a[data-finger=\"false\"]"))
            .await?;
        pty.lock().unwrap().take();
        row_text(&c, "tr#sensor-gate-a[data-link=\"lost\"]", "已断开").await?;
        // The link change is in the page's live event table.
        c.wait()
            .for_element(Locator::Css("#area-events tr[data-kind=\"device.status\"]"))
            .await?;
        // English.
        c.goto(&format!("{base}/devices?lang=en")).await?;
        row_text(&c, "tr#sensor-gate-a[data-link=\"lost\"]", "lost").await?;
        assert_eq!(
            c.find(Locator::Css("main h1")).await?.text().await?,
            "Devices"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}

/// The text of the row matching `css` once it contains `needle`. The page re-renders rows on every status
/// update, so a row found a moment ago may be gone: it is looked up afresh until the text matches (30 s at most).
async fn row_text(
    c: &fantoccini::Client,
    css: &str,
    needle: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = match c.find(Locator::Css(css)).await {
            Ok(row) => row.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return Ok(text);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no row {css} containing {needle:?} within 30 s (last text {text:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// Every key of a JSON value, at any depth.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

/// A template of another impression (`impression`) of the simulator's finger `finger`.
fn other_impression(finger: usize, impression: u32) -> scoring::Template {
    let g = ImageGeometry::Optical;
    let p = examd::devices::cli::synthetic_prints(2, 7, impression, g);
    examd::devices::extract(&p[finger], g.ppi()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_enrolment_captures_checks_and_enrols_into_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("fp-desk");
    let (pty, _l) = plug_fingers(&link, 2);
    let s = site_with(&desk_toml(&link)).await;
    let examiner = s.login("ex").await;
    s.wait_sensor(&examiner, "connected with a finger", |x| {
        x["link"] == "connected" && x["finger_present"] == true
    })
    .await;
    let url = "/api/v1/devices/desk/enroll";

    // Refusals that name the reason, before any capture.
    let auditor = s.login("au").await;
    let body = serde_json::json!({"person": "candidate:D1", "impressions": 2, "lift_ms": 100});
    assert_eq!(
        s.post(url, &auditor, body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, v) = s
        .post("/api/v1/devices/nope/enroll", &examiner, body.clone())
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["message_en"], "device not found");
    let (st, v) = s
        .post(url, &examiner, serde_json::json!({"person": "driver:D1"}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["message_en"]
            .as_str()
            .unwrap()
            .starts_with("person: a person is"),
        "{v}"
    );
    let (st, v) = s
        .post(
            url,
            &examiner,
            serde_json::json!({"person": "candidate:D1", "impressions": 1}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["message_en"], "impressions must be 2 to 10, got 1");

    // Two impressions of finger 0: enrolled, and the answer carries hashes, never a template.
    let (st, v) = s.post(url, &examiner, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["person"], "candidate:D1");
    assert_eq!(
        (v["device"].as_str(), v["impressions"].as_u64()),
        (Some("desk"), Some(2))
    );
    assert!(v["lowest"].as_f64().unwrap() >= v["threshold"].as_f64().unwrap());
    assert_eq!(v["templates"], 1);
    let sha = v["sha256"][0].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    let mut k = Vec::new();
    keys(&v, &mut k);
    k.sort();
    assert_eq!(
        k,
        [
            "chosen",
            "device",
            "impressions",
            "lowest",
            "minutiae",
            "person",
            "quality",
            "seq",
            "sha256",
            "templates",
            "threshold"
        ]
    );
    // The event names the hash only.
    let admin = s.login("ad").await;
    let (_, ev) = s.get("/api/v1/events?kind=identity.enrolled", &admin).await;
    let p = &ev["events"][0]["payload"];
    assert_eq!(p["templates"], 1, "{ev}");
    assert_eq!(
        (p["person"].as_str(), p["by"].as_str()),
        (Some("candidate:D1"), Some("ex"))
    );
    assert_eq!(p["sha256"][0], sha.as_str());

    // A later 1:1 with another impression of the same finger matches; another finger does not.
    let d1: examd::identity::PersonRef = "candidate:D1".parse().unwrap();
    let same = s
        .state
        .identity
        .verify(&d1, &other_impression(0, 5))
        .await
        .unwrap();
    assert!(same.matched, "{same:?}");
    let other = s
        .state
        .identity
        .verify(&d1, &other_impression(1, 5))
        .await
        .unwrap();
    assert!(!other.matched, "{other:?}");

    // No finger: refused, naming the impression.
    pty.handle().place_finger(None);
    s.wait_sensor(&examiner, "without a finger", |x| {
        x["finger_present"] == false
    })
    .await;
    let (st, v) = s
        .post(
            url,
            &examiner,
            serde_json::json!({"person": "candidate:D2", "impressions": 2, "wait_ms": 300}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        v["message_en"],
        "impression 1: no finger on sensor desk in time"
    );

    // A different finger for the second impression: refused, naming the pair; nothing enrolled.
    pty.handle().place_finger(Some(0));
    s.wait_sensor(&examiner, "with a finger", |x| x["finger_present"] == true)
        .await;
    let sim = pty.handle().clone();
    let devices = s.state.areas.devices.clone();
    let swap = tokio::spawn(async move {
        let before = devices.list()[0].status.captures;
        while devices.list()[0].status.captures == before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sim.place_finger(None);
        tokio::time::sleep(Duration::from_millis(800)).await;
        sim.place_finger(Some(1));
    });
    let (st, v) = s
        .post(
            url,
            &examiner,
            serde_json::json!({"person": "candidate:D2", "impressions": 2, "wait_ms": 5000, "lift_ms": 5000}),
        )
        .await;
    swap.await.unwrap();
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message_en"]
            .as_str()
            .unwrap()
            .starts_with("impressions 1 and 2 do not match"),
        "{v}"
    );
    let d2: examd::identity::PersonRef = "candidate:D2".parse().unwrap();
    assert!(
        s.state
            .identity
            .verify(&d2, &other_impression(0, 5))
            .await
            .is_err()
    );
    s.state.areas.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensor_enroll_with_server_enrols_through_the_running_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("fp-desk");
    let (_sim, _) = start_sim(&["r30x", "--link", &link.to_string_lossy(), "--seed", "5"]);
    let cfg = dir.path().join("examd.toml");
    std::fs::write(&cfg, desk_toml(&link)).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    add_person(&data, "admin", "admin", PW);
    let cfg_s = cfg.to_string_lossy().into_owned();
    let (daemon, base) = start_daemon_with(&data, &["--config", &cfg_s]);
    let _daemon = Kill(daemon);

    // Wait until the daemon has the desk sensor with a finger on it.
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "admin", "password": PW}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let get = |path: String| {
        let (http, cookie) = (http.clone(), cookie.clone());
        async move {
            http.get(path)
                .header(header::COOKIE, cookie)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let mut ready = false;
    for _ in 0..100 {
        let v = get(format!("{base}/api/v1/devices")).await;
        if v["sensors"][0]["finger_present"] == true {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the daemon never saw the desk sensor with a finger");

    let enroll = |device: &str, password: &str| {
        let out = Command::new(examd_bin())
            .args(["sensor", "enroll", "--device", device])
            .args(["--person", "candidate:D3", "--impressions", "2"])
            .args(["--lift-secs", "1", "--wait-secs", "3"])
            .args(["--server", &base, "--user", "admin"])
            .env("EXAMD_PASSWORD", password)
            .env("EXAMD_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = enroll("desk", PW);
    assert!(ok, "{err}");
    assert!(out.starts_with("candidate:D3: impression "), "{out}");
    assert!(
        out.contains("1 template(s) sealed in the registry"),
        "{out}"
    );
    let (_, _, err) = enroll("nope", PW);
    assert!(
        err.contains("enrolment refused (404 Not Found): device not found"),
        "{err}"
    );
    let (ok, _, err) = enroll("desk", "wrong-password");
    assert!(!ok);
    assert!(err.contains("login as admin refused (401"), "{err}");

    // The daemon logged the enrolment with the hash the CLI printed.
    let ev = get(format!("{base}/api/v1/events?kind=identity.enrolled")).await;
    let p = &ev["events"][0]["payload"];
    assert_eq!(p["person"], "candidate:D3", "{ev}");
    let sha = p["sha256"][0].as_str().unwrap();
    assert!(out.contains(sha), "{out}");
}
