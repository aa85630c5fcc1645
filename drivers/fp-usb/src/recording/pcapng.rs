//! usbmon captures in pcapng (Wireshark's format for Linux USB traffic).
//!
//! The container is parsed by `pcap-parser`; this module reads the usbmon packets inside.
//! Each packet starts with the 64-byte little-endian `struct usb_header_mmapped`
//! (link type LINKTYPE_USB_LINUX_MMAPPED, 220):
//!
//! ```text
//! 0  u64 id            URB tag, pairs a submit with its completion
//! 8  u8  event_type    'S' submit, 'C' complete, 'E' error
//! 9  u8  transfer_type 0 iso, 1 interrupt, 2 control, 3 bulk
//! 10 u8  endpoint      bit 7 = IN
//! 11 u8  device_address
//! 12 u16 bus_id
//! 14 i8  setup_flag    0 => setup[8] below is valid
//! 15 i8  data_flag     0 => data follows the header
//! 16 i64 ts_sec, 24 i32 ts_usec, 28 i32 status
//! 32 u32 urb_len       requested length on 'S', actual length on 'C'
//! 36 u32 data_len      captured data bytes after the header
//! 40 u8  setup[8]
//! 48 i32 interval, 52 i32 start_frame, 56 u32 xfer_flags, 60 u32 ndesc
//! ```
//!
//! [`parse`] keeps one device's URBs, pairs each 'S' with the next 'C'/'E' of the same id,
//! and returns the completed URBs in submission order: OUT data from the submit, IN data
//! from the completion (umockdev `src/umockdev-pcap.vala` replays the same way).

use std::collections::HashMap;

use pcap_parser::pcapng::Block;
use pcap_parser::{Linktype, PcapBlockOwned, PcapNGSlice};

use super::{Endpoint, Recording, RecordingError, TransferType, Urb};

const LINKTYPE_USB_LINUX_MMAPPED: i32 = 220;
const HEADER_LEN: usize = 64;

/// Which device's traffic to keep: usbmon captures a whole bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceAddress {
    /// USB bus number (`busnum`).
    pub bus: u16,
    /// Device address on that bus (`devnum`).
    pub device: u8,
}

/// One usbmon event, as decoded from a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbmonPacket<'a> {
    /// URB tag.
    pub id: u64,
    /// `b'S'`, `b'C'` or `b'E'`.
    pub event: u8,
    /// Transfer type.
    pub transfer_type: TransferType,
    /// Endpoint address including the direction bit.
    pub endpoint: Endpoint,
    /// Which device.
    pub address: DeviceAddress,
    /// Setup packet, when flagged valid.
    pub setup: Option<[u8; 8]>,
    /// URB status (`-115` EINPROGRESS on submits).
    pub status: i32,
    /// Requested length on submit, actual length on completion.
    pub urb_len: u32,
    /// Captured data.
    pub data: &'a [u8],
}

/// Decodes one usbmon packet (64-byte header plus data).
pub fn parse_packet(p: &[u8]) -> Result<UsbmonPacket<'_>, &'static str> {
    if p.len() < HEADER_LEN {
        return Err("shorter than the 64-byte usbmon header");
    }
    let u32_at = |o: usize| u32::from_le_bytes([p[o], p[o + 1], p[o + 2], p[o + 3]]);
    let mut id = [0u8; 8];
    id.copy_from_slice(&p[0..8]);
    let transfer_type = TransferType::from_number(p[9]).ok_or("bad transfer type")?;
    let data_len = u32_at(36) as usize;
    let data = p
        .get(HEADER_LEN..)
        .and_then(|rest| rest.get(..data_len))
        .ok_or("data_len runs past the packet")?;
    let setup = (p[14] == 0).then(|| {
        let mut s = [0u8; 8];
        s.copy_from_slice(&p[40..48]);
        s
    });
    Ok(UsbmonPacket {
        id: u64::from_le_bytes(id),
        event: p[8],
        transfer_type,
        endpoint: Endpoint(p[10]),
        address: DeviceAddress {
            bus: u16::from_le_bytes([p[12], p[13]]),
            device: p[11],
        },
        setup,
        status: u32_at(28) as i32,
        urb_len: u32_at(32),
        data,
    })
}

/// Checks every block's length field before `pcap-parser` sees it: pcap-parser 0.17 subtracts 12
/// from the length without checking it first (found by the `fpusb_pcapng` fuzz target;
/// regression input `tests/regressions/pcapng/crash-ac87…`).
fn check_block_lengths(bytes: &[u8]) -> Result<(), RecordingError> {
    let (mut offset, mut block, mut big_endian) = (0usize, 0usize, false);
    while offset < bytes.len() {
        let bad = |reason| RecordingError::Pcapng { block, reason };
        let head = bytes
            .get(offset..offset + 12)
            .ok_or(bad("truncated block"))?;
        let field = |at: usize| [head[at], head[at + 1], head[at + 2], head[at + 3]];
        if u32::from_le_bytes(field(0)) == 0x0a0d_0d0a {
            big_endian = field(8) == [0x1a, 0x2b, 0x3c, 0x4d];
        }
        let len = if big_endian {
            u32::from_be_bytes(field(4))
        } else {
            u32::from_le_bytes(field(4))
        } as usize;
        if len < 12 || len % 4 != 0 {
            return Err(bad("bad block length"));
        }
        if len > bytes.len() - offset {
            return Err(bad("truncated block"));
        }
        offset += len;
        block += 1;
    }
    Ok(())
}

