//! Judging throughput over the reference drives (criterion).
//!
//! `cargo bench -p benches --bench judge`. Throughput is reported in telemetry records per second.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use judge::sim::fixture::Expected;
use judge::{CatalogueSource, Course, Record, Standard, VehicleProfile};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn load(
    name: &str,
) -> (
    Course,
    VehicleProfile,
    judge::Catalogue,
    Vec<Record>,
    Expected,
) {
    let f = fixtures();
    let read =
        |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let e: Expected =
        serde_json::from_str(&read(f.join("drives").join(name).join("expected.json")))
            .expect("expected.json");
    let mut src = CatalogueSource::default();
    src.merge(
        CatalogueSource::from_toml(&read(f.join("judge/catalogue/ga1026.toml")))
            .expect("catalogue"),
    );
    let cat = src
        .resolve(Standard::parse(&e.standard).expect("standard"), None)
        .expect("resolve");
    let course = Course::from_geojson(&read(f.join("judge").join(&e.course))).expect("course");
    let vehicle =
        VehicleProfile::from_json(&read(f.join("judge").join(&e.vehicle))).expect("vehicle");
    let records =
        judge::telemetry::parse_str(&read(f.join("drives").join(name).join("drive.jsonl")))
            .expect("drive");
    (course, vehicle, cat, records, e)
}

fn judging(c: &mut Criterion) {
    let mut g = c.benchmark_group("judge");
    for name in ["s2-full-clean", "s3-route-clean"] {
        let (course, vehicle, cat, records, e) = load(name);
        // Check the answer once, outside the timed loop.
        assert_eq!(
            judge::judge(&course, &vehicle, &cat, records.iter().cloned()).to_dto(),
            e.verdict
        );
        g.throughput(Throughput::Elements(records.len() as u64));
        g.bench_with_input(BenchmarkId::new("batch", name), &records, |b, r| {
            b.iter(|| judge::judge(&course, &vehicle, &cat, black_box(r).iter().cloned()))
        });
        g.bench_with_input(BenchmarkId::new("parse+judge", name), &records, |b, r| {
            let text = judge::sim::fixture::drive_jsonl(r);
            b.iter(|| {
                let recs = judge::telemetry::parse_str(black_box(&text)).expect("drive");
                judge::judge(&course, &vehicle, &cat, recs.into_iter())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, judging);
criterion_main!(benches);
