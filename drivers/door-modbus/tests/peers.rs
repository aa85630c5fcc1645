//! Interop with third-party Modbus peers. Each test skips (with a message) when its peer is absent, unless
//! `EXAMD_PEERS_REQUIRED=1`, which turns a missing peer into a failure (CI).
//!
//! - the driver against a pymodbus RTU server on a pty (`EXAMD_PY` = a python with `tests/peers/requirements.txt`);
//! - the simulator read and written by Debian's `mbpoll` (hardware.md §4, VERIFIED command line).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use door_modbus::sim::{DoorModule, SimHandle, SimPty};
use door_modbus::{DoorDriver, DriverConfig, IoMap};
use gate::{Command, DoorId, Input};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_modbus::client::Reader;
use tokio_serial::SerialPort;

use crate::common::{bounded, poll_until, sim_config};

const A: DoorId = DoorId::A;
const B: DoorId = DoorId::B;

/// Skips the test with a message, or fails it when peers are required.
fn skip(why: &str) {
    if std::env::var("EXAMD_PEERS_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("peer required (EXAMD_PEERS_REQUIRED=1) but {why}");
    }
    eprintln!("SKIP: {why}");
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The python named by `EXAMD_PY`, if it imports pymodbus and pyserial.
fn python_with_pymodbus() -> Result<PathBuf, String> {
    let py = std::env::var_os("EXAMD_PY")
        .map(PathBuf::from)
        .ok_or("EXAMD_PY is not set (a python with tests/peers/requirements.txt)")?;
    let ok = std::process::Command::new(&py)
        .args(["-c", "import pymodbus, serial"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(py)
    } else {
        Err(format!(
            "{} cannot import pymodbus and serial",
            py.display()
        ))
    }
}

#[tokio::test]
async fn driver_against_a_pymodbus_rtu_server_on_a_pty() {
    let py = match python_with_pymodbus() {
        Ok(py) => py,
        Err(why) => return skip(&why),
    };
    bounded(60, async {
        let (master, slave) = tokio_serial::SerialStream::pair().unwrap();
        let path = slave.name().unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/pymodbus_door_module.py"
        );
        // The default map's inputs, NC: door A open (0), door B closed (1), buttons and tampers at rest (1),
        // input 6 unwired (0), fire active (0).
        let mut child = tokio::process::Command::new(py)
            .args([script, &path, "1", "01111100"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        assert!(
            matches!(&first, Ok(Ok(Some(l))) if l == "serving"),
            "pymodbus did not start: {first:?}"
        );

        let ctx = tokio_modbus::client::rtu::attach_slave(master, tokio_modbus::Slave(1));
        let cfg = DriverConfig {
            timeout_ms: 500,
            poll_ms: 20,
            ..DriverConfig::default()
        };
        let mut driver = DoorDriver::new(ctx, IoMap::two_door_default(), cfg).unwrap();
        let want = [
            Input::Contact {
                door: A,
                closed: false,
            },
            Input::Contact {
                door: B,
                closed: true,
            },
            Input::Fire { active: true },
        ];
        poll_until(&mut driver, Duration::from_secs(20), |seen| {
            want.iter().all(|w| seen.contains(w))
        })
        .await;

        driver
            .execute(Command::Release {
                door: B,
                pulse_ms: 5_000,
            })
            .await
            .unwrap();
        let coils = driver
            .context_mut()
            .read_coils(0, 8)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            coils,
            [false, true, false, false, false, false, false, false]
        );
        driver.execute(Command::Relock { door: B }).await.unwrap();
        let coils = driver
            .context_mut()
            .read_coils(0, 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(coils, [false, false]);
        child.kill().await.ok();
        drop(slave);
    })
    .await;
}

/// Runs mbpoll with a timeout; returns its stdout.
async fn mbpoll(exe: &PathBuf, args: &[&str]) -> String {
    let out = tokio::time::timeout(
        Duration::from_secs(15),
        tokio::process::Command::new(exe)
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("mbpoll hung")
    .expect("mbpoll runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "mbpoll {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// mbpoll prints one `[ref]: value` line per point.
fn values(stdout: &str) -> Vec<u16> {
    stdout
        .lines()
        .filter(|l| l.starts_with('['))
        .filter_map(|l| l.split(':').nth(1)?.trim().parse().ok())
        .collect()
}

#[tokio::test]
async fn mbpoll_reads_and_writes_the_simulator() {
    let Some(exe) = find_in_path("mbpoll") else {
        return skip("mbpoll is not installed (Debian: apt-get install mbpoll)");
    };
    bounded(60, async {
        let handle = SimHandle::new(DoorModule::new(IoMap::two_door_default(), sim_config()));
        let pty = SimPty::spawn(handle.clone()).unwrap();
        let path = pty.path().to_str().unwrap().to_owned();
        handle.force(A);
        handle.hold(A, true);
        handle.set_fire(true);
        let rtu = ["-m", "rtu", "-a", "1", "-b", "9600", "-P", "none"];

        // Discrete inputs 1..8 (mbpoll is one-based): A open, B closed, buttons and tampers at rest, 7 unwired,
        // fire active; all NC.
        let args: Vec<&str> = rtu
            .iter()
            .copied()
            .chain(["-t", "1", "-r", "1", "-c", "8", "-1", &path])
            .collect();
        assert_eq!(values(&mbpoll(&exe, &args).await), [0, 1, 1, 1, 1, 1, 0, 0]);

        // Write coil 2 (door B's lock) on: the simulated lock releases.
        let args: Vec<&str> = rtu
            .iter()
            .copied()
            .chain(["-t", "0", "-r", "2", &path, "1"])
            .collect();
        mbpoll(&exe, &args).await;
        assert!(handle.released(B));
        assert!(handle.push(B));
        let args: Vec<&str> = rtu
            .iter()
            .copied()
            .chain(["-t", "0", "-r", "1", "-c", "2", "-1", &path])
            .collect();
        assert_eq!(values(&mbpoll(&exe, &args).await), [0, 1]);
    })
    .await;
}
