//! Plane geometry in the site's local ENU frame, in metres.
//!
//! Everything the judge measures reduces to a handful of primitives: the distance from a point to a
//! polyline, whether a polygon (the body outline) crosses a polyline, and whether a point or a
//! polygon lies inside another polygon. Distances are kept in `f64` metres and reported in whole
//! centimetres by the callers.

/// A point or a vector in the plane (`x` east, `y` north, metres).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vec2 {
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
}

impl Vec2 {
    /// A vector from its components.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
    /// Dot product.
    pub fn dot(self, o: Vec2) -> f64 {
        self.x * o.x + self.y * o.y
    }
    /// The z component of the cross product: positive when `o` is counter-clockwise of `self`.
    pub fn cross(self, o: Vec2) -> f64 {
        self.x * o.y - self.y * o.x
    }
    /// Euclidean length.
    pub fn len(self) -> f64 {
        self.x.hypot(self.y)
    }
    /// The vector turned 90° counter-clockwise (to the left of a heading).
    pub fn perp(self) -> Vec2 {
        Vec2::new(-self.y, self.x)
    }
    /// The unit vector of a compass heading (degrees clockwise from north).
    pub fn from_heading_deg(deg: f64) -> Vec2 {
        let r = deg.to_radians();
        Vec2::new(r.sin(), r.cos())
    }
}

impl std::ops::Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
}
impl std::ops::Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
}
impl std::ops::Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f64) -> Vec2 {
        Vec2::new(self.x * k, self.y * k)
    }
}

/// An axis-aligned bounding box, used to skip far-away lines cheaply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aabb {
    /// Lower-left corner.
    pub min: Vec2,
    /// Upper-right corner.
    pub max: Vec2,
}

impl Aabb {
    /// The box around `pts` (an empty slice gives an empty, inverted box).
    pub fn around(pts: &[Vec2]) -> Aabb {
        let mut b = Aabb {
            min: Vec2::new(f64::INFINITY, f64::INFINITY),
            max: Vec2::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
        };
        for p in pts {
            b.min.x = b.min.x.min(p.x);
            b.min.y = b.min.y.min(p.y);
            b.max.x = b.max.x.max(p.x);
            b.max.y = b.max.y.max(p.y);
        }
        b
    }
    /// The box grown by `m` on every side.
    pub fn grow(self, m: f64) -> Aabb {
        Aabb {
            min: Vec2::new(self.min.x - m, self.min.y - m),
            max: Vec2::new(self.max.x + m, self.max.y + m),
        }
    }
    /// Whether two boxes overlap (touching counts).
    pub fn overlaps(&self, o: &Aabb) -> bool {
        self.min.x <= o.max.x
            && o.min.x <= self.max.x
            && self.min.y <= o.max.y
            && o.min.y <= self.max.y
    }
    /// Whether a point is in the box.
    pub fn contains(&self, p: Vec2) -> bool {
        p.x >= self.min.x && p.x <= self.max.x && p.y >= self.min.y && p.y <= self.max.y
    }
}

/// Distance from `p` to the segment `a`–`b`.
pub fn dist_point_segment(p: Vec2, a: Vec2, b: Vec2) -> f64 {
    let ab = b - a;
    let l2 = ab.dot(ab);
    let t = if l2 == 0.0 {
        0.0
    } else {
        ((p - a).dot(ab) / l2).clamp(0.0, 1.0)
    };
    (p - (a + ab * t)).len()
}

/// Distance from `p` to a polyline (its vertices in order).
pub fn dist_point_polyline(p: Vec2, line: &[Vec2]) -> f64 {
    match line {
        [] => f64::INFINITY,
        [only] => (p - *only).len(),
        _ => line
            .windows(2)
            .map(|w| dist_point_segment(p, w[0], w[1]))
            .fold(f64::INFINITY, f64::min),
    }
}

