//! Subject 3 routes and their course maps: the day's draw gives each Subject 3 group a route
//! (`booking::draw`), and the route selects the course map the judge uses for that drive.
//!
//! The built-in table maps the reference routes to the reference maps ([`BUILTIN_ROUTES`]); a site
//! adds or replaces entries with `<data_dir>/driving/routes.toml`:
//!
//! ```toml
//! [routes]
//! route-east = "course-s3"
//! route-north = "my-north-road"   # courses/my-north-road.geojson
//! ```
//!
//! Every entry must name a Subject 3 course map the daemon holds (checked when loading). A drawn
//! route with no entry refuses the drive's start, naming the route.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// The reference Subject 3 routes and their maps.
pub const BUILTIN_ROUTES: &[(&str, &str)] = &[("route-a", "course-s3"), ("route-b", "course-s3-b")];

/// `routes.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    routes: BTreeMap<String, String>,
}

/// Route id → course map name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteMaps {
    by_route: BTreeMap<String, String>,
}

impl RouteMaps {
    /// The built-in table, then `<dir>/routes.toml` (whose entries win); `subject3` says of a
    /// course map name whether it is a Subject 3 map (`None`: no such map; `Err`: it does not
    /// parse). Errors name the file, the route and the map.
    pub fn load(
        dir: &Path,
        subject3: impl Fn(&str) -> Option<Result<bool, String>>,
    ) -> anyhow::Result<RouteMaps> {
        let mut by_route: BTreeMap<String, String> = BUILTIN_ROUTES
            .iter()
            .map(|(r, c)| ((*r).to_owned(), (*c).to_owned()))
            .collect();
        let path = dir.join("routes.toml");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let file: RoutesFile =
                toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
            by_route.extend(file.routes);
        }
        for (route, course) in &by_route {
            route
                .parse::<booking::RouteId>()
                .map_err(|e| anyhow::anyhow!("{}: route {route:?}: {e}", path.display()))?;
            match subject3(course) {
                None => anyhow::bail!(
                    "{}: route {route}: no course map {course:?}",
                    path.display()
                ),
                Some(Err(e)) => anyhow::bail!(
                    "{}: route {route}: course map {course}: {e}",
                    path.display()
                ),
                Some(Ok(false)) => anyhow::bail!(
                    "{}: route {route}: course map {course} is not a Subject 3 map",
                    path.display()
                ),
                Some(Ok(true)) => {}
            }
        }
        Ok(RouteMaps { by_route })
    }

    /// The course map of `route`, or the refusal (zh/en) naming the route.
    pub fn course_for(&self, route: &str) -> Result<&str, String> {
        self.by_route.get(route).map(String::as_str).ok_or_else(|| {
            format!(
                "抽签路线 {route} 没有配置考试路线图，不能开始考试 / \
                 the drawn route {route} has no course map: the drive cannot start"
            )
        })
    }

    /// Every route and its map.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_route.iter().map(|(r, c)| (r.as_str(), c.as_str()))
    }
}

/// The second reference Subject 3 route's layout (`fixtures/judge/course-s3-b.geojson`): a
/// northbound two-lane road 200 m west of the first route, 900 m long, with its items in another
/// order and other limits — a zebra crossing at 120–130 m, a stop line at 290 m before a
/// junction at 300–330 m, a bus stop at 420–450 m and a school at 600–680 m (30 km/h each); 40 km/h
/// up to the junction and 60 km/h after it.
pub fn course_s3_b() -> judge::sim::layout::Layout {
    use judge::geom::Vec2;
    use serde_json::json;
    const X: f64 = -200.0;
    const LANE: f64 = 3.5;
    const LEN: f64 = 900.0;
    const JUNCTION: (f64, f64) = (300.0, 330.0);
    // Northbound: the right edge is east of the lane (x + lane/2), the centre line west of it.
    let (e, d, c) = (X + LANE / 2.0, X - LANE / 2.0, X - 1.5 * LANE);
    let p = Vec2::new;
    let rect = |y0: f64, y1: f64| vec![p(c, y0), p(e, y0), p(e, y1), p(c, y1)];
    let mut l = judge::sim::layout::Layout::new("reference-s3-b");
    for (y0, y1) in [(0.0, JUNCTION.0), (JUNCTION.1, LEN)] {
        l.line("edge_line", &[p(e, y0), p(e, y1)], &[])
            .line("lane_dashed", &[p(d, y0), p(d, y1)], &[])
            .line("centre_solid", &[p(c, y0), p(c, y1)], &[]);
    }
    l.line("stop_line", &[p(e, 290.0), p(d, 290.0)], &[]);
    l.polygon(
        "trigger",
        &rect(0.0, 10.0),
        &[
            ("item", json!("route")),
            ("item_kind", json!("route")),
            ("role", json!("start")),
        ],
    );
    let limit = |kmh: f64| [("speed_limit_kmh", json!(kmh))];
    let zone = |z: &str| [("zone", json!(z)), ("speed_limit_kmh", json!(30.0))];
    l.polygon("segment", &rect(0.0, JUNCTION.0), &limit(40.0))
        .polygon("segment", &rect(JUNCTION.1, LEN), &limit(60.0))
        .polygon("zone", &rect(120.0, 130.0), &zone("crosswalk"))
        .polygon(
            "zone",
            &[
                p(c - 20.0, JUNCTION.0),
                p(e + 20.0, JUNCTION.0),
                p(e + 20.0, JUNCTION.1),
                p(c - 20.0, JUNCTION.1),
            ],
            &[("zone", json!("junction"))],
        )
        .polygon("zone", &rect(420.0, 450.0), &zone("bus_stop"))
        .polygon("zone", &rect(600.0, 680.0), &zone("school"));
    l
}

