//! NEXT Biometrics NB-1010-U (USB 298d:1010): a press sensor with a plain bulk protocol.
//!
//! Every message starts `80 <opcode> <seq> 00 <u32 LE total length>`; the device echoes the
//! host's sequence byte and does not check it. A capture is:
//!
//! 1. `CheckFinger` (8 B) → 16-byte answer `80 37 …`; byte 12 is the finger level, present when > 0x30.
//! 2. `PreCapture` (12 B) → 16-byte answer `80 20 …` (ignored).
//! 3. `Capture` (32 B) → 16-byte answer `80 20 …` (ignored), then 90 frames of 540 bytes
//!    `80 21 00 00 1c 02 00 00 …`, each carrying 2 rows of 256 pixels at offset 25.
//!
//! The image is the 90 frames' rows in order: 256 × 180, 8-bit grey, no flips.
//! (Protocol as decoded by libfprint's `nb1010` driver and confirmed against its test recording.)

use super::ProtocolError;
use super::image::ImageFlags;
use crate::recording::Endpoint;

/// USB vendor id.
pub const VID: u16 = 0x298d;
/// USB product id.
pub const PID: u16 = 0x1010;
/// Bulk OUT endpoint for commands.
pub const EP_OUT: Endpoint = Endpoint(0x02);
/// Bulk IN endpoint for answers and frames.
pub const EP_IN: Endpoint = Endpoint(0x83);
/// Image width in pixels.
pub const WIDTH: usize = 256;
/// Image height in pixels.
pub const HEIGHT: usize = 180;
/// True resolution in pixels per inch (NEXT NB-1010-U data sheet: 385 ppi).
pub const PPI: u32 = 385;
/// Length of a command answer.
pub const ANSWER_LEN: usize = 16;
/// Length of one image frame.
pub const FRAME_LEN: usize = 540;
/// Header bytes before a frame's pixels.
pub const FRAME_HEADER_LEN: usize = 25;
/// Image rows in one frame.
pub const ROWS_PER_FRAME: usize = 2;
/// Frames in one image.
pub const FRAMES: usize = HEIGHT / ROWS_PER_FRAME;
/// Finger levels above this mean a finger is on the sensor.
pub const FINGER_THRESHOLD: u8 = 0x30;
/// The driver's images need no correction.
pub const FLAGS: ImageFlags = ImageFlags::NONE;

const MAGIC: u8 = 0x80;
const FRAME_OPCODE: u8 = 0x21;
const FINGER_LEVEL_AT: usize = 12;

/// A host command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Asks for the finger level (opcode 0x38).
    CheckFinger,
    /// Prepares a capture (opcode 0x0d).
    PreCapture,
    /// Starts a capture; 90 frames follow its answer (opcode 0x12).
    Capture,
}

impl Command {
    /// The opcode byte.
    pub fn opcode(self) -> u8 {
        match self {
            Self::CheckFinger => 0x38,
            Self::PreCapture => 0x0d,
            Self::Capture => 0x12,
        }
    }

    /// The sequence byte libfprint sends with this command (the device only echoes it).
    pub fn usual_seq(self) -> u8 {
        match self {
            Self::CheckFinger => 1,
            Self::PreCapture => 3,
            Self::Capture => 4,
        }
    }

    #[rustfmt::skip]
    fn payload(self) -> &'static [u8] {
        match self {
            Self::CheckFinger => &[],
            Self::PreCapture => &[0x00, 0x04, 0x00, 0x00],
            // Mode 2 at offset 0, 0x20 at offset 20 (meaning not documented).
            Self::Capture => &[
                0x02, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,  0x20, 0x00, 0x00, 0x00,
            ],
        }
    }

    /// The command's bytes with sequence byte `seq`.
    pub fn encode(self, seq: u8) -> Vec<u8> {
        let payload = self.payload();
        let total = (8 + payload.len()) as u32;
        let mut out = Vec::with_capacity(total as usize);
        out.extend_from_slice(&[MAGIC, self.opcode(), seq, 0]);
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(payload);
        out
    }
}

/// Checks a message header (`80 <op> <seq> 00 <u32 LE length>`) against the bytes received;
/// returns the opcode.
pub fn check_header(msg: &[u8]) -> Result<u8, ProtocolError> {
    if msg.len() < 8 {
        return Err(ProtocolError::Short {
            need: 8,
            got: msg.len(),
        });
    }
    if msg[0] != MAGIC {
        return Err(ProtocolError::BadMagic);
    }
    let len = u32::from_le_bytes([msg[4], msg[5], msg[6], msg[7]]) as usize;
    if len != msg.len() {
        return Err(ProtocolError::BadLength {
            field: "message length",
            value: len,
        });
    }
    Ok(msg[1])
}

/// The finger level from a `CheckFinger` answer.
pub fn finger_level(answer: &[u8]) -> Result<u8, ProtocolError> {
    check_header(answer)?;
    answer
        .get(FINGER_LEVEL_AT)
        .copied()
        .ok_or(ProtocolError::Short {
            need: FINGER_LEVEL_AT + 1,
            got: answer.len(),
        })
}

