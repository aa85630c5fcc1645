//! Henry classes and where their singular points sit.

use crate::rng::Rng;

/// The five classes SFinGe (and most classifiers) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerClass {
    /// Plain arch: no singular point.
    Arch,
    /// Tented arch: a core right above a delta.
    TentedArch,
    /// Left loop: ridges enter and leave on the left (as seen on the image); delta on the right.
    LeftLoop,
    /// Right loop: ridges enter and leave on the right; delta on the left.
    RightLoop,
    /// Whorl: two cores and two deltas.
    Whorl,
}

impl FingerClass {
    /// All classes, in declaration order.
    pub const ALL: [FingerClass; 5] = [
        FingerClass::Arch,
        FingerClass::TentedArch,
        FingerClass::LeftLoop,
        FingerClass::RightLoop,
        FingerClass::Whorl,
    ];

    /// Draws a class with the natural frequencies reported by Wilson, Candela and Watson (1994):
    /// arch 3.7 %, tented arch 2.9 %, left loop 33.8 %, right loop 31.7 %, whorl 27.9 %.
    pub fn draw(rng: &mut Rng) -> Self {
        let u = rng.unit();
        let cumulative = [0.037, 0.066, 0.404, 0.721, 1.0];
        let i = cumulative.iter().position(|&c| u < c).unwrap_or(4);
        Self::ALL[i]
    }

    /// Number of cores and deltas the class has.
    pub fn singularity_counts(self) -> (usize, usize) {
        match self {
            FingerClass::Arch => (0, 0),
            FingerClass::TentedArch | FingerClass::LeftLoop | FingerClass::RightLoop => (1, 1),
            FingerClass::Whorl => (2, 2),
        }
    }

    /// A short lower-case name (`arch`, `tented-arch`, `left-loop`, `right-loop`, `whorl`).
    pub fn name(self) -> &'static str {
        match self {
            FingerClass::Arch => "arch",
            FingerClass::TentedArch => "tented-arch",
            FingerClass::LeftLoop => "left-loop",
            FingerClass::RightLoop => "right-loop",
            FingerClass::Whorl => "whorl",
        }
    }
}

/// Core or delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SingularKind {
    /// Poincaré index +½: the innermost recurving ridge.
    Core,
    /// Poincaré index −½: where three ridge flows meet.
    Delta,
}

/// A singular point in master-image pixel coordinates (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingularPoint {
    /// Core or delta.
    pub kind: SingularKind,
    /// Column, pixels.
    pub x: f64,
    /// Row, pixels.
    pub y: f64,
}

/// Places the singular points of `class` on a `width × height` master (500 ppi distances).
pub fn place_singularities(
    class: FingerClass,
    width: f64,
    height: f64,
    rng: &mut Rng,
) -> Vec<SingularPoint> {
    let cx = width / 2.0 + rng.sym(0.06 * width);
    let cy = height * rng.range(0.38, 0.48);
    let core = |x, y| SingularPoint {
        kind: SingularKind::Core,
        x,
        y,
    };
    let delta = |x, y| SingularPoint {
        kind: SingularKind::Delta,
        x,
        y,
    };
    match class {
        FingerClass::Arch => Vec::new(),
        FingerClass::TentedArch => {
            let dy = rng.range(40.0, 70.0);
            vec![core(cx, cy), delta(cx + rng.sym(8.0), cy + dy)]
        }
        FingerClass::LeftLoop | FingerClass::RightLoop => {
            let side = if class == FingerClass::LeftLoop {
                1.0
            } else {
                -1.0
            };
            let dx = rng.range(60.0, 105.0);
            let dy = rng.range(85.0, 135.0);
            vec![
                core(cx - side * 0.25 * dx, cy),
                delta(cx + side * 0.75 * dx, cy + dy),
            ]
        }
        FingerClass::Whorl => {
            let sep = rng.range(14.0, 36.0);
            let tilt = rng.sym(0.9);
            let (ox, oy) = (0.5 * sep * tilt.sin(), 0.5 * sep * tilt.cos());
            let dy = rng.range(95.0, 135.0);
            let half = rng.range(85.0, 115.0);
            let skew = rng.sym(15.0);
            vec![
                core(cx - ox, cy - oy),
                core(cx + ox, cy + oy),
                delta(cx - half, cy + dy + skew),
                delta(cx + half, cy + dy - skew),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_matches_class_counts_and_stays_inside() {
        let mut rng = Rng::new(11);
        for _ in 0..50 {
            for class in FingerClass::ALL {
                let pts = place_singularities(class, 320.0, 420.0, &mut rng);
                let cores = pts.iter().filter(|p| p.kind == SingularKind::Core).count();
                assert_eq!((cores, pts.len() - cores), class.singularity_counts());
                for p in &pts {
                    assert!(
                        (0.0..320.0).contains(&p.x) && (0.0..420.0).contains(&p.y),
                        "{p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn drawn_classes_follow_natural_frequencies() {
        let mut rng = Rng::new(5);
        let mut counts = [0usize; 5];
        for _ in 0..20_000 {
            let c = FingerClass::draw(&mut rng);
            counts[FingerClass::ALL.iter().position(|&k| k == c).unwrap()] += 1;
        }
        // Loops dominate, arches are rare.
        assert!(
            counts[2] > 6000 && counts[3] > 6000 && counts[4] > 5000,
            "{counts:?}"
        );
        assert!(
            counts[0] < 1000 && counts[1] < 1000 && counts[0] > 400,
            "{counts:?}"
        );
    }
}
