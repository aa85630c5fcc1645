//! The packet frame: `EF 01 | ADDR(4) | PID | LEN(2) | PAYLOAD | SUM(2)`, all big-endian.
//!
//! `LEN` counts the payload and the checksum; `SUM = (PID + LEN_hi + LEN_lo + Σ PAYLOAD) & 0xFFFF`.

/// The two header bytes every packet starts with.
pub const HEADER: [u8; 2] = [0xEF, 0x01];
/// Bytes before the payload: header, address, PID, LEN.
pub const PREFIX_LEN: usize = 9;
/// Bytes a packet adds around its payload.
pub const OVERHEAD: usize = PREFIX_LEN + 2;
/// The largest payload a well-formed packet carries (a 256-byte data packet).
pub const MAX_PAYLOAD: usize = 256;

/// A module address; modules answer only packets carrying their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address(pub u32);

impl Address {
    /// The factory default, `0xFFFFFFFF`.
    pub const DEFAULT: Address = Address(0xFFFF_FFFF);
}

impl Default for Address {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The packet identifier (PID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// 0x01, host to module: payload starts with an instruction code.
    Command,
    /// 0x02, bulk data, more follows.
    Data,
    /// 0x07, module to host: payload starts with a confirmation code.
    Ack,
    /// 0x08, the last bulk data packet.
    EndData,
}

impl PacketKind {
    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Command => 0x01,
            Self::Data => 0x02,
            Self::Ack => 0x07,
            Self::EndData => 0x08,
        }
    }
    /// Parses the wire byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            0x01 => Self::Command,
            0x02 => Self::Data,
            0x07 => Self::Ack,
            0x08 => Self::EndData,
            _ => return None,
        })
    }
}

/// One packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Whose packet (sender for acks, recipient for commands).
    pub address: Address,
    /// What kind.
    pub kind: PacketKind,
    /// Instruction or confirmation code and parameters, or bulk data.
    pub payload: Vec<u8>,
}

/// Why bytes did not form a packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The checksum did not add up.
    #[error("bad checksum: computed {computed:#06x}, received {received:#06x}")]
    BadChecksum {
        /// What the bytes add up to.
        computed: u16,
        /// What the packet said.
        received: u16,
    },
    /// The PID byte is not 01, 02, 07 or 08.
    #[error("unknown packet identifier {0:#04x}")]
    BadKind(u8),
    /// LEN is below 2 or above the largest packet.
    #[error("impossible packet length {0}")]
    BadLength(u16),
    /// Bytes that were not the start of a packet were skipped.
    #[error("{0} stray bytes before a packet header")]
    Garbage(usize),
}

/// What [`Packet::decode`] found at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// More bytes are needed.
    Incomplete,
    /// A packet, and how many bytes it used.
    Packet(Packet, usize),
    /// Skip this many bytes, which do not form a good packet, and try again.
    Corrupt(FrameError, usize),
}

/// The frame checksum over PID, LEN and payload.
pub fn checksum(kind: u8, len: u16, payload: &[u8]) -> u16 {
    let [hi, lo] = len.to_be_bytes();
    payload
        .iter()
        .fold(u16::from(kind) + u16::from(hi) + u16::from(lo), |s, &b| {
            s.wrapping_add(u16::from(b))
        })
}

impl Packet {
    /// A command packet.
    pub fn command(address: Address, payload: Vec<u8>) -> Self {
        Self {
            address,
            kind: PacketKind::Command,
            payload,
        }
    }
    /// An acknowledge packet.
    pub fn ack(address: Address, payload: Vec<u8>) -> Self {
        Self {
            address,
            kind: PacketKind::Ack,
            payload,
        }
    }

    /// The packet's length on the wire.
    pub fn wire_len(&self) -> usize {
        OVERHEAD + self.payload.len()
    }

