//! Recorded USB traffic: the model shared by both recording formats.
//!
//! A [`Recording`] is the ordered list of the URBs one device exchanged with its host,
//! parsed from umockdev's `.ioctl` text ([`ioctl`]) or a usbmon pcapng capture ([`pcapng`]).
//! [`device`] reads umockdev's `device` file (bus, address, ids, sysfs path).
//! Everything here is pure: bytes in, values out.

pub mod device;
pub mod ioctl;
pub mod pcapng;

use std::fmt;

/// A USB endpoint address: bit 7 set means IN (device to host).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint(pub u8);

impl Endpoint {
    /// True for an IN endpoint.
    pub fn is_in(self) -> bool {
        self.0 & 0x80 != 0
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({:#04x})", self.0)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#04x}", self.0)
    }
}

/// The four USB transfer types, numbered as usbfs and usbmon number them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferType {
    /// 0: isochronous.
    Isochronous,
    /// 1: interrupt.
    Interrupt,
    /// 2: control (the buffer starts with an 8-byte setup packet).
    Control,
    /// 3: bulk.
    Bulk,
}

impl TransferType {
    /// Decodes the usbfs / usbmon number.
    pub fn from_number(n: u8) -> Option<Self> {
        Some(match n {
            0 => Self::Isochronous,
            1 => Self::Interrupt,
            2 => Self::Control,
            3 => Self::Bulk,
            _ => return None,
        })
    }
}

/// One completed USB request block as the recording holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Urb {
    /// Transfer type.
    pub transfer_type: TransferType,
    /// Endpoint; for control transfers 0x00 or 0x80 after the setup packet's direction.
    pub endpoint: Endpoint,
    /// The setup packet of a control transfer.
    pub setup: Option<[u8; 8]>,
    /// The data length the host asked for (IN) or sent (OUT), setup packet excluded.
    pub length: usize,
    /// OUT: the bytes the host sent; IN: the bytes the device returned.
    pub data: Vec<u8>,
    /// Completion status: 0, or a negative errno (`-2` cancelled, `-32` stall, `-110` timeout).
    pub status: i32,
}

impl Urb {
    /// True for a host-to-device data direction.
    pub fn is_out(&self) -> bool {
        !self.endpoint.is_in()
    }

    /// True for a standard (chapter 9) control request, such as the kernel's descriptor reads.
    /// umockdev skips these when they do not match, and so does the replay.
    pub fn is_standard_control(&self) -> bool {
        self.transfer_type == TransferType::Control && self.setup.is_some_and(|s| s[0] & 0x60 == 0)
    }
}

impl fmt::Debug for Urb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.data[..self.data.len().min(16)];
        write!(
            f,
            "Urb({:?} {} len {} status {} data {}{})",
            self.transfer_type,
            self.endpoint,
            self.length,
            self.status,
            hex::encode(shown),
            if self.data.len() > 16 { "…" } else { "" }
        )
    }
}

/// The ordered URBs of one device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recording {
    /// URBs in submission order.
    pub urbs: Vec<Urb>,
}

/// A recording that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    /// A line of a `.ioctl` file is malformed.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The pcapng container is malformed or truncated.
    #[error("pcapng block {block}: {reason}")]
    Pcapng {
        /// 0-based index of the block.
        block: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The capture's link type is not usbmon with 64-byte headers (LINKTYPE_USB_LINUX_MMAPPED, 220).
    #[error("pcapng link type {0} is not LINKTYPE_USB_LINUX_MMAPPED (220)")]
    LinkType(i32),
    /// A usbmon packet is shorter than its header says.
    #[error("usbmon packet {index}: {reason}")]
    Packet {
        /// 0-based index of the packet in the capture.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `device` file lacks a field the replay needs.
    #[error("device file: missing or bad {0}")]
    Device(&'static str),
}
