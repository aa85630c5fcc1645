//! The real rusb code path against recorded devices, emulated by Debian's `umockdev-run`.
//!
//! The `fp-usb-capture` binary opens the sensor through libusb exactly as on hardware; umockdev
//! intercepts its usbfs ioctls and serves the recording.

use std::path::Path;
use std::process::Command;

use fp_usb::recording::{device, ioctl, pcapng};

use crate::support::{assert_same_image, recordings};

/// Whether `umockdev-run` can be used; panics when it is missing but required.
fn umockdev_available() -> bool {
    let found = Command::new("umockdev-run")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("EXAMD_PEERS_REQUIRED").as_deref() != Ok("1"),
            "umockdev-run is required (EXAMD_PEERS_REQUIRED=1): apt-get install umockdev"
        );
        eprintln!("SKIP: umockdev-run is not installed (apt-get install umockdev)");
    }
    found
}

#[derive(Clone, Copy)]
enum Traffic<'a> {
    Ioctl(&'a str),
    Pcapng(&'a str),
}

fn capture_under_umockdev(dir: &Path, traffic: Traffic<'_>, selector: &str) {
    let dev = device::parse(&std::fs::read_to_string(dir.join("device")).unwrap()).unwrap();
    let (flag, spec) = match traffic {
        Traffic::Ioctl(f) => (
            "-i",
            format!("{}={}", dev.dev_path(), dir.join(f).display()),
        ),
        Traffic::Pcapng(f) => (
            "-p",
            format!("{}={}", dev.sys_path(), dir.join(f).display()),
        ),
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.png");
    let traffic_out = tmp.path().join("traffic.ioctl");
    let run = Command::new("umockdev-run")
        .arg("-d")
        .arg(dir.join("device"))
        .arg(flag)
        .arg(&spec)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_fp-usb-capture"))
        .args(["--selector", selector, "--wait-ms", "5000", "--out"])
        .arg(&out)
        .arg("--record")
        .arg(&traffic_out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "umockdev-run failed: {}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    // The driver's traffic, recorded on the rusb side, is the device's recording URB for URB.
    let expected = match traffic {
        Traffic::Ioctl(f) => {
            ioctl::parse(&std::fs::read_to_string(dir.join(f)).unwrap())
                .unwrap()
                .recording
        }
        Traffic::Pcapng(f) => {
            pcapng::parse(&std::fs::read(dir.join(f)).unwrap(), dev.address).unwrap()
        }
    };
    let expected: Vec<_> = expected
        .urbs
        .into_iter()
        .filter(|u| !u.is_standard_control())
        .collect();
    let seen = ioctl::parse(&std::fs::read_to_string(&traffic_out).unwrap()).unwrap();
    assert_eq!(seen.device_node, Some(dev.dev_path()));
    assert_eq!(seen.recording.urbs.len(), expected.len());
    assert!(
        seen.recording.urbs == expected,
        "the traffic differs from the recording"
    );

    let ours = image::open(&out).unwrap().to_luma8();
    let (w, h) = ours.dimensions();
    assert_same_image(w, h, ours.as_raw(), &dir.join("capture.png"));
}

#[test]
fn nb1010_rusb_under_umockdev_reproduces_capture_png() {
    let Some(dir) = recordings() else { return };
    if !umockdev_available() {
        return;
    }
    capture_under_umockdev(
        &dir.join("nb1010"),
        Traffic::Ioctl("capture.ioctl"),
        "usb:298d:1010",
    );
}

#[test]
fn upektc_rusb_under_umockdev_reproduces_capture_png() {
    let Some(dir) = recordings() else { return };
    if !umockdev_available() {
        return;
    }
    capture_under_umockdev(
        &dir.join("upektc_img"),
        Traffic::Pcapng("capture.pcapng"),
        "usb:147e:2016",
    );
}