    /// Appends the packet's bytes to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let len = (self.payload.len() + 2) as u16;
        let pid = self.kind.to_byte();
        out.extend_from_slice(&HEADER);
        out.extend_from_slice(&self.address.0.to_be_bytes());
        out.push(pid);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out.extend_from_slice(&checksum(pid, len, &self.payload).to_be_bytes());
    }

    /// The packet's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.wire_len());
        self.encode(&mut v);
        v
    }

    /// Looks for a packet at the start of `buf`, resynchronising on the header after junk.
    pub fn decode(buf: &[u8]) -> Decoded {
        // Skip to the first possible header.
        let start = buf.windows(2).position(|w| w == HEADER).unwrap_or(
            buf.len()
                .saturating_sub(usize::from(buf.last() == Some(&HEADER[0]))),
        );
        if start > 0 {
            return Decoded::Corrupt(FrameError::Garbage(start), start);
        }
        if buf.len() < PREFIX_LEN {
            return Decoded::Incomplete;
        }
        let pid = buf[6];
        let Some(kind) = PacketKind::from_byte(pid) else {
            return Decoded::Corrupt(FrameError::BadKind(pid), 2);
        };
        let len = u16::from_be_bytes([buf[7], buf[8]]);
        if !(2..=(MAX_PAYLOAD as u16 + 2)).contains(&len) {
            return Decoded::Corrupt(FrameError::BadLength(len), 2);
        }
        let total = PREFIX_LEN + usize::from(len);
        if buf.len() < total {
            return Decoded::Incomplete;
        }
        let payload = &buf[PREFIX_LEN..total - 2];
        let received = u16::from_be_bytes([buf[total - 2], buf[total - 1]]);
        let computed = checksum(pid, len, payload);
        if computed != received {
            return Decoded::Corrupt(FrameError::BadChecksum { computed, received }, total);
        }
        let address = Address(u32::from_be_bytes([buf[2], buf[3], buf[4], buf[5]]));
        Decoded::Packet(
            Packet {
                address,
                kind,
                payload: payload.to_vec(),
            },
            total,
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    #[rustfmt::skip]
    fn golden_vfypwd() {
        let p = Packet::command(Address::DEFAULT, vec![0x13, 0, 0, 0, 0]);
        assert_eq!(p.to_bytes(), vec![
            0xEF, 0x01,             // header
            0xFF, 0xFF, 0xFF, 0xFF, // address
            0x01,                   // command
            0x00, 0x07,             // LEN = 5 payload + 2 checksum
            0x13,                   // VfyPwd
            0x00, 0x00, 0x00, 0x00, // password 0
            0x00, 0x1B,             // 0x01 + 0x07 + 0x13
        ]);
    }

    #[test]
    fn golden_vectors_decode() {
        let cases = [
            ("EF01FFFFFFFF0700030000 0A", PacketKind::Ack, "00"),
            ("EF01FFFFFFFF010003 0F 0013", PacketKind::Command, "0F"),
            ("EF01FFFFFFFF010003010005", PacketKind::Command, "01"),
            ("EF01FFFFFFFF0100040201 0008", PacketKind::Command, "0201"),
            (
                "EF01FFFFFFFF07001300 0004 0000 00C8 0003 FFFFFFFF 0002 0006 04ED",
                PacketKind::Ack,
                "0000040000 00C80003FFFFFFFF00020006",
            ),
            (
                "EF01FFFFFFFF070007 00 0001 0060 006F",
                PacketKind::Ack,
                "0000010060",
            ),
            (
                "EF01FFFFFFFF070007 09 01EE 0000 0106",
                PacketKind::Ack,
                "0901EE0000",
            ),
        ];
        for (wire, kind, payload) in cases {
            let bytes = hex(&wire.replace(' ', ""));
            let want = Packet {
                address: Address::DEFAULT,
                kind,
                payload: hex(&payload.replace(' ', "")),
            };
            assert_eq!(
                Packet::decode(&bytes),
                Decoded::Packet(want.clone(), bytes.len()),
                "{wire}"
            );
            assert_eq!(want.to_bytes(), bytes, "{wire}");
        }
    }

    #[test]
    fn junk_checksum_and_truncation() {
        let good = Packet::ack(Address::DEFAULT, vec![0]).to_bytes();
        assert_eq!(Packet::decode(&good[..5]), Decoded::Incomplete);
        assert_eq!(Packet::decode(&good[..11]), Decoded::Incomplete);
        let mut junk = vec![0x55, 0x00, 0xEF];
        junk.extend_from_slice(&good);
        assert_eq!(
            Packet::decode(&junk),
            Decoded::Corrupt(FrameError::Garbage(3), 3)
        );
        assert_eq!(
            Packet::decode(&[0x55, 0xEF]),
            Decoded::Corrupt(FrameError::Garbage(1), 1)
        );
        let mut bad = good.clone();
        bad[11] ^= 1;
        assert_eq!(
            Packet::decode(&bad),
            Decoded::Corrupt(
                FrameError::BadChecksum {
                    computed: 0x0a,
                    received: 0x0b
                },
                12
            )
        );
        let mut pid = good.clone();
        pid[6] = 0x05;
        assert_eq!(
            Packet::decode(&pid),
            Decoded::Corrupt(FrameError::BadKind(5), 2)
        );
        let mut len = good;
        len[7] = 0x10;
        assert_eq!(
            Packet::decode(&len),
            Decoded::Corrupt(FrameError::BadLength(0x1003), 2)
        );
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(addr in any::<u32>(), kind in prop::sample::select(vec![PacketKind::Command, PacketKind::Data, PacketKind::Ack, PacketKind::EndData]),
                                    payload in prop::collection::vec(any::<u8>(), 0..=MAX_PAYLOAD)) {
            let p = Packet { address: Address(addr), kind, payload };
            let bytes = p.to_bytes();
            prop_assert_eq!(Packet::decode(&bytes), Decoded::Packet(p, bytes.len()));
        }
    }
}
