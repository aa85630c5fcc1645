//! Synochip AS608 / ZhianTec ZFM-20 / Grow R305, R307, R503 fingerprint modules over UART.
//!
//! Layers, tokio-modbus style:
//! - [`protocol`]: pure frames, checksum, typed requests and responses, 4-bit image packing;
//! - [`codec`]: bytes ⇄ packets, one incremental decoder shared by client and simulator;
//! - [`client`]: [`R30x`], an async client generic over any `AsyncRead + AsyncWrite`;
//! - [`sim`]: a simulated module (image folder, template library, fault injection) that serves
//!   any transport, including a pseudo-terminal that third-party tools can open.
//!
//! ```
//! use fp_r30x::protocol::{Address, Packet, Request, GenImg};
//! let bytes = Packet::command(Address::DEFAULT, GenImg.to_bytes()).to_bytes();
//! assert_eq!(bytes, [0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05]);
//! ```
#![warn(missing_docs)]

pub mod client;
pub mod codec;
pub mod protocol;
pub mod sim;

pub use client::{ClientConfig, DriverError, R30x, R30xFactory};
pub use sim::{Fault, SimConfig, SimHandle, Simulator};
