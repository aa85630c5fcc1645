//! Which differences between our minutiae and a reference extractor's cost accuracy:
//! `cargo run --release -p scoring --example extract_diagnosis -- <fingerprints folder>`,
//! where the folder holds `fvc2002/DB<n>_B/*.tif` and `iso19794-2/openafis/fvc2002_DB<n>_B/*.iso`.
//!
//! The reference templates were made from the images squeezed to 300 × 400 pixels, so their
//! positions and directions are mapped back to our 500 ppi frame first. Our minutiae are paired
//! with the reference's (nearest first, within 10 pixels, each once). Then every image gets
//! several mixed templates, and each mix is scored on all pairs of the set with the same matcher:
//!
//! - `ref`: the reference minutiae; `ours`: our minutiae;
//! - `ours in ref hull`: ours inside the convex hull of the reference minutiae (widened 8 px);
//! - `paired ref/ref`: only the paired minutiae, reference position and direction (what missing minutiae cost);
//! - `paired ref pos/our dir`, `paired our pos/ref dir`, `paired ours`: the same minutiae with
//!   our directions or positions swapped in (what direction and position errors cost);
//! - `ref + our extras`: the reference plus our unpaired minutiae (what false minutiae cost);
//! - `ours, endings turned`, `ref, endings turned`: the endings' directions turned by 180°
//!   (whether the ending/bifurcation direction convention matters).
//!
//! It also prints, for the paired minutiae, the direction difference by the two types, and how
//! often the types agree. `SETS=3,4` restricts the sets. `DRAW=<folder>` also writes each image at
//! 500 ppi, twice as large, as `DB<n>_<name>.png` with the skeleton in grey, our endings red, our
//! bifurcations blue and the reference minutiae green (a line shows each direction).
use scoring::{
    Limits, Minutia, MinutiaKind, Prepared, Template, compare_prepared, decode_image, eval,
    extract, iso,
};
use std::f32::consts::{PI, TAU};
use std::path::PathBuf;

/// Pairing distance, pixels at 500 ppi.
const PAIR: f32 = 10.0;

struct Image {
    finger: u32,
    ours: Template,
    reference: Template,
    /// (our index, reference index) of the paired minutiae.
    pairs: Vec<(usize, usize)>,
}

fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    if d > PI { d - TAU } else { d }
}

/// The reference record mapped into our frame (positions scaled per axis, directions corrected).
fn reference_in_our_frame(rec: &iso::Record, ours: &Template) -> Option<Template> {
    let view = rec.views.first()?;
    let sx = ours.width as f32 / rec.width as f32;
    let sy = ours.height as f32 / rec.height as f32;
    let unit = rec.format.angle_unit_degrees().to_radians();
    let minutiae = view
        .minutiae
        .iter()
        .map(|m| {
            // Counter-clockwise on screen: the direction vector is (cos, -sin) with y down.
            let a = m.angle as f32 * unit;
            let (vx, vy) = (a.cos() * sx, -a.sin() * sy);
            Minutia {
                x: (m.x as f32 * sx).round() as u16,
                y: (m.y as f32 * sy).round() as u16,
                angle: Minutia::angle_from_rad((-vy).atan2(vx)),
                kind: match m.kind {
                    iso::IsoMinutiaKind::Ending => MinutiaKind::Ending,
                    iso::IsoMinutiaKind::Bifurcation => MinutiaKind::Bifurcation,
                    iso::IsoMinutiaKind::Other => MinutiaKind::Other,
                },
                quality: m.quality.max(1),
            }
        })
        .collect();
    Some(Template {
        width: ours.width,
        height: ours.height,
        quality: view.quality,
        minutiae,
    })
}

fn pair_up(ours: &Template, reference: &Template) -> Vec<(usize, usize)> {
    let mut all: Vec<(f32, usize, usize)> = Vec::new();
    for (i, o) in ours.minutiae.iter().enumerate() {
        for (j, r) in reference.minutiae.iter().enumerate() {
            let d = (o.x as f32 - r.x as f32).hypot(o.y as f32 - r.y as f32);
            if d <= PAIR {
                all.push((d, i, j));
            }
        }
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut uo, mut ur) = (
        vec![false; ours.minutiae.len()],
        vec![false; reference.minutiae.len()],
    );
    let mut out = Vec::new();
    for (_, i, j) in all {
        if !uo[i] && !ur[j] {
            uo[i] = true;
            ur[j] = true;
            out.push((i, j));
        }
    }
    out
}

