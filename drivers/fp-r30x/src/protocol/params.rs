//! Typed parameters and results of the instructions.

use crate::protocol::{Address, ProtocolError};

/// One of the two character-file buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharBuffer {
    /// CharBuffer1 (BufferID 1).
    One,
    /// CharBuffer2 (BufferID 2; modules treat any other value as 2 too).
    Two,
}

impl CharBuffer {
    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Self::One => 1,
            Self::Two => 2,
        }
    }
    /// Parses the wire byte as modules do: 1 is buffer 1, anything else buffer 2.
    pub fn from_byte(b: u8) -> Self {
        if b == 1 { Self::One } else { Self::Two }
    }
}

/// The 4-byte module password.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Password(pub u32);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Data packet size (system parameter 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PacketSize {
    /// Code 0.
    B32,
    /// Code 1.
    B64,
    /// Code 2, the default.
    #[default]
    B128,
    /// Code 3.
    B256,
}

impl PacketSize {
    /// All sizes, smallest first.
    pub const ALL: [PacketSize; 4] = [Self::B32, Self::B64, Self::B128, Self::B256];
    /// Bytes of data in one packet.
    pub fn bytes(self) -> usize {
        32 << self.code()
    }
    /// The parameter code 0..=3.
    pub fn code(self) -> u8 {
        match self {
            Self::B32 => 0,
            Self::B64 => 1,
            Self::B128 => 2,
            Self::B256 => 3,
        }
    }
    /// Parses the parameter code.
    pub fn from_code(c: u16) -> Option<Self> {
        Self::ALL.get(usize::from(c)).copied()
    }
}

/// Baud rate as the module stores it: 9600 × N, N = 1..=12 (system parameter 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BaudRate(u8);

impl BaudRate {
    /// The default 57600 (N = 6).
    pub const DEFAULT: BaudRate = BaudRate(6);
    /// From the multiplier N.
    pub fn from_multiplier(n: u16) -> Option<Self> {
        (1..=12).contains(&n).then_some(Self(n as u8))
    }
    /// From bits per second; must be a multiple of 9600 up to 115200.
    pub fn from_bps(bps: u32) -> Option<Self> {
        if !bps.is_multiple_of(9600) {
            None
        } else {
            Self::from_multiplier(u16::try_from(bps / 9600).ok()?)
        }
    }
    /// The multiplier N.
    pub fn multiplier(self) -> u8 {
        self.0
    }
    /// Bits per second.
    pub fn bps(self) -> u32 {
        9600 * u32::from(self.0)
    }
}

impl Default for BaudRate {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Matching security level 1..=5 (system parameter 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecurityLevel(u8);

impl SecurityLevel {
    /// From 1..=5.
    pub fn new(level: u16) -> Option<Self> {
        (1..=5).contains(&level).then_some(Self(level as u8))
    }
    /// The level.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for SecurityLevel {
    fn default() -> Self {
        Self(3)
    }
}

/// A settable system parameter with its new value (SetSysPara).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SysParam {
    /// Parameter 4.
    Baud(BaudRate),
    /// Parameter 5.
    Security(SecurityLevel),
    /// Parameter 6.
    PacketSize(PacketSize),
}

impl SysParam {
    /// Parameter number and value byte.
    pub fn to_bytes(self) -> [u8; 2] {
        match self {
            Self::Baud(b) => [4, b.multiplier()],
            Self::Security(s) => [5, s.get()],
            Self::PacketSize(p) => [6, p.code()],
        }
    }
    /// Parses a parameter number and value; `None` for an unknown number or a bad value.
    pub fn from_bytes(number: u8, value: u8) -> Option<Self> {
        let v = u16::from(value);
        match number {
            4 => BaudRate::from_multiplier(v).map(Self::Baud),
            5 => SecurityLevel::new(v).map(Self::Security),
            6 => PacketSize::from_code(v).map(Self::PacketSize),
            _ => None,
        }
    }
}

/// The status register (word 0 of ReadSysPara).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusRegister(pub u16);

impl StatusRegister {
    /// Bit 0: busy.
    pub const BUSY: u16 = 1;
    /// Bit 1: a matching finger was found.
    pub const PASS: u16 = 2;
    /// Bit 2: the password was verified.
    pub const PASSWORD_VERIFIED: u16 = 4;
    /// Bit 3: the image buffer holds a valid image.
    pub const IMAGE_VALID: u16 = 8;
    /// Whether a bit is set.
    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}

/// The 16 bytes of ReadSysPara.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysParams {
    /// Status register.
    pub status: StatusRegister,
    /// System identifier code.
    pub system_id: u16,
    /// Library capacity in templates.
    pub capacity: u16,
    /// Security level.
    pub security: SecurityLevel,
    /// Module address.
    pub address: Address,
    /// Data packet size.
    pub packet_size: PacketSize,
    /// Baud rate.
    pub baud: BaudRate,
}

