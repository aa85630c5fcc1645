//! Thinning the binary ridge map to one-pixel-wide skeleton lines.
//!
//! Zhang–Suen thinning peels border pixels off the ridges in two alternating sub-passes until
//! nothing changes, never removing a pixel whose removal would split a ridge or shorten a line end.
//! A final pass removes the leftover "staircase" pixels (a pixel whose neighbours touch each other
//! anyway), so that every skeleton pixel of a plain ridge has exactly two neighbours.
//!
//! Every one of these decisions depends only on the eight neighbours, so each is looked up in a
//! table of the 256 possible neighbourhoods built once from the plain rules (`thin_naive` in the
//! tests applies the rules directly; a property test checks that both give the same skeleton).

/// Neighbours in ring order: N, NE, E, SE, S, SW, W, NW.
const RING: [(isize, isize); 8] = [
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
];

/// The 8 neighbours of (x, y) as bits in ring order (bit 0 = N); outside pixels are 0.
#[inline]
pub(crate) fn ring(img: &[bool], w: usize, h: usize, x: usize, y: usize) -> [bool; 8] {
    let mut r = [false; 8];
    for (k, &(dx, dy)) in RING.iter().enumerate() {
        let (nx, ny) = (x as isize + dx, y as isize + dy);
        if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
            r[k] = img[ny as usize * w + nx as usize];
        }
    }
    r
}

/// The ring offset of neighbour k.
pub(crate) fn ring_offset(k: usize) -> (isize, isize) {
    RING[k]
}

/// Number of 0→1 transitions around the ring (the crossing number is this for an 8-connected skeleton).
#[inline]
pub(crate) fn transitions(r: &[bool; 8]) -> usize {
    (0..8).filter(|&k| !r[k] && r[(k + 1) % 8]).count()
}

/// The ring as an 8-bit code (bit k = neighbour k of [`RING`]); outside pixels are 0.
#[inline]
fn ring_code(img: &[bool], w: usize, h: usize, x: usize, y: usize) -> u8 {
    if x > 0 && y > 0 && x + 1 < w && y + 1 < h {
        let i = y * w + x;
        let (up, down) = (i - w, i + w);
        u8::from(img[up])
            | u8::from(img[up + 1]) << 1
            | u8::from(img[i + 1]) << 2
            | u8::from(img[down + 1]) << 3
            | u8::from(img[down]) << 4
            | u8::from(img[down - 1]) << 5
            | u8::from(img[i - 1]) << 6
            | u8::from(img[up - 1]) << 7
    } else {
        ring(img, w, h, x, y)
            .iter()
            .enumerate()
            .fold(0, |c, (k, &v)| c | u8::from(v) << k)
    }
}

fn ring_of_code(c: u8) -> [bool; 8] {
    std::array::from_fn(|k| c >> k & 1 == 1)
}

/// Whether Zhang–Suen sub-pass `pass` removes a pixel with this ring.
fn peel(r: &[bool; 8], pass: usize) -> bool {
    let b = r.iter().filter(|&&v| v).count();
    if !(2..=6).contains(&b) || transitions(r) != 1 {
        return false;
    }
    let (n, e, s, wst) = (r[0], r[2], r[4], r[6]);
    if pass == 0 {
        !(e && s && (n || wst))
    } else {
        !(n && wst && (e || s))
    }
}

/// Whether the staircase pass removes a pixel with this ring: at least two neighbours that form
/// one 8-connected group without it, two of them side neighbours at a corner.
fn staircase(r: &[bool; 8]) -> bool {
    let b = r.iter().filter(|&&v| v).count();
    b >= 2 && groups(r) == 1 && (0..4).any(|k| r[2 * k] && r[(2 * k + 2) % 8])
}

