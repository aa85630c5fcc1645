//! UPEK TouchChip TCS5B coprocessor (USB 147e:2016 and 147e:2020), libfprint's `upektc_img`.
//!
//! Messages both ways are framed as
//!
//! ```text
//! "Ciao" kind  seq<<4|len>>8  len&0xff  payload[len]  crc16_le
//!  0..4   4        5             6         7..7+len    over bytes 4..7+len (CRC-16/XMODEM)
//! ```
//!
//! The host sends a vendor control request and four init commands (reading a 64-byte answer after
//! each), then "init capture"; the device then streams answers, each read as 64 bytes plus, when
//! longer, one more read of up to 1988 bytes:
//! kind 0x00 with payload `28 …` is a finger status (byte 18: 0x0c no finger, 0x00 finger,
//! 0x1e too short, 0x1d moved sideways) acknowledged by [`Command::AckStatus`];
//! `2c`/`24` are image frames and `20` the last one, acknowledged by [`Command::AckFrame`];
//! kind 0x08 is acknowledged by [`Command::Ack08`]. The frames' pixels, concatenated, are the
//! 144 × 384 image, which libfprint submits without flip or invert flags.
//! Afterwards the host sends [`Command::Deinit`] and reads its answer.

use super::ProtocolError;
use super::image::ImageFlags;
use crate::recording::Endpoint;

/// USB vendor id.
pub const VID: u16 = 0x147e;
/// USB product ids this protocol serves (TCS5B, and the 2020 variant).
pub const PIDS: [u16; 2] = [0x2016, 0x2020];
/// Bulk OUT endpoint.
pub const EP_OUT: Endpoint = Endpoint(0x02);
/// Bulk IN endpoint.
pub const EP_IN: Endpoint = Endpoint(0x81);
/// Image width in pixels.
pub const WIDTH: usize = 144;
/// Image height in pixels.
pub const HEIGHT: usize = 384;
/// True resolution in pixels per inch (UPEK TouchChip sensors: 508 dpi).
pub const PPI: u32 = 508;
/// First read of every answer.
pub const SHORT_READ: usize = 64;
/// Longest answer.
pub const MAX_ANSWER: usize = 2052;
/// The images need no correction.
pub const FLAGS: ImageFlags = ImageFlags::NONE;

const MAGIC: &[u8; 4] = b"Ciao";
/// Header (magic, kind, seq/len) plus CRC.
const OVERHEAD: usize = 9;

/// The vendor control request sent before the first and third init commands:
/// `bmRequestType 0x40, bRequest 0x0c, wValue 0x0100, wIndex 0x0400`, one data byte `00`.
pub const CONTROL_SETUP: (u8, u8, u16, u16) = (0x40, 0x0c, 0x0100, 0x0400);

/// CRC-16/XMODEM, which libfprint calls `udf_crc`.
pub fn crc16(bytes: &[u8]) -> u16 {
    static ALG: crc::Crc<u16, crc::Table<16>> =
        crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_XMODEM);
    ALG.checksum(bytes)
}

/// Host commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// First init command.
    Init1,
    /// Second init command.
    Init2,
    /// Third init command.
    Init3,
    /// Fourth init command; the first to carry a sequence number.
    Init4,
    /// Start a capture that waits for an acceptable finger without timeout.
    InitCapture,
    /// Acknowledges a finger-status answer.
    AckStatus,
    /// Acknowledges a kind-0x08 answer (always sequence 0).
    Ack08,
    /// Acknowledges an image frame.
    AckFrame,
    /// Ends the session.
    Deinit,
}

impl Command {
    /// Kind byte and payload.
    #[rustfmt::skip]
    fn parts(self) -> (u8, &'static [u8]) {
        match self {
            Self::Init1 => (0x04, &[0x01, 0x00, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00]),
            Self::Init2 | Self::Deinit => (0x07, &[0x01]),
            Self::Init3 => (0x04, &[0x01, 0x00, 0xbc, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00]),
            Self::Init4 => (0x00, &[0x28, 0x04, 0x00, 0x00, 0x00, 0x06, 0x04]),
            // cmd 0x28, inner length 0x000b, subcommand 0x0e, timeout 0xfffffffe (none), wait for finger.
            Self::InitCapture => (0x00, &[0x28, 0x0b, 0x00, 0x00, 0x00, 0x0e, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x02, 0x00, 0x02]),
            Self::AckStatus => (0x00, &[0x28, 0x05, 0x00, 0x00, 0x00, 0x00, 0x30, 0x01]),
            Self::Ack08 => (0x09, &[]),
            Self::AckFrame => (0x00, &[0x30]),
        }
    }

    /// The message bytes with a 4-bit sequence number.
    pub fn encode(self, seq: Seq) -> Vec<u8> {
        let (kind, payload) = self.parts();
        encode_message(kind, seq, payload)
    }
}

/// The 4-bit message sequence number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seq(u8);

