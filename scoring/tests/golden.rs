//! Golden tests on real images: the SourceAFIS test triple (FVC2002 DB1_B 102_1, 102_2 and 103_7)
//! and the OpenAFIS ISO templates of the same fingers.

use crate::data;
use scoring::{Limits, THRESHOLD_FMR_1000, Template, compare, decode_image, extract};

fn load(dir: &std::path::Path, name: &str) -> Template {
    let bytes = std::fs::read(dir.join(name)).unwrap();
    extract(&decode_image(&bytes, Limits::default()).unwrap(), 500).unwrap()
}

#[test]
fn sourceafis_triple_genuine_clearly_above_impostor_clearly_below() {
    let Some(dir) = data::dir("sourceafis-test-resources") else {
        return;
    };
    let probe = load(&dir, "probe.png");
    let matching = load(&dir, "matching.png");
    let nonmatching = load(&dir, "nonmatching.png");
    let t = THRESHOLD_FMR_1000.0;
    let genuine = compare(&probe, &matching).0;
    let impostor = compare(&probe, &nonmatching).0;
    assert!(genuine >= 2.0 * t, "genuine {genuine}, threshold {t}");
    assert!(impostor <= 0.7 * t, "impostor {impostor}, threshold {t}");
    // The same image in three encodings gives the same template.
    assert_eq!(load(&dir, "probe.bmp"), probe);
}

#[test]
fn sourceafis_iso_triple_genuine_above_impostor() {
    let Some(dir) = data::dir("sourceafis-test-resources") else {
        return;
    };
    let read =
        |n: &str| Template::from_standard_bytes(&std::fs::read(dir.join(n)).unwrap()).unwrap();
    let probe = read("iso-probe.dat");
    let genuine = compare(&probe, &read("iso-matching.dat")).0;
    let impostor = compare(&probe, &read("iso-nonmatching.dat")).0;
    assert!(
        genuine > THRESHOLD_FMR_1000.0 && impostor < THRESHOLD_FMR_1000.0,
        "{genuine} {impostor}"
    );
}

#[test]
fn first_image_of_every_fvc2002_set_extracts() {
    let Some(dir) = data::dir("fvc2002") else {
        return;
    };
    for (db, ppi) in [
        ("DB1_B", 500),
        ("DB2_B", 569),
        ("DB3_B", 500),
        ("DB4_B", 500),
    ] {
        let bytes = std::fs::read(dir.join(db).join("101_1.tif")).unwrap();
        let t = extract(&decode_image(&bytes, Limits::default()).unwrap(), ppi).unwrap();
        assert!(
            (15..=scoring::MAX_MINUTIAE).contains(&t.minutiae.len()),
            "{db}: {}",
            t.minutiae.len()
        );
        assert!(t.to_bytes().len() <= 1024);
    }
}
