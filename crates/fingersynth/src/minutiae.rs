//! Minutia templates straight from the master-print model, without rendering or extraction.
//!
//! Rendering a master and extracting its minutiae costs about a quarter of a second; a gallery of
//! a million needs something a hundred thousand times cheaper. A [`MinutiaFinger`] uses the same
//! class, singular points, silhouette and orientation model as [`Master::generate`](crate::Master)
//! for the same seed, and places minutiae on it directly:
//!
//! 1. **Positions**: dart throwing inside the silhouette with a minimum spacing of 14 pixels
//!    (minutiae closer than about one and a half ridge periods are removed by extractors), at a
//!    per-finger density of one minutia per 1,100–1,700 px² (FVC2002 images give 37–52 minutiae
//!    on about 80,000 px² of finger).
//! 2. **Directions**: along the model's ridge orientation at the point, either way round with equal
//!    chance, plus a little noise; 55 % ridge endings, 45 % bifurcations.
//!
//! [`MinutiaFinger::impression`] then does to the minutiae what [`Master::impression`](crate::Master::impression)
//! does to the pixels: placement (shift, rotation), a smooth elastic displacement growing away from
//! the contact centre, partial contact (an ellipse covering part of the finger), position and
//! direction jitter, missed minutiae and spurious ones, clipped to the sensor window.
//! The result is a `scoring::Template` at 500 ppi.

use crate::class::{FingerClass, place_singularities};
use crate::master::{ClassChoice, MasterParams};
use crate::orientation::OrientationModel;
use crate::rng::Rng;
use crate::shape::Silhouette;
use scoring::{MAX_MINUTIAE, Minutia, MinutiaKind, Template};
use std::f64::consts::{PI, TAU};

/// Fork label of the minutia stage; the master's stages use 1–5.
const MINUTIAE: u64 = 6;
/// Fork labels of [`MinutiaFinger::impression`].
const PLACE: u64 = 1;
const WARP: u64 = 2;
const DROP: u64 = 3;

/// Smallest distance between two minutiae of a finger, pixels.
const MIN_SPACING: f64 = 14.0;

/// One minutia in master coordinates (x right, y down, direction counter-clockwise on screen).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: f64,
    y: f64,
    dir: f64,
    bifurcation: bool,
}

/// The minutiae of one synthetic finger, on its master's model.
#[derive(Debug, Clone)]
pub struct MinutiaFinger {
    class: FingerClass,
    silhouette: Silhouette,
    orientation: OrientationModel,
    points: Vec<Point>,
}

/// Settings of [`MinutiaFinger::impression`]; the defaults match [`ImpressionParams::default`](crate::ImpressionParams).
#[derive(Debug, Clone, PartialEq)]
pub struct MinutiaImpressionParams {
    /// Sensor window width, pixels (default 288).
    pub width: u32,
    /// Sensor window height, pixels (default 384).
    pub height: u32,
    /// Largest shift on each axis, pixels (default 40).
    pub max_translation: f64,
    /// Largest rotation, degrees (default 15).
    pub max_rotation_deg: f64,
    /// Largest elastic displacement at the edge of the finger, pixels (default 8).
    pub distortion: f64,
    /// Range of the fraction of the finger that touches the sensor (default 0.4..0.85).
    pub contact: (f64, f64),
    /// Standard deviation of position jitter, pixels (default 2).
    pub jitter: f64,
    /// Range of the share of true minutiae missed (default 0.05..0.2).
    pub missed: (f64, f64),
    /// Range of spurious minutiae added, as a share of those kept (default 0.03..0.15).
    pub spurious: (f64, f64),
}

impl Default for MinutiaImpressionParams {
    fn default() -> Self {
        Self {
            width: 288,
            height: 384,
            max_translation: 40.0,
            max_rotation_deg: 15.0,
            distortion: 8.0,
            contact: (0.4, 0.85),
            jitter: 2.0,
            missed: (0.05, 0.2),
            spurious: (0.03, 0.15),
        }
    }
}

impl MinutiaImpressionParams {
    /// A cooperative user on a gate sensor (as [`ImpressionParams::cooperative`](crate::ImpressionParams::cooperative)).
    pub fn cooperative() -> Self {
        Self {
            max_translation: 10.0,
            max_rotation_deg: 6.0,
            distortion: 4.0,
            contact: (0.75, 0.95),
            jitter: 1.5,
            missed: (0.03, 0.1),
            spurious: (0.02, 0.06),
            ..Self::default()
        }
    }
}