impl Seq {
    /// Sequence 0.
    pub const ZERO: Self = Self(0);
    /// The next number, wrapping after 15.
    pub fn next(self) -> Self {
        Self((self.0 + 1) & 0x0f)
    }
    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// Frames `payload` as a message of `kind`.
pub fn encode_message(kind: u8, seq: Seq, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() & 0x0fff;
    let mut m = Vec::with_capacity(payload.len() + OVERHEAD);
    m.extend_from_slice(MAGIC);
    m.push(kind);
    m.push((seq.0 << 4) | (len >> 8) as u8);
    m.push(len as u8);
    m.extend_from_slice(&payload[..len]);
    let crc = crc16(&m[4..]);
    m.extend_from_slice(&crc.to_le_bytes());
    m
}

/// The total message length announced by the first bytes of an answer.
pub fn message_len(head: &[u8]) -> Result<usize, ProtocolError> {
    if head.len() < 7 {
        return Err(ProtocolError::Short {
            need: 7,
            got: head.len(),
        });
    }
    if &head[..4] != MAGIC {
        return Err(ProtocolError::BadMagic);
    }
    Ok(((head[5] as usize & 0x0f) << 8 | head[6] as usize) + OVERHEAD)
}

/// A decoded message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Kind byte.
    pub kind: u8,
    /// Sequence number.
    pub seq: Seq,
    /// Payload.
    pub payload: &'a [u8],
}

/// Decodes one message from the start of `buf` (bytes after it are ignored) and checks its CRC.
pub fn decode_message(buf: &[u8]) -> Result<Message<'_>, ProtocolError> {
    let total = message_len(buf)?;
    if buf.len() < total {
        return Err(ProtocolError::Short {
            need: total,
            got: buf.len(),
        });
    }
    let received = u16::from_le_bytes([buf[total - 2], buf[total - 1]]);
    let computed = crc16(&buf[4..total - 2]);
    if received != computed {
        return Err(ProtocolError::BadCrc { computed, received });
    }
    Ok(Message {
        kind: buf[4],
        seq: Seq(buf[5] >> 4),
        payload: &buf[7..total - 2],
    })
}

/// What the device reported about the finger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerStatus {
    /// No finger yet.
    NoFinger,
    /// A finger is on the sensor.
    Finger,
    /// The swipe was too short (the device abandons the capture).
    TooShort,
    /// The finger moved sideways too much (the device abandons the capture).
    CenterFinger,
    /// Another failure code (the device abandons the capture).
    Failed(u8),
}

/// One answer during a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureEvent<'a> {
    /// A finger status; acknowledge with [`Command::AckStatus`].
    Status(FingerStatus),
    /// Image pixels; acknowledge with [`Command::AckFrame`] unless `last`.
    Frame {
        /// The frame's pixels.
        pixels: &'a [u8],
        /// True for the final frame.
        last: bool,
    },
    /// A kind-0x08 answer; acknowledge with [`Command::Ack08`].
    Kind08,
}

/// Classifies a capture-phase answer.
pub fn capture_event<'a>(msg: &Message<'a>) -> Result<CaptureEvent<'a>, ProtocolError> {
    let p = msg.payload;
    match msg.kind {
        0x08 => Ok(CaptureEvent::Kind08),
        0x00 => match p.first().copied() {
            Some(0x28) => {
                // Byte 18 of the message is payload byte 11.
                let code = *p.get(11).ok_or(ProtocolError::Short {
                    need: 12,
                    got: p.len(),
                })?;
                Ok(CaptureEvent::Status(match code {
                    0x0c => FingerStatus::NoFinger,
                    0x00 => FingerStatus::Finger,
                    0x1e => FingerStatus::TooShort,
                    0x1d => FingerStatus::CenterFinger,
                    other => FingerStatus::Failed(other),
                }))
            }
            // First frame: 10 bytes of extra information precede the pixels.
            Some(0x2c) => frame(p, 11, 0, false),
            Some(0x24) => frame(p, 1, 0, false),
            // Last frame: 4 trailing bytes are not pixels.
            Some(0x20) => frame(p, 1, 4, true),
            Some(other) => Err(ProtocolError::Unexpected(other)),
            None => Err(ProtocolError::Short { need: 1, got: 0 }),
        },
        other => Err(ProtocolError::Unexpected(other)),
    }
}

fn frame(
    p: &[u8],
    skip: usize,
    tail: usize,
    last: bool,
) -> Result<CaptureEvent<'_>, ProtocolError> {
    if p.len() < skip + tail {
        return Err(ProtocolError::Short {
            need: skip + tail,
            got: p.len(),
        });
    }
    Ok(CaptureEvent::Frame {
        pixels: &p[skip..p.len() - tail],
        last,
    })
}

/// Collects frame pixels into an image.
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    pixels: Vec<u8>,
}

impl Assembler {
    /// An empty image.
    pub fn new() -> Self {
        Self {
            pixels: Vec::with_capacity(WIDTH * HEIGHT),
        }
    }

    /// Appends a frame's pixels; refuses to grow past one image.
    pub fn push(&mut self, pixels: &[u8]) -> Result<(), ProtocolError> {
        let got = self.pixels.len() + pixels.len();
        if got > WIDTH * HEIGHT {
            return Err(ProtocolError::ImageSize {
                need: WIDTH * HEIGHT,
                got,
            });
        }
        self.pixels.extend_from_slice(pixels);
        Ok(())
    }

