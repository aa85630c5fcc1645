//! WGS84 geodetic coordinates, ECEF and the site's local ENU frame. Pure, f64 throughout.
//!
//! The site frame (DESIGN.md §3.3) is a local tangent plane at the course map's origin: `x` east, `y` north,
//! `up` along the ellipsoid normal, metres; headings are clockwise from the frame's north.
//! The conversion is exact (geodetic → ECEF → rotation), not a flat-earth approximation, so it stays far below
//! a millimetre of error over a few kilometres; the inverse uses Heikkinen's closed form.

/// WGS84 semi-major axis, metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;

const E2: f64 = WGS84_F * (2.0 - WGS84_F);
const B: f64 = WGS84_A * (1.0 - WGS84_F);

/// A point on or above the WGS84 ellipsoid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geodetic {
    /// Latitude, degrees, north positive.
    pub lat_deg: f64,
    /// Longitude, degrees, east positive.
    pub lon_deg: f64,
    /// Height above the ellipsoid, metres (GGA altitude + geoid separation).
    pub height_m: f64,
}

/// Earth-centred, earth-fixed Cartesian coordinates, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ecef {
    /// Towards (0°, 0°).
    pub x: f64,
    /// Towards (0°, 90° E).
    pub y: f64,
    /// Towards the north pole.
    pub z: f64,
}

/// A position in a local east-north-up frame, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Enu {
    /// East (the telemetry's `x`).
    pub east: f64,
    /// North (the telemetry's `y`).
    pub north: f64,
    /// Up along the origin's ellipsoid normal.
    pub up: f64,
}

/// An origin that cannot define a frame.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum FrameError {
    /// Latitude outside ±90° (exclusive: the poles have no east), longitude outside ±180°, or not finite.
    #[error("origin ({lat_deg}, {lon_deg}) is not a valid WGS84 position away from the poles")]
    BadOrigin {
        /// The latitude given.
        lat_deg: f64,
        /// The longitude given.
        lon_deg: f64,
    },
}

impl Geodetic {
    /// Converts to ECEF.
    pub fn to_ecef(&self) -> Ecef {
        let (sl, cl) = self.lat_deg.to_radians().sin_cos();
        let (so, co) = self.lon_deg.to_radians().sin_cos();
        let n = WGS84_A / (1.0 - E2 * sl * sl).sqrt();
        Ecef {
            x: (n + self.height_m) * cl * co,
            y: (n + self.height_m) * cl * so,
            z: (n * (1.0 - E2) + self.height_m) * sl,
        }
    }
}

impl Ecef {
    /// Converts to geodetic coordinates (Heikkinen 1982, closed form; exact to well below a millimetre
    /// for points near the Earth's surface away from the poles).
    pub fn to_geodetic(&self) -> Geodetic {
        let (a, b) = (WGS84_A, B);
        let ep2 = (a * a - b * b) / (b * b);
        let p = self.x.hypot(self.y);
        let z = self.z;
        let f = 54.0 * b * b * z * z;
        let g = p * p + (1.0 - E2) * z * z - E2 * (a * a - b * b);
        let c = E2 * E2 * f * p * p / (g * g * g);
        let s = (1.0 + c + (c * c + 2.0 * c).sqrt()).cbrt();
        let k = s + 1.0 + 1.0 / s;
        let pp = f / (3.0 * k * k * g * g);
        let q = (1.0 + 2.0 * E2 * E2 * pp).sqrt();
        let r0 = -(pp * E2 * p) / (1.0 + q)
            + (0.5 * a * a * (1.0 + 1.0 / q)
                - pp * (1.0 - E2) * z * z / (q * (1.0 + q))
                - 0.5 * pp * p * p)
                .sqrt();
        let t = p - E2 * r0;
        let u = (t * t + z * z).sqrt();
        let v = (t * t + (1.0 - E2) * z * z).sqrt();
        let z0 = b * b * z / (a * v);
        Geodetic {
            lat_deg: (z + ep2 * z0).atan2(p).to_degrees(),
            lon_deg: self.y.atan2(self.x).to_degrees(),
            height_m: u * (1.0 - b * b / (a * v)),
        }
    }
}

/// The site's local ENU frame around an origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: Geodetic,
    origin_ecef: Ecef,
    // Rows of the ECEF → ENU rotation.
    east: [f64; 3],
    north: [f64; 3],
    up: [f64; 3],
}

fn rotation_rows(g: &Geodetic) -> ([f64; 3], [f64; 3], [f64; 3]) {
    let (sl, cl) = g.lat_deg.to_radians().sin_cos();
    let (so, co) = g.lon_deg.to_radians().sin_cos();
    (
        [-so, co, 0.0],
        [-sl * co, -sl * so, cl],
        [cl * co, cl * so, sl],
    )
}

