//! Small neighbourhood filters on [`Grid`]s: 3×3 minimum and maximum (grayscale erosion and
//! dilation with a square structuring element) and a 3×3 binomial blur. Borders replicate the
//! nearest pixel.

use crate::field::Grid;

fn neighbourhood(g: &Grid, f: impl Fn(&[f32; 9]) -> f32) -> Grid {
    let (w, h) = (g.width, g.height);
    Grid::from_fn(w, h, |x, y| {
        let mut v = [0.0f32; 9];
        let mut k = 0;
        for dy in [-1i32, 0, 1] {
            for dx in [-1i32, 0, 1] {
                let xx = (x as i32 + dx).clamp(0, w as i32 - 1) as usize;
                let yy = (y as i32 + dy).clamp(0, h as i32 - 1) as usize;
                v[k] = g.at(xx, yy);
                k += 1;
            }
        }
        f(&v)
    })
}

/// 3×3 minimum.
pub fn erode(g: &Grid) -> Grid {
    neighbourhood(g, |v| v.iter().copied().fold(f32::INFINITY, f32::min))
}

/// 3×3 maximum.
pub fn dilate(g: &Grid) -> Grid {
    neighbourhood(g, |v| v.iter().copied().fold(f32::NEG_INFINITY, f32::max))
}

/// 3×3 binomial blur (weights 1 2 1 / 2 4 2 / 1 2 1, over 16).
pub fn blur(g: &Grid) -> Grid {
    const W: [f32; 9] = [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0];
    neighbourhood(g, |v| {
        v.iter().zip(W).map(|(a, b)| a * b).sum::<f32>() / 16.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erode_and_dilate_move_an_edge_by_one_pixel() {
        let g = Grid::from_fn(6, 3, |x, _| if x >= 3 { 1.0 } else { 0.0 });
        let row = |g: &Grid| (0..6).map(|x| g.at(x, 1)).collect::<Vec<_>>();
        assert_eq!(row(&dilate(&g)), vec![0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(row(&erode(&g)), vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        let b = blur(&g);
        assert_eq!(b.at(2, 1), 0.25);
        assert_eq!(b.at(0, 0), 0.0);
    }
}
