//! Cleaning the binary ridge map before thinning.
//!
//! In plain words: in blotchy or porous parts of a print the filtered ridges come out with small
//! specks of ridge lying in a valley and small white holes (pores) inside a ridge. Thinning turns a
//! speck into a short line with two false endings, and a hole into a ring with two false
//! bifurcations. So, before thinning, every piece of ridge smaller than [`MIN_ISLAND`] pixels is
//! wiped out, and every piece of valley smaller than [`MAX_HOLE`] pixels that lies wholly inside
//! the finger (it touches neither the background nor the image border) is filled in. Pieces are
//! connected components: ridge pixels touching by a side or a corner (as thinning sees a line),
//! valley pixels touching by a side only, so that a valley crossed by a one-pixel diagonal ridge
//! stays two valleys. Ridges are cleaned first, then holes in what is left.
//!
//! The fast version grows each piece once with a stack, on a copy of the map framed by one pixel
//! of background so that no step needs a bounds check; `clean_naive` labels the pieces by
//! spreading the smallest index until nothing changes, and must agree.

/// Ridge pieces smaller than this many pixels are removed.
pub(crate) const MIN_ISLAND: usize = 20;
/// Valley pieces inside the finger smaller than this many pixels are filled.
pub(crate) const MAX_HOLE: usize = 20;

/// The neighbours of pixel `i` (all eight when `corners`, else the four sides): `Some(index)`
/// inside the image, `None` beyond its border.
#[cfg(test)]
fn neighbours(i: usize, w: usize, h: usize, corners: bool) -> impl Iterator<Item = Option<usize>> {
    let (x, y) = ((i % w) as isize, (i / w) as isize);
    (-1isize..=1)
        .flat_map(|dy| (-1isize..=1).map(move |dx| (dx, dy)))
        .filter(move |&(dx, dy)| (dx, dy) != (0, 0) && (corners || dx == 0 || dy == 0))
        .map(move |(dx, dy)| {
            let (nx, ny) = (x + dx, y + dy);
            (nx >= 0 && ny >= 0 && nx < w as isize && ny < h as isize)
                .then(|| ny as usize * w + nx as usize)
        })
}

/// Removes ridge pieces (true, 8-connected) smaller than `min_island` pixels, then fills valley
/// pieces (false, 4-connected) smaller than `max_hole` pixels that touch neither the background
/// (`fg` false) nor the image border. Pixels outside the foreground are left as they are.
pub(crate) fn clean(
    map: &mut [bool],
    fg: &[bool],
    w: usize,
    h: usize,
    min_island: usize,
    max_hole: usize,
) {
    // A copy framed by one pixel of background, so that neighbours need no bounds checks:
    // 0 = background or beyond the border, RIDGE, VALLEY; SEEN is added once a pixel is visited.
    const RIDGE: u8 = 1;
    const VALLEY: u8 = 2;
    const SEEN: u8 = 4;
    let pw = w + 2;
    let mut cell = vec![0u8; pw * (h + 2)];
    for y in 0..h {
        let (row, prow) = (y * w, (y + 1) * pw + 1);
        for x in 0..w {
            if fg[row + x] {
                cell[prow + x] = if map[row + x] { RIDGE } else { VALLEY };
            }
        }
    }
    let s = pw as isize;
    let sides_and_corners = [-s - 1, -s, -s + 1, -1, 1, s - 1, s, s + 1];
    let sides = [-s, -1, 1, s];
    let mut piece: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (kind, limit, steps) in [
        (RIDGE, min_island, &sides_and_corners[..]),
        (VALLEY, max_hole, &sides[..]),
    ] {
        if limit == 0 {
            continue;
        }
        for start in 0..cell.len() {
            if cell[start] != kind {
                continue;
            }
            piece.clear();
            stack.push(start);
            cell[start] |= SEEN;
            let mut touches = false;
            while let Some(i) = stack.pop() {
                piece.push(i);
                for &d in steps {
                    let j = i.wrapping_add_signed(d);
                    let c = cell[j];
                    if c == kind {
                        cell[j] = kind | SEEN;
                        stack.push(j);
                    } else if c == 0 {
                        touches = true;
                    }
                }
            }
            if piece.len() < limit && (kind == RIDGE || !touches) {
                let other = RIDGE + VALLEY - kind;
                for &i in &piece {
                    cell[i] = other | SEEN;
                    map[(i / pw - 1) * w + i % pw - 1] = other == RIDGE;
                }
            }
        }
        cell.iter_mut().for_each(|c| *c &= !SEEN);
    }
}

/// The same, the plain way: each piece is labelled by its smallest pixel index, spread between
/// neighbours until nothing changes; then sizes and border contacts are counted per label.
#[cfg(test)]
fn clean_naive(
    map: &[bool],
    fg: &[bool],
    w: usize,
    h: usize,
    min_island: usize,
    max_hole: usize,
) -> Vec<bool> {
    let n = w * h;
    let mut out = map.to_vec();
    for (ridge, limit) in [(true, min_island), (false, max_hole)] {
        if limit == 0 {
            continue;
        }
        let member: Vec<bool> = (0..n).map(|i| fg[i] && out[i] == ridge).collect();
        let mut label: Vec<usize> = (0..n).collect();
        loop {
            let mut changed = false;
            for i in 0..n {
                if !member[i] {
                    continue;
                }
                for j in neighbours(i, w, h, ridge).flatten() {
                    if member[j] && label[j] < label[i] {
                        label[i] = label[j];
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut size = vec![0usize; n];
        let mut touches = vec![false; n];
        for i in (0..n).filter(|&i| member[i]) {
            size[label[i]] += 1;
            if neighbours(i, w, h, ridge).any(|j| j.is_none_or(|j| !fg[j])) {
                touches[label[i]] = true;
            }
        }
        for i in (0..n).filter(|&i| member[i]) {
            if size[label[i]] < limit && (ridge || !touches[label[i]]) {
                out[i] = !ridge;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn fast_clean_equals_naive(
            w in 1usize..24,
            h in 1usize..24,
            bits in proptest::collection::vec(any::<bool>(), 24 * 24),
            fg_bits in proptest::collection::vec(0u8..8, 24 * 24),
            min_island in 0usize..12,
            max_hole in 0usize..12,
        ) {
            let map: Vec<bool> = bits[..w * h].to_vec();
            // Mostly foreground, with some background pixels.
            let fg: Vec<bool> = fg_bits[..w * h].iter().map(|&v| v != 0).collect();
            let mut fast = map.clone();
            clean(&mut fast, &fg, w, h, min_island, max_hole);
            prop_assert_eq!(fast, clean_naive(&map, &fg, w, h, min_island, max_hole));
        }
    }

    #[test]
    fn speck_removed_pore_filled_edge_valley_kept() {
        let (w, h) = (12, 7);
        #[rustfmt::skip]
        let rows = [
            "............",
            ".##.........",
            ".##...######",
            "......##.###",
            "......######",
            "............",
            "............",
        ];
        let mut map: Vec<bool> = rows
            .iter()
            .flat_map(|r| r.chars().map(|c| c == '#'))
            .collect();
        let fg = vec![true; w * h];
        clean(&mut map, &fg, w, h, 5, 3);
        let at = |x: usize, y: usize| map[y * w + x];
        assert!(!at(1, 1) && !at(2, 2), "a 4-pixel speck is removed");
        assert!(at(8, 3), "a 1-pixel pore inside the ridge is filled");
        assert!(!at(0, 0), "the big valley touching the border stays");
        assert!(at(11, 3), "the ridge itself stays");
    }
}
