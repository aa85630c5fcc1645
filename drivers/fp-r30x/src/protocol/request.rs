//! The [`Request`] trait and one type per instruction.
//!
//! Each request type knows both directions of its own wire format, so the client (which writes
//! parameters and reads responses) and the simulator (which reads parameters and writes
//! responses) share one definition.

use hw::{MatchScore, SearchHit, TemplateSlot};

use crate::protocol::{
    Address, CharBuffer, ConfirmationCode, Instruction, Password, ProtocolError, SysParam,
    SysParams,
};

/// An instruction with typed parameters and a typed result.
pub trait Request: Sized {
    /// The instruction code.
    const CODE: Instruction;
    /// Result bytes after the confirmation code in the acknowledge packet.
    const RESPONSE_LEN: usize;
    /// The result of a successful command.
    type Response;

    /// Appends the parameters (after the instruction code).
    fn write_params(&self, out: &mut Vec<u8>);
    /// Parses the parameters (after the instruction code).
    fn read_params(params: &[u8]) -> Result<Self, ProtocolError>;
    /// Appends the result bytes (exactly [`Request::RESPONSE_LEN`]).
    fn write_response(response: &Self::Response, out: &mut Vec<u8>);
    /// Parses the result bytes (at least [`Request::RESPONSE_LEN`] long).
    fn read_response(data: &[u8]) -> Result<Self::Response, ProtocolError>;

    /// The command packet's payload: instruction code and parameters.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![Self::CODE.to_byte()];
        self.write_params(&mut v);
        v
    }

    /// Parses an acknowledge payload (confirmation code, then results).
    fn parse_response(
        ack: &[u8],
    ) -> Result<Result<Self::Response, ConfirmationCode>, ProtocolError> {
        let (&cc, data) = ack.split_first().ok_or(ProtocolError::EmptyAck)?;
        if let Some(code) = ConfirmationCode::from_byte(cc) {
            return Ok(Err(code));
        }
        if data.len() < Self::RESPONSE_LEN {
            return Err(ProtocolError::ShortAck {
                instruction: Self::CODE,
                expected: Self::RESPONSE_LEN,
                got: data.len(),
            });
        }
        Self::read_response(data).map(Ok)
    }

    /// The acknowledge payload for a result. A refusal is padded with zeros to the full length,
    /// as modules do (and as clients that read fixed lengths expect).
    fn response_bytes(result: &Result<Self::Response, ConfirmationCode>) -> Vec<u8> {
        let mut v = Vec::with_capacity(1 + Self::RESPONSE_LEN);
        match result {
            Ok(r) => {
                v.push(0);
                Self::write_response(r, &mut v);
            }
            Err(c) => {
                v.push(c.to_byte());
                v.resize(1 + Self::RESPONSE_LEN, 0);
            }
        }
        v
    }
}

fn params<const N: usize>(p: &[u8], code: Instruction) -> Result<[u8; N], ProtocolError> {
    p.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or(ProtocolError::BadParams { instruction: code })
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Requests with no parameters and no result.
macro_rules! plain_request {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 0;
            type Response = ();
            fn write_params(&self, _: &mut Vec<u8>) {}
            fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
                Ok(Self)
            }
            fn write_response(_: &(), _: &mut Vec<u8>) {}
            fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
        }
    )*};
}

plain_request! {
    /// Take an image of the finger into the image buffer (0x01).
    GenImg;
    /// Take an image with a quality check (0x28, R503).
    GetImageEx;
    /// Merge CharBuffer1 and CharBuffer2 into a template in both buffers (0x05).
    RegModel;
    /// Upload the image buffer; the ack is followed by data packets (0x0A).
    UpImage;
    /// Download an image into the image buffer; the host sends data packets after the ack (0x0B).
    DownImage;
    /// Delete every library template (0x0D).
    Empty;
    /// Read the 512-byte information page as data packets (0x16).
    ReadInfPage;
    /// Cancel the operation in progress (0x30).
    Cancel;
    /// Sensor self-check (0x36).
    CheckSensor;
    /// Soft reset; the module sends 0x55 once it is ready again (0x3D).
    SoftRst;
    /// Handshake (0x40).
    HandShake;
}

