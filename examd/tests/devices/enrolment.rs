//! Desk enrolment into the identity registry, in-process and through the running daemon.

use std::process::Command;
use std::time::Duration;

use axum::http::{StatusCode, header};
use fp_r30x::protocol::ImageGeometry;
use serde_json::Value;

use super::{PW, desk_toml, plug_fingers, site_with, start_sim};
use crate::durability::{add_person, start_daemon_with};
use crate::support::{Kill, examd_bin, login_over_http};

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
    let cookie = login_over_http(&http, &base, "admin", PW).await;
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