/// True when the level means a finger is on the sensor.
pub fn finger_present(level: u8) -> bool {
    level > FINGER_THRESHOLD
}

/// The pixels (2 rows) of one image frame.
pub fn frame_pixels(frame: &[u8]) -> Result<&[u8], ProtocolError> {
    if frame.len() != FRAME_LEN {
        return Err(ProtocolError::Short {
            need: FRAME_LEN,
            got: frame.len(),
        });
    }
    match check_header(frame)? {
        FRAME_OPCODE => Ok(&frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + ROWS_PER_FRAME * WIDTH]),
        other => Err(ProtocolError::Unexpected(other)),
    }
}

/// Collects frames into an image.
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

    /// Adds the next frame; returns true once the image is complete.
    pub fn push(&mut self, frame: &[u8]) -> Result<bool, ProtocolError> {
        if self.is_complete() {
            return Err(ProtocolError::ImageSize {
                need: WIDTH * HEIGHT,
                got: self.pixels.len() + ROWS_PER_FRAME * WIDTH,
            });
        }
        self.pixels.extend_from_slice(frame_pixels(frame)?);
        Ok(self.is_complete())
    }

    /// True when all 90 frames are in.
    pub fn is_complete(&self) -> bool {
        self.pixels.len() == WIDTH * HEIGHT
    }

    /// The finished image's pixels, corrected by [`FLAGS`].
    pub fn finish(mut self) -> Result<Vec<u8>, ProtocolError> {
        if !self.is_complete() {
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
pub(crate) mod tests {
    use super::*;

    /// A synthetic frame whose two rows hold `row_byte` and `row_byte + 1`.
    pub(crate) fn synthetic_frame(index: usize) -> Vec<u8> {
        let mut f = vec![0u8; FRAME_LEN];
        f[..8].copy_from_slice(&[0x80, 0x21, 0x00, 0x00, 0x1c, 0x02, 0x00, 0x00]);
        f[16..20].copy_from_slice(&((2 * index + 1) as u32).to_le_bytes()); // row counter
        f[20..24].copy_from_slice(&(WIDTH as u32).to_le_bytes()); // width
        f[24] = 1;
        for (i, p) in f[25..25 + 2 * WIDTH].iter_mut().enumerate() {
            *p = (2 * index + i / WIDTH) as u8;
        }
        f
    }

    #[rustfmt::skip]
    #[test]
    fn commands_match_the_recorded_bytes() {
        assert_eq!(Command::CheckFinger.encode(1), [
            0x80, 0x38, 0x01, 0x00,  // magic, opcode, seq, 0
            0x08, 0x00, 0x00, 0x00,  // total length 8
        ]);
        assert_eq!(Command::PreCapture.encode(3), [
            0x80, 0x0d, 0x03, 0x00,  0x0c, 0x00, 0x00, 0x00,
            0x00, 0x04, 0x00, 0x00,
        ]);
        let c = Command::Capture.encode(Command::Capture.usual_seq());
        assert_eq!(c.len(), 32);
        assert_eq!(&c[..9], &[0x80, 0x12, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x02]);
        assert_eq!(&c[28..], &[0x20, 0x00, 0x00, 0x00]);
    }

    #[rustfmt::skip]
    #[test]
    fn finger_level_is_byte_12() {
        let answer = [
            0x80, 0x37, 0x01, 0x00,  0x10, 0x00, 0x00, 0x00,  // header, 16 bytes
            0x00, 0x00, 0x00, 0x00,  0xf7, 0x00, 0x00, 0x00,  // level 0xf7
        ];
        assert_eq!(finger_level(&answer), Ok(0xf7));
        assert!(finger_present(0xf7));
        assert!(!finger_present(0x30));
        assert_eq!(finger_level(&answer[..8]), Err(ProtocolError::BadLength { field: "message length", value: 16 }));
        let mut bad = answer;
        bad[0] = 0x81;
        assert_eq!(finger_level(&bad), Err(ProtocolError::BadMagic));
    }

    #[test]
    fn frames_assemble_row_by_row() {
        let mut a = Assembler::new();
        for i in 0..FRAMES {
            assert_eq!(a.push(&synthetic_frame(i)), Ok(i == FRAMES - 1));
        }
        assert!(a.push(&synthetic_frame(0)).is_err());
        let img = a.finish().unwrap();
        assert_eq!(img.len(), WIDTH * HEIGHT);
        for y in 0..HEIGHT {
            assert!(
                img[y * WIDTH..(y + 1) * WIDTH]
                    .iter()
                    .all(|&p| p == y as u8)
            );
        }
    }

    #[test]
    fn bad_frames_are_refused() {
        let mut f = synthetic_frame(0);
        assert!(frame_pixels(&f[..539]).is_err());
        f[1] = 0x20;
        assert_eq!(frame_pixels(&f), Err(ProtocolError::Unexpected(0x20)));
        assert!(Assembler::new().finish().is_err());
    }
}
