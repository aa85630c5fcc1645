//! The checks the fuzz targets run, shared with the regression replay test so every
//! committed crash input runs in plain `cargo test`. (The fuzz crate includes this file.)

use audit::{
    Checkpoint, ExportReader, Frontier, SignedCheckpoint, decode, encode, peek_seq, validate,
    verify_export,
};

/// Event, checkpoint and frontier decoders: never panic, and what decodes re-encodes to the same bytes.
pub fn decode_target(data: &[u8]) {
    let event = decode(data);
    assert_eq!(
        validate(data).ok(),
        event.as_ref().ok().map(|e| e.seq),
        "validate agrees with decode"
    );
    if let Ok(event) = event {
        assert_eq!(encode(&event).unwrap(), data, "decoding is canonical");
        assert_eq!(peek_seq(data), Some(event.seq));
    }
    if let Ok(cp) = Checkpoint::decode(data) {
        assert_eq!(cp.encode(), data, "checkpoint decoding is canonical");
    }
    if let Ok(signed) = SignedCheckpoint::from_bytes(data) {
        assert_eq!(signed.to_bytes(), data);
        let _ = signed.unverified();
    }
    if let Ok(f) = Frontier::from_bytes(data) {
        assert_eq!(f.to_bytes(), data);
        let _ = f.root();
    }
}

/// The export reader and verifier: never panic, whatever the bytes.
pub fn export_target(data: &[u8]) {
    if let Ok(reader) = ExportReader::new(data) {
        let keys = reader.keys().to_vec();
        let _ = verify_export(reader, &keys);
    }
}
