//! Cylinder similarities eight at a time: one cylinder of the first template against eight of the
//! second.
//!
//! In plain words: the similarity of two cylinders needs three bit counts over the cells valid in
//! both (the set bits of each and of their difference), then a square root of each and a
//! division. Counting the bits of one pair at a time leaves most of a vector register idle and
//! ends every pair with three sums across the register. Here the second template's cylinders are
//! stored side by side in blocks of eight ("lanes"): word `w` of the eight cylinders lies in eight
//! consecutive words, so one vector instruction works on word `w` of eight pairs at once, the
//! counts of the eight pairs build up in eight lanes with no sum across lanes, and the square
//! roots and divisions are done eight at a time too. [`Plain`] is plain Rust over arrays of eight;
//! [`Avx512`] does the same with AVX-512 instructions (one 512-bit register holds a word of eight
//! cylinders; VPOPCNTDQ counts its bits), where the processor has them.
//!
//! Every lane does exactly the arithmetic of the one-pair definition (the same integer counts,
//! `f32` square roots, sum, division and difference in the same order), so the similarities are
//! bit for bit those of [`naive::similarity`](super::naive::similarity) (a property test below).
//! A block's unused lanes have no valid cells, so they never count as similar.

use super::cylinder::{
    CELLS, Cylinder, MAX_ROTATION, MIN_MATCHABLE_SHARE, ND, SPATIAL_WORDS, WORDS,
};
use std::f32::consts::{PI, TAU};

/// Cylinders in a block.
pub(crate) const LANES: usize = 8;

/// Eight cylinders side by side: word `w` of lane `l` is `bits[w][l]`.
#[derive(Debug, Clone, PartialEq)]
#[repr(C, align(64))]
pub(crate) struct Block {
    bits: [[u64; LANES]; WORDS],
    /// The valid spatial cells of each lane (the same in every layer); none in unused lanes.
    mask: [[u64; LANES]; SPATIAL_WORDS],
    /// The direction of each lane's minutia (radians in 0..2π).
    theta: [f32; LANES],
    /// The number of set bits of each lane.
    ones: [u32; LANES],
}

/// One cylinder of a block (read in place), to be compared with whole blocks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    block: &'a Block,
    lane: usize,
}

impl Row<'_> {
    #[inline(always)]
    fn bits(&self, w: usize) -> u64 {
        self.block.bits[w][self.lane]
    }

    #[inline(always)]
    fn mask(&self, s: usize) -> u64 {
        self.block.mask[s][self.lane]
    }

    #[inline(always)]
    fn theta(&self) -> f32 {
        self.block.theta[self.lane]
    }

    #[inline(always)]
    fn ones(&self) -> u32 {
        self.block.ones[self.lane]
    }
}

/// The cylinders `cylinders` (with their minutiae's directions `thetas`) in blocks of eight, in
/// the same order.
pub(crate) fn blocks(cylinders: &[Cylinder], thetas: &[f32]) -> Vec<Block> {
    cylinders
        .chunks(LANES)
        .zip(thetas.chunks(LANES))
        .map(|(cs, ts)| {
            let mut b = Block {
                bits: [[0; LANES]; WORDS],
                mask: [[0; LANES]; SPATIAL_WORDS],
                theta: [0.0; LANES],
                ones: [0; LANES],
            };
            for (l, (c, &t)) in cs.iter().zip(ts).enumerate() {
                for w in 0..WORDS {
                    b.bits[w][l] = c.bits[w];
                }
                for s in 0..SPATIAL_WORDS {
                    b.mask[s][l] = c.mask[s];
                }
                b.theta[l] = t;
                b.ones[l] = c.bits.iter().map(|w| w.count_ones()).sum();
            }
            b
        })
        .collect()
}

/// Cylinder `i` of `blocks` as a [`Row`].
#[inline(always)]
pub(crate) fn row(blocks: &[Block], i: usize) -> Row<'_> {
    Row {
        block: &blocks[i / LANES],
        lane: i % LANES,
    }
}

