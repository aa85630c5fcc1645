//! Fault drills: the module silent, the fire input, the daemon SIGKILLed mid-release, a sensor unplugged
//! mid-scan.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use door_modbus::sim::SimPty;
use examd::gate::service::ServiceConfig;
use examd::gate::synth::iso_impression;
use examd::{accounts, app, site};
use gate::DoorId;
use model::Role;
use serde_json::Value;

use super::{rig, roster_v1, sim_config};
use crate::support::runtime;

/// Fault drills: the door module goes silent mid-cycle, then the fire input comes on mid-cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_drills_module_silent_and_fire_mid_cycle() {
    let g = rig(5, 3_000).await;
    let sim = g.pty.handle().clone();
    // Module silent while door A is released for c1: the link is lost, the driver forgets every input, and no
    // new release is granted; the module's own relay is left as it was (host-timed pulse) until it answers.
    assert_eq!(g.scan("A", Some("c1"), 1, 1).await["released"], true);
    sim.set_silent(true);
    let s = g.until("comms lost", |s| s["comms_up"] == false).await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "comms_lost" && a["active"] == true)
    );
    assert!(
        s["doors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "unknown")
    );
    let out = g.scan("A", Some("c2"), 2, 1).await;
    assert_eq!(out["released"], false, "{out}");
    sim.set_silent(false);
    g.until("comms back, doors known and relocked", |s| {
        s["comms_up"] == true
            && s["doors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["state"] == "closed_locked")
    })
    .await;
    assert!(
        !sim.released(DoorId::A),
        "the driver re-asserted the lock after the link came back"
    );
    // Fire input mid-cycle (c3 released at A): every door is released at once, interlock or not.
    g.until("grant over", |s| s["doors"][0]["released"] == false)
        .await;
    let _ = g.scan("A", Some("c3"), 3, 1).await;
    sim.set_fire(true);
    let s = g
        .until("fire override", |s| s["fire_override"] == true)
        .await;
    assert!(
        s["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "fire_override")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !(sim.released(DoorId::A) && sim.released(DoorId::B)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "fire did not release both doors"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ev = g
        .event("gate.command", |p| {
            p["command"] == "hold_released" && p["door"] == "B"
        })
        .await;
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.input" && p["input"] == "comms_lost")
    );
    assert!(
        ev.iter()
            .any(|(k, p)| k == "gate.input" && p["input"] == "fire" && p["active"] == true)
    );
    // Fire reset (rule 5): refused while the input is active, and to a terminal; accepted once it cleared, and
    // every door relocks.
    let reset = |auth: (header::HeaderName, String)| {
        Request::post("/api/v1/gate/fire/reset")
            .header(auth.0, auth.1)
            .body(Body::empty())
            .unwrap()
    };
    let (st, v) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message_en"].as_str().unwrap().contains("still active"),
        "{v}"
    );
    let (st, _) = g
        .call(reset((
            header::AUTHORIZATION,
            format!("Bearer {}", g.token),
        )))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    sim.set_fire(false);
    g.event("gate.notice", |p| {
        p.to_string().contains("fire_input_cleared")
    })
    .await;
    assert!(
        g.status().await["fire_override"] == true,
        "held until reset"
    );
    let (st, v) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    g.until("fire reset, both doors closed and locked", |s| {
        s["fire_override"] == false
            && s["doors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["state"] == "closed_locked" && d["released"] == false)
    })
    .await;
    assert!(!sim.released(DoorId::A) && !sim.released(DoorId::B));
    g.event("gate.decision", |p| {
        p["decision"] == "fire_reset" && p["by"] == "ex"
    })
    .await;
    let (st, _) = g.call(reset((header::COOKIE, g.cookie.clone()))).await;
    assert_eq!(st, StatusCode::CONFLICT, "nothing left to reset");
}

/// The drill's door map: the default two-door module, with the lock pulses timed by the module (registers
/// 0x100/0x101, 100 ms units) or by the host.
fn drill_map(module_pulse: bool) -> door_modbus::IoMap {
    let mut map = door_modbus::IoMap::two_door_default();
    if module_pulse {
        for (i, d) in map.doors.iter_mut().enumerate() {
            d.lock.pulse = door_modbus::Pulse::Register {
                register: 0x100 + i as u16,
                unit_ms: 100,
            };
        }
    }
    map
}

/// The daemon of the SIGKILL drill, run as a child process by `daemon_sigkill_while_a_door_is_released`: opens a
/// site, drives the module on `GATE_DRILL_PTY`, releases door A for c1 (2 s pulse), says so, and waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of daemon_sigkill_while_a_door_is_released"]
async fn sigkill_drill_daemon() {
    let endpoint: door_modbus::Endpoint = std::env::var("GATE_DRILL_PTY")
        .expect("run by the drill")
        .parse()
        .unwrap();
    let dir = std::path::PathBuf::from(std::env::var("GATE_DRILL_DIR").unwrap());
    let module_pulse = std::env::var("GATE_DRILL_MODULE_PULSE").is_ok_and(|v| v == "1");
    let clock = examd::state::system_clock();
    let site = site::open(runtime(&dir), clock.clone()).await.unwrap();
    let dev = accounts::create(
        &site.store,
        &site.log,
        "gate-a".parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        clock(),
        &"test".parse().unwrap(),
    )
    .await
    .unwrap();
    let state = app::state_of(&site, clock).await.unwrap();
    state
        .identity
        .import_roster_v1(roster_v1(3), "test")
        .await
        .unwrap();
    let mut cfg = ServiceConfig::new("drill");
    cfg.mantrap.interlock.release_pulse_ms = 2_000;
    state
        .areas
        .gate
        .attach_endpoint(&endpoint, drill_map(module_pulse), cfg)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = state.areas.gate.status().await.unwrap();
        if s.doors.iter().all(|d| d["state"] == "closed_locked") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "doors not known");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let req = Request::post("/api/v1/gate/scan?door=A&claim=c1")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", dev.token.unwrap()),
        )
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(iso_impression(1, 1)))
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app::router(state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    use std::io::Write;
    println!("DRILL-RELEASED");
    std::io::stdout().flush().unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// Fault drill: the daemon is SIGKILLed while door A is released. With the module timing the pulse, the module
/// relocks the door by itself when the pulse ends; with a host-timed pulse the relay stays released until a daemon
/// comes back (which is why the module-timed pulse is the configuration for a gate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_sigkill_while_a_door_is_released() {
    use std::io::BufRead;
    for module_pulse in [true, false] {
        let map = drill_map(module_pulse);
        let pty = SimPty::spawn(door_modbus::sim::SimHandle::new(
            door_modbus::sim::DoorModule::new(map.clone(), sim_config()),
        ))
        .unwrap();
        let sim = pty.handle().clone();
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "gate::drills::sigkill_drill_daemon",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                "GATE_DRILL_PTY",
                format!("modbus-rtu:{}/{}", pty.path().display(), map.unit.get()),
            )
            .env("GATE_DRILL_DIR", dir.path())
            .env(
                "GATE_DRILL_MODULE_PULSE",
                if module_pulse { "1" } else { "0" },
            )
            .env("EXAMD_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || {
            std::io::BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .any(|l| l.contains("DRILL-RELEASED"))
        });
        let ready = tokio::time::timeout(Duration::from_secs(60), ready).await;
        assert!(
            matches!(ready, Ok(Ok(true))),
            "the drill daemon did not release door A"
        );
        assert!(sim.released(DoorId::A), "door A released before the kill");
        let killed = tokio::time::Instant::now();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let deadline = killed + Duration::from_millis(3_000);
        while sim.released(DoorId::A) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if module_pulse {
            assert!(
                !sim.released(DoorId::A),
                "the module's own pulse timer relocks door A"
            );
            eprintln!(
                "SIGKILL drill, module-timed pulse: door A relocked by the module {} ms after the kill (2 s pulse); door B stayed locked: {}",
                killed.elapsed().as_millis(),
                !sim.released(DoorId::B)
            );
        } else {
            assert!(
                sim.released(DoorId::A),
                "a host-timed pulse cannot end without its host"
            );
            eprintln!(
                "SIGKILL drill, host-timed pulse: door A still released 3 s after the kill (relay left on until a daemon returns); door B stayed locked: {}",
                !sim.released(DoorId::B)
            );
        }
        assert!(!sim.released(DoorId::B), "door B never released");
    }
}