/// Thins `img` in place.
pub(crate) fn thin(img: &mut [bool], w: usize, h: usize) {
    let table = |f: &dyn Fn(&[bool; 8]) -> bool| -> [bool; 256] {
        std::array::from_fn(|c| f(&ring_of_code(c as u8)))
    };
    let peels = [table(&|r| peel(r, 0)), table(&|r| peel(r, 1))];
    let stairs = table(&staircase);
    let mut remove = Vec::new();
    let mut candidates: Vec<usize> = (0..img.len()).filter(|&i| img[i]).collect();
    loop {
        let mut changed = false;
        for peel in &peels {
            remove.clear();
            for &i in &candidates {
                if img[i] && peel[ring_code(img, w, h, i % w, i / w) as usize] {
                    remove.push(i);
                }
            }
            for &i in &remove {
                img[i] = false;
            }
            changed |= !remove.is_empty();
        }
        if !changed {
            break;
        }
        candidates.retain(|&i| img[i]);
    }
    // Staircase removal, in raster order (a removal changes the rings of the pixels after it).
    for i in 0..img.len() {
        if img[i] && stairs[ring_code(img, w, h, i % w, i / w) as usize] {
            img[i] = false;
        }
    }
}

/// Number of 8-connected groups among the ring's set pixels (ring neighbours touch; so do N–E, E–S, S–W, W–N).
pub(crate) fn groups(r: &[bool; 8]) -> usize {
    let mut parent = [0usize, 1, 2, 3, 4, 5, 6, 7];
    fn find(p: &mut [usize; 8], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            i = p[i];
        }
        i
    }
    let mut join = |a: usize, b: usize| {
        if r[a] && r[b] {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra] = rb;
        }
    };
    for k in 0..8 {
        join(k, (k + 1) % 8);
    }
    for k in 0..4 {
        join(2 * k, (2 * k + 2) % 8);
    }
    let mut roots: Vec<usize> = (0..8)
        .filter(|&k| r[k])
        .map(|k| find(&mut parent, k))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain rules applied to every pixel directly (the reference for [`thin`]).
    fn thin_naive(img: &mut [bool], w: usize, h: usize) {
        let mut remove = Vec::new();
        let mut candidates: Vec<usize> = (0..img.len()).filter(|&i| img[i]).collect();
        loop {
            let mut changed = false;
            for pass in 0..2 {
                remove.clear();
                for &i in &candidates {
                    if !img[i] {
                        continue;
                    }
                    let (x, y) = (i % w, i / w);
                    let r = ring(img, w, h, x, y);
                    let b = r.iter().filter(|&&v| v).count();
                    if !(2..=6).contains(&b) || transitions(&r) != 1 {
                        continue;
                    }
                    let (n, e, s, wst) = (r[0], r[2], r[4], r[6]);
                    let ok = if pass == 0 {
                        !(e && s && (n || wst))
                    } else {
                        !(n && wst && (e || s))
                    };
                    if ok {
                        remove.push(i);
                    }
                }
                for &i in &remove {
                    img[i] = false;
                }
                changed |= !remove.is_empty();
            }
            if !changed {
                break;
            }
            candidates.retain(|&i| img[i]);
        }
        // Staircase removal: drop a pixel with at least two neighbours that form one 8-connected group without it.
        for i in 0..img.len() {
            if !img[i] {
                continue;
            }
            let (x, y) = (i % w, i / w);
            let r = ring(img, w, h, x, y);
            let b = r.iter().filter(|&&v| v).count();
            if b >= 2 && groups(&r) == 1 && (0..4).any(|k| r[2 * k] && r[(2 * k + 2) % 8]) {
                img[i] = false;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The table-driven thinning gives exactly the skeleton of the plain rules.
        #[test]
        fn thin_equals_naive(
            w in 1usize..40,
            h in 1usize..40,
            bits in proptest::collection::vec(0u8..4, 40 * 40),
        ) {
            // Blobs: a pixel is set where a 2 × 2-cell pattern says so, giving thick shapes.
            let img: Vec<bool> = (0..w * h).map(|i| bits[(i / w / 2) * 20 + (i % w) / 2] > 0).collect();
            let (mut a, mut b) = (img.clone(), img);
            thin(&mut a, w, h);
            thin_naive(&mut b, w, h);
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn a_thick_bar_becomes_a_one_pixel_line() {
        let (w, h) = (30, 9);
        let mut img = vec![false; w * h];
        for y in 2..7 {
            for x in 3..27 {
                img[y * w + x] = true;
            }
        }
        thin(&mut img, w, h);
        let n = img.iter().filter(|&&v| v).count();
        assert!((15..=26).contains(&n), "{n}");
        for i in 0..img.len() {
            if img[i] {
                let r = ring(&img, w, h, i % w, i / w);
                let b = r.iter().filter(|&&v| v).count();
                assert!((1..=2).contains(&b));
            }
        }
    }
}
