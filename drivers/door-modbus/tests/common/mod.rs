//! Helpers shared by the integration tests: a simulator on a pty, a driver on it, bounded polling.

use std::time::Duration;

use door_modbus::sim::{DoorModule, SimConfig, SimHandle, SimPty};
use door_modbus::{DoorDriver, DriverConfig, Endpoint, IoMap};
use gate::Input;

/// Fast timings for tests over a pty (real time: a paused clock would race the pty).
pub fn fast() -> DriverConfig {
    DriverConfig {
        poll_ms: 10,
        timeout_ms: 250,
        debounce_reads: 2,
        lost_after: 2,
        reassert_ms: 200,
    }
}

/// A quick door closer so tests do not wait long.
pub fn sim_config() -> SimConfig {
    SimConfig {
        close_after_ms: 300,
        button_press_ms: 150,
        ..SimConfig::default()
    }
}

/// A simulator serving `map` on a pty, and a driver connected to it through the pty's path.
pub async fn rig(map: IoMap) -> (SimPty, DoorDriver) {
    let handle = SimHandle::new(DoorModule::new(map.clone(), sim_config()));
    let pty = SimPty::spawn(handle).expect("pty");
    let endpoint: Endpoint = format!("modbus-rtu:{}/{}", pty.path().display(), map.unit.get())
        .parse()
        .unwrap();
    let ctx = endpoint.connect().await.expect("open pty slave");
    let driver = DoorDriver::new(ctx, map, fast()).expect("valid map");
    (pty, driver)
}

/// Polls until `done` holds for the inputs seen so far (all of them are returned), or panics after `within`.
pub async fn poll_until(
    driver: &mut DoorDriver,
    within: Duration,
    mut done: impl FnMut(&[Input]) -> bool,
) -> Vec<Input> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        seen.extend(driver.poll().await);
        if done(&seen) {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {within:?}; inputs seen: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls until `input` was seen.
pub async fn expect_input(driver: &mut DoorDriver, input: Input) -> Vec<Input> {
    poll_until(driver, Duration::from_secs(5), |seen| seen.contains(&input)).await
}

/// Runs `f` with a hard timeout so no test can hang.
pub async fn bounded<F: std::future::Future>(secs: u64, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test took too long")
}