impl SysParams {
    /// Encoded length.
    pub const LEN: usize = 16;

    /// Appends the 16 wire bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.status.0.to_be_bytes());
        out.extend_from_slice(&self.system_id.to_be_bytes());
        out.extend_from_slice(&self.capacity.to_be_bytes());
        out.extend_from_slice(&u16::from(self.security.get()).to_be_bytes());
        out.extend_from_slice(&self.address.0.to_be_bytes());
        out.extend_from_slice(&u16::from(self.packet_size.code()).to_be_bytes());
        out.extend_from_slice(&u16::from(self.baud.multiplier()).to_be_bytes());
    }

    /// Parses the 16 wire bytes.
    pub fn decode(d: &[u8]) -> Result<Self, ProtocolError> {
        if d.len() < Self::LEN {
            return Err(ProtocolError::BadField {
                field: "system parameters length",
            });
        }
        let w = |i: usize| u16::from_be_bytes([d[i], d[i + 1]]);
        let bad = |field| ProtocolError::BadField { field };
        Ok(Self {
            status: StatusRegister(w(0)),
            system_id: w(2),
            capacity: w(4),
            security: SecurityLevel::new(w(6)).ok_or(bad("security level"))?,
            address: Address(u32::from_be_bytes([d[8], d[9], d[10], d[11]])),
            packet_size: PacketSize::from_code(w(12)).ok_or(bad("packet size"))?,
            baud: BaudRate::from_multiplier(w(14)).ok_or(bad("baud multiplier"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn golden_r503_sys_params() {
        let wire = [
            0x00, 0x04,             // status: password verified
            0x00, 0x00,             // system id
            0x00, 0xC8,             // capacity 200
            0x00, 0x03,             // security 3
            0xFF, 0xFF, 0xFF, 0xFF, // address
            0x00, 0x02,             // packet size code 2 = 128 B
            0x00, 0x06,             // baud N = 6
        ];
        let p = SysParams::decode(&wire).unwrap();
        assert!(p.status.has(StatusRegister::PASSWORD_VERIFIED));
        assert_eq!((p.capacity, p.security.get(), p.packet_size.bytes(), p.baud.bps()), (200, 3, 128, 57600));
        let mut back = Vec::new();
        p.encode(&mut back);
        assert_eq!(back, wire);
    }

    #[test]
    fn parameters_validate() {
        assert_eq!(
            BaudRate::from_bps(115200).map(BaudRate::multiplier),
            Some(12)
        );
        assert_eq!(BaudRate::from_bps(57601), None);
        assert_eq!(BaudRate::from_bps(124800), None);
        assert_eq!(PacketSize::ALL.map(PacketSize::bytes), [32, 64, 128, 256]);
        assert_eq!(
            SysParam::from_bytes(6, 3),
            Some(SysParam::PacketSize(PacketSize::B256))
        );
        assert_eq!(SysParam::from_bytes(6, 4), None);
        assert_eq!(SysParam::from_bytes(7, 1), None);
        assert_eq!(SysParam::Baud(BaudRate::DEFAULT).to_bytes(), [4, 6]);
        assert_eq!(CharBuffer::from_byte(7), CharBuffer::Two);
    }
}