/// Whether the closed segments `a`–`b` and `c`–`d` share a point.
pub fn segments_intersect(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> bool {
    let d1 = (b - a).cross(c - a);
    let d2 = (b - a).cross(d - a);
    let d3 = (d - c).cross(a - c);
    let d4 = (d - c).cross(b - c);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    let on = |p: Vec2, q: Vec2, r: Vec2, o: f64| {
        o == 0.0
            && r.x >= p.x.min(q.x)
            && r.x <= p.x.max(q.x)
            && r.y >= p.y.min(q.y)
            && r.y <= p.y.max(q.y)
    };
    on(a, b, c, d1) || on(a, b, d, d2) || on(c, d, a, d3) || on(c, d, b, d4)
}

/// Whether `p` is inside the polygon `ring` (even-odd rule; the ring may or may not repeat its first vertex).
pub fn point_in_polygon(p: Vec2, ring: &[Vec2]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Whether the closed polygon `poly` (a convex outline such as the body) crosses or touches the polyline.
pub fn polygon_crosses_polyline(poly: &[Vec2], line: &[Vec2]) -> bool {
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        for w in line.windows(2) {
            if segments_intersect(a, b, w[0], w[1]) {
                return true;
            }
        }
    }
    // A line entirely inside the outline also counts as "over the line".
    line.first().is_some_and(|&p| point_in_polygon(p, poly))
}

/// Smallest distance between the closed polygon `poly` and a polyline (0 when they cross).
pub fn dist_polygon_polyline(poly: &[Vec2], line: &[Vec2]) -> f64 {
    if polygon_crosses_polyline(poly, line) {
        return 0.0;
    }
    let a = poly
        .iter()
        .map(|&p| dist_point_polyline(p, line))
        .fold(f64::INFINITY, f64::min);
    let b = line
        .iter()
        .map(|&p| dist_point_polyline(p, &closed(poly)))
        .fold(f64::INFINITY, f64::min);
    a.min(b)
}

fn closed(poly: &[Vec2]) -> Vec<Vec2> {
    let mut v = poly.to_vec();
    if let Some(&f) = poly.first() {
        v.push(f);
    }
    v
}

/// Whether every vertex of the convex outline `poly` lies inside `ring` and no edge crosses the ring.
pub fn polygon_inside(poly: &[Vec2], ring: &[Vec2]) -> bool {
    poly.iter().all(|&p| point_in_polygon(p, ring))
        && !polygon_crosses_polyline(poly, &closed(ring))
}

/// Metres to whole centimetres, rounded half away from zero.
pub fn cm(m: f64) -> i64 {
    (m * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(x: f64, y: f64) -> Vec2 {
        Vec2::new(x, y)
    }

    #[test]
    fn distance_to_segment_and_polyline() {
        assert_eq!(
            dist_point_segment(v(0.0, 1.0), v(-1.0, 0.0), v(1.0, 0.0)),
            1.0
        );
        assert_eq!(
            dist_point_segment(v(3.0, 4.0), v(0.0, 0.0), v(0.0, 0.0)),
            5.0
        );
        assert_eq!(
            cm(dist_point_polyline(
                v(2.0, 0.3),
                &[v(0.0, 0.0), v(1.0, 0.0), v(1.0, 1.0)]
            )),
            100
        );
        assert_eq!(
            cm(dist_point_polyline(
                v(1.5, 0.5),
                &[v(0.0, 0.0), v(1.0, 0.0), v(1.0, 1.0)]
            )),
            50
        );
    }

    #[test]
    fn crossings() {
        assert!(segments_intersect(
            v(0.0, 0.0),
            v(2.0, 2.0),
            v(0.0, 2.0),
            v(2.0, 0.0)
        ));
        assert!(!segments_intersect(
            v(0.0, 0.0),
            v(1.0, 0.0),
            v(0.0, 1.0),
            v(1.0, 1.0)
        ));
        assert!(
            segments_intersect(v(0.0, 0.0), v(1.0, 0.0), v(1.0, 0.0), v(1.0, 1.0)),
            "touching counts"
        );
        let body = [v(0.0, 0.0), v(4.0, 0.0), v(4.0, 2.0), v(0.0, 2.0)];
        assert!(polygon_crosses_polyline(
            &body,
            &[v(2.0, -1.0), v(2.0, 0.5)]
        ));
        assert!(!polygon_crosses_polyline(
            &body,
            &[v(5.0, -1.0), v(5.0, 3.0)]
        ));
        assert!(
            polygon_crosses_polyline(&body, &[v(1.0, 1.0), v(2.0, 1.0)]),
            "inside counts"
        );
        assert_eq!(
            cm(dist_polygon_polyline(&body, &[v(4.3, -1.0), v(4.3, 3.0)])),
            30
        );
    }

    #[test]
    fn containment() {
        let ring = [v(0.0, 0.0), v(3.0, 0.0), v(3.0, 6.0), v(0.0, 6.0)];
        assert!(point_in_polygon(v(1.0, 1.0), &ring));
        assert!(!point_in_polygon(v(-0.1, 1.0), &ring));
        assert!(polygon_inside(
            &[v(0.5, 0.5), v(2.5, 0.5), v(2.5, 5.0), v(0.5, 5.0)],
            &ring
        ));
        assert!(!polygon_inside(
            &[v(0.5, 0.5), v(3.5, 0.5), v(3.5, 5.0), v(0.5, 5.0)],
            &ring
        ));
    }

    #[test]
    fn heading_convention() {
        let n = Vec2::from_heading_deg(0.0);
        let e = Vec2::from_heading_deg(90.0);
        assert!((n.y - 1.0).abs() < 1e-12 && n.x.abs() < 1e-12);
        assert!((e.x - 1.0).abs() < 1e-12 && e.y.abs() < 1e-12);
        assert!((e.perp().y - 1.0).abs() < 1e-12, "left of east is north");
    }

    proptest! {
        /// The optimised-looking segment distance agrees with dense sampling of the segment (naive oracle).
        #[test]
        fn segment_distance_matches_sampling(px in -5.0..5.0f64, py in -5.0..5.0f64, ax in -5.0..5.0f64,
            ay in -5.0..5.0f64, bx in -5.0..5.0f64, by in -5.0..5.0f64) {
            let (p, a, b) = (v(px, py), v(ax, ay), v(bx, by));
            let naive = (0..=2000).map(|i| (p - (a + (b - a) * (i as f64 / 2000.0))).len()).fold(f64::INFINITY, f64::min);
            let fast = dist_point_segment(p, a, b);
            prop_assert!(fast <= naive + 1e-9);
            prop_assert!(naive - fast <= (b - a).len() / 2000.0 + 1e-9);
        }

        /// A body rectangle crosses a segment exactly when dense samples of the segment fall inside
        /// the rectangle or the segment passes through it (naive oracle: sample both).
        #[test]
        fn rectangle_crossing_matches_sampling(cx in -3.0..3.0f64, cy in -3.0..3.0f64, h in 0.0..360.0f64,
            ax in -5.0..5.0f64, ay in -5.0..5.0f64, bx in -5.0..5.0f64, by in -5.0..5.0f64) {
            let f = Vec2::from_heading_deg(h);
            let l = f.perp();
            let c = v(cx, cy);
            let body = [c + f * 2.3 + l * 0.9, c - f * 2.3 + l * 0.9, c - f * 2.3 - l * 0.9, c + f * 2.3 - l * 0.9];
            let (a, b) = (v(ax, ay), v(bx, by));
            let inside = |p: Vec2| {
                let d = p - c;
                d.dot(f).abs() <= 2.3 && d.dot(l).abs() <= 0.9
            };
            let naive = (0..=4000).any(|i| inside(a + (b - a) * (i as f64 / 4000.0)));
            let fast = polygon_crosses_polyline(&body, &[a, b]);
            // Sampling can only miss grazing contacts shorter than one step.
            if naive {
                prop_assert!(fast);
            } else if fast {
                let near = (0..=4000).map(|i| a + (b - a) * (i as f64 / 4000.0)).any(|p| {
                    let d = p - c;
                    d.dot(f).abs() <= 2.3 + 0.01 && d.dot(l).abs() <= 0.9 + 0.01
                });
                prop_assert!(near);
            }
        }
    }
}
