//! umockdev `.ioctl` text recordings of usbfs traffic.
//!
//! Format (umockdev `src/ioctl_tree.c`):
//!
//! ```text
//! @DEV /dev/bus/usb/001/003                        metadata lines start with '@'
//! # a comment                                      '#' lines and blank lines are ignored
//! USBDEVFS_GET_CAPABILITIES 0 FD010000
//! USBDEVFS_REAPURBNDELAY 0 3 2 0 0 8 8 0 8038010008000000
//!  USBDEVFS_REAPURBNDELAY 0 3 131 0 0 16 16 0 8037…   leading spaces = tree depth
//! ```
//!
//! A reap line is `NAME ret type endpoint status flags buffer_length actual_length error_count HEX`,
//! with `HEX` holding `buffer_length` bytes for OUT and `actual_length` bytes for IN
//! (control transfers: the 8-byte setup packet first).
//! umockdev nests each IN URB under the reap before it; a linear replay strips the indentation
//! and keeps file order, which is what [`parse`] does.

use super::{Endpoint, Recording, RecordingError, TransferType, Urb};

/// A parsed `.ioctl` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoctlRecording {
    /// The device node from the `@DEV` line (for example `/dev/bus/usb/001/003`).
    pub device_node: Option<String>,
    /// The URBs in file order.
    pub recording: Recording,
}

/// Parses umockdev `.ioctl` text.
pub fn parse(text: &str) -> Result<IoctlRecording, RecordingError> {
    let mut out = IoctlRecording::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |reason| RecordingError::Line { line, reason };
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(meta) = l.strip_prefix('@') {
            if let Some(dev) = meta.strip_prefix("DEV") {
                out.device_node = Some(dev.trim().to_owned());
            }
            continue;
        }
        let mut fields = l.split_ascii_whitespace();
        let name = fields.next().ok_or(err("empty line"))?;
        match name {
            "USBDEVFS_REAPURB" | "USBDEVFS_REAPURBNDELAY" => {
                out.recording
                    .urbs
                    .push(parse_reap(&mut fields).map_err(err)?);
            }
            // Other usbfs ioctls (capabilities, claim, connect info) carry no traffic.
            n if n.starts_with("USBDEVFS_") => {}
            _ => return Err(err("not a usbfs ioctl")),
        }
    }
    Ok(out)
}

/// Writes a recording as umockdev `.ioctl` text (flat, no nesting), which [`parse`] reads back.
pub fn to_text(rec: &IoctlRecording) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if let Some(dev) = &rec.device_node {
        let _ = writeln!(out, "@DEV {dev}");
    }
    for u in &rec.recording.urbs {
        let ty = match u.transfer_type {
            TransferType::Isochronous => 0,
            TransferType::Interrupt => 1,
            TransferType::Control => 2,
            TransferType::Bulk => 3,
        };
        let (ep, buffer_length, actual, bytes) = match u.setup {
            Some(setup) if u.transfer_type == TransferType::Control => {
                let mut b = setup.to_vec();
                b.extend_from_slice(&u.data);
                (0, u.length + 8, u.data.len(), b)
            }
            _ => (u.endpoint.0, u.length, u.data.len(), u.data.clone()),
        };
        let _ = writeln!(
            out,
            "USBDEVFS_REAPURB 0 {ty} {ep} {} 0 {buffer_length} {actual} 0 {}",
            u.status,
            hex::encode_upper(bytes)
        );
    }
    out
}

