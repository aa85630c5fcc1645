//! WGS84 longitude/latitude ⇄ the site's local ENU plane.
//!
//! The course map is GeoJSON (RFC 7946: WGS84 `[lon, lat]`), telemetry is in metres east/north of the
//! site origin. The conversion goes through earth-centred coordinates (ECEF) and the tangent plane
//! at the origin, at height 0, so it is exact to well under a millimetre over a site's extent.

use crate::geom::Vec2;

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;
const E2: f64 = F * (2.0 - F);

/// The local East-North frame at a site origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnuFrame {
    lon0: f64,
    lat0: f64,
    origin: [f64; 3],
}

fn ecef(lon_deg: f64, lat_deg: f64) -> [f64; 3] {
    let (lon, lat) = (lon_deg.to_radians(), lat_deg.to_radians());
    let n = A / (1.0 - E2 * lat.sin().powi(2)).sqrt();
    [
        n * lat.cos() * lon.cos(),
        n * lat.cos() * lon.sin(),
        n * (1.0 - E2) * lat.sin(),
    ]
}

impl EnuFrame {
    /// The frame whose (0, 0) is at `lon`, `lat` (degrees, WGS84).
    pub fn new(lon: f64, lat: f64) -> Self {
        Self {
            lon0: lon.to_radians(),
            lat0: lat.to_radians(),
            origin: ecef(lon, lat),
        }
    }

    /// Longitude/latitude (degrees) to metres east/north of the origin.
    pub fn to_enu(&self, lon: f64, lat: f64) -> Vec2 {
        let p = ecef(lon, lat);
        let d = [
            p[0] - self.origin[0],
            p[1] - self.origin[1],
            p[2] - self.origin[2],
        ];
        let (sl, cl) = self.lon0.sin_cos();
        let (sp, cp) = self.lat0.sin_cos();
        Vec2::new(
            -sl * d[0] + cl * d[1],
            -sp * cl * d[0] - sp * sl * d[1] + cp * d[2],
        )
    }

    /// Metres east/north of the origin (on the ellipsoid surface) to longitude/latitude in degrees.
    pub fn to_lonlat(&self, p: Vec2) -> (f64, f64) {
        // Start from the tangent-plane point, drop it onto the ellipsoid by a few fixed-point steps.
        let (mut lon, mut lat) = (self.lon0.to_degrees(), self.lat0.to_degrees());
        for _ in 0..4 {
            let e = self.to_enu(lon, lat);
            let err = p - e;
            let m_per_deg_lat = 111_132.954 - 559.822 * (2.0 * lat.to_radians()).cos();
            let m_per_deg_lon = (std::f64::consts::PI / 180.0) * A * lat.to_radians().cos()
                / (1.0 - E2 * lat.to_radians().sin().powi(2)).sqrt();
            lon += err.x / m_per_deg_lon;
            lat += err.y / m_per_deg_lat;
        }
        (lon, lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_maps_to_zero_and_round_trips() {
        let f = EnuFrame::new(117.0876, 36.1950);
        let o = f.to_enu(117.0876, 36.1950);
        assert!(o.len() < 1e-9);
        for &(x, y) in &[
            (0.0, 0.0),
            (123.456, -78.9),
            (-800.0, 950.25),
            (2000.0, 2000.0),
        ] {
            let (lon, lat) = f.to_lonlat(Vec2::new(x, y));
            let back = f.to_enu(lon, lat);
            assert!(
                (back.x - x).abs() < 1e-4 && (back.y - y).abs() < 1e-4,
                "{x},{y} -> {back:?}"
            );
        }
    }

    #[test]
    fn one_thousandth_degree_of_latitude_is_about_111_m() {
        let f = EnuFrame::new(117.0, 36.0);
        let p = f.to_enu(117.0, 36.001);
        assert!((p.y - 110.95).abs() < 0.1, "{p:?}");
        assert!(p.x.abs() < 1e-6);
    }
}