/// Requests whose only parameter is a character buffer and which return nothing.
macro_rules! buffer_request {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// Which character buffer.
            pub buffer: CharBuffer,
        }

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 0;
            type Response = ();
            fn write_params(&self, out: &mut Vec<u8>) {
                out.push(self.buffer.to_byte());
            }
            fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
                let [b] = params(p, Self::CODE)?;
                Ok(Self { buffer: CharBuffer::from_byte(b) })
            }
            fn write_response(_: &(), _: &mut Vec<u8>) {}
            fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
        }
    )*};
}

buffer_request! {
    /// Extract features from the image buffer into a character buffer (0x02).
    Img2Tz;
    /// Upload a character buffer; the ack is followed by data packets (0x08).
    UpChar;
    /// Download a character buffer; the host sends data packets after the ack (0x09).
    DownChar;
}

/// Compare CharBuffer1 with CharBuffer2 (0x03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Match;

impl Request for Match {
    const CODE: Instruction = Instruction::Match;
    const RESPONSE_LEN: usize = 2;
    type Response = MatchScore;
    fn write_params(&self, _: &mut Vec<u8>) {}
    fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
        Ok(Self)
    }
    fn write_response(r: &MatchScore, out: &mut Vec<u8>) {
        out.extend_from_slice(&r.0.to_be_bytes());
    }
    fn read_response(d: &[u8]) -> Result<MatchScore, ProtocolError> {
        Ok(MatchScore(be16(d)))
    }
}

/// Search and high-speed search share their layout.
macro_rules! search_request {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// The character buffer to look for.
            pub buffer: CharBuffer,
            /// First library page searched.
            pub start: TemplateSlot,
            /// How many pages are searched.
            pub count: u16,
        }

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 4;
            type Response = SearchHit;
            fn write_params(&self, out: &mut Vec<u8>) {
                out.push(self.buffer.to_byte());
                out.extend_from_slice(&self.start.0.to_be_bytes());
                out.extend_from_slice(&self.count.to_be_bytes());
            }
            fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
                let [b, s0, s1, c0, c1] = params(p, Self::CODE)?;
                Ok(Self { buffer: CharBuffer::from_byte(b), start: TemplateSlot(u16::from_be_bytes([s0, s1])), count: u16::from_be_bytes([c0, c1]) })
            }
            fn write_response(r: &SearchHit, out: &mut Vec<u8>) {
                out.extend_from_slice(&r.slot.0.to_be_bytes());
                out.extend_from_slice(&r.score.0.to_be_bytes());
            }
            fn read_response(d: &[u8]) -> Result<SearchHit, ProtocolError> {
                Ok(SearchHit { slot: TemplateSlot(be16(d)), score: MatchScore(be16(&d[2..])) })
            }
        }
    )*};
}

search_request! {
    /// Search the library for a character buffer (0x04).
    Search;
    /// High-speed search, same layout as Search (0x1B).
    HighSpeedSearch;
}

/// Requests taking a buffer and a page and returning nothing.
macro_rules! page_request {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// Which character buffer.
            pub buffer: CharBuffer,
            /// Which library page.
            pub page: TemplateSlot,
        }

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 0;
            type Response = ();
            fn write_params(&self, out: &mut Vec<u8>) {
                out.push(self.buffer.to_byte());
                out.extend_from_slice(&self.page.0.to_be_bytes());
            }
            fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
                let [b, p0, p1] = params(p, Self::CODE)?;
                Ok(Self { buffer: CharBuffer::from_byte(b), page: TemplateSlot(u16::from_be_bytes([p0, p1])) })
            }
            fn write_response(_: &(), _: &mut Vec<u8>) {}
            fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
        }
    )*};
}

page_request! {
    /// Store a character buffer at a library page (0x06).
    Store;
    /// Load a library page into a character buffer (0x07).
    LoadChar;
}

/// Delete `count` templates from `start` on (0x0C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletChar {
    /// First page deleted.
    pub start: TemplateSlot,
    /// How many pages.
    pub count: u16,
}

impl Request for DeletChar {
    const CODE: Instruction = Instruction::DeletChar;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.start.0.to_be_bytes());
        out.extend_from_slice(&self.count.to_be_bytes());
    }
    fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
        let [s0, s1, c0, c1] = params(p, Self::CODE)?;
        Ok(Self {
            start: TemplateSlot(u16::from_be_bytes([s0, s1])),
            count: u16::from_be_bytes([c0, c1]),
        })
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
}

