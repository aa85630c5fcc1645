//! Properties the fuzz targets check (`fuzz/fuzz_targets/fpusb_*.rs` include this file), also
//! replayed over the committed regression inputs by `tests/regressions.rs`.

use fp_usb::protocol::{nb1010, upektc};
use fp_usb::recording::pcapng::{self, DeviceAddress};
use fp_usb::recording::{TransferType, ioctl};

/// umockdev `.ioctl` text: never panics; parsed URBs keep their length invariants.
pub fn ioctl_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = ioctl::parse(text) else {
        return;
    };
    for u in &parsed.recording.urbs {
        if u.transfer_type == TransferType::Control {
            assert!(u.setup.is_some());
        } else if u.endpoint.is_in() {
            assert!(u.data.len() <= u.length);
        } else {
            assert_eq!(u.data.len(), u.length);
        }
    }
}

/// usbmon pcapng: never panics, for the first packet's device and for a fixed one.
pub fn pcapng_target(data: &[u8]) {
    let first = pcapng::packets(data).ok().and_then(|p| {
        p.first()
            .and_then(|p| pcapng::parse_packet(p).ok())
            .map(|p| p.address)
    });
    for address in first
        .into_iter()
        .chain([DeviceAddress { bus: 1, device: 3 }])
    {
        if let Ok(rec) = pcapng::parse(data, address) {
            for u in &rec.urbs {
                assert!(u.transfer_type != TransferType::Control || u.setup.is_some());
            }
        }
    }
    let _ = pcapng::parse_packet(data);
}

/// Device answers: frame and message decoders never panic and stay inside the input.
pub fn frames_target(data: &[u8]) {
    if let Ok(px) = nb1010::frame_pixels(data) {
        assert_eq!(px.len(), nb1010::ROWS_PER_FRAME * nb1010::WIDTH);
    }
    let _ = nb1010::finger_level(data);
    if let Ok(msg) = upektc::decode_message(data) {
        assert!(msg.payload.len() + 9 <= data.len());
        if let Ok(upektc::CaptureEvent::Frame { pixels, .. }) = upektc::capture_event(&msg) {
            assert!(pixels.len() <= msg.payload.len());
            let mut image = upektc::Assembler::new();
            let _ = image.push(pixels);
        }
    }
}