fn parse_reap<'a>(f: &mut impl Iterator<Item = &'a str>) -> Result<Urb, &'static str> {
    let mut num = |what: &'static str| -> Result<i64, &'static str> {
        f.next().ok_or(what)?.parse::<i64>().map_err(|_| what)
    };
    let _ret = num("bad return value")?;
    let ty = num("bad transfer type")?;
    let ep = num("bad endpoint")?;
    let status = num("bad status")?;
    let _flags = num("bad flags")?;
    let buffer_length = num("bad buffer length")?;
    let actual_length = num("bad actual length")?;
    let _errors = num("bad error count")?;
    let hex_text = f.next().unwrap_or("");
    if f.next().is_some() {
        return Err("trailing fields");
    }
    let transfer_type = u8::try_from(ty)
        .ok()
        .and_then(TransferType::from_number)
        .ok_or("bad transfer type")?;
    let endpoint = Endpoint(u8::try_from(ep).map_err(|_| "bad endpoint")?);
    let status = i32::try_from(status).map_err(|_| "bad status")?;
    let buffer_length = usize::try_from(buffer_length).map_err(|_| "bad buffer length")?;
    let actual_length = usize::try_from(actual_length).map_err(|_| "bad actual length")?;
    let bytes = hex::decode(hex_text).map_err(|_| "bad hex data")?;

    if transfer_type == TransferType::Control {
        if bytes.len() < 8 || buffer_length < 8 {
            return Err("control transfer without setup packet");
        }
        let mut setup = [0u8; 8];
        setup.copy_from_slice(&bytes[..8]);
        let dir_in = setup[0] & 0x80 != 0;
        return Ok(Urb {
            transfer_type,
            endpoint: Endpoint(if dir_in { 0x80 } else { 0x00 }),
            setup: Some(setup),
            length: buffer_length - 8,
            data: bytes[8..].to_vec(),
            status,
        });
    }
    let expected = if endpoint.is_in() {
        actual_length
    } else {
        buffer_length
    };
    if bytes.len() != expected {
        return Err("hex data length does not match the URB lengths");
    }
    if actual_length > buffer_length {
        return Err("actual length exceeds buffer length");
    }
    Ok(Urb {
        transfer_type,
        endpoint,
        setup: None,
        length: buffer_length,
        data: bytes,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[rustfmt::skip]
    const SAMPLE: &str = concat!(
        "@DEV /dev/bus/usb/001/003\n",
        "# comment\n",
        "\n",
        "USBDEVFS_GET_CAPABILITIES 0 FD010000\n",
        // ret type=bulk ep=0x02 status flags buflen=8 actual=8 errors data
        "USBDEVFS_REAPURBNDELAY 0 3 2 0 0 8 8 0 8038010008000000\n",
        // IN, nested one level: 4 bytes asked, 2 returned
        " USBDEVFS_REAPURBNDELAY 0 3 131 0 0 4 2 0 F700\n",
        // cancelled IN URB without data
        "  USBDEVFS_REAPURB 0 1 129 -2 0 64 0 0\n",
    );

    #[test]
    fn parses_reaps_in_file_order() {
        let r = parse(SAMPLE).unwrap();
        assert_eq!(r.device_node.as_deref(), Some("/dev/bus/usb/001/003"));
        let u = &r.recording.urbs;
        assert_eq!(u.len(), 3);
        assert_eq!(u[0].transfer_type, TransferType::Bulk);
        assert_eq!(u[0].endpoint, Endpoint(0x02));
        assert_eq!(u[0].data, [0x80, 0x38, 1, 0, 8, 0, 0, 0]);
        assert!(u[0].is_out());
        assert_eq!(u[1].endpoint, Endpoint(0x83));
        assert_eq!((u[1].length, u[1].data.as_slice()), (4, &[0xf7, 0][..]));
        assert_eq!(u[2].transfer_type, TransferType::Interrupt);
        assert_eq!((u[2].status, u[2].data.len()), (-2, 0));
    }

    #[test]
    fn control_transfers_split_off_the_setup_packet() {
        // bmRequestType 0x40 (vendor, OUT), request 0x0c, value 0x0100, index 0x0400, length 1; data 00.
        let r = parse("USBDEVFS_REAPURB 0 2 0 0 0 9 9 0 400C00010004010000\n").unwrap();
        let u = &r.recording.urbs[0];
        assert_eq!(
            u.setup,
            Some([0x40, 0x0c, 0x00, 0x01, 0x00, 0x04, 0x01, 0x00])
        );
        assert_eq!((u.length, u.data.as_slice()), (1, &[0u8][..]));
        assert!(!u.is_standard_control());
    }

    fn urb_strategy() -> impl Strategy<Value = Urb> {
        use proptest::collection::vec;
        let data = vec(any::<u8>(), 0..40);
        prop_oneof![
            // Bulk or interrupt, IN (data no longer than asked) or OUT (data is the length).
            (
                prop_oneof![Just(TransferType::Bulk), Just(TransferType::Interrupt)],
                any::<u8>(),
                data.clone(),
                0usize..8,
                -120i32..=0
            )
                .prop_map(|(transfer_type, ep, data, extra, status)| {
                    let endpoint = Endpoint(ep);
                    let length = data.len() + if endpoint.is_in() { extra } else { 0 };
                    Urb {
                        transfer_type,
                        endpoint,
                        setup: None,
                        length,
                        data,
                        status,
                    }
                }),
            // Control: the endpoint follows the setup packet's direction bit.
            (any::<[u8; 8]>(), data).prop_map(|(setup, data)| Urb {
                transfer_type: TransferType::Control,
                endpoint: Endpoint(setup[0] & 0x80),
                setup: Some(setup),
                length: data.len(),
                data,
                status: 0,
            }),
        ]
    }

    proptest! {
        #[test]
        fn text_round_trips(urbs in proptest::collection::vec(urb_strategy(), 0..12)) {
            let rec = IoctlRecording {
                device_node: Some("/dev/bus/usb/002/007".into()),
                recording: Recording { urbs },
            };
            prop_assert_eq!(parse(&to_text(&rec)).unwrap(), rec);
        }
    }

    #[test]
    fn malformed_lines_name_their_line() {
        for (text, reason) in [
            (
                "USBDEVFS_REAPURB 0 3 2 0 0 8 8 0 80\n",
                "hex data length does not match the URB lengths",
            ),
            ("USBDEVFS_REAPURB 0 9 2 0 0 1 1 0 80\n", "bad transfer type"),
            ("USBDEVFS_REAPURB 0 3 999 0 0 1 1 0 80\n", "bad endpoint"),
            ("USBDEVFS_REAPURB 0 3 2 0 0 1 1 0 8\n", "bad hex data"),
            ("USBDEVFS_REAPURB 0 3 2\n", "bad status"),
            (
                "USBDEVFS_REAPURB 0 2 0 0 0 2 2 0 8000\n",
                "control transfer without setup packet",
            ),
            (
                "USBDEVFS_REAPURB 0 3 130 0 0 1 2 0 8000\n",
                "actual length exceeds buffer length",
            ),
            ("hello\n", "not a usbfs ioctl"),
        ] {
            assert_eq!(
                parse(&format!("# x\n{text}")),
                Err(RecordingError::Line { line: 2, reason }),
                "{text}"
            );
        }
    }
}
