//! Candidate photos: the car camera (a simulated Hikvision camera over real HTTP, digest auth)
//! photographs the candidate at the identity check (17C51), when items start and at deductions
//! (17C54, with speed) and at the end (17C56); photos are kept by SHA-256 outside the log and
//! served to the roles allowed; a dead camera is recorded as "photo unavailable" without stopping
//! the exam; the shipper sends each photo beside its event and central checks and keeps it, and
//! serves it to its platform accounts.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use camera_http::Auth;
use camera_http::sim::SimCamera;
use examd::config::{RawConfig, SiteArgs};
use examd::driving::car;
use examd::{accounts, app, config, site};
use http_body_util::BodyExt;
use model::{EventKind, Role, Seq, UnixMs};
use serde_json::Value;
use tower::ServiceExt;

use crate::driving::drives;
use crate::support::PASSWORD;

const SITTING: &str = "2026-11-30-photos";
const CANDIDATE: &str = "PHOTO-1";

struct Rig {
    _dir: tempfile::TempDir,
    site: site::Site,
    router: axum::Router,
    base: String,
    car1: String,
    car2: String,
    camera: SimCamera,
}

/// A site whose car-01 has a simulated camera and whose car-02's camera does not answer, with
/// `extra` TOML (e.g. a central URL) added to its configuration.
async fn rig(extra: &str) -> Rig {
    use examd::gate::synth::iso_impression;
    use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
    let camera = SimCamera::new(Auth::digest("admin", "cam-pass"), 1);
    let (addr, _) = camera.spawn(([127, 0, 0, 1], 0).into()).await.unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let text = format!(
        "{extra}[[camera]]\nid = \"cam-car-01\"\nurl = \"http://{addr}\"\nuser = \"admin\"\npassword = \"cam-pass\"\nrole = \"car:car-01\"\n\
         [[camera]]\nid = \"cam-car-02\"\nurl = \"http://{dead}\"\nuser = \"admin\"\npassword = \"cam-pass\"\nrole = \"car:car-02\"\ntimeout_ms = 500\n"
    );
    let raw: RawConfig = toml::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args = SiteArgs {
        data_dir: Some(dir.path().to_path_buf()),
        site_id: Some("photo-site".into()),
        ..Default::default()
    };
    let rt = config::resolve(raw, &args, dir.path()).unwrap();
    let clock = examd::state::system_clock();
    let site = site::open(rt, clock.clone()).await.unwrap();
    let by = "test".parse().unwrap();
    let mut tokens = Vec::new();
    for (name, role) in [
        ("ex", Role::Examiner),
        ("au", Role::Auditor),
        ("car-01", Role::Device),
        ("car-02", Role::Device),
    ] {
        let password = (role != Role::Device).then(|| PASSWORD.to_owned());
        let u = accounts::create(
            &site.store,
            &site.log,
            name.parse().unwrap(),
            role,
            String::new(),
            password,
            clock(),
            &by,
        )
        .await
        .unwrap();
        tokens.push(u.token.unwrap_or_default());
    }
    let roster = RosterV1 {
        sitting: SITTING.into(),
        candidates: vec![CandidateV1 {
            id: CANDIDATE.into(),
            name: CANDIDATE.into(),
            seat: None,
            subject: None,
            templates: vec![hex::encode(iso_impression(4242, 0))],
        }],
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(900, 0))],
        }],
    };
    site.identity
        .import_roster_v1(roster, "admin")
        .await
        .unwrap();
    let router = app::router(app::state_of(&site, clock).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = router.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    Rig {
        _dir: dir,
        site,
        router,
        base,
        car2: tokens.pop().unwrap(),
        car1: tokens.pop().unwrap(),
        camera,
    }
}

