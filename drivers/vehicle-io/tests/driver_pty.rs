//! The driver against the simulated collector over a pty pair (and TCP). Real time: a paused clock would race
//! the pty.

use std::time::Duration;

use tokio_modbus::ExceptionCode;
use vehicle_io::sim::{Script, SimHandle, SimPty, run_script, serve_tcp};
use vehicle_io::{
    DriverError, Endpoint, Flag, Gear, LinkState, PollConfig, SignalMap, Signals, VehicleIo,
    VehicleState,
};

use crate::bounded;

/// Quick polls; the timeout leaves room for a loaded CI machine.
fn fast() -> PollConfig {
    PollConfig {
        timeout: Duration::from_millis(400),
        lost_after: 2,
        period: Duration::from_millis(20),
    }
}

async fn rig(map: SignalMap) -> (SimPty, VehicleIo) {
    let pty = SimPty::spawn(SimHandle::new(map.clone(), Signals::default())).unwrap();
    let endpoint: Endpoint = format!("modbus-rtu:{}/{}", pty.path().display(), map.unit.get())
        .parse()
        .unwrap();
    let io = VehicleIo::new(endpoint.connect().await.unwrap(), map, fast()).unwrap();
    (pty, io)
}

#[tokio::test]
async fn every_signal_round_trips_over_a_pty() {
    bounded(20, async {
        let (pty, mut io) = rig(SignalMap::standard()).await;
        let sim = pty.handle().clone();
        assert_eq!(io.link(), LinkState::Starting);
        assert_eq!(io.read().await.unwrap(), Signals::default());
        assert_eq!(io.link(), LinkState::Up);
        for f in Flag::ALL {
            let mut s = Signals::default();
            s.set_flag(f, !s.flag(f));
            sim.set(s);
            assert_eq!(io.read().await.unwrap(), s, "{f:?}");
        }
        for gear in Gear::ALL {
            let s = Signals {
                gear,
                rpm: 2_345,
                speed_kmh: 31.27,
                ..Signals::default()
            };
            sim.set(s);
            let got = io.read().await.unwrap();
            assert_eq!((got.gear, got.rpm), (gear, 2_345));
            assert!((got.speed_kmh - 31.27).abs() < 1e-9);
        }
    })
    .await;
}

#[tokio::test]
async fn a_silent_collector_is_lost_then_back() {
    bounded(20, async {
        let (pty, mut io) = rig(SignalMap::standard()).await;
        let sim = pty.handle().clone();
        io.read().await.unwrap();
        sim.set_silent(true);
        let e = io.read().await.unwrap_err();
        assert!(matches!(e, DriverError::Timeout(400)), "{e:?}");
        assert_eq!(e.to_string(), "the collector did not answer within 400 ms");
        assert_eq!(io.link(), LinkState::Up, "one miss is forgiven");
        io.read().await.unwrap_err();
        assert_eq!(io.link(), LinkState::Lost);
        assert_eq!(io.state().signals, None, "signals are unknown while lost");
        sim.set_silent(false);
        // A late answer to a timed-out request may still be in flight; the link comes back within a few polls.
        let mut back = false;
        for _ in 0..5 {
            if io.read().await.is_ok() {
                back = true;
                break;
            }
        }
        assert!(back && io.link() == LinkState::Up);
        assert_eq!(io.state().signals, Some(Signals::default()));
    })
    .await;
}

#[tokio::test]
async fn a_map_that_does_not_fit_the_collector_is_an_exception_not_a_timeout() {
    bounded(20, async {
        let pty = SimPty::spawn(SimHandle::new(SignalMap::standard(), Signals::default())).unwrap();
        let mut wrong = SignalMap::standard();
        wrong.speed.register = 100; // the collector has registers 0..=18
        let endpoint: Endpoint = format!("modbus-rtu:{}/1", pty.path().display())
            .parse()
            .unwrap();
        let mut io = VehicleIo::new(endpoint.connect().await.unwrap(), wrong, fast()).unwrap();
        let e = io.read().await.unwrap_err();
        assert!(
            matches!(e, DriverError::Exception(ExceptionCode::IllegalDataAddress)),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_scripted_drive_off_is_seen_by_the_polling_loop() {
    bounded(20, async {
        let (pty, io) = rig(SignalMap::standard()).await;
        let script: Script = serde_json::from_str(
            r#"[{"t_ms":0,"set":{"engine_on":true,"rpm":800,"seatbelt":true}},
                {"t_ms":150,"set":{"clutch":true,"gear":"1","left_signal":true}},
                {"t_ms":300,"set":{"parking_brake":false,"clutch":false,"rpm":1500,"speed_kmh":4.5}},
                {"t_ms":500,"silent":true}]"#,
        )
        .unwrap();
        let (tx, mut rx) = tokio::sync::watch::channel(VehicleState {
            link: LinkState::Starting,
            signals: None,
        });
        let poller = tokio::spawn(io.run(tx));
        tokio::spawn(run_script(pty.handle().clone(), script));
        let moving = rx
            // Inputs and registers are two requests: a step may land between them, so wait for both halves.
            .wait_for(|s| s.signals.is_some_and(|s| s.speed_kmh > 4.0 && !s.parking_brake))
            .await
            .unwrap()
            .signals
            .unwrap();
        assert_eq!(moving.gear, Gear::First);
        assert!(moving.engine_on && moving.seatbelt && moving.left_signal && !moving.parking_brake);
        let lost = *rx.wait_for(|s| s.link == LinkState::Lost).await.unwrap();
        assert_eq!(lost.signals, None);
        drop(rx);
        tokio::time::timeout(Duration::from_secs(2), poller)
            .await
            .expect("the loop ends when nobody listens")
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_same_driver_runs_over_modbus_tcp() {
    bounded(20, async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sim = SimHandle::new(SignalMap::standard(), Signals::default());
        let server = tokio::spawn(serve_tcp(listener, sim.clone()));
        let endpoint: Endpoint = format!("modbus-tcp:{addr}/1").parse().unwrap();
        let mut io = VehicleIo::new(
            endpoint.connect().await.unwrap(),
            SignalMap::standard(),
            fast(),
        )
        .unwrap();
        sim.apply(&serde_json::from_str(r#"{"gear":"R","horn":true}"#).unwrap());
        let s = io.read().await.unwrap();
        assert_eq!((s.gear, s.horn), (Gear::Reverse, true));
        server.abort();
    })
    .await;
}