/// Convex hull of the points (monotone chain), counter-clockwise in a y-up sense.
fn hull(pts: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut p = pts.to_vec();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut h: Vec<(f32, f32)> = Vec::new();
    for &q in p.iter().chain(p.iter().rev().skip(1)) {
        while h.len() >= 2 && cross(h[h.len() - 2], h[h.len() - 1], q) <= 0.0 {
            h.pop();
        }
        h.push(q);
    }
    h.pop();
    h
}

/// Signed distance of q inside the hull (positive inside), pixels.
fn inside_by(h: &[(f32, f32)], q: (f32, f32)) -> f32 {
    let mut best = f32::INFINITY;
    for k in 0..h.len() {
        let (a, b) = (h[k], h[(k + 1) % h.len()]);
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let len = ex.hypot(ey).max(1e-6);
        let d = (ex * (q.1 - a.1) - ey * (q.0 - a.0)) / len;
        best = best.min(d);
    }
    best
}

type Mix = fn(&Image) -> Template;

fn with(t: &Template, minutiae: Vec<Minutia>) -> Template {
    Template {
        width: t.width,
        height: t.height,
        quality: t.quality,
        minutiae,
    }
}

fn turned_endings(t: &Template) -> Template {
    with(
        t,
        t.minutiae
            .iter()
            .map(|m| Minutia {
                angle: if m.kind == MinutiaKind::Ending {
                    m.angle.wrapping_add(32768)
                } else {
                    m.angle
                },
                ..*m
            })
            .collect(),
    )
}

fn paired(im: &Image, pos_ref: bool, dir_ref: bool) -> Template {
    with(
        &im.ours,
        im.pairs
            .iter()
            .map(|&(i, j)| {
                let (o, r) = (im.ours.minutiae[i], im.reference.minutiae[j]);
                let p = if pos_ref { r } else { o };
                let d = if dir_ref { r } else { o };
                Minutia {
                    x: p.x,
                    y: p.y,
                    angle: d.angle,
                    kind: d.kind,
                    quality: o.quality,
                }
            })
            .collect(),
    )
}

const MIXES: &[(&str, Mix)] = &[
    ("ref", |im| im.reference.clone()),
    ("ours", |im| im.ours.clone()),
    ("ours in ref hull", |im| {
        let h = hull(
            &im.reference
                .minutiae
                .iter()
                .map(|m| (m.x as f32, m.y as f32))
                .collect::<Vec<_>>(),
        );
        with(
            &im.ours,
            im.ours
                .minutiae
                .iter()
                .filter(|m| inside_by(&h, (m.x as f32, m.y as f32)) >= -8.0)
                .copied()
                .collect(),
        )
    }),
    ("paired ref/ref", |im| paired(im, true, true)),
    ("paired ref pos/our dir", |im| paired(im, true, false)),
    ("paired ref pos/our dir, e.t.", |im| {
        turned_endings(&paired(im, true, false))
    }),
    ("paired our pos/ref dir", |im| paired(im, false, true)),
    ("paired ours", |im| paired(im, false, false)),
    ("ref + our extras", |im| {
        let mut m = im.reference.minutiae.clone();
        for (i, o) in im.ours.minutiae.iter().enumerate() {
            if !im.pairs.iter().any(|p| p.0 == i) {
                m.push(*o);
            }
        }
        m.truncate(scoring::MAX_MINUTIAE);
        with(&im.reference, m)
    }),
    ("ours, endings turned", |im| turned_endings(&im.ours)),
    ("ref, endings turned", |im| turned_endings(&im.reference)),
];

