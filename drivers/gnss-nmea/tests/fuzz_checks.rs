//! Properties the `nmea_sentence` fuzz target checks (`fuzz/fuzz_targets/nmea_sentence.rs`
//! includes this file), also replayed over the committed inputs by `tests/fuzz_regressions.rs`.

use gnss_nmea::{EpochAssembler, MAX_LINE, parse_sentence};

/// Lines from a receiver: the sentence parser never panics on any line the reader would hand it
/// (lossily decoded, at most `MAX_LINE` bytes), and the epoch assembler takes whatever parses.
pub fn sentence_target(data: &[u8]) {
    let mut asm = EpochAssembler::new();
    for line in data.split(|&b| b == b'\n') {
        if line.len() > MAX_LINE {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches('\r');
        if let Ok(s) = parse_sentence(text) {
            asm.push(s);
        }
        while asm.pop_fix().is_some() {}
    }
    asm.flush();
    while asm.pop_fix().is_some() {}
}
