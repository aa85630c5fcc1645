//! Properties the `judge_telemetry` fuzz target checks (`fuzz/fuzz_targets/judge_telemetry.rs`
//! includes this file), also replayed over the committed inputs by `tests/fuzz_regressions.rs`.

use std::sync::OnceLock;

use judge::telemetry::parse_line;
use judge::{Catalogue, CatalogueSource, Course, Standard, TelemetryReader, VehicleProfile};

struct Setup {
    courses: [Course; 2],
    vehicle: VehicleProfile,
    cat: Catalogue,
}

/// The reference courses, car and catalogue, built into the binary so the check runs anywhere.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let course = |t: &str| Course::from_geojson(t).expect("reference course");
        let mut src = CatalogueSource::from_toml(include_str!(
            "../../../../fixtures/judge/catalogue/ga1026.toml"
        ))
        .expect("reference catalogue");
        src.merge(
            CatalogueSource::from_toml(include_str!(
                "../../../../fixtures/judge/catalogue/region-370800.toml"
            ))
            .expect("regional catalogue"),
        );
        Setup {
            courses: [
                course(include_str!("../../../../fixtures/judge/course-s2.geojson")),
                course(include_str!("../../../../fixtures/judge/course-s3.geojson")),
            ],
            vehicle: VehicleProfile::from_json(include_str!(
                "../../../../fixtures/judge/vehicle-c1.json"
            ))
            .expect("reference car"),
            cat: src
                .resolve(Standard::Ga1026_2022, Some("370800"))
                .expect("catalogue resolves"),
        }
    })
}

/// Telemetry lines: the reader never panics; every record it reads writes back to a line that reads
/// to a record of the same time and kind; the records read before the first error judge on both
/// reference courses without a panic and with a score between 0 and 100.
pub fn telemetry_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let records: Vec<_> = TelemetryReader::new(text.as_bytes())
        .map_while(Result::ok)
        .collect();
    for r in &records {
        let line = r.to_json_line();
        let again = parse_line(&line, 1)
            .unwrap_or_else(|e| panic!("{line} does not read back: {e}"))
            .expect("a written record is not blank");
        assert_eq!(again.t_ms, r.t_ms);
        assert_eq!(
            std::mem::discriminant(&again.body),
            std::mem::discriminant(&r.body)
        );
    }
    let s = setup();
    for course in &s.courses {
        let verdict = judge::judge(course, &s.vehicle, &s.cat, records.iter().cloned());
        assert!(verdict.score <= 100, "score {}", verdict.score);
    }
}