fn scores(images: &[Image], mix: Mix) -> (Vec<f32>, Vec<f32>) {
    let prepared: Vec<Option<Prepared>> = images
        .iter()
        .map(|im| {
            let t = mix(im);
            (t.minutiae.len() >= 2).then(|| Prepared::new(&t))
        })
        .collect();
    let (mut g, mut i) = (Vec::new(), Vec::new());
    for a in 0..images.len() {
        for b in a + 1..images.len() {
            let s = match (&prepared[a], &prepared[b]) {
                (Some(x), Some(y)) => compare_prepared(x, y).0,
                _ => 0.0,
            };
            if images[a].finger == images[b].finger {
                g.push(s);
            } else {
                i.push(s);
            }
        }
    }
    (g, i)
}

/// The image at 500 ppi, doubled, with the skeleton and both sets of minutiae drawn.
fn draw(
    img: &scoring::GrayImage,
    ppi: u32,
    ours: &Template,
    reference: &Template,
) -> image::RgbImage {
    let base = scoring::to_500ppi(img, ppi).expect("extracted before");
    let skel = scoring::debug_stages(img, ppi).expect("extracted before")[2].clone();
    let (w, h) = (base.width(), base.height());
    let mut out = image::RgbImage::from_fn(2 * w, 2 * h, |x, y| {
        let v = base.get_pixel(x / 2, y / 2)[0] / 2 + 100;
        if skel.get_pixel(x / 2, y / 2)[0] == 0 {
            image::Rgb([v / 2, v / 2, v / 2])
        } else {
            image::Rgb([v, v, v])
        }
    });
    let mut put = |x: f32, y: f32, c: [u8; 3]| {
        let (x, y) = ((2.0 * x).round() as i64, (2.0 * y).round() as i64);
        if x >= 0 && y >= 0 && (x as u32) < 2 * w && (y as u32) < 2 * h {
            out.put_pixel(x as u32, y as u32, image::Rgb(c));
        }
    };
    let mut mark = |m: &Minutia, c: [u8; 3], radius: f32| {
        for k in 0..48 {
            let t = k as f32 * TAU / 48.0;
            put(
                m.x as f32 + radius * t.cos(),
                m.y as f32 + radius * t.sin(),
                c,
            );
        }
        let a = m.angle_rad();
        for r in 0..24 {
            let r = radius + r as f32 * 0.5;
            put(m.x as f32 + r * a.cos(), m.y as f32 - r * a.sin(), c);
        }
    };
    for m in &reference.minutiae {
        mark(m, [0, 200, 0], 5.0);
    }
    for m in &ours.minutiae {
        let c = if m.kind == MinutiaKind::Ending {
            [230, 0, 0]
        } else {
            [0, 90, 255]
        };
        mark(m, c, 3.0);
    }
    out
}

