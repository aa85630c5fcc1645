//! Fault injection: what can go wrong with a packet on its way to the host.

use std::time::Duration;

/// A fault applied to the next packet the simulator sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Flip the low checksum byte.
    BadChecksum,
    /// Drop this many bytes from the middle of the packet.
    DropBytes(usize),
    /// Do not send the packet at all.
    Silence,
    /// Send these bytes before the packet.
    Garbage(Vec<u8>),
    /// Send these bytes instead of the packet.
    Replace(Vec<u8>),
    /// Send the packet this much later.
    Delay(Duration),
}

impl Fault {
    /// Applies the fault to a packet's bytes; returns the bytes to send and a delay before them.
    pub fn apply(&self, mut bytes: Vec<u8>) -> (Vec<u8>, Duration) {
        match self {
            Self::BadChecksum => {
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0xFF;
                }
            }
            Self::DropBytes(n) => {
                let mid = bytes.len() / 2;
                let end = (mid + n).min(bytes.len());
                bytes.drain(mid..end);
            }
            Self::Silence => bytes.clear(),
            Self::Garbage(junk) => {
                let mut v = junk.clone();
                v.extend_from_slice(&bytes);
                bytes = v;
            }
            Self::Replace(junk) => bytes = junk.clone(),
            Self::Delay(d) => return (bytes, *d),
        }
        (bytes, Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_change_bytes_as_named() {
        let b = vec![1, 2, 3, 4, 5, 6];
        assert_eq!(Fault::BadChecksum.apply(b.clone()).0, [1, 2, 3, 4, 5, 0xF9]);
        assert_eq!(Fault::DropBytes(2).apply(b.clone()).0, [1, 2, 3, 6]);
        assert_eq!(Fault::Silence.apply(b.clone()).0, Vec::<u8>::new());
        assert_eq!(
            Fault::Garbage(vec![0x55]).apply(b.clone()).0,
            [0x55, 1, 2, 3, 4, 5, 6]
        );
        assert_eq!(Fault::Replace(vec![9]).apply(b.clone()).0, [9]);
        assert_eq!(
            Fault::Delay(Duration::from_millis(3)).apply(b.clone()),
            (b, Duration::from_millis(3))
        );
    }
}