fn dot(a: &[f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

impl LocalFrame {
    /// A frame around `origin` (its height is the frame's `up = 0`).
    pub fn new(origin: Geodetic) -> Result<LocalFrame, FrameError> {
        let ok = origin.lat_deg.is_finite()
            && origin.lon_deg.is_finite()
            && origin.height_m.is_finite()
            && origin.lat_deg.abs() < 90.0
            && origin.lon_deg.abs() <= 180.0;
        if !ok {
            return Err(FrameError::BadOrigin {
                lat_deg: origin.lat_deg,
                lon_deg: origin.lon_deg,
            });
        }
        let (east, north, up) = rotation_rows(&origin);
        Ok(LocalFrame {
            origin,
            origin_ecef: origin.to_ecef(),
            east,
            north,
            up,
        })
    }

    /// A frame around the course map's `"origin": [lon, lat]` (GeoJSON order), on the ellipsoid.
    pub fn from_lon_lat(lon_deg: f64, lat_deg: f64) -> Result<LocalFrame, FrameError> {
        LocalFrame::new(Geodetic {
            lat_deg,
            lon_deg,
            height_m: 0.0,
        })
    }

    /// The origin.
    pub fn origin(&self) -> Geodetic {
        self.origin
    }

    /// Geodetic → local ENU.
    pub fn to_enu(&self, g: &Geodetic) -> Enu {
        let e = g.to_ecef();
        let d = [
            e.x - self.origin_ecef.x,
            e.y - self.origin_ecef.y,
            e.z - self.origin_ecef.z,
        ];
        Enu {
            east: dot(&self.east, d),
            north: dot(&self.north, d),
            up: dot(&self.up, d),
        }
    }

    /// Local ENU → geodetic.
    pub fn to_geodetic(&self, p: &Enu) -> Geodetic {
        // The rotation is orthonormal: its inverse is its transpose.
        let col = |i: usize| self.east[i] * p.east + self.north[i] * p.north + self.up[i] * p.up;
        Ecef {
            x: self.origin_ecef.x + col(0),
            y: self.origin_ecef.y + col(1),
            z: self.origin_ecef.z + col(2),
        }
        .to_geodetic()
    }

    /// A true heading measured at `at` (clockwise from the local meridian there, as HDT reports it) expressed
    /// in this frame (clockwise from the frame's north). The two differ by the meridian convergence, about
    /// 0.01° per kilometre east or west at mid latitudes.
    pub fn heading_to_frame(&self, at: &Geodetic, true_heading_deg: f64) -> f64 {
        let (e_at, n_at, _) = rotation_rows(at);
        let (sh, ch) = true_heading_deg.to_radians().sin_cos();
        let dir = [
            ch * n_at[0] + sh * e_at[0],
            ch * n_at[1] + sh * e_at[1],
            ch * n_at[2] + sh * e_at[2],
        ];
        normalise_deg(
            dot(&self.east, dir)
                .atan2(dot(&self.north, dir))
                .to_degrees(),
        )
    }

    /// The inverse of [`LocalFrame::heading_to_frame`]: the true heading at `at` of the direction, level at
    /// `at`, that points along `frame_heading_deg` when seen from above in this frame.
    pub fn heading_from_frame(&self, at: &Geodetic, frame_heading_deg: f64) -> f64 {
        let (e_at, n_at, u_at) = rotation_rows(at);
        let (sh, ch) = frame_heading_deg.to_radians().sin_cos();
        let d = [
            ch * self.north[0] + sh * self.east[0],
            ch * self.north[1] + sh * self.east[1],
            ch * self.north[2] + sh * self.east[2],
        ];
        // Directions that look like `d` from above span the plane (d, up); the level one at `at` is where that
        // plane meets the plane normal to `at`'s up.
        let dir = cross(u_at, cross(d, self.up));
        normalise_deg(dot(&e_at, dir).atan2(dot(&n_at, dir)).to_degrees())
    }
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Wraps an angle into `[0, 360)`.
pub fn normalise_deg(deg: f64) -> f64 {
    let d = deg.rem_euclid(360.0);
    if d >= 360.0 { 0.0 } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(lat_deg: f64, lon_deg: f64, height_m: f64) -> Geodetic {
        Geodetic {
            lat_deg,
            lon_deg,
            height_m,
        }
    }

    #[test]
    fn ecef_of_known_points() {
        let e = g(0.0, 0.0, 0.0).to_ecef();
        assert_eq!((e.x, e.y, e.z), (WGS84_A, 0.0, 0.0));
        let e = g(0.0, 90.0, 100.0).to_ecef();
        assert!((e.y - (WGS84_A + 100.0)).abs() < 1e-9 && e.x.abs() < 1e-6);
        // The pole sits at the semi-minor axis.
        let e = g(90.0, 0.0, 0.0).to_ecef();
        assert!((e.z - 6_356_752.314_245).abs() < 1e-6, "{e:?}");
    }

    #[test]
    fn enu_matches_an_independent_reference() {
        // Reference pair and result published with an independent WGS84-to-ENU implementation
        // (San Francisco peninsula, about 87 m apart).
        let frame = LocalFrame::new(g(37.506_827_757, -122.340_466_199, 78.721_976_453)).unwrap();
        let p = frame.to_enu(&g(37.506_763_761, -122.339_483_472, 79.808_823_725));
        assert!((p.east - 86.891_318_509_302_92).abs() < 1e-6, "{p:?}");
        assert!((p.north - -7.102_369_271_144_839).abs() < 1e-6, "{p:?}");
        assert!((p.up - 1.086_252_189_612_837).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn enu_on_the_equator_is_the_chord_of_the_circle() {
        // On the equator at height 0 a point dλ east lies at a·sin(dλ) east and a·(cos(dλ) − 1) up.
        let frame = LocalFrame::from_lon_lat(0.0, 0.0).unwrap();
        let dl: f64 = 0.02;
        let p = frame.to_enu(&g(0.0, dl, 0.0));
        let r = dl.to_radians();
        assert!((p.east - WGS84_A * r.sin()).abs() < 1e-8, "{p:?}");
        assert!(p.north.abs() < 1e-8);
        assert!((p.up - WGS84_A * (r.cos() - 1.0)).abs() < 1e-8);
    }

    #[test]
    fn a_metre_north_is_a_metre_north() {
        // The meridian radius of curvature M = a(1−e²)/(1−e² sin²φ)^1.5 turns degrees into metres.
        let lat: f64 = 39.9;
        let frame = LocalFrame::from_lon_lat(116.4, lat).unwrap();
        let s = lat.to_radians().sin();
        let m = WGS84_A * (1.0 - E2) / (1.0 - E2 * s * s).powf(1.5);
        let dlat = (1.0 / m).to_degrees();
        let p = frame.to_enu(&g(lat + dlat, 116.4, 0.0));
        assert!((p.north - 1.0).abs() < 1e-6 && p.east.abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn bad_origins_are_refused() {
        assert!(LocalFrame::from_lon_lat(0.0, 90.0).is_err());
        assert!(LocalFrame::from_lon_lat(181.0, 0.0).is_err());
        assert!(LocalFrame::from_lon_lat(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn heading_convergence_is_small_and_inverts() {
        let frame = LocalFrame::from_lon_lat(116.4, 39.9).unwrap();
        let at = frame.to_geodetic(&Enu {
            east: 2_000.0,
            north: 0.0,
            up: 0.0,
        });
        let h = frame.heading_to_frame(&at, 0.0);
        // Convergence ≈ dλ·sin φ: 2 km east at 39.9° N ≈ 0.0148°.
        let conv = if h > 180.0 { h - 360.0 } else { h };
        assert!(conv.abs() > 0.01 && conv.abs() < 0.02, "{conv}");
        let back = frame.heading_from_frame(&at, h);
        assert!(back.min(360.0 - back) < 1e-9, "{back}");
        assert!((frame.heading_to_frame(&frame.origin(), 87.5) - 87.5).abs() < 1e-9);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn enu_round_trips_within_a_tenth_of_a_millimetre(
            lat in -80.0f64..80.0, lon in -180.0f64..180.0, h0 in -100.0f64..3000.0,
            east in -5_000.0f64..5_000.0, north in -5_000.0f64..5_000.0, up in -50.0f64..50.0,
        ) {
            let frame = LocalFrame::new(g(lat, lon, h0)).unwrap();
            let p = Enu { east, north, up };
            let back = frame.to_enu(&frame.to_geodetic(&p));
            prop_assert!((back.east - east).abs() < 1e-4, "{back:?}");
            prop_assert!((back.north - north).abs() < 1e-4, "{back:?}");
            prop_assert!((back.up - up).abs() < 1e-4, "{back:?}");
        }

        #[test]
        fn ecef_round_trips(lat in -89.0f64..89.0, lon in -179.9f64..179.9, h in -500.0f64..10_000.0) {
            let back = g(lat, lon, h).to_ecef().to_geodetic();
            prop_assert!((back.lat_deg - lat).abs() < 1e-10);
            prop_assert!((back.lon_deg - lon).abs() < 1e-10);
            prop_assert!((back.height_m - h).abs() < 1e-5);
        }

        #[test]
        fn headings_round_trip(h in 0.0f64..360.0, east in -3_000.0f64..3_000.0, north in -3_000.0f64..3_000.0) {
            let frame = LocalFrame::from_lon_lat(116.4, 39.9).unwrap();
            let at = frame.to_geodetic(&Enu { east, north, up: 0.0 });
            let back = frame.heading_from_frame(&at, frame.heading_to_frame(&at, h));
            let diff = (back - h + 540.0).rem_euclid(360.0) - 180.0;
            prop_assert!(diff.abs() < 1e-9);
        }
    }
}