/// A short drive north along the second reference route (antenna in the right lane): moves off
/// with the left indicator, then holds `kmh` for 150 m of the 40 km/h stretch and stops before
/// the zebra crossing. Used by the demo car and by the test that a route-B drive is judged on its
/// own map (at 45 km/h it is over that stretch's limit).
pub fn route_b_drive(kmh: f64) -> Vec<judge::Record> {
    use judge::geom::Vec2;
    use judge::sim::{Sim, Steer};
    use judge::telemetry::Gear;
    let car = judge::VehicleProfile::from_json(judge::sim::layout::C1_PROFILE)
        .expect("the reference car parses");
    let mut s = Sim::new(&car, Vec2::new(-200.0, 3.0), 0.0, 100);
    s.hold(1000).move_off_prep(3500, Gear::Manual(1));
    s.drive(8.0, Steer::Straight, 10.0)
        .set(|g| g.left_signal = false)
        .shift(Gear::Manual(2))
        .drive(10.0, Steer::Straight, 20.0)
        .shift(Gear::Manual(3))
        .drive(150.0, Steer::Straight, kmh)
        .drive(3.0, Steer::Straight, 5.0)
        .shift(Gear::N)
        .hold(1000);
    s.into_records()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/judge/course-s3-b.geojson"
    );

    /// The fixture is what [`course_s3_b`] writes (`EXAMD_WRITE_FIXTURES=1` rewrites it).
    #[test]
    fn the_second_route_fixture_is_its_layout() {
        let text = course_s3_b().to_geojson();
        if std::env::var("EXAMD_WRITE_FIXTURES").as_deref() == Ok("1") {
            std::fs::write(FIXTURE, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(FIXTURE).unwrap(),
            text,
            "fixtures/judge/course-s3-b.geojson is stale: run with EXAMD_WRITE_FIXTURES=1"
        );
    }

    /// The same drive judged on each map: only route B's 40 km/h stretch makes 45 km/h too fast.
    #[test]
    fn a_route_b_drive_is_judged_by_route_bs_limits() {
        let lib = crate::driving::inputs::Library::load(Path::new("/nonexistent")).unwrap();
        let codes = |course: &str, kmh: f64| -> Vec<String> {
            let s = lib
                .setup(course, "vehicle-c1", judge::Standard::Ga1026_2017, None)
                .unwrap();
            assert_eq!(s.course.subject(), judge::Subject::Three, "{course}");
            let v = judge::judge(
                &s.course,
                &s.vehicle,
                &s.catalogue,
                route_b_drive(kmh).into_iter(),
            );
            v.to_dto().deductions.into_iter().map(|d| d.code).collect()
        };
        let on_b = codes("course-s3-b", 45.0);
        assert!(on_b.iter().any(|c| c == "30116"), "{on_b:?}");
        assert!(!codes("course-s3-b", 35.0).iter().any(|c| c == "30116"));
        let on_a = codes("course-s3", 45.0);
        assert!(!on_a.iter().any(|c| c == "30116"), "{on_a:?}");
        assert_eq!(lib.routes().course_for("route-b"), Ok("course-s3-b"));
    }

    #[test]
    fn routes_map_to_subject3_maps_and_a_missing_route_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let known = |c: &str| match c {
            "course-s3" | "course-s3-b" | "north" => Some(Ok(true)),
            "course-s2" => Some(Ok(false)),
            "broken" => Some(Err("not GeoJSON".to_owned())),
            _ => None,
        };
        let m = RouteMaps::load(dir.path(), known).unwrap();
        assert_eq!(m.course_for("route-b"), Ok("course-s3-b"));
        let e = m.course_for("route-x").unwrap_err();
        assert!(
            e.contains("route route-x has no course map") && e.contains("抽签路线 route-x"),
            "{e}"
        );
        std::fs::write(
            dir.path().join("routes.toml"),
            "[routes]\nroute-a = \"north\"\nroute-c = \"course-s3\"\n",
        )
        .unwrap();
        let m = RouteMaps::load(dir.path(), known).unwrap();
        assert_eq!(m.course_for("route-a"), Ok("north"));
        assert_eq!(m.course_for("route-c"), Ok("course-s3"));
        assert_eq!(m.course_for("route-b"), Ok("course-s3-b"));
        for (toml, says) in [
            (
                "[routes]\nroute-c = \"nope\"\n",
                "route route-c: no course map \"nope\"",
            ),
            (
                "[routes]\nroute-c = \"course-s2\"\n",
                "route route-c: course map course-s2 is not a Subject 3 map",
            ),
            ("[routes]\n\"a b\" = \"course-s3\"\n", "route \"a b\""),
            (
                "[routes]\nroute-c = \"broken\"\n",
                "route route-c: course map broken: not GeoJSON",
            ),
            ("[roads]\n", "unknown field `roads`"),
        ] {
            std::fs::write(dir.path().join("routes.toml"), toml).unwrap();
            let e = format!("{:#}", RouteMaps::load(dir.path(), known).unwrap_err());
            assert!(e.contains(says), "{toml}: {e}");
        }
    }
}
