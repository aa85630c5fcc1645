//! The standard template test vectors: spec examples, invalid files and the OpenAFIS FVC2002 templates.

use crate::data;
use scoring::iso::{self, Format, IsoMinutiaKind};
use scoring::{Template, TemplateErrorKind};

fn check_against_json(rec: &iso::Record, json: &serde_json::Value) {
    let fps = json["fingerprints"].as_array().unwrap();
    assert_eq!(rec.views.len(), fps.len());
    for (v, fp) in rec.views.iter().zip(fps) {
        let ms = fp["minutiae"].as_array().unwrap();
        assert_eq!(v.minutiae.len(), ms.len());
        for (m, j) in v.minutiae.iter().zip(ms) {
            let kind = match j["type"].as_str().unwrap() {
                "ENDING" => IsoMinutiaKind::Ending,
                "BIFURCATION" => IsoMinutiaKind::Bifurcation,
                _ => IsoMinutiaKind::Other,
            };
            assert_eq!(m.kind, kind);
            assert_eq!(m.x as u64, j["positionX"].as_u64().unwrap());
            assert_eq!(m.y as u64, j["positionY"].as_u64().unwrap());
            assert_eq!(m.angle as u64, j["angle"].as_u64().unwrap());
            assert_eq!(m.quality as u64, j["quality"].as_u64().unwrap());
        }
    }
}

#[test]
fn spec_examples_decode_as_their_json_says() {
    let Some(dir) = data::dir("iso19794-2/spec-examples") else {
        return;
    };
    for (name, format) in [
        ("iso19794p2v2005", Format::Iso2005),
        ("iso19794p2v2011", Format::Iso2011),
        ("ansi378v2004", Format::Ansi2004),
    ] {
        let bytes = std::fs::read(dir.join(format!("{name}-sample.dat"))).unwrap();
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("{name}-sample.json"))).unwrap(),
        )
        .unwrap();
        let rec = iso::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rec.format, format, "{name}");
        assert_eq!(
            (rec.width, rec.height, rec.resolution_x),
            (512, 512, 197),
            "{name}"
        );
        check_against_json(&rec, &json);
    }
}

#[test]
fn iso2005_spec_example_round_trips_byte_exact() {
    let Some(dir) = data::dir("iso19794-2/spec-examples") else {
        return;
    };
    let bytes = std::fs::read(dir.join("iso19794p2v2005-sample.dat")).unwrap();
    let rec = iso::decode(&bytes).unwrap();
    assert_eq!(rec.views[1].extensions.len(), 1);
    assert_eq!(iso::encode_iso2005(&rec).unwrap(), bytes);
}

#[test]
fn iso2011_spec_example_round_trips_byte_exact() {
    let Some(dir) = data::dir("iso19794-2/spec-examples") else {
        return;
    };
    let bytes = std::fs::read(dir.join("iso19794p2v2011-sample.dat")).unwrap();
    let full = iso::decode_iso2011(&bytes).unwrap();
    assert_eq!(full.record, iso::decode(&bytes).unwrap());
    let rep = &full.representations[0];
    assert_eq!(
        (rep.captured.year, rep.captured.month, rep.captured.day),
        (2005, 12, 15)
    );
    assert_eq!((rep.device_vendor, rep.device_type), (43981, 181));
    assert_eq!(rep.quality_records[0].algorithm, 291);
    assert_eq!(iso::encode_iso2011_record(&full).unwrap(), bytes);
    // The same views written as 2005 and back as 2011 keep every minutia.
    let via2005 = iso::decode(&iso::encode_iso2005(&full.record).unwrap()).unwrap();
    let again = iso::decode(&iso::encode_iso2011(&via2005).unwrap()).unwrap();
    assert_eq!(again.views, full.record.views);
    // Every truncation of it is refused naming a field.
    for cut in 0..bytes.len() {
        assert!(!iso::decode(&bytes[..cut]).unwrap_err().field().is_empty());
    }
}

#[test]
fn ansi2004_spec_example_round_trips() {
    let Some(dir) = data::dir("iso19794-2/spec-examples") else {
        return;
    };
    let bytes = std::fs::read(dir.join("ansi378v2004-sample.dat")).unwrap();
    let rec = iso::decode(&bytes).unwrap();
    let out = iso::encode_ansi2004(&rec).unwrap();
    // The printed example says "020" for the version and declares 2 bytes fewer than it holds;
    // the writer follows the standard's text (" 20") and the true length. Everything else is equal.
    assert_eq!(&out[4..8], b" 20\0");
    assert_eq!(u16::from_be_bytes([out[8], out[9]]) as usize, out.len());
    assert_eq!(out.len(), bytes.len());
    assert_eq!(out[10..], bytes[10..]);
    assert_eq!(iso::decode(&out).unwrap(), rec);
    // Through ISO 2005 and back: 2-degree angles survive the finer ISO unit exactly (the example
    // holds two angles of 180 units or more, which are whole turns plus a valid angle).
    let iso2005 = iso::decode(&iso::encode_iso2005(&rec).unwrap()).unwrap();
    let back = iso::decode(&iso::encode_ansi2004(&iso2005).unwrap()).unwrap();
    let mut expected = rec.views.clone();
    for m in expected.iter_mut().flat_map(|v| v.minutiae.iter_mut()) {
        m.angle %= 180;
    }
    assert_eq!(back.views, expected);
}

#[test]
fn invalid_templates_are_rejected_naming_the_field() {
    let Some(dir) = data::dir("iso19794-2/invalid") else {
        return;
    };
    let files = data::files(&dir, "iso");
    assert!(!files.is_empty());
    for f in files {
        let err = iso::decode(&std::fs::read(&f).unwrap()).unwrap_err();
        assert_eq!(
            err.kind(),
            TemplateErrorKind::LengthMismatch,
            "{}",
            f.display()
        );
        assert_eq!(err.field(), "total record length");
        assert!(err.to_string().contains("total record length"));
    }
}

#[test]
fn all_openafis_fvc2002_templates_parse_and_round_trip() {
    let Some(dir) = data::dir("iso19794-2/openafis") else {
        return;
    };
    let mut n = 0;
    for db in 1..=4 {
        for f in data::files(&dir.join(format!("fvc2002_DB{db}_B")), "iso") {
            let bytes = std::fs::read(&f).unwrap();
            let rec = iso::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_eq!(rec.format, Format::Iso2005);
            assert_eq!(iso::encode_iso2005(&rec).unwrap(), bytes, "{}", f.display());
            let t = Template::from_record(&rec).unwrap();
            assert!(!t.minutiae.is_empty());
            n += 1;
        }
    }
    assert_eq!(n, 320);
}
