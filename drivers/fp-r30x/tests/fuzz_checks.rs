//! Properties the `r30x_frames` fuzz target checks (`fuzz/fuzz_targets/r30x_frames.rs` includes
//! this file), also replayed over the committed inputs by `tests/fuzz_regressions.rs`.

use bytes::BytesMut;
use fp_r30x::codec::{Inbound, PacketCodec};
use fp_r30x::protocol::{
    self as p, Collected, DataCollector, MAX_PAYLOAD, OVERHEAD, Packet, PacketKind, Request,
};
use fp_r30x::sim::{Action, SimConfig, Simulator};
use tokio_util::codec::Decoder;

/// Bytes from the wire: the framing never panics and accounts for every byte; each packet it finds
/// re-encodes to the bytes it came from; the client's answer readers and the data collector take
/// any packet without a panic; and the simulated module answers any packet with well-formed ones.
pub fn frames_target(data: &[u8]) {
    let mut codec = PacketCodec::default();
    let mut buf = BytesMut::from(data);
    let mut packets = Vec::new();
    while let Some(item) = codec
        .decode(&mut buf)
        .expect("the codec never fails the stream")
    {
        if let Inbound::Packet(p) = item {
            packets.push(p);
        }
    }
    assert_eq!(codec.bytes_in as usize + buf.len(), data.len());
    assert!(buf.len() < OVERHEAD + MAX_PAYLOAD);
    let mut collector = DataCollector::new(4096);
    let mut sim = Simulator::new(SimConfig::default(), Vec::new());
    for packet in packets {
        let bytes = packet.to_bytes();
        assert!(
            data.windows(bytes.len()).any(|w| w == bytes),
            "a decoded packet re-encodes to bytes not in the input"
        );
        answers(&packet.payload);
        if matches!(packet.kind, PacketKind::Data | PacketKind::EndData) {
            match collector.push(packet.clone()) {
                Ok(Collected::Done(d)) => assert!(d.len() <= 4096),
                Ok(Collected::More) => {}
                Err(_) => collector = DataCollector::new(4096),
            }
        }
        let to_sim = Packet {
            address: sim.config().address,
            ..packet
        };
        for action in sim.handle(to_sim) {
            if let Action::Send(out) = action {
                let wire = out.to_bytes();
                assert!(
                    matches!(Packet::decode(&wire), p::Decoded::Packet(q, n) if q == out && n == wire.len())
                );
            }
        }
    }
}

/// The client reads an acknowledge payload as the answer to each kind of request.
fn answers(ack: &[u8]) {
    let _ = p::ReadSysPara::parse_response(ack);
    let _ = p::TemplateNum::parse_response(ack);
    let _ = p::Match::parse_response(ack);
    let _ = p::Search::parse_response(ack);
    let _ = p::GetRandomCode::parse_response(ack);
    let _ = p::ReadProdInfo::parse_response(ack);
    let _ = p::GetFwVer::parse_response(ack);
    let _ = p::GenImg::parse_response(ack);
}