/// Set a system parameter (0x0E). The raw number and value are kept so that the simulator can
/// refuse unknown ones with the right code; build it with [`SetSysPara::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetSysPara {
    /// Parameter number (4, 5 or 6).
    pub number: u8,
    /// New value.
    pub value: u8,
}

impl SetSysPara {
    /// From a typed parameter.
    pub fn new(p: SysParam) -> Self {
        let [number, value] = p.to_bytes();
        Self { number, value }
    }
    /// The typed parameter, when number and value are valid.
    pub fn param(&self) -> Option<SysParam> {
        SysParam::from_bytes(self.number, self.value)
    }
}

impl Request for SetSysPara {
    const CODE: Instruction = Instruction::SetSysPara;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.number, self.value]);
    }
    fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
        let [number, value] = params(p, Self::CODE)?;
        Ok(Self { number, value })
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
}

/// Read the system parameters (0x0F).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadSysPara;

impl Request for ReadSysPara {
    const CODE: Instruction = Instruction::ReadSysPara;
    const RESPONSE_LEN: usize = SysParams::LEN;
    type Response = SysParams;
    fn write_params(&self, _: &mut Vec<u8>) {}
    fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
        Ok(Self)
    }
    fn write_response(r: &SysParams, out: &mut Vec<u8>) {
        r.encode(out);
    }
    fn read_response(d: &[u8]) -> Result<SysParams, ProtocolError> {
        SysParams::decode(d)
    }
}

/// Requests carrying one 32-bit value and returning nothing.
macro_rules! word_request {
    ($($(#[doc = $doc:literal])* $name:ident($field:ident: $ty:ident);)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// The value.
            pub $field: $ty,
        }

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 0;
            type Response = ();
            fn write_params(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.$field.0.to_be_bytes());
            }
            fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
                Ok(Self { $field: $ty(u32::from_be_bytes(params(p, Self::CODE)?)) })
            }
            fn write_response(_: &(), _: &mut Vec<u8>) {}
            fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
        }
    )*};
}

word_request! {
    /// Verify the password (0x13).
    VfyPwd(password: Password);
    /// Set a new password (0x12).
    SetPwd(password: Password);
    /// Set a new module address; the ack already carries it (0x15).
    SetAdder(address: Address);
}

/// Get a random number (0x14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetRandomCode;

impl Request for GetRandomCode {
    const CODE: Instruction = Instruction::GetRandomCode;
    const RESPONSE_LEN: usize = 4;
    type Response = u32;
    fn write_params(&self, _: &mut Vec<u8>) {}
    fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
        Ok(Self)
    }
    fn write_response(r: &u32, out: &mut Vec<u8>) {
        out.extend_from_slice(&r.to_be_bytes());
    }
    fn read_response(d: &[u8]) -> Result<u32, ProtocolError> {
        Ok(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
    }
}

/// Turn the module's port on or off (0x17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// On (true) or off.
    pub on: bool,
}

impl Request for Control {
    const CODE: Instruction = Instruction::Control;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.on));
    }
    fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
        let [b] = params(p, Self::CODE)?;
        Ok(Self { on: b != 0 })
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
}

/// A notepad page number 0..=15 (unchecked on the wire; the module refuses others with 0x1C).
pub type NotepadPage = u8;

/// Write 32 bytes to a notepad page (0x18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteNotepad {
    /// Page 0..=15.
    pub page: NotepadPage,
    /// The bytes.
    pub data: [u8; 32],
}

impl Request for WriteNotepad {
    const CODE: Instruction = Instruction::WriteNotepad;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, out: &mut Vec<u8>) {
        out.push(self.page);
        out.extend_from_slice(&self.data);
    }
    fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
        let all: [u8; 33] = params(p, Self::CODE)?;
        let mut data = [0; 32];
        data.copy_from_slice(&all[1..]);
        Ok(Self { page: all[0], data })
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
}

/// Requests taking a page byte and returning 32 bytes.
macro_rules! page32_request {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// Which page.
            pub page: u8,
        }

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = 32;
            type Response = [u8; 32];
            fn write_params(&self, out: &mut Vec<u8>) {
                out.push(self.page);
            }
            fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
                let [page] = params(p, Self::CODE)?;
                Ok(Self { page })
            }
            fn write_response(r: &[u8; 32], out: &mut Vec<u8>) {
                out.extend_from_slice(r);
            }
            fn read_response(d: &[u8]) -> Result<[u8; 32], ProtocolError> {
                let mut r = [0; 32];
                r.copy_from_slice(&d[..32]);
                Ok(r)
            }
        }
    )*};
}

