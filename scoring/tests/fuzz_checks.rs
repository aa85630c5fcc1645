//! Properties the fuzz targets check (`fuzz/fuzz_targets/scoring_*.rs` include this file), also
//! replayed over the committed seeds and regression inputs by `fuzz_regressions.rs`.

use scoring::gallery::{Gallery, ReadLimits};
use scoring::iso::{self, Format};
use scoring::{Template, compare};

/// Standard records (ISO 19794-2 2005/2011, ANSI 378): the reader never panics; whatever it reads
/// re-encodes (2005 and ANSI) to bytes that read back to the same record, and converts to a template
/// that survives the internal byte form and a comparison with itself.
pub fn iso_target(data: &[u8]) {
    let Ok(rec) = iso::decode(data) else {
        return;
    };
    let written = match rec.format {
        Format::Iso2005 => Some(iso::encode_iso2005(&rec)),
        Format::Ansi2004 => Some(iso::encode_ansi2004(&rec)),
        Format::Iso2011 => None,
    };
    if let Some(Ok(bytes)) = written {
        let again = iso::decode(&bytes).expect("a written record reads back");
        assert_eq!(again, rec, "record changed on a write and read");
    }
    if let Ok(t) = Template::from_record(&rec) {
        template_checks(&t);
    }
}

/// The internal template form: the reader never panics, and what it reads writes back and reads again unchanged.
pub fn template_target(data: &[u8]) {
    if let Ok(t) = Template::from_bytes(data) {
        template_checks(&t);
    }
}

fn template_checks(t: &Template) {
    let again = Template::from_bytes(&t.to_bytes()).expect("a written template reads back");
    assert_eq!(&again, t, "template changed on a write and read");
    let _ = Template::from_standard_bytes(&t.to_iso2005());
    let _ = compare(t, t);
}

/// Gallery files: the reader never panics nor allocates past its limits, on the bytes as given and
/// with the trailing CRC made right (so the fuzzer reaches the entries); what it reads writes back
/// to a file that reads to the same entries.
pub fn gallery_target(data: &[u8]) {
    let limits = ReadLimits {
        max_entries: 1000,
        max_bytes: 1 << 20,
    };
    let _ = Gallery::from_bytes(data, &limits);
    if data.len() < 4 {
        return;
    }
    let mut fixed = data.to_vec();
    let end = fixed.len() - 4;
    let crc = crc32fast::hash(&fixed[..end]);
    fixed[end..].copy_from_slice(&crc.to_be_bytes());
    let Ok(g) = Gallery::from_bytes(&fixed, &limits) else {
        return;
    };
    let again = Gallery::from_bytes(&g.to_bytes(), &limits).expect("a written gallery reads back");
    assert_eq!(
        again.ids(),
        g.ids(),
        "gallery ids changed on a write and read"
    );
    for id in g.ids() {
        assert_eq!(again.template(*id), g.template(*id));
    }
}
