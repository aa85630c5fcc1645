//! Pure protocol code: command frames, response parsing and image assembly.
//!
//! Architecture Invariant: nothing here does IO, sleeps or reads a clock; drivers feed bytes in.

pub mod image;
pub mod nb1010;
pub mod upektc;

/// A device answer that does not fit the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The answer is shorter than the protocol requires.
    #[error("answer of {got} bytes is shorter than {need}")]
    Short {
        /// Bytes needed.
        need: usize,
        /// Bytes received.
        got: usize,
    },
    /// The answer does not start with the protocol's magic bytes.
    #[error("answer does not start with the protocol magic")]
    BadMagic,
    /// A length field disagrees with the bytes received or the image size.
    #[error("length field {field} is inconsistent ({value})")]
    BadLength {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: usize,
    },
    /// The answer's CRC does not match its contents.
    #[error("CRC mismatch: computed {computed:#06x}, received {received:#06x}")]
    BadCrc {
        /// CRC over the received bytes.
        computed: u16,
        /// CRC the device sent.
        received: u16,
    },
    /// The answer has a type or code this driver does not know.
    #[error("unexpected answer type {0:#04x}")]
    Unexpected(u8),
    /// The frames add up to more or fewer pixels than the image has.
    #[error("frames carry {got} pixels, the image has {need}")]
    ImageSize {
        /// Pixels in one image.
        need: usize,
        /// Pixels received.
        got: usize,
    },
}