/// Two pairs of cylinders are compared only where at least this many spatial cells are valid in
/// both ([`MIN_MATCHABLE_SHARE`] of all cells, counted over the [`ND`] layers).
const MIN_MATCHABLE: u64 = ((MIN_MATCHABLE_SHARE * CELLS as f32) as u64).div_ceil(ND as u64);

/// How a row is compared with a block: [`Plain`] or [`Avx512`], with the same results.
pub(crate) trait Similarities: Copy {
    /// The similarities of `row` with the eight cylinders of `block`, each in 0..=1 (zero where
    /// the directions differ by more than [`MAX_ROTATION`], where too few cells are valid in
    /// both, and in unused lanes), and a bit mask of the lanes of `want` whose similarity is
    /// positive and at least `floor`. Lanes outside `want` may be left at zero.
    fn similarities(self, row: &Row<'_>, block: &Block, floor: f32, want: u8)
    -> ([f32; LANES], u8);
}

/// Plain Rust, lane by lane.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plain;

impl Similarities for Plain {
    #[inline(always)]
    fn similarities(
        self,
        row: &Row<'_>,
        block: &Block,
        floor: f32,
        want: u8,
    ) -> ([f32; LANES], u8) {
        let v = similarities(row, block, want);
        let keep = (0..LANES).fold(0u8, |m, l| m | (((v[l] > 0.0 && v[l] >= floor) as u8) << l));
        (v, keep & want)
    }
}

/// With AVX-512 F, VL, DQ and VPOPCNTDQ. A value of this type exists only where the processor has
/// the instructions ([`Avx512::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx512(());

#[cfg(target_arch = "x86_64")]
impl Avx512 {
    /// The vector path, if this processor has AVX-512 F, VL, DQ and VPOPCNTDQ.
    pub(crate) fn detect() -> Option<Avx512> {
        (std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq"))
        .then_some(Avx512(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Similarities for Avx512 {
    #[inline(always)]
    fn similarities(
        self,
        row: &Row<'_>,
        block: &Block,
        floor: f32,
        want: u8,
    ) -> ([f32; LANES], u8) {
        // SAFETY: an `Avx512` exists only when `detect` found every feature the function enables.
        #[allow(unsafe_code)]
        let (v, keep) = unsafe { similarities_avx512(row, block, floor) };
        (v, keep & want)
    }
}

/// [`Similarities::similarities`], lane by lane, only the lanes of `want` (the others zero):
/// without vector bit counts, a lane costs as much as a pair compared on its own, so lanes that
/// are not needed are not computed.
#[inline(always)]
fn similarities(row: &Row<'_>, block: &Block, want: u8) -> [f32; LANES] {
    let roots = roots();
    let mut v = [0.0f32; LANES];
    // The row's words one after the other, and below each lane's: consecutive words let the
    // compiler count bits several words at a time.
    let a: [u64; WORDS] = std::array::from_fn(|w| row.bits(w));
    for (l, v) in v.iter_mut().enumerate() {
        if want >> l & 1 == 0 {
            continue;
        }
        let mut mask = [0u64; SPATIAL_WORDS];
        let mut matchable = 0u64;
        let (mut a_inside, mut b_inside) = (true, true);
        for (s, m) in mask.iter_mut().enumerate() {
            *m = row.mask(s) & block.mask[s][l];
            a_inside &= *m == row.mask(s);
            b_inside &= *m == block.mask[s][l];
            matchable += m.count_ones() as u64;
        }
        let b: [u64; WORDS] = std::array::from_fn(|w| block.bits[w][l]);
        let (na, nb, nx) = if a_inside && b_inside {
            // Both cylinders' valid cells are the common ones (and their bits lie in them): only
            // the difference needs counting.
            let nx: u32 = a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum();
            (row.ones(), block.ones[l], nx)
        } else {
            let (mut na, mut nb, mut nx) = (0u32, 0u32, 0u32);
            // Layer by layer, so that the mask words line up with the bit words.
            for (la, lb) in a
                .chunks_exact(SPATIAL_WORDS)
                .zip(b.chunks_exact(SPATIAL_WORDS))
            {
                for s in 0..SPATIAL_WORDS {
                    let ca = la[s] & mask[s];
                    let cb = lb[s] & mask[s];
                    na += ca.count_ones();
                    nb += cb.count_ones();
                    nx += (ca ^ cb).count_ones();
                }
            }
            (na, nb, nx)
        };
        // Both angles are in [0, 2π): one correction brings the difference into [-π, π].
        let d = (row.theta() - block.theta[l]).abs();
        let d = if d > PI { TAU - d } else { d };
        let ok = d <= MAX_ROTATION && matchable >= MIN_MATCHABLE && na + nb != 0;
        let root = |n: u32| roots[(n as usize).min(CELLS)];
        let sim = 1.0 - root(nx) / (root(na) + root(nb));
        *v = if ok { sim } else { 0.0 };
    }
    v
}

/// The square roots of the possible bit counts 0..=CELLS, as `f32::sqrt` gives them (so looking
/// one up gives exactly the same value as taking the root), built once.
fn roots() -> &'static [f32; CELLS + 1] {
    static T: std::sync::OnceLock<[f32; CELLS + 1]> = std::sync::OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|n| (n as f32).sqrt()))
}

/// [`Similarities::similarities`] with AVX-512: word `w` of the eight cylinders in one register,
/// the same integer counts per lane, and the same `f32` operations in the same order per lane.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)]
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512vpopcntdq")]
fn similarities_avx512(row: &Row<'_>, block: &Block, floor: f32) -> ([f32; LANES], u8) {
    use std::arch::x86_64::*;
    let load = |w: &[u64; LANES]| {
        // SAFETY: `w` is 64 readable bytes; the load has no alignment requirement.
        #[allow(unsafe_code)]
        unsafe {
            _mm512_loadu_si512(w.as_ptr().cast())
        }
    };
    let mut mask = [_mm512_setzero_si512(); SPATIAL_WORDS];
    let mut matchable = _mm512_setzero_si512();
    for s in 0..SPATIAL_WORDS {
        mask[s] = _mm512_and_si512(_mm512_set1_epi64(row.mask(s) as i64), load(&block.mask[s]));
        matchable = _mm512_add_epi64(matchable, _mm512_popcnt_epi64(mask[s]));
    }
    let (mut na, mut nb, mut nx) = (
        _mm512_setzero_si512(),
        _mm512_setzero_si512(),
        _mm512_setzero_si512(),
    );
    // Layer by layer, so that each spatial mask word stays in a register.
    for layer in 0..ND {
        for (s, &m) in mask.iter().enumerate() {
            let w = layer * SPATIAL_WORDS + s;
            let ca = _mm512_and_si512(_mm512_set1_epi64(row.bits(w) as i64), m);
            let cb = _mm512_and_si512(load(&block.bits[w]), m);
            na = _mm512_add_epi64(na, _mm512_popcnt_epi64(ca));
            nb = _mm512_add_epi64(nb, _mm512_popcnt_epi64(cb));
            nx = _mm512_add_epi64(nx, _mm512_popcnt_epi64(_mm512_xor_si512(ca, cb)));
        }
    }
    let root = |n: __m512i| _mm256_sqrt_ps(_mm512_cvtepi64_ps(n));
    let sim = _mm256_sub_ps(
        _mm256_set1_ps(1.0),
        _mm256_div_ps(root(nx), _mm256_add_ps(root(na), root(nb))),
    );
    // SAFETY: `block.theta` is 32 readable bytes; the load has no alignment requirement.
    #[allow(unsafe_code)]
    let theta = unsafe { _mm256_loadu_ps(block.theta.as_ptr()) };
    let d = _mm256_andnot_ps(
        _mm256_set1_ps(-0.0),
        _mm256_sub_ps(_mm256_set1_ps(row.theta()), theta),
    );
    let over = _mm256_cmp_ps_mask::<_CMP_GT_OQ>(d, _mm256_set1_ps(PI));
    let d = _mm256_mask_blend_ps(over, d, _mm256_sub_ps(_mm256_set1_ps(TAU), d));
    let ok = _mm256_cmp_ps_mask::<_CMP_LE_OQ>(d, _mm256_set1_ps(MAX_ROTATION))
        & _mm512_cmpge_epu64_mask(matchable, _mm512_set1_epi64(MIN_MATCHABLE as i64))
        & _mm512_cmpneq_epu64_mask(_mm512_add_epi64(na, nb), _mm512_setzero_si512());
    let v = _mm256_maskz_mov_ps(ok, sim);
    let keep = _mm256_cmp_ps_mask::<_CMP_GT_OQ>(v, _mm256_setzero_ps())
        & _mm256_cmp_ps_mask::<_CMP_GE_OQ>(v, _mm256_set1_ps(floor));
    let mut out = [0.0f32; LANES];
    // SAFETY: `out` is 32 writable bytes; the store has no alignment requirement.
    #[allow(unsafe_code)]
    unsafe {
        _mm256_storeu_ps(out.as_mut_ptr(), v)
    };
    (out, keep)
}

#[cfg(test)]
mod tests {
    use super::super::geometry::{Point, convex_hull};
    use super::super::{cylinder, naive};
    use super::*;
    use proptest::prelude::*;

    fn points(ps: &[(f32, f32, f32)]) -> Vec<Point> {
        ps.iter()
            .map(|&(x, y, theta)| Point { x, y, theta })
            .collect()
    }

    proptest! {
        #[test]
        fn block_similarities_equal_naive(
                a in proptest::collection::vec((20f32..280.0, 20f32..280.0, 0f32..TAU), 3..30),
                b in proptest::collection::vec((20f32..280.0, 20f32..280.0, 0f32..TAU), 3..30)) {
            let (pa, pb) = (points(&a), points(&b));
            let hull = |p: &[Point]| convex_hull(&p.iter().map(|q| (q.x, q.y)).collect::<Vec<_>>());
            let (ha, hb) = (hull(&pa), hull(&pb));
            let (ca, cb) = (cylinder::build(&pa, &ha), cylinder::build(&pb, &hb));
            let (na, nb) = (naive::build(&pa, &ha), naive::build(&pb, &hb));
            prop_assert_eq!(ca.len(), na.len());
            prop_assert_eq!(cb.len(), nb.len());
            let theta = |p: &[Point], c: &[Cylinder]| c.iter().map(|c| p[c.minutia as usize].theta).collect::<Vec<_>>();
            let (ta, tb) = (theta(&pa, &ca), theta(&pb, &cb));
            let (ba, bb) = (blocks(&ca, &ta), blocks(&cb, &tb));
            for (i, x) in na.iter().enumerate() {
                let r = row(&ba, i);
                for (k, blk) in bb.iter().enumerate() {
                    let (v, positive) = Plain.similarities(&r, blk, 0.0, u8::MAX);
                    #[cfg(target_arch = "x86_64")]
                    if let Some(x) = Avx512::detect() {
                        let (w, p) = x.similarities(&r, blk, 0.0, u8::MAX);
                        prop_assert_eq!(x.similarities(&r, blk, 0.3, 0b1011_0110).1, Plain.similarities(&r, blk, 0.3, 0b1011_0110).1);
                        prop_assert_eq!(w.map(f32::to_bits), v.map(f32::to_bits));
                        prop_assert_eq!(p, positive);
                    }
                    for (l, &got) in v.iter().enumerate() {
                        let want = nb.get(k * LANES + l)
                            .map_or(0.0, |y| naive::similarity(x, y, ta[i], tb[k * LANES + l]));
                        prop_assert_eq!(got.to_bits(), want.to_bits(), "row {} column {}", i, k * LANES + l);
                    }
                }
            }
        }
    }
}
