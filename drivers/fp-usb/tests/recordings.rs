//! libfprint's recorded captures, parsed and replayed through the unchanged drivers.

use std::time::Duration;

use fp_usb::recording::{device, ioctl, pcapng};
use fp_usb::{Nb1010, ReplayTransport, UpekTc};
use hw::FingerprintSensor;

use crate::support::{assert_same_image, recordings};

#[tokio::test(start_paused = true)]
async fn nb1010_replay_reproduces_capture_png() {
    let Some(dir) = recordings() else { return };
    let dir = dir.join("nb1010");
    let text = std::fs::read_to_string(dir.join("capture.ioctl")).unwrap();
    let parsed = ioctl::parse(&text).unwrap();
    assert_eq!(parsed.device_node.as_deref(), Some("/dev/bus/usb/001/003"));
    assert_eq!(parsed.recording.urbs.len(), 96);

    let mut sensor = Nb1010::new(ReplayTransport::new(parsed.recording));
    sensor
        .wait_for_finger(Duration::from_secs(5))
        .await
        .unwrap();
    let image = sensor.capture_image().await.unwrap();
    sensor.into_transport().done().unwrap();
    assert_same_image(
        image.width(),
        image.height(),
        image.pixels(),
        &dir.join("capture.png"),
    );
}

#[tokio::test(start_paused = true)]
async fn upektc_replay_reproduces_capture_png() {
    let Some(dir) = recordings() else { return };
    let dir = dir.join("upektc_img");
    let dev = device::parse(&std::fs::read_to_string(dir.join("device")).unwrap()).unwrap();
    assert_eq!((dev.vid, dev.pid), (0x147e, 0x2016));
    let bytes = std::fs::read(dir.join("capture.pcapng")).unwrap();
    let recording = pcapng::parse(&bytes, dev.address).unwrap();

    let mut sensor = UpekTc::new(ReplayTransport::new(recording));
    sensor
        .wait_for_finger(Duration::from_secs(5))
        .await
        .unwrap();
    let image = sensor.capture_image().await.unwrap();
    sensor.into_transport().done().unwrap();
    assert_same_image(
        image.width(),
        image.height(),
        image.pixels(),
        &dir.join("capture.png"),
    );
}

/// The other recordings parse too (their drivers are not ported), so the parsers meet more real input.
#[test]
fn every_recording_parses() {
    let Some(dir) = recordings() else { return };
    for name in [
        "nb1010",
        "upektc_img",
        "aes2501",
        "egis0570",
        "elan",
        "vfs5011",
    ] {
        let d = dir.join(name);
        let dev = device::parse(&std::fs::read_to_string(d.join("device")).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let urbs = if d.join("capture.ioctl").exists() {
            let text = std::fs::read_to_string(d.join("capture.ioctl")).unwrap();
            ioctl::parse(&text)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .recording
                .urbs
        } else {
            let bytes = std::fs::read(d.join("capture.pcapng")).unwrap();
            pcapng::parse(&bytes, dev.address)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .urbs
        };
        assert!(urbs.len() > 10, "{name}: only {} URBs", urbs.len());
    }
}
