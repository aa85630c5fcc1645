//! Template encoding and decoding: the internal format, ISO/IEC 19794-2:2005 and ANSI/INCITS 378-2004.

use criterion::{Criterion, criterion_group, criterion_main};
use scoring::{Minutia, MinutiaKind, Template, iso};
use std::hint::black_box;

fn template(n: usize) -> Template {
    let minutiae = (0..n)
        .map(|i| Minutia {
            x: (i * 37 % 300) as u16,
            y: (i * 53 % 400) as u16,
            angle: (i * 7919) as u16,
            kind: if i % 2 == 0 {
                MinutiaKind::Ending
            } else {
                MinutiaKind::Bifurcation
            },
            quality: 50,
        })
        .collect();
    Template {
        width: 300,
        height: 400,
        quality: 60,
        minutiae,
    }
}

fn bench(c: &mut Criterion) {
    let t = template(60);
    let internal = t.to_bytes();
    let standard = t.to_iso2005();
    assert_eq!(Template::from_bytes(&internal).unwrap(), t);
    assert_eq!(
        iso::encode_iso2005(&iso::decode(&standard).unwrap()).unwrap(),
        standard
    );
    let record = t.to_record();
    let ansi = iso::encode_ansi2004(&record).unwrap();
    assert_eq!(iso::decode(&ansi).unwrap().format, iso::Format::Ansi2004);
    let iso2011 = iso::encode_iso2011(&record).unwrap();
    assert_eq!(iso::decode(&iso2011).unwrap().views, record.views);
    let mut g = c.benchmark_group("template_codec");
    g.bench_function("internal_encode_60", |b| {
        b.iter(|| black_box(&t).to_bytes())
    });
    g.bench_function("internal_decode_60", |b| {
        b.iter(|| Template::from_bytes(black_box(&internal)))
    });
    g.bench_function("iso2005_encode_60", |b| {
        b.iter(|| black_box(&t).to_iso2005())
    });
    g.bench_function("iso2005_decode_60", |b| {
        b.iter(|| Template::from_standard_bytes(black_box(&standard)))
    });
    g.bench_function("ansi378_encode_60", |b| {
        b.iter(|| iso::encode_ansi2004(black_box(&record)))
    });
    g.bench_function("ansi378_decode_60", |b| {
        b.iter(|| Template::from_standard_bytes(black_box(&ansi)))
    });
    g.bench_function("iso2011_encode_60", |b| {
        b.iter(|| iso::encode_iso2011(black_box(&record)))
    });
    g.bench_function("iso2011_decode_60", |b| {
        b.iter(|| Template::from_standard_bytes(black_box(&iso2011)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