fn main() {
    let Some(root) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: extract_diagnosis <fingerprints folder>");
        std::process::exit(2);
    };
    let sets: Vec<u32> = std::env::var("SETS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 2, 3, 4]);
    let mut pooled: Vec<(Vec<f32>, Vec<f32>)> = vec![(Vec::new(), Vec::new()); MIXES.len()];
    for db in sets {
        let ppi = if db == 2 { 569 } else { 500 };
        let mut images = Vec::new();
        for finger in 101..=110 {
            for imp in 1..=8 {
                let image = root.join(format!("fvc2002/DB{db}_B/{finger}_{imp}.tif"));
                let reference = root.join(format!(
                    "iso19794-2/openafis/fvc2002_DB{db}_B/{finger}_{imp}.iso"
                ));
                let (Ok(img), Ok(rbytes)) = (std::fs::read(&image), std::fs::read(&reference))
                else {
                    eprintln!("skipping {}: image or reference missing", image.display());
                    continue;
                };
                let Ok(img) = decode_image(&img, Limits::default()) else {
                    eprintln!("skipping {}: not decodable", image.display());
                    continue;
                };
                let (Ok(ours), Ok(rec)) = (extract(&img, ppi), iso::decode(&rbytes)) else {
                    eprintln!(
                        "skipping {}: extraction or decoding failed",
                        image.display()
                    );
                    continue;
                };
                let Some(reference) = reference_in_our_frame(&rec, &ours) else {
                    continue;
                };
                let pairs = pair_up(&ours, &reference);
                if let Ok(dir) = std::env::var("DRAW") {
                    let name = format!("DB{db}_{finger}_{imp}.png");
                    let mut picture = draw(&img, ppi, &ours, &reference);
                    // CROP=x,y,w,h (in the drawn, doubled pixels) keeps a part.
                    if let Some(c) = std::env::var("CROP").ok().map(|c| {
                        c.split(',')
                            .filter_map(|v| v.parse().ok())
                            .collect::<Vec<u32>>()
                    }) && c.len() == 4
                    {
                        picture =
                            image::imageops::crop_imm(&picture, c[0], c[1], c[2], c[3]).to_image();
                    }
                    if let Err(e) = picture.save(PathBuf::from(dir).join(&name)) {
                        eprintln!("{name}: {e}");
                    }
                }
                images.push(Image {
                    finger,
                    ours,
                    reference,
                    pairs,
                });
            }
        }
        // Directions of paired minutiae by (our type, reference type).
        let mut by_types = std::collections::BTreeMap::<(String, String), [usize; 4]>::new();
        let (mut dist, mut npairs, mut n_ours, mut n_ref) = (0.0f32, 0usize, 0usize, 0usize);
        // Direction error of paired minutiae (our endings' direction taken as is), by 5° bins up to 30°.
        let mut fine = [0usize; 7];
        for im in &images {
            n_ours += im.ours.minutiae.len();
            n_ref += im.reference.minutiae.len();
            for &(i, j) in &im.pairs {
                let (o, r) = (im.ours.minutiae[i], im.reference.minutiae[j]);
                dist += (o.x as f32 - r.x as f32).hypot(o.y as f32 - r.y as f32);
                npairs += 1;
                let d = angle_diff(o.angle_rad(), r.angle_rad()).abs().to_degrees();
                fine[((d / 5.0) as usize).min(6)] += 1;
                let bin = match d {
                    d if d < 22.5 => 0,
                    d if d < 90.0 => 1,
                    d if d < 157.5 => 2,
                    _ => 3,
                };
                by_types
                    .entry((format!("{:?}", o.kind), format!("{:?}", r.kind)))
                    .or_default()[bin] += 1;
            }
        }
        println!(
            "DB{db}_B: {} images, ours {n_ours}, reference {n_ref}, paired {npairs} (mean distance {:.1} px)",
            images.len(),
            dist / npairs.max(1) as f32
        );
        println!(
            "  paired direction error, % in 5° bins up to 30° and beyond: {:?}",
            fine.map(|v| (100.0 * v as f32 / npairs.max(1) as f32).round() as u32)
        );
        for ((o, r), c) in &by_types {
            println!(
                "  ours {o:<11} ref {r:<11} n {:>5}: direction difference <22.5° {:>3.0} %, 22.5–90° {:>3.0} %, 90–157.5° {:>3.0} %, >157.5° {:>3.0} %",
                c.iter().sum::<usize>(),
                c.map(|v| 100.0 * v as f32 / c.iter().sum::<usize>().max(1) as f32)[0],
                c.map(|v| 100.0 * v as f32 / c.iter().sum::<usize>().max(1) as f32)[1],
                c.map(|v| 100.0 * v as f32 / c.iter().sum::<usize>().max(1) as f32)[2],
                c.map(|v| 100.0 * v as f32 / c.iter().sum::<usize>().max(1) as f32)[3],
            );
        }
        for (k, (name, mix)) in MIXES.iter().enumerate() {
            let (g, i) = scores(&images, *mix);
            let r = eval::rates(&g, &i);
            println!(
                "  {name:<24} EER {:>5.1} %  FMR100 {:>5.1} %  FMR1000 {:>5.1} %",
                100.0 * r.eer,
                100.0 * r.fmr100,
                100.0 * r.fmr1000
            );
            pooled[k].0.extend(g);
            pooled[k].1.extend(i);
        }
    }
    println!("pooled:");
    for (k, (name, _)) in MIXES.iter().enumerate() {
        let r = eval::rates(&pooled[k].0, &pooled[k].1);
        println!(
            "  {name:<24} EER {:>5.1} %  FMR100 {:>5.1} %  FMR1000 {:>5.1} %",
            100.0 * r.eer,
            100.0 * r.fmr100,
            100.0 * r.fmr1000
        );
    }
}