page32_request! {
    /// Read a notepad page (0x19).
    ReadNotepad;
    /// Read one page (256 slots) of the library index bitmap, slot = 8·byte + bit, LSB first (0x1F).
    ReadIndexTable;
}

/// Count the stored templates (0x1D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TemplateNum;

impl Request for TemplateNum {
    const CODE: Instruction = Instruction::TemplateNum;
    const RESPONSE_LEN: usize = 2;
    type Response = u16;
    fn write_params(&self, _: &mut Vec<u8>) {}
    fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
        Ok(Self)
    }
    fn write_response(r: &u16, out: &mut Vec<u8>) {
        out.extend_from_slice(&r.to_be_bytes());
    }
    fn read_response(d: &[u8]) -> Result<u16, ProtocolError> {
        Ok(be16(d))
    }
}

/// Aura LED ring control (0x35, R503 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuraLedConfig {
    /// 1 breathe, 2 flash, 3 on, 4 off, 5 fade on, 6 fade off.
    pub mode: u8,
    /// Speed.
    pub speed: u8,
    /// 1 red, 2 blue, 3 purple.
    pub colour: u8,
    /// Repetitions, 0 = forever.
    pub times: u8,
}

impl Request for AuraLedConfig {
    const CODE: Instruction = Instruction::AuraLedConfig;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.mode, self.speed, self.colour, self.times]);
    }
    fn read_params(p: &[u8]) -> Result<Self, ProtocolError> {
        let [mode, speed, colour, times] = params(p, Self::CODE)?;
        Ok(Self {
            mode,
            speed,
            colour,
            times,
        })
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
}

/// Requests with no parameters that return a fixed-length block of bytes (R503 information).
macro_rules! block_request {
    ($($(#[doc = $doc:literal])* $name:ident = $len:literal;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        impl Request for $name {
            const CODE: Instruction = Instruction::$name;
            const RESPONSE_LEN: usize = $len;
            type Response = Vec<u8>;
            fn write_params(&self, _: &mut Vec<u8>) {}
            fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
                Ok(Self)
            }
            fn write_response(r: &Vec<u8>, out: &mut Vec<u8>) {
                let mut block = r.clone();
                block.resize($len, 0);
                out.extend_from_slice(&block);
            }
            fn read_response(d: &[u8]) -> Result<Vec<u8>, ProtocolError> {
                Ok(d[..$len].to_vec())
            }
        }
    )*};
}

block_request! {
    /// Algorithm library version, 32 bytes (0x39, R503).
    GetAlgVer = 32;
    /// Firmware version, 32 bytes (0x3A, R503).
    GetFwVer = 32;
    /// Product information (model, batch, serial, size, dpi...), 46 bytes (0x3C, R503).
    ReadProdInfo = 46;
}

/// Echo (0x53): the module answers with 0x55 in the confirmation-code position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetEcho;

impl GetEcho {
    /// The byte a healthy module answers with.
    pub const ALIVE: u8 = 0x55;
}