impl Rig {
    async fn get(&self, path: &str, auth: (&str, &str)) -> (u16, Vec<u8>) {
        let req = Request::get(path)
            .header(auth.0, auth.1)
            .body(Body::empty())
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        (
            status,
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
    }

    async fn login(&self, name: &str) -> String {
        let req = Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"name":"{name}","password":"{PASSWORD}"}}"#
            )))
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let set = resp
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    /// Every logged event as (kind, payload JSON).
    async fn events(&self) -> Vec<(EventKind, Value)> {
        let stored = self.site.store.events(Seq::FIRST, 100_000).await.unwrap();
        stored
            .iter()
            .map(|s| {
                let e = audit::decode(&s.bytes).unwrap();
                (
                    e.kind,
                    serde_json::from_slice(&e.payload).unwrap_or(Value::Null),
                )
            })
            .collect()
    }

    async fn drive(&self, car_id: &str, token: &str) -> car::Outcome {
        use examd::gate::synth::iso_impression;
        let (_, dir, e) = drives()
            .into_iter()
            .find(|d| d.0 == "s2-hill-no-signal")
            .unwrap();
        let lines: Vec<String> = std::fs::read_to_string(dir.join("drive.jsonl"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let start = car::Start {
            candidate: CANDIDATE.into(),
            examiner: "ex".into(),
            course: e.course.clone(),
            vehicle: e.vehicle.clone(),
            standard: e.standard.clone(),
            region: e.region.clone(),
            identity: Some((
                SITTING.into(),
                iso_impression(4242, 2),
                iso_impression(900, 3),
            )),
        };
        car::drive(&self.base, car_id, token, &start, &lines, 50, None)
            .await
            .unwrap()
    }
}

/// Waits until the log holds at least one process photo per item started (they are taken off
/// the drive's loop).
async fn settled(r: &Rig) -> Vec<(EventKind, Value)> {
    for _ in 0..200 {
        let ev = r.events().await;
        let items = ev
            .iter()
            .filter(|e| e.0 == EventKind::DrivingItemStarted)
            .count();
        let shots = ev
            .iter()
            .filter(|e| e.0 == EventKind::DrivingPhoto && e.1["trigger"] == "item_start")
            .count();
        if items > 0 && shots >= items {
            return ev;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("process photos did not all arrive");
}

fn sha_of(photo: &Value) -> String {
    photo["sha256"]
        .as_str()
        .unwrap_or_else(|| panic!("no photo: {photo}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drive_is_photographed_at_start_items_deductions_and_end() {
    let r = rig("").await;
    let outcome = r.drive("car-01", &r.car1).await;
    let ev = settled(&r).await;
    let identity = ev
        .iter()
        .find(|e| e.0 == EventKind::DrivingIdentity)
        .unwrap();
    let start_sha = sha_of(&identity.1["photo"]);
    assert_eq!(identity.1["photo"]["camera"], "cam-car-01");
    assert_eq!(identity.1["photo"]["width"], 320);
    let result = ev.iter().find(|e| e.0 == EventKind::DrivingResult).unwrap();
    let end_sha = sha_of(&result.1["photo"]);
    let photos: Vec<&Value> = ev
        .iter()
        .filter(|e| e.0 == EventKind::DrivingPhoto)
        .map(|e| &e.1)
        .collect();
    for p in &photos {
        assert_eq!(p["session"], outcome.session.as_str());
        assert!(p["speed_kmh"].as_f64().is_some_and(|v| v >= 0.0), "{p}");
        sha_of(&p["photo"]);
    }
    // Each deduction judged during the drive has its photo, naming the rule.
    let logged_codes: Vec<&Value> = photos
        .iter()
        .filter(|p| p["trigger"] == "deduction")
        .map(|p| &p["code"])
        .collect();
    for code in &logged_codes {
        assert!(
            ev.iter()
                .any(|e| e.0 == EventKind::DrivingDeduction && e.1["code"] == **code),
            "{code}"
        );
    }
    // The same person every time: the simulated camera drew the candidate (the time bar differs).
    assert!(r.camera.served() as usize >= 2 + photos.len());

    // Photos are files named by SHA-256, never in the log.
    let file = r
        .site
        .rt
        .data_dir
        .join("photos")
        .join(format!("{start_sha}.jpg"));
    let jpeg = std::fs::read(&file).unwrap();
    assert_eq!(
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &jpeg)),
        start_sha
    );
    let total: usize = r
        .site
        .store
        .events(Seq::FIRST, 100_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.bytes.len())
        .sum();
    assert!(
        total < 200_000
            || !r
                .site
                .store
                .events(Seq::FIRST, 100_000)
                .await
                .unwrap()
                .iter()
                .any(|e| e.bytes.windows(4).any(|w| w == [0xFF, 0xD8, 0xFF, 0xE0]))
    );

    // Served to examiners and auditors, to the car that took it, not to another car.
    let ex = r.login("ex").await;
    let au = r.login("au").await;
    let path = format!("/api/v1/photos/{end_sha}");
    let (status, body) = r.get(&path, ("cookie", &ex)).await;
    assert_eq!(status, 200);
    assert!(body.starts_with(&[0xFF, 0xD8]) && body.ends_with(&[0xFF, 0xD9]));
    assert_eq!(r.get(&path, ("cookie", &au)).await.0, 200);
    assert_eq!(
        r.get(&path, ("authorization", &format!("Bearer {}", r.car1)))
            .await
            .0,
        200
    );
    assert_eq!(
        r.get(&path, ("authorization", &format!("Bearer {}", r.car2)))
            .await
            .0,
        403
    );
    assert_eq!(r.get(&path, ("cookie", "examd_session=nope")).await.0, 401);
    assert_eq!(
        r.get("/api/v1/photos/not-a-hash", ("cookie", &ex)).await.0,
        400
    );
    assert_eq!(
        r.get(
            &format!("/api/v1/photos/{}", "0".repeat(64)),
            ("cookie", &ex)
        )
        .await
        .0,
        404
    );

    // The examiner's page data lists the photos in order: start, process photos, end.
    let (_, list) = r.get("/api/v1/driving/sessions", ("cookie", &ex)).await;
    let list: Value = serde_json::from_slice(&list).unwrap();
    let shown = &list[0]["photos"];
    assert_eq!(shown[0]["trigger"], "start");
    assert_eq!(shown[0]["photo"]["sha256"], start_sha.as_str());
    assert_eq!(shown.as_array().unwrap().last().unwrap()["trigger"], "end");
}

/// Which car took a photo is read back from the log at start: after a restart the car still
/// reads its own photos (start, process, end) and another car still cannot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_car_reads_its_own_photos_after_a_restart() {
    let r = rig("").await;
    r.drive("car-01", &r.car1).await;
    let ev = settled(&r).await;
    let shas: Vec<String> = ev
        .iter()
        .filter(|e| {
            matches!(
                e.0,
                EventKind::DrivingIdentity | EventKind::DrivingPhoto | EventKind::DrivingResult
            )
        })
        .map(|e| sha_of(&e.1["photo"]))
        .collect();
    assert!(shas.len() >= 3, "{shas:?}");
    let state = app::state_of(&r.site, examd::state::system_clock())
        .await
        .unwrap();
    let r = Rig {
        router: app::router(state),
        ..r
    };
    for sha in &shas {
        let path = format!("/api/v1/photos/{sha}");
        let car1 = format!("Bearer {}", r.car1);
        let car2 = format!("Bearer {}", r.car2);
        assert_eq!(
            r.get(&path, ("authorization", &car1)).await.0,
            200,
            "{path}"
        );
        assert_eq!(
            r.get(&path, ("authorization", &car2)).await.0,
            403,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_camera_is_recorded_and_does_not_stop_the_exam() {
    let r = rig("").await;
    let outcome = r.drive("car-02", &r.car2).await;
    assert!(!outcome.session.is_empty());
    let ev = r.events().await;
    let identity = ev
        .iter()
        .find(|e| e.0 == EventKind::DrivingIdentity)
        .unwrap();
    assert_eq!(identity.1["passed"], true);
    let why = identity.1["photo"]["unavailable"].as_str().unwrap();
    assert!(
        why.starts_with("photo unavailable: ") && why.contains("unreachable"),
        "{why}"
    );
    assert!(identity.1["photo"].get("sha256").is_none());
    let result = ev.iter().find(|e| e.0 == EventKind::DrivingResult).unwrap();
    assert!(result.1["photo"]["unavailable"].as_str().is_some());
    // The examiner sees why.
    let ex = r.login("ex").await;
    let (_, list) = r.get("/api/v1/driving/sessions", ("cookie", &ex)).await;
    let list: Value = serde_json::from_slice(&list).unwrap();
    assert!(
        list[0]["photos"][0]["photo"]["unavailable"]
            .as_str()
            .unwrap()
            .contains("photo unavailable")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_ship_beside_their_events_and_central_checks_keeps_and_serves_them() {
    let central_dir = tempfile::tempdir().unwrap();
    let clock = examd::state::system_clock();
    let url = format!(
        "sqlite://{}",
        central_dir.path().join("central.db").display()
    );
    let central = examd::central::open(&url, &[], &clock).await.unwrap();
    let kept = examd::photos::PhotoStore::open(central_dir.path().join("photos")).unwrap();
    let app =
        examd::central::router_with_photos(central.clone(), clock.clone(), Some(kept.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let central_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let r = rig(&format!("central_url = \"{central_url}\"\n")).await;
    central
        .register_site(&r.site.rt.site, &r.site.public_key, UnixMs(1))
        .await
        .unwrap();
    r.drive("car-01", &r.car1).await;
    let ev = settled(&r).await;
    let shas: Vec<String> = ev
        .iter()
        .filter_map(|e| e.1["photo"]["sha256"].as_str().map(str::to_owned))
        .collect();
    assert!(shas.len() >= 3, "{shas:?}");
    // Central holds every photo an event names, byte for byte, once the log has shipped.
    let mut missing = shas.clone();
    for _ in 0..400 {
        missing.retain(|s| kept.get(s).is_err());
        if missing.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(missing.is_empty(), "central lacks {missing:?}");
    for s in &shas {
        let local =
            std::fs::read(r.site.rt.data_dir.join("photos").join(format!("{s}.jpg"))).unwrap();
        assert_eq!(kept.get(s).unwrap(), local);
    }
    // A process photo is a 17C54 row of the candidate's flow at central.
    let flow = central.candidate_flow(CANDIDATE).await.unwrap();
    let codes: Vec<Option<&str>> = flow.iter().map(|f| f.row.code.as_deref()).collect();
    assert!(
        codes.contains(&Some("17C51"))
            && codes.contains(&Some("17C54"))
            && codes.contains(&Some("17C56")),
        "{codes:?}"
    );
    // Central serves them to its platform accounts (both roles read events), as image/jpeg.
    let http = reqwest::Client::new();
    let photo = |path: String, token: Option<String>| {
        let mut req = http.get(format!("{central_url}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    for entry in ["pa:platform-admin", "pu:platform-auditor"] {
        let (_, _, token) = examd::central::accounts::create(central.as_ref(), entry, UnixMs(1))
            .await
            .unwrap();
        for s in &shas {
            let resp = photo(format!("/api/v1/photos/{s}"), Some(token.clone()))
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{entry} {s}");
            assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/jpeg");
            assert_eq!(resp.bytes().await.unwrap(), kept.get(s).unwrap());
        }
        let resp = photo(
            format!("/api/v1/photos/{}", "0".repeat(64)),
            Some(token.clone()),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 404);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["message_en"], "photo not found", "{body}");
        let resp = photo("/api/v1/photos/NOT-A-HASH".into(), Some(token))
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["message_en"].as_str().unwrap().contains("SHA-256"),
            "{body}"
        );
    }
    let anonymous = photo(format!("/api/v1/photos/{}", shas[0]), None)
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let stranger = photo(format!("/api/v1/photos/{}", shas[0]), Some("nope".into()))
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);
    // A central started without --photos-dir says it keeps none.
    let (_, _, token) =
        examd::central::accounts::create(central.as_ref(), "pb:platform-auditor", UnixMs(1))
            .await
            .unwrap();
    let bare = examd::central::router(central.clone(), clock.clone());
    let resp = bare
        .oneshot(
            Request::get(format!("/api/v1/photos/{}", shas[0]))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["message_en"], "photo store not found", "{body}");
}