    /// Pixels collected so far.
    pub fn len(&self) -> usize {
        self.pixels.len()
    }

    /// True before the first frame.
    pub fn is_empty(&self) -> bool {
        self.pixels.is_empty()
    }

    /// The finished image, corrected by [`FLAGS`]; fails unless exactly one image arrived.
    pub fn finish(mut self) -> Result<Vec<u8>, ProtocolError> {
        if self.pixels.len() != WIDTH * HEIGHT {
            return Err(ProtocolError::ImageSize {
                need: WIDTH * HEIGHT,
                got: self.pixels.len(),
            });
        }
        FLAGS.apply(WIDTH, &mut self.pixels);
        Ok(self.pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rustfmt::skip]
    #[test]
    fn commands_carry_sequence_and_crc() {
        assert_eq!(Command::AckFrame.encode(Seq(5)), [
            b'C', b'i', b'a', b'o',
            0x00,        // kind
            0x50, 0x01,  // seq 5, length 1
            0x30,        // payload
            0xac, 0x5b,  // CRC-16/XMODEM of bytes 4..8, little-endian
        ]);
        assert_eq!(Command::Ack08.encode(Seq::ZERO), [b'C', b'i', b'a', b'o', 0x09, 0x00, 0x00, 0x91, 0x9e]);
        assert_eq!(Command::Init2.encode(Seq::ZERO), [b'C', b'i', b'a', b'o', 0x07, 0x00, 0x01, 0x01, 0x3d, 0x72]);
        assert_eq!(Command::Init1.encode(Seq::ZERO)[20..], [0xda, 0xc1]);
        assert_eq!(Command::Init4.encode(Seq::ZERO)[14..], [0xc0, 0xd6]);
    }

    #[test]
    fn seq_wraps_after_15() {
        let s = (0..16).fold(Seq::ZERO, |s, _| s.next());
        assert_eq!(s, Seq::ZERO);
    }

    #[test]
    fn messages_round_trip_and_check_crc() {
        let mut m = encode_message(0x00, Seq(7), &[0x24, 1, 2, 3]);
        m.extend_from_slice(&[0xee; 5]); // garbage after the message is ignored
        let d = decode_message(&m).unwrap();
        assert_eq!(
            (d.kind, d.seq, d.payload),
            (0x00, Seq(7), &[0x24, 1, 2, 3][..])
        );
        assert_eq!(
            capture_event(&d),
            Ok(CaptureEvent::Frame {
                pixels: &[1, 2, 3],
                last: false
            })
        );
        m[8] ^= 1;
        assert!(matches!(
            decode_message(&m),
            Err(ProtocolError::BadCrc { .. })
        ));
        assert_eq!(decode_message(b"Hola\0\0\0"), Err(ProtocolError::BadMagic));
        assert_eq!(message_len(&m[..9]), Ok(13));
        assert!(matches!(
            decode_message(&m[..9]),
            Err(ProtocolError::Short { need: 13, got: 9 })
        ));
    }

    #[test]
    fn capture_events() {
        let status = |code| {
            let mut p = vec![0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, code];
            p.extend_from_slice(&[0; 4]);
            p
        };
        let ev = |kind, p: &[u8]| {
            let m = encode_message(kind, Seq::ZERO, p);
            capture_event(&decode_message(&m).unwrap()).map(|e| format!("{e:?}"))
        };
        assert_eq!(ev(0, &status(0x0c)), Ok("Status(NoFinger)".into()));
        assert_eq!(ev(0, &status(0x00)), Ok("Status(Finger)".into()));
        assert_eq!(ev(0, &status(0x1e)), Ok("Status(TooShort)".into()));
        assert_eq!(ev(0, &status(0x1d)), Ok("Status(CenterFinger)".into()));
        assert_eq!(ev(0, &status(0x42)), Ok("Status(Failed(66))".into()));
        assert_eq!(ev(8, &[]), Ok("Kind08".into()));
        assert_eq!(
            ev(0, &[0x2c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
            Ok("Frame { pixels: [9], last: false }".into())
        );
        assert_eq!(
            ev(0, &[0x20, 7, 1, 1, 1, 1]),
            Ok("Frame { pixels: [7], last: true }".into())
        );
        assert_eq!(
            ev(0, &[0x20, 7]),
            Err(ProtocolError::Short { need: 5, got: 2 })
        );
        assert_eq!(ev(0, &[0x99]), Err(ProtocolError::Unexpected(0x99)));
        assert_eq!(ev(3, &[]), Err(ProtocolError::Unexpected(3)));
    }

    #[test]
    fn assembler_needs_exactly_one_image() {
        let mut a = Assembler::new();
        a.push(&vec![1; WIDTH * HEIGHT - 1]).unwrap();
        assert!(a.clone().finish().is_err());
        assert!(a.clone().push(&[0, 0]).is_err());
        a.push(&[2]).unwrap();
        let img = a.finish().unwrap();
        assert_eq!(img[WIDTH * HEIGHT - 1], 2);
    }
}
