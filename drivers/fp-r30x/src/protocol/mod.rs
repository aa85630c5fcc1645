//! The pure protocol: packet frame, checksum, instructions, confirmation codes, typed requests,
//! bulk-data splitting and the 4-bit image packing. No IO, no clock.

mod confirm;
mod data;
mod image;
mod instruction;
mod packet;
mod params;
mod request;

pub use confirm::ConfirmationCode;
pub use data::{Collected, DataCollector, data_packets};
pub use image::{ImageGeometry, pack_4bit, quantize_4bit, unpack_4bit};
pub use instruction::Instruction;
pub use packet::{
    Address, Decoded, FrameError, HEADER, MAX_PAYLOAD, OVERHEAD, Packet, PacketKind, checksum,
};
pub use params::{
    BaudRate, CharBuffer, PacketSize, Password, SecurityLevel, StatusRegister, SysParam, SysParams,
};
pub use request::*;

/// Bytes that are well framed but do not make sense as the answer expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The bytes did not form a packet.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// A packet of the wrong kind arrived.
    #[error("expected a {expected:?} packet, got {got:?}")]
    UnexpectedKind {
        /// What was expected.
        expected: PacketKind,
        /// What came.
        got: PacketKind,
    },
    /// A packet carried another module's address.
    #[error("packet from address {got:#010x}, expected {expected:#010x}", got = .got.0, expected = .expected.0)]
    WrongAddress {
        /// Our module's address.
        expected: Address,
        /// The packet's.
        got: Address,
    },
    /// An acknowledge packet with no confirmation code.
    #[error("empty acknowledge packet")]
    EmptyAck,
    /// An acknowledge packet too short for its instruction's results.
    #[error("{instruction:?} answer has {got} result bytes, expected {expected}")]
    ShortAck {
        /// The instruction answered.
        instruction: Instruction,
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// A field holds an impossible value.
    #[error("bad {field}")]
    BadField {
        /// Which field.
        field: &'static str,
    },
    /// A command's parameters are too short (simulator side).
    #[error("bad parameters for {instruction:?}")]
    BadParams {
        /// The instruction.
        instruction: Instruction,
    },
    /// Bulk data longer than the buffer it goes to.
    #[error("bulk data longer than {limit} bytes")]
    DataTooLong {
        /// The buffer size.
        limit: usize,
    },
}