/// Iterates over the packets of a pcapng capture, checking the link type.
pub fn packets(bytes: &[u8]) -> Result<Vec<&[u8]>, RecordingError> {
    check_block_lengths(bytes)?;
    let slice = PcapNGSlice::from_slice(bytes).map_err(|_| RecordingError::Pcapng {
        block: 0,
        reason: "no section header block",
    })?;
    let mut out = Vec::new();
    let mut linktype_ok = false;
    for (block, item) in slice.enumerate() {
        let item = item.map_err(|e| RecordingError::Pcapng {
            block,
            reason: match e {
                pcap_parser::nom::Err::Incomplete(_) => "truncated block",
                _ => "malformed block",
            },
        })?;
        match item {
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                if idb.linktype != Linktype(LINKTYPE_USB_LINUX_MMAPPED) {
                    return Err(RecordingError::LinkType(idb.linktype.0));
                }
                linktype_ok = true;
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                if !linktype_ok {
                    return Err(RecordingError::Pcapng {
                        block,
                        reason: "packet before any interface description",
                    });
                }
                let data = epb
                    .data
                    .get(..epb.caplen as usize)
                    .ok_or(RecordingError::Pcapng {
                        block,
                        reason: "captured length exceeds the block",
                    })?;
                out.push(data);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Parses a usbmon pcapng capture into the completed URBs of one device.
pub fn parse(bytes: &[u8], device: DeviceAddress) -> Result<Recording, RecordingError> {
    // Submitted URBs in order; `None` until completed.
    let mut urbs: Vec<(Urb, bool)> = Vec::new();
    let mut pending: HashMap<u64, usize> = HashMap::new();
    for (index, raw) in packets(bytes)?.into_iter().enumerate() {
        let p = parse_packet(raw).map_err(|reason| RecordingError::Packet { index, reason })?;
        if p.address != device {
            continue;
        }
        match p.event {
            b'S' => {
                let is_control = p.transfer_type == TransferType::Control;
                if is_control && p.setup.is_none() {
                    return Err(RecordingError::Packet {
                        index,
                        reason: "control submit without setup packet",
                    });
                }
                let endpoint = match (is_control, p.setup) {
                    (true, Some(s)) => Endpoint((s[0] & 0x80) | (p.endpoint.0 & 0x7f)),
                    _ => p.endpoint,
                };
                let urb = Urb {
                    transfer_type: p.transfer_type,
                    endpoint,
                    setup: p.setup,
                    length: p.urb_len as usize,
                    data: if endpoint.is_in() {
                        Vec::new()
                    } else {
                        p.data.to_vec()
                    },
                    status: 0,
                };
                pending.insert(p.id, urbs.len());
                urbs.push((urb, false));
            }
            b'C' | b'E' => {
                // A completion without a submit (capture started mid-transfer) is dropped.
                let Some(i) = pending.remove(&p.id) else {
                    continue;
                };
                let (urb, done) = &mut urbs[i];
                urb.status = p.status;
                if urb.endpoint.is_in() {
                    urb.data = p.data.to_vec();
                }
                *done = true;
            }
            _ => {
                return Err(RecordingError::Packet {
                    index,
                    reason: "unknown event type",
                });
            }
        }
    }
    Ok(Recording {
        urbs: urbs
            .into_iter()
            .filter_map(|(u, done)| done.then_some(u))
            .collect(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a usbmon packet for tests.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn packet(
        id: u64,
        event: u8,
        ty: u8,
        ep: u8,
        dev: u8,
        setup: Option<[u8; 8]>,
        status: i32,
        urb_len: u32,
        data: &[u8],
    ) -> Vec<u8> {
        let mut p = Vec::with_capacity(64 + data.len());
        p.extend_from_slice(&id.to_le_bytes()); // 0 id
        p.extend_from_slice(&[event, ty, ep, dev]); // 8 event, type, endpoint, device
        p.extend_from_slice(&1u16.to_le_bytes()); // 12 bus 1
        p.push(if setup.is_some() { 0 } else { b'-' }); // 14 setup flag
        p.push(if data.is_empty() { b'<' } else { 0 }); // 15 data flag
        p.extend_from_slice(&0i64.to_le_bytes()); // 16 ts_sec
        p.extend_from_slice(&0i32.to_le_bytes()); // 24 ts_usec
        p.extend_from_slice(&status.to_le_bytes()); // 28 status
        p.extend_from_slice(&urb_len.to_le_bytes()); // 32 urb_len
        p.extend_from_slice(&(data.len() as u32).to_le_bytes()); // 36 data_len
        p.extend_from_slice(&setup.unwrap_or_default()); // 40 setup
        p.extend_from_slice(&[0; 16]); // 48 interval, start_frame, xfer_flags, ndesc
        p.extend_from_slice(data);
        p
    }

    /// Wraps packets in a little-endian pcapng: SHB, IDB(linktype), EPBs.
    pub(crate) fn pcapng(linktype: u16, packets: &[Vec<u8>]) -> Vec<u8> {
        let mut f = Vec::new();
        let block = |f: &mut Vec<u8>, ty: u32, body: &[u8]| {
            let pad = (4 - body.len() % 4) % 4;
            let len = (12 + body.len() + pad) as u32;
            f.extend_from_slice(&ty.to_le_bytes());
            f.extend_from_slice(&len.to_le_bytes());
            f.extend_from_slice(body);
            f.extend(std::iter::repeat_n(0, pad));
            f.extend_from_slice(&len.to_le_bytes());
        };
        // SHB: byte-order magic, version 1.0, section length -1.
        let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
        shb.extend_from_slice(&[1, 0, 0, 0]);
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        block(&mut f, 0x0a0d_0d0a, &shb);
        // IDB: link type, reserved, snaplen.
        let mut idb = linktype.to_le_bytes().to_vec();
        idb.extend_from_slice(&[0, 0]);
        idb.extend_from_slice(&0u32.to_le_bytes());
        block(&mut f, 1, &idb);
        for p in packets {
            // EPB: interface 0, timestamp, caplen, origlen, data.
            let mut epb = 0u32.to_le_bytes().to_vec();
            epb.extend_from_slice(&[0; 8]);
            epb.extend_from_slice(&(p.len() as u32).to_le_bytes());
            epb.extend_from_slice(&(p.len() as u32).to_le_bytes());
            epb.extend_from_slice(p);
            block(&mut f, 6, &epb);
        }
        f
    }

    const DEV: DeviceAddress = DeviceAddress { bus: 1, device: 3 };

    #[test]
    fn pairs_submits_with_completions_for_one_device() {
        let vendor_out = [0x40, 0x0c, 0x00, 0x01, 0x00, 0x04, 0x01, 0x00];
        let get_desc = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00];
        let f = pcapng(
            220,
            &[
                packet(1, b'S', 2, 0x80, 5, Some(get_desc), -115, 18, &[]), // other device
                packet(2, b'S', 2, 0x00, 3, Some(vendor_out), -115, 1, &[0]),
                packet(2, b'C', 2, 0x00, 3, None, 0, 1, &[]),
                packet(3, b'S', 3, 0x81, 3, None, -115, 64, &[]),
                packet(4, b'S', 3, 0x02, 3, None, -115, 2, b"hi"),
                packet(4, b'C', 3, 0x02, 3, None, 0, 2, &[]),
                packet(3, b'C', 3, 0x81, 3, None, 0, 3, b"abc"),
                packet(9, b'C', 3, 0x81, 3, None, 0, 1, b"x"), // no submit: dropped
                packet(5, b'S', 3, 0x81, 3, None, -115, 64, &[]), // never completed: dropped
            ],
        );
        let r = parse(&f, DEV).unwrap();
        assert_eq!(r.urbs.len(), 3);
        assert_eq!(r.urbs[0].setup, Some(vendor_out));
        assert_eq!(
            (r.urbs[0].endpoint, r.urbs[0].data.as_slice()),
            (Endpoint(0), &[0u8][..])
        );
        assert_eq!(
            (r.urbs[1].length, r.urbs[1].data.as_slice()),
            (64, &b"abc"[..])
        );
        assert_eq!(r.urbs[2].data, b"hi");
    }

    #[test]
    fn rejects_other_link_types_and_short_packets() {
        assert_eq!(
            parse(&pcapng(1, &[]), DEV),
            Err(RecordingError::LinkType(1))
        );
        let short = pcapng(220, &[vec![0u8; 10]]);
        assert!(matches!(
            parse(&short, DEV),
            Err(RecordingError::Packet { index: 0, .. })
        ));
        let mut overlong = packet(1, b'S', 3, 2, 3, None, 0, 4, b"abcd");
        overlong.truncate(66);
        assert_eq!(
            parse_packet(&overlong),
            Err("data_len runs past the packet")
        );
        assert!(parse(b"not a capture", DEV).is_err());
        let whole = pcapng(220, &[packet(1, b'S', 3, 2, 3, None, 0, 4, b"abcd")]);
        assert!(matches!(
            parse(&whole[..whole.len() - 3], DEV),
            Err(RecordingError::Pcapng { .. })
        ));
        // A block shorter than its own 12-byte frame (pcap-parser would underflow on it).
        let mut tiny = pcapng(220, &[]);
        tiny.extend_from_slice(&[4, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            parse(&tiny, DEV),
            Err(RecordingError::Pcapng {
                block: 2,
                reason: "bad block length"
            })
        );
    }
}