/// Fault drill: the door's fingerprint sensor (an R30x module, simulated) is unplugged while the daemon waits for
/// a finger on it. The scan is refused with the sensor's error, logged, and no door moves; without a sensor at a
/// door a capture is refused too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sensor_unplugged_during_a_scan_refuses_the_scan_and_no_door_moves() {
    let g = rig(3, 2_000).await;
    let capture = |door: &str| {
        Request::post(format!("/api/v1/gate/capture?door={door}&claim=c1"))
            .header(header::AUTHORIZATION, format!("Bearer {}", g.token))
            .body(Body::empty())
            .unwrap()
    };
    let (st, v) = g.call(capture("B")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        v["message_en"]
            .as_str()
            .unwrap()
            .contains("no fingerprint sensor is attached at door B"),
        "{v}"
    );
    let module = fp_r30x::SimHandle::new(fp_r30x::Simulator::new(
        fp_r30x::SimConfig::default(),
        vec![],
    ));
    let (host, device) = tokio::io::duplex(1 << 16);
    let cable = tokio::spawn(fp_r30x::sim::serve(device, module.clone()));
    let (sensor, _) = fp_r30x::R30x::connect(host, fp_r30x::ClientConfig::default())
        .await
        .unwrap();
    g.state
        .areas
        .gate
        .sensors
        .attach(
            DoorId::A,
            Box::new(sensor),
            500, // the R30x optical window
        )
        .await;
    // The daemon waits for a finger on door A's sensor; the cable is pulled meanwhile.
    let pending = tokio::spawn({
        let router = g.router.clone();
        let req = capture("A");
        async move {
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = resp.status();
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "still waiting for a finger");
    cable.abort();
    let (st, v) = tokio::time::timeout(Duration::from_secs(10), pending)
        .await
        .expect("the capture ends once the sensor is gone")
        .unwrap();
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let msg = v["message_en"].as_str().unwrap();
    assert!(
        msg.contains("the fingerprint sensor at door A failed")
            && msg.contains("no door was released"),
        "{msg}"
    );
    let sim = g.pty.handle();
    assert!(!sim.released(DoorId::A) && !sim.released(DoorId::B));
    let s = g.status().await;
    assert!(
        s["doors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "closed_locked" && d["released"] == false),
        "{s}"
    );
    let ev = g
        .event("gate.scan", |p| {
            p["refused"] == "sensor_failed" && p["door"] == "A" && p["claim"] == "c1"
        })
        .await;
    assert!(
        !ev.iter()
            .any(|(k, p)| k == "gate.command" && p["command"] == "release"),
        "no release was commanded: {ev:?}"
    );
    eprintln!("sensor-unplugged drill: {msg}");
}
