//! Bulk data: splitting a buffer into data packets, and collecting them again.

use crate::protocol::{Address, Packet, PacketKind, PacketSize, ProtocolError};

/// Splits `data` into packets of `size` bytes, all `Data` but the last, which is `EndData`.
/// Empty data gives one empty `EndData` packet.
pub fn data_packets(address: Address, data: &[u8], size: PacketSize) -> Vec<Packet> {
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(size.bytes()).collect()
    };
    let last = chunks.len() - 1;
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, c)| Packet {
            address,
            kind: if i == last {
                PacketKind::EndData
            } else {
                PacketKind::Data
            },
            payload: c.to_vec(),
        })
        .collect()
}

/// Collects data packets until the `EndData` packet, with a size limit.
#[derive(Debug, Clone)]
pub struct DataCollector {
    data: Vec<u8>,
    limit: usize,
    packets: usize,
}

/// Whether a transfer is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collected {
    /// More packets are expected.
    More,
    /// The end packet arrived; here is the data.
    Done(Vec<u8>),
}

impl DataCollector {
    /// Expects at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            data: Vec::new(),
            limit,
            packets: 0,
        }
    }

    /// How many packets have been taken so far.
    pub fn packets(&self) -> usize {
        self.packets
    }

    /// Takes the next packet.
    pub fn push(&mut self, p: Packet) -> Result<Collected, ProtocolError> {
        let end = match p.kind {
            PacketKind::Data => false,
            PacketKind::EndData => true,
            other => {
                return Err(ProtocolError::UnexpectedKind {
                    expected: PacketKind::Data,
                    got: other,
                });
            }
        };
        if self.data.len() + p.payload.len() > self.limit {
            return Err(ProtocolError::DataTooLong { limit: self.limit });
        }
        self.packets += 1;
        self.data.extend_from_slice(&p.payload);
        Ok(if end {
            Collected::Done(std::mem::take(&mut self.data))
        } else {
            Collected::More
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_collect_at_every_size() {
        let data: Vec<u8> = (0..512u16).map(|i| i as u8).collect();
        for size in PacketSize::ALL {
            let packets = data_packets(Address::DEFAULT, &data, size);
            assert_eq!(packets.len(), 512 / size.bytes());
            let mut c = DataCollector::new(512);
            let mut out = None;
            for p in packets {
                assert_eq!(out, None);
                if let Collected::Done(d) = c.push(p).unwrap() {
                    out = Some(d);
                }
            }
            assert_eq!(out, Some(data.clone()));
        }
    }

    #[test]
    fn collector_refuses_overruns_and_acks() {
        let mut c = DataCollector::new(4);
        let p = data_packets(Address::DEFAULT, &[1, 2, 3, 4, 5], PacketSize::B32).remove(0);
        assert_eq!(c.push(p), Err(ProtocolError::DataTooLong { limit: 4 }));
        let ack = Packet::ack(Address::DEFAULT, vec![0]);
        assert!(matches!(
            c.push(ack),
            Err(ProtocolError::UnexpectedKind { .. })
        ));
        assert_eq!(
            data_packets(Address::DEFAULT, &[], PacketSize::B32).len(),
            1
        );
    }
}