impl Request for GetEcho {
    const CODE: Instruction = Instruction::GetEcho;
    const RESPONSE_LEN: usize = 0;
    type Response = ();
    fn write_params(&self, _: &mut Vec<u8>) {}
    fn read_params(_: &[u8]) -> Result<Self, ProtocolError> {
        Ok(Self)
    }
    fn write_response(_: &(), _: &mut Vec<u8>) {}
    fn read_response(_: &[u8]) -> Result<(), ProtocolError> {
        Ok(())
    }
    fn parse_response(ack: &[u8]) -> Result<Result<(), ConfirmationCode>, ProtocolError> {
        match ack.first() {
            None => Err(ProtocolError::EmptyAck),
            Some(&Self::ALIVE) => Ok(Ok(())),
            Some(&b) => Ok(Err(
                ConfirmationCode::from_byte(b).unwrap_or(ConfirmationCode::Unknown(0))
            )),
        }
    }
    fn response_bytes(result: &Result<(), ConfirmationCode>) -> Vec<u8> {
        match result {
            Ok(()) => vec![Self::ALIVE],
            Err(c) => vec![c.to_byte()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Packet, SecurityLevel};

    fn wire<R: Request>(r: &R) -> Vec<u8> {
        Packet::command(Address::DEFAULT, r.to_bytes()).to_bytes()
    }

    #[test]
    #[rustfmt::skip]
    fn golden_commands() {
        assert_eq!(wire(&GenImg), [0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05]);
        assert_eq!(wire(&ReadSysPara), [0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x0F, 0x00, 0x13]);
        assert_eq!(wire(&Img2Tz { buffer: CharBuffer::One }), [
            0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            0x00, 0x04, // LEN
            0x02,       // Img2Tz
            0x01,       // buffer 1
            0x00, 0x08, // checksum
        ]);
        assert_eq!(wire(&VfyPwd { password: Password(0) })[9..], [0x13, 0, 0, 0, 0, 0x00, 0x1B]);
        assert_eq!(Search { buffer: CharBuffer::One, start: TemplateSlot(0), count: 200 }.to_bytes(), [0x04, 0x01, 0x00, 0x00, 0x00, 0xC8]);
    }

    #[test]
    fn golden_search_replies() {
        // Real R503 traffic: found at page 1 with score 96, and not found with garbage fields.
        assert_eq!(
            Search::parse_response(&[0x00, 0x00, 0x01, 0x00, 0x60]),
            Ok(Ok(SearchHit {
                slot: TemplateSlot(1),
                score: MatchScore(96)
            }))
        );
        assert_eq!(
            Search::parse_response(&[0x09, 0x01, 0xEE, 0x00, 0x00]),
            Ok(Err(ConfirmationCode::NotFound))
        );
        assert_eq!(
            Search::parse_response(&[0x00, 0x00]),
            Err(ProtocolError::ShortAck {
                instruction: Instruction::Search,
                expected: 4,
                got: 1
            })
        );
        assert_eq!(
            Search::response_bytes(&Err(ConfirmationCode::NotFound)),
            [0x09, 0, 0, 0, 0]
        );
    }

    #[test]
    fn params_round_trip_through_both_sides() {
        fn rt<R: Request + PartialEq + std::fmt::Debug>(r: R) {
            let bytes = r.to_bytes();
            assert_eq!(bytes[0], R::CODE.to_byte());
            assert_eq!(R::read_params(&bytes[1..]).unwrap(), r);
        }
        rt(Store {
            buffer: CharBuffer::Two,
            page: TemplateSlot(513),
        });
        rt(LoadChar {
            buffer: CharBuffer::One,
            page: TemplateSlot(7),
        });
        rt(DeletChar {
            start: TemplateSlot(3),
            count: 2,
        });
        rt(HighSpeedSearch {
            buffer: CharBuffer::Two,
            start: TemplateSlot(1),
            count: 9,
        });
        rt(SetSysPara::new(SysParam::Security(
            SecurityLevel::new(5).unwrap(),
        )));
        rt(SetAdder {
            address: Address(0x1234_5678),
        });
        rt(WriteNotepad {
            page: 3,
            data: [7; 32],
        });
        rt(ReadIndexTable { page: 1 });
        rt(AuraLedConfig {
            mode: 1,
            speed: 2,
            colour: 3,
            times: 0,
        });
        rt(Control { on: true });
        assert_eq!(
            Store::read_params(&[1, 0]),
            Err(ProtocolError::BadParams {
                instruction: Instruction::Store
            })
        );
    }

    #[test]
    fn responses_round_trip() {
        let r = TemplateNum::response_bytes(&Ok(513));
        assert_eq!(TemplateNum::parse_response(&r), Ok(Ok(513)));
        let r = ReadNotepad::response_bytes(&Ok([9; 32]));
        assert_eq!(ReadNotepad::parse_response(&r), Ok(Ok([9; 32])));
        assert_eq!(GetEcho::parse_response(&[0x55]), Ok(Ok(())));
        assert_eq!(
            GetEcho::parse_response(&[0x01]),
            Ok(Err(ConfirmationCode::PacketReceiveError))
        );
        assert_eq!(
            GenImg::parse_response(&[0x02]),
            Ok(Err(ConfirmationCode::NoFinger))
        );
    }

    #[test]
    fn impossible_sys_params_are_an_error() {
        // Security level 0 cannot be: a clear error, not a silently fixed value.
        assert_eq!(
            ReadSysPara::parse_response(&[0u8; 17]),
            Err(ProtocolError::BadField {
                field: "security level"
            })
        );
    }
}