impl MinutiaFinger {
    /// The finger numbered `seed`: the same class, singular points, silhouette and orientation
    /// as `Master::generate(params, seed)`, with minutiae placed on that model.
    pub fn generate(params: &MasterParams, seed: u64) -> Self {
        let (wf, hf) = (
            params.width.clamp(64, 2000) as f64,
            params.height.clamp(64, 2000) as f64,
        );
        // The same forks, in the same order, as Master::generate.
        let mut root = Rng::new(seed);
        let mut rng = root.fork(1);
        let class = match params.class {
            ClassChoice::Natural => FingerClass::draw(&mut rng),
            ClassChoice::Fixed(c) => c,
        };
        let singular = place_singularities(class, wf, hf, &mut rng);
        let silhouette = Silhouette::draw(wf, hf, &mut root.fork(2));
        let orientation = OrientationModel::new(
            class,
            singular,
            wf,
            hf,
            params.orientation_noise.clamp(0.0, 0.5),
            &mut root.fork(3),
        );
        let mut rng = root.fork(MINUTIAE);
        let area = PI * silhouette.half_width * 0.5 * (silhouette.top + silhouette.bottom);
        let wanted = (area / rng.range(1100.0, 1700.0)) as usize;
        let mut points: Vec<Point> = Vec::with_capacity(wanted);
        let mut tries = 0;
        while points.len() < wanted && tries < wanted * 40 {
            tries += 1;
            let (x, y) = (rng.range(0.0, wf), rng.range(0.0, hf));
            if silhouette.norm(x, y) > 0.97 {
                continue;
            }
            if points
                .iter()
                .any(|p| (p.x - x).hypot(p.y - y) < MIN_SPACING)
            {
                continue;
            }
            points.push(Point {
                x,
                y,
                dir: ridge_direction(&orientation, x, y, &mut rng),
                bifurcation: rng.unit() < 0.45,
            });
        }
        Self {
            class,
            silhouette,
            orientation,
            points,
        }
    }

    /// The finger's class.
    pub fn class(&self) -> FingerClass {
        self.class
    }

    /// How many minutiae the whole finger has.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when the finger has no minutia (only for degenerate sizes).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// One capture of the finger as a template. The same parameters and seed give the same template.
    pub fn impression(&self, params: &MinutiaImpressionParams, seed: u64) -> Template {
        let mut root = Rng::new(seed);
        let s = &self.silhouette;
        let mut rng = root.fork(PLACE);
        let turn = rng.sym(params.max_rotation_deg.to_radians());
        let (dx, dy) = (
            rng.sym(params.max_translation),
            rng.sym(params.max_translation),
        );
        // Partial contact: an ellipse around a point near the finger's centre.
        let contact = rng.range(params.contact.0, params.contact.1 + 1e-9).sqrt();
        let (ccx, ccy) = (
            s.cx + rng.sym(0.25 * s.half_width * (1.0 - contact)),
            s.cy + rng.sym(0.25 * s.top * (1.0 - contact)),
        );
        let (rx, ry) = (
            s.half_width * contact * 1.05,
            0.5 * (s.top + s.bottom) * contact * 1.05,
        );
        let mut warp = root.fork(WARP);
        let wave = [
            (warp.range(0.0, TAU), warp.range(0.0, TAU), warp.sym(1.0)),
            (warp.range(0.0, TAU), warp.range(0.0, TAU), warp.sym(1.0)),
        ];
        let displace = |x: f64, y: f64| {
            // Zero at the contact centre, growing to `distortion` at the finger's edge.
            let r = ((x - ccx) / s.half_width).hypot((y - ccy) / s.top).min(1.5);
            let g = params.distortion * r * r;
            let u = x / 120.0 + wave[0].0;
            let v = y / 140.0 + wave[1].0;
            (
                g * (wave[0].2 * u.sin() + 0.5 * v.cos()),
                g * (wave[1].2 * v.sin() + 0.5 * u.cos()),
            )
        };
        let (sin, cos) = turn.sin_cos();
        let (wx, wy) = (params.width as f64, params.height as f64);
        // The master centre lands on the window centre, then shift and turn (counter-clockwise on screen).
        let place = |x: f64, y: f64| {
            let (ux, uy) = (x - s.cx, y - s.cy);
            (
                wx / 2.0 + dx + ux * cos + uy * sin,
                wy / 2.0 + dy - ux * sin + uy * cos,
            )
        };
        let inside = |x: f64, y: f64| {
            ((x - ccx) / rx).powi(2) + ((y - ccy) / ry).powi(2) < 1.0 && s.norm(x, y) < 0.97
        };
        let mut drop = root.fork(DROP);
        let missed = drop.range(params.missed.0, params.missed.1 + 1e-9);
        let mut out: Vec<Minutia> = Vec::new();
        let mut emit = |x: f64, y: f64, dir: f64, bif: bool, rng: &mut Rng| {
            let (ex, ey) = displace(x, y);
            let (px, py) = place(
                x + ex + params.jitter * rng.normal(),
                y + ey + params.jitter * rng.normal(),
            );
            if px < 4.0 || py < 4.0 || px >= wx - 4.0 || py >= wy - 4.0 {
                return;
            }
            out.push(Minutia {
                x: px.round() as u16,
                y: py.round() as u16,
                angle: Minutia::angle_from_rad((dir + turn + 0.08 * rng.normal()) as f32),
                kind: if bif {
                    MinutiaKind::Bifurcation
                } else {
                    MinutiaKind::Ending
                },
                quality: (40.0 + 50.0 * rng.unit()) as u8,
            });
        };
        let mut kept = 0usize;
        for p in &self.points {
            if !inside(p.x, p.y) || drop.unit() < missed {
                continue;
            }
            kept += 1;
            // Endings and bifurcations are confused now and then.
            let bif = if drop.unit() < 0.1 {
                !p.bifurcation
            } else {
                p.bifurcation
            };
            emit(p.x, p.y, p.dir, bif, &mut drop);
        }
        let spurious = (kept as f64 * drop.range(params.spurious.0, params.spurious.1 + 1e-9))
            .round() as usize;
        let mut added = 0;
        let mut tries = 0;
        while added < spurious && tries < 50 * (spurious + 1) {
            tries += 1;
            let (x, y) = (ccx + drop.sym(rx), ccy + drop.sym(ry));
            if !inside(x, y) {
                continue;
            }
            let dir = ridge_direction(&self.orientation, x, y, &mut drop);
            emit(x, y, dir, drop.unit() < 0.5, &mut drop);
            added += 1;
        }
        out.truncate(MAX_MINUTIAE);
        Template {
            width: params.width as u16,
            height: params.height as u16,
            quality: 60,
            minutiae: out,
        }
    }
}

