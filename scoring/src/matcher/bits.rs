//! Bit counts of cylinder pairs, in two ways that give the same numbers: 64-bit words one at a
//! time ([`Scalar`]), or a whole 512-bit register at once on processors with AVX-512 VPOPCNTDQ
//! ([`Vpopcnt`], which can only be had where the processor has it).

use super::cylinder::{SPATIAL_WORDS, WORDS};

/// How the bits of two cylinders are counted.
pub(crate) trait BitCounts: Copy {
    /// The set bits of `a`, of `b` and of `a xor b`, counting only the cells valid in `mask`
    /// (the spatial validity mask, repeated in every layer).
    fn masked(self, a: &[u64; WORDS], b: &[u64; WORDS], mask: &[u64; SPATIAL_WORDS]) -> [u32; 3];
    /// The set bits of `a xor b`.
    fn xor(self, a: &[u64; WORDS], b: &[u64; WORDS]) -> u32;
}

/// Word by word (POPCNT where the code is compiled for it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scalar;

impl BitCounts for Scalar {
    #[inline(always)]
    fn masked(self, a: &[u64; WORDS], b: &[u64; WORDS], mask: &[u64; SPATIAL_WORDS]) -> [u32; 3] {
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
        [na, nb, nx]
    }

    #[inline(always)]
    fn xor(self, a: &[u64; WORDS], b: &[u64; WORDS]) -> u32 {
        a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
    }
}

/// Eight words at a time with AVX-512 VPOPCNTDQ. A value of this type exists only where the
/// processor has the instructions ([`Vpopcnt::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Vpopcnt(());

#[cfg(target_arch = "x86_64")]
impl Vpopcnt {
    /// The counter, if this processor has AVX-512 F, VL and VPOPCNTDQ.
    pub(crate) fn detect() -> Option<Vpopcnt> {
        (std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq"))
        .then_some(Vpopcnt(()))
    }
}

// Two layers of four words fill one 512-bit register, and the 256-bit mask, doubled, lines up with both.
const _: () = assert!(SPATIAL_WORDS == 4 && WORDS.is_multiple_of(8));

#[cfg(target_arch = "x86_64")]
impl BitCounts for Vpopcnt {
    #[inline(always)]
    fn masked(self, a: &[u64; WORDS], b: &[u64; WORDS], mask: &[u64; SPATIAL_WORDS]) -> [u32; 3] {
        // SAFETY: a `Vpopcnt` exists only when `detect` found every feature the function enables.
        #[allow(unsafe_code)]
        unsafe {
            masked_avx512(a, b, mask)
        }
    }

    #[inline(always)]
    fn xor(self, a: &[u64; WORDS], b: &[u64; WORDS]) -> u32 {
        // SAFETY: as above.
        #[allow(unsafe_code)]
        unsafe {
            xor_avx512(a, b)
        }
    }
}

/// Loads words `8k..8k + 8` of a cylinder.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
fn load8(w: &[u64; WORDS], k: usize) -> std::arch::x86_64::__m512i {
    let eight: &[u64; 8] = w[8 * k..8 * k + 8].try_into().expect("eight words");
    // SAFETY: `eight` is 64 readable bytes; the load has no alignment requirement.
    #[allow(unsafe_code)]
    unsafe {
        std::arch::x86_64::_mm512_loadu_si512(eight.as_ptr().cast())
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512vpopcntdq")]
fn masked_avx512(a: &[u64; WORDS], b: &[u64; WORDS], mask: &[u64; SPATIAL_WORDS]) -> [u32; 3] {
    use std::arch::x86_64::*;
    let m = _mm512_set_epi64(
        mask[3] as i64,
        mask[2] as i64,
        mask[1] as i64,
        mask[0] as i64,
        mask[3] as i64,
        mask[2] as i64,
        mask[1] as i64,
        mask[0] as i64,
    );
    let (mut na, mut nb, mut nx) = (
        _mm512_setzero_si512(),
        _mm512_setzero_si512(),
        _mm512_setzero_si512(),
    );
    for k in 0..WORDS / 8 {
        let ca = _mm512_and_si512(load8(a, k), m);
        let cb = _mm512_and_si512(load8(b, k), m);
        na = _mm512_add_epi64(na, _mm512_popcnt_epi64(ca));
        nb = _mm512_add_epi64(nb, _mm512_popcnt_epi64(cb));
        nx = _mm512_add_epi64(nx, _mm512_popcnt_epi64(_mm512_xor_si512(ca, cb)));
    }
    [
        _mm512_reduce_add_epi64(na) as u32,
        _mm512_reduce_add_epi64(nb) as u32,
        _mm512_reduce_add_epi64(nx) as u32,
    ]
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512vpopcntdq")]
fn xor_avx512(a: &[u64; WORDS], b: &[u64; WORDS]) -> u32 {
    use std::arch::x86_64::*;
    let mut nx = _mm512_setzero_si512();
    for k in 0..WORDS / 8 {
        nx = _mm512_add_epi64(
            nx,
            _mm512_popcnt_epi64(_mm512_xor_si512(load8(a, k), load8(b, k))),
        );
    }
    _mm512_reduce_add_epi64(nx) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn vector_counts_equal_scalar(
                a in proptest::array::uniform24(any::<u64>()),
                b in proptest::array::uniform24(any::<u64>()),
                mask in proptest::array::uniform4(any::<u64>())) {
            #[cfg(target_arch = "x86_64")]
            if let Some(v) = Vpopcnt::detect() {
                prop_assert_eq!(v.masked(&a, &b, &mask), Scalar.masked(&a, &b, &mask));
                prop_assert_eq!(v.xor(&a, &b), Scalar.xor(&a, &b));
            }
            // The scalar counts against a plain bit-by-bit count.
            let bit = |w: &[u64; WORDS], i: usize| w[i / 64] >> (i % 64) & 1 == 1;
            let valid = |i: usize| bit_of(&mask, i % (SPATIAL_WORDS * 64));
            let (mut na, mut nb, mut nx) = (0, 0, 0);
            for i in (0..WORDS * 64).filter(|&i| valid(i)) {
                na += bit(&a, i) as u32;
                nb += bit(&b, i) as u32;
                nx += (bit(&a, i) != bit(&b, i)) as u32;
            }
            prop_assert_eq!(Scalar.masked(&a, &b, &mask), [na, nb, nx]);
            let all = (0..WORDS * 64).filter(|&i| bit(&a, i) != bit(&b, i)).count() as u32;
            prop_assert_eq!(Scalar.xor(&a, &b), all);
        }
    }

    fn bit_of(w: &[u64; SPATIAL_WORDS], i: usize) -> bool {
        w[i / 64] >> (i % 64) & 1 == 1
    }
}
