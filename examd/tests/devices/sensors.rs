//! A configured sensor connects, captures and comes back after an unplug; the API by role; a bad entry.

use std::process::Command;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

use super::{plug, sensor_toml, site_with};
use crate::support::examd_bin;

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