/// A minutia direction on the model: the ridge orientation (clockwise on screen in the model,
/// so negated) either way round, plus a little noise.
fn ridge_direction(o: &OrientationModel, x: f64, y: f64, rng: &mut Rng) -> f64 {
    let flip = if rng.unit() < 0.5 { PI } else { 0.0 };
    (-o.at(x, y) + flip + 0.05 * rng.normal()).rem_euclid(TAU)
}

/// Template `impression` of finger `finger` of the synthetic population `population`:
/// a shortcut for galleries and tests.
pub fn synthetic_template(
    population: u64,
    finger: u64,
    impression: u32,
    params: &MinutiaImpressionParams,
) -> Template {
    let f = MinutiaFinger::generate(
        &MasterParams::default(),
        crate::rng::derive(population, finger),
    );
    f.impression(
        params,
        crate::rng::derive(
            crate::rng::derive(population, finger),
            0x1_0000 + u64::from(impression),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::Master;

    #[test]
    fn fingers_share_the_masters_model() {
        let p = MasterParams {
            iterations: 2,
            ..MasterParams::default()
        };
        for seed in 0..5 {
            let m = Master::generate(&p, seed);
            let f = MinutiaFinger::generate(&p, seed);
            assert_eq!(f.class(), m.class());
            assert_eq!(f.orientation.singular_points(), m.singular_points());
            assert!((30..120).contains(&f.len()), "{} minutiae", f.len());
        }
    }

    #[test]
    fn impressions_are_deterministic_and_differ_by_seed() {
        let f = MinutiaFinger::generate(&MasterParams::default(), 9);
        let p = MinutiaImpressionParams::default();
        assert_eq!(f.impression(&p, 1), f.impression(&p, 1));
        assert_ne!(f.impression(&p, 1), f.impression(&p, 2));
    }

    #[test]
    fn impressions_look_like_extracted_templates() {
        let p = MinutiaImpressionParams::default();
        let counts: Vec<usize> = (0..200)
            .map(|k| synthetic_template(3, k, 1, &p).minutiae.len())
            .collect();
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        // FVC2002 images give 37–52 minutiae on average (NBIS), FVC2004 39–89.
        assert!((25.0..60.0).contains(&mean), "mean {mean}");
        assert!(counts.iter().all(|&n| n <= MAX_MINUTIAE));
        let t = synthetic_template(3, 0, 1, &p);
        assert!(t.minutiae.iter().all(|m| m.x < 288 && m.y < 384));
    }

    #[test]
    fn mates_match_and_strangers_do_not() {
        let p = MinutiaImpressionParams::default();
        let mut genuine = 0;
        let mut impostor = 0;
        for k in 0..20 {
            let a = synthetic_template(5, k, 1, &p);
            let b = synthetic_template(5, k, 2, &p);
            let c = synthetic_template(5, k + 100, 2, &p);
            genuine += usize::from(scoring::compare(&a, &b) >= scoring::THRESHOLD_FMR_10000);
            impostor += usize::from(scoring::compare(&a, &c) >= scoring::THRESHOLD_FMR_10000);
        }
        // Partial contact makes some mates hard, as with real captures; strangers never match.
        assert!(genuine >= 14, "{genuine} of 20 mates matched");
        assert_eq!(impostor, 0);
    }
}
