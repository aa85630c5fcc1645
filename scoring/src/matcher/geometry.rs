//! Small geometric helpers shared by cylinder building and consolidation.

use std::f32::consts::{PI, TAU};

/// A minutia as the matcher sees it: position in pixels at 500 ppi and direction in radians
/// (counter-clockwise on screen, with y pointing down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub x: f32,
    pub y: f32,
    pub theta: f32,
}

/// The signed difference `a - b` of two angles, in `[-π, π)`.
pub(crate) fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    if d >= PI { d - TAU } else { d }
}

/// The direction (same convention as minutia angles) of the segment from `a` to `b`.
pub(crate) fn direction(a: &Point, b: &Point) -> f32 {
    (-(b.y - a.y)).atan2(b.x - a.x)
}

/// The error function, Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
pub(crate) fn erf(x: f32) -> f32 {
    let s = x.signum();
    let x = x.abs() as f64;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y as f32
}

/// The logistic sigmoid `1 / (1 + e^(-τ (v - μ)))` used throughout MCC.
pub(crate) fn sigmoid(v: f32, mu: f32, tau: f32) -> f32 {
    1.0 / (1.0 + (-tau * (v - mu)).exp())
}

/// The convex hull of a point set, counter-clockwise in (x, y) coordinates (Andrew's monotone chain).
pub(crate) fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut p: Vec<(f32, f32)> = points.to_vec();
    p.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(2 * p.len());
    // Lower hull left to right, then upper hull right to left, never popping into the lower hull.
    for &q in &p {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

/// Whether `q` lies inside the convex polygon `hull` (counter-clockwise) or within `margin` of it.
pub(crate) fn near_hull(hull: &[(f32, f32)], q: (f32, f32), margin: f32) -> bool {
    match hull.len() {
        0 => false,
        1 => dist2(hull[0], q) <= margin * margin,
        _ => {
            let edges = || (0..hull.len()).map(|i| (hull[i], hull[(i + 1) % hull.len()]));
            // Inside (no edge has the point on its right; most cells are): no distance needed.
            let inside = hull.len() >= 3
                && edges().all(|(a, b)| {
                    let c = (b.0 - a.0) * (q.1 - a.1) - (b.1 - a.1) * (q.0 - a.0);
                    c >= 0.0 || c.is_nan()
                });
            inside || edges().any(|(a, b)| seg_dist2(a, b, q) <= margin * margin)
        }
    }
}

/// [`near_hull`] as first written (the distance to every edge, then the test); the reference for
/// its property test.
#[cfg(test)]
fn near_hull_naive(hull: &[(f32, f32)], q: (f32, f32), margin: f32) -> bool {
    match hull.len() {
        0 => false,
        1 => dist2(hull[0], q) <= margin * margin,
        _ => {
            let mut inside = hull.len() >= 3;
            let mut best = f32::INFINITY;
            for i in 0..hull.len() {
                let a = hull[i];
                let b = hull[(i + 1) % hull.len()];
                let c = (b.0 - a.0) * (q.1 - a.1) - (b.1 - a.1) * (q.0 - a.0);
                if c < 0.0 {
                    inside = false;
                }
                best = best.min(seg_dist2(a, b, q));
            }
            inside || best <= margin * margin
        }
    }
}

fn dist2(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

fn seg_dist2(a: (f32, f32), b: (f32, f32), q: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    if l2 == 0.0 {
        return dist2(a, q);
    }
    let t = (((q.0 - a.0) * dx + (q.1 - a.1) * dy) / l2).clamp(0.0, 1.0);
    dist2((a.0 + t * dx, a.1 + t * dy), q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angle_diff_wraps() {
        assert!((angle_diff(0.1, TAU - 0.1) - 0.2).abs() < 1e-5);
        assert!((angle_diff(TAU - 0.1, 0.1) + 0.2).abs() < 1e-5);
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
    }

    proptest::proptest! {
        #[test]
        fn near_hull_equals_naive(
                pts in proptest::collection::vec((0f32..300.0, 0f32..300.0), 0..12),
                qs in proptest::collection::vec((-80f32..380.0, -80f32..380.0), 1..40),
                margin in 0f32..60.0) {
            let h = convex_hull(&pts);
            for q in qs {
                proptest::prop_assert_eq!(near_hull(&h, q, margin), near_hull_naive(&h, q, margin));
            }
        }
    }

    #[test]
    fn hull_of_a_square_with_an_inner_point() {
        let h = convex_hull(&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (5.0, 5.0),
        ]);
        assert_eq!(h.len(), 4);
        assert!(near_hull(&h, (5.0, 5.0), 0.0));
        assert!(near_hull(&h, (15.0, 5.0), 5.0));
        assert!(!near_hull(&h, (15.1, 5.0), 5.0));
    }
}
