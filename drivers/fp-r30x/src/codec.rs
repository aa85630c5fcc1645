//! Bytes ⇄ packets: the one framing path used by both the client and the simulator.
//!
//! The decoder never fails the stream on bad bytes (a `Framed` stream ends after an error):
//! corruption comes out as an [`Inbound::Corrupt`] item and decoding resumes at the next header.

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::protocol::{Decoded, FrameError, Packet};

/// One decoded item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A well-formed packet.
    Packet(Packet),
    /// Bytes that did not form a packet; they have been skipped.
    Corrupt(FrameError),
}

/// The R30x packet codec, with byte counters for overhead measurements.
#[derive(Debug, Default, Clone)]
pub struct PacketCodec {
    /// Bytes encoded so far.
    pub bytes_out: u64,
    /// Bytes consumed by the decoder so far (packets and skipped bytes).
    pub bytes_in: u64,
}

impl Decoder for PacketCodec {
    type Item = Inbound;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Inbound>, std::io::Error> {
        let (item, used) = match Packet::decode(src) {
            Decoded::Incomplete => return Ok(None),
            Decoded::Packet(p, n) => (Inbound::Packet(p), n),
            Decoded::Corrupt(e, n) => (Inbound::Corrupt(e), n),
        };
        src.advance(used);
        self.bytes_in += used as u64;
        Ok(Some(item))
    }
}

impl Encoder<&Packet> for PacketCodec {
    type Error = std::io::Error;

    fn encode(&mut self, p: &Packet, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        let bytes = p.to_bytes();
        self.bytes_out += bytes.len() as u64;
        dst.extend_from_slice(&bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::protocol::{Address, PacketKind};

    proptest! {
        /// Arbitrary bytes never panic the decoder, and every byte is eventually consumed or kept
        /// as the start of an incomplete packet.
        #[test]
        fn arbitrary_bytes_decode_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let mut c = PacketCodec::default();
            let mut buf = BytesMut::from(&bytes[..]);
            while let Some(_item) = c.decode(&mut buf).unwrap() {}
            prop_assert_eq!(c.bytes_in as usize + buf.len(), bytes.len());
            prop_assert!(buf.len() < crate::protocol::OVERHEAD + crate::protocol::MAX_PAYLOAD);
        }
    }

    #[test]
    #[rustfmt::skip]
    fn decodes_across_chunks_and_resyncs_after_junk() {
        let mut c = PacketCodec::default();
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[0x55]);                   // R50x "ready" byte
        buf.extend_from_slice(&[0xEF, 0x01, 0xFF, 0xFF]); // first half of an ack
        assert_eq!(c.decode(&mut buf).unwrap(), Some(Inbound::Corrupt(FrameError::Garbage(1))));
        assert_eq!(c.decode(&mut buf).unwrap(), None);
        buf.extend_from_slice(&[0xFF, 0xFF, 0x07, 0x00, 0x03, 0x00, 0x00, 0x0A]);
        let want = Packet { address: Address::DEFAULT, kind: PacketKind::Ack, payload: vec![0] };
        assert_eq!(c.decode(&mut buf).unwrap(), Some(Inbound::Packet(want.clone())));
        assert!(buf.is_empty());
        assert_eq!(c.bytes_in, 13);
        let mut out = BytesMut::new();
        c.encode(&want, &mut out).unwrap();
        assert_eq!(out.len(), 12);
        assert_eq!(c.bytes_out, 12);
    }
}
