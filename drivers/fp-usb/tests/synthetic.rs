//! Driver behaviour on synthetic sessions built from the protocol encoders (no real data needed).

use std::time::Duration;

use fp_usb::protocol::nb1010::{self, Command};
use fp_usb::protocol::upektc::{self, Seq};
use fp_usb::recording::{Endpoint, Recording, TransferType, Urb};
use fp_usb::{Nb1010, ReplayTransport, UpekTc};
use hw::{FingerprintSensor, SensorError};

fn bulk(ep: Endpoint, length: usize, data: Vec<u8>) -> Urb {
    Urb {
        transfer_type: TransferType::Bulk,
        endpoint: ep,
        setup: None,
        length,
        data,
        status: 0,
    }
}

#[rustfmt::skip]
fn nb1010_level_answer(level: u8) -> Vec<u8> {
    vec![
        0x80, 0x37, 0x01, 0x00,  0x10, 0x00, 0x00, 0x00,  // header, 16 bytes
        0x00, 0x00, 0x00, 0x00,  level, 0x00, 0x00, 0x00,  // finger level at byte 12
    ]
}

fn nb1010_check(level: u8) -> [Urb; 2] {
    let cmd = Command::CheckFinger.encode(1);
    [
        bulk(nb1010::EP_OUT, cmd.len(), cmd),
        bulk(nb1010::EP_IN, 16, nb1010_level_answer(level)),
    ]
}

#[tokio::test(start_paused = true)]
async fn nb1010_polls_every_50_ms_until_the_deadline() {
    // 4 polls of 50 ms without a finger exhaust a 200 ms deadline.
    let urbs = (0..4).flat_map(|_| nb1010_check(0x10)).collect();
    let mut sensor = Nb1010::new(ReplayTransport::new(Recording { urbs }));
    let start = tokio::time::Instant::now();
    let e = sensor
        .wait_for_finger(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(e, SensorError::NoFinger(_)), "{e:?}");
    assert_eq!(start.elapsed(), Duration::from_millis(200));
    sensor.into_transport().done().unwrap();
}

#[tokio::test(start_paused = true)]
async fn nb1010_finger_on_second_poll() {
    let urbs = [nb1010_check(0x30), nb1010_check(0x31)].concat();
    let mut sensor = Nb1010::new(ReplayTransport::new(Recording { urbs }));
    sensor
        .wait_for_finger(Duration::from_secs(1))
        .await
        .unwrap();
    sensor.into_transport().done().unwrap();
}

#[tokio::test(start_paused = true)]
async fn nb1010_garbage_answer_is_reported_as_such() {
    let cmd = Command::CheckFinger.encode(1);
    let mut answer = nb1010_level_answer(0xff);
    answer[0] = 0x00;
    let urbs = vec![
        bulk(nb1010::EP_OUT, 8, cmd),
        bulk(nb1010::EP_IN, 16, answer),
    ];
    let mut sensor = Nb1010::new(ReplayTransport::new(Recording { urbs }));
    let e = sensor
        .wait_for_finger(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(e, SensorError::Garbage(_)), "{e:?}");
}

/// A 64-byte read holding one short UPEK message.
fn upek_answer(kind: u8, payload: &[u8]) -> Urb {
    let mut m = upektc::encode_message(kind, Seq::ZERO, payload);
    m.resize(64, 0);
    bulk(upektc::EP_IN, 64, m)
}

fn upek_sent(cmd: upektc::Command, seq: Seq) -> Urb {
    let b = cmd.encode(seq);
    bulk(upektc::EP_OUT, b.len(), b)
}

fn vendor_request() -> Urb {
    Urb {
        transfer_type: TransferType::Control,
        endpoint: Endpoint(0x00),
        setup: Some([0x40, 0x0c, 0x00, 0x01, 0x00, 0x04, 0x01, 0x00]),
        length: 1,
        data: vec![0],
        status: 0,
    }
}

#[tokio::test]
async fn upektc_short_swipe_is_a_device_refusal() {
    use upektc::Command as C;
    let ok = || upek_answer(0x05, &[0x00]);
    let mut status = vec![0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1e];
    status.extend_from_slice(&[0; 8]);
    let s = |n| (0..n).fold(Seq::ZERO, |s, _| s.next());
    let urbs = vec![
        vendor_request(),
        ok(),
        upek_sent(C::Init1, s(0)),
        ok(),
        upek_sent(C::Init2, s(0)),
        ok(),
        vendor_request(),
        ok(),
        upek_sent(C::Init3, s(0)),
        ok(),
        upek_sent(C::Init4, s(0)),
        ok(),
        upek_sent(C::InitCapture, s(1)),
        upek_answer(0x00, &status),
        upek_sent(C::AckStatus, s(2)),
        ok(),
    ];
    let mut sensor = UpekTc::new(ReplayTransport::new(Recording { urbs }));
    let e = sensor
        .wait_for_finger(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(e.device_code(), Some(0x1e), "{e:?}");
    assert_eq!(
        e.to_string(),
        "device answered with status 0x1e: swipe too short"
    );
    sensor.into_transport().done().unwrap();
}
