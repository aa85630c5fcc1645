//! Pinned scores: fixed synthetic template pairs and the exact bits of the scores the matcher gave
//! them when the speed work began. The thresholds were derived from these scores, so any change
//! of the matcher's code must leave every one of them bit for bit as it is (a change that is
//! meant to move scores has to re-derive the thresholds and re-pin these values).

use super::{Prepared, compare, compare_prepared, explain};
use crate::template::{Minutia, MinutiaKind, Template};

/// A small deterministic generator (xorshift64), so the templates never depend on a crate's version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next() % (hi - lo) as u64) as i32
    }
}

/// `n` minutiae spread over a 300 × 400 area, at least 9 pixels apart.
fn finger(n: usize, seed: u64) -> Template {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut minutiae: Vec<Minutia> = Vec::with_capacity(n);
    while minutiae.len() < n {
        let (x, y) = (rng.range(30, 330) as u16, rng.range(30, 430) as u16);
        if minutiae
            .iter()
            .any(|m| (m.x as i32 - x as i32).pow(2) + (m.y as i32 - y as i32).pow(2) < 81)
        {
            continue;
        }
        minutiae.push(Minutia {
            x,
            y,
            angle: rng.next() as u16,
            kind: if rng.next().is_multiple_of(2) {
                MinutiaKind::Ending
            } else {
                MinutiaKind::Bifurcation
            },
            quality: rng.range(20, 100) as u8,
        });
    }
    Template {
        width: 360,
        height: 460,
        quality: 60,
        minutiae,
    }
}

/// Another impression of `t`: turned by `rot` radians and moved, each minutia jittered by up to
/// 2 pixels and about 3°, a share `drop` of them lost and a share `add` of spurious ones added.
fn impression(
    t: &Template,
    seed: u64,
    rot: f32,
    (dx, dy): (f32, f32),
    drop: u64,
    add: usize,
) -> Template {
    let mut rng = Rng(seed.wrapping_mul(0xd1b5_4a32_d192_ed03) | 1);
    let (s, c) = rot.sin_cos();
    let mut out = t.clone();
    out.minutiae.retain(|_| rng.next() % 100 >= drop);
    for m in &mut out.minutiae {
        let (x, y) = (m.x as f32 - 180.0, m.y as f32 - 230.0);
        let (xr, yr) = (c * x + s * y, -s * x + c * y);
        let jx = rng.range(-2, 3) as f32;
        let jy = rng.range(-2, 3) as f32;
        m.x = (xr + 180.0 + dx + jx).round().clamp(0.0, 1000.0) as u16;
        m.y = (yr + 230.0 + dy + jy).round().clamp(0.0, 1000.0) as u16;
        let turn = rot + rng.range(-3, 4) as f32 * std::f32::consts::PI / 180.0;
        m.angle = Minutia::angle_from_rad(m.angle_rad() + turn);
    }
    let extra = finger(add, seed ^ 0x5555);
    out.minutiae.extend(extra.minutiae);
    out
}

/// The pinned pairs: genuine-like and impostor pairs of 12 to 100 minutiae.
fn pairs() -> Vec<(&'static str, Template, Template)> {
    let mut v = Vec::new();
    for (k, n) in [12usize, 25, 40, 60, 100].into_iter().enumerate() {
        let a = finger(n, 100 + k as u64);
        let rot = 0.3 - 0.15 * k as f32;
        v.push((
            "genuine",
            a.clone(),
            impression(&a, 200 + k as u64, rot, (12.0, -9.0), 15, n / 6),
        ));
        v.push(("impostor", a.clone(), finger(n, 300 + k as u64)));
    }
    v
}

/// The bits of each pair's score, in the order of [`pairs`], as the matcher gave them before the
/// speed work (commit "matcher: pinned scores").
const PINNED: [u32; 10] = [
    0x3f1bf2c5, // 0.6091731190681458
    0x3c14e785, // 0.009088401682674885
    0x3f0d1573, // 0.5511085391044617
    0x3c2b0be8, // 0.010439850389957428
    0x3eda4aca, // 0.4263518452644348
    0x3c4576d8, // 0.012052260339260101
    0x3f1a0946, // 0.6017040014266968
    0x3c47e270, // 0.01219998300075531
    0x3f222d5a, // 0.6335045099258423
    0x3c4b1d1b, // 0.01239707600325346
];

#[test]
fn scores_are_pinned() {
    let mut got = Vec::new();
    for (what, a, b) in pairs() {
        let s = compare(&a, &b).0;
        let (pa, pb) = (Prepared::new(&a), Prepared::new(&b));
        assert_eq!(
            compare_prepared(&pa, &pb).0.to_bits(),
            s.to_bits(),
            "{what}"
        );
        assert_eq!(explain(&pa, &pb).score.0.to_bits(), s.to_bits(), "{what}");
        got.push((what, a.minutiae.len(), b.minutiae.len(), s));
    }
    for (i, (what, na, nb, s)) in got.iter().enumerate() {
        println!("{i}: {what} {na}×{nb}: {s} ({:#010x})", s.to_bits());
    }
    let bits: Vec<u32> = got.iter().map(|g| g.3.to_bits()).collect();
    assert_eq!(bits, PINNED, "scores moved");
}
