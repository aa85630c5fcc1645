//! The reference courses, built in the ENU plane with standard dimensions and written as GeoJSON.
//!
//! Subject 2 (C1), west to east along `y = 0`: reverse parking (garage = car width + 0.6 m by car
//! length + 0.7 m, lane 1.5 × car length), parallel parking (bay = 1.5 × car length + 1 m by car
//! width + 0.8 m), hill start, S-curve (centre radius 7.5 m, road 3.5 m), right-angle turn (road 3.5 m).
//! Subject 3: a straight two-lane road with zones, a junction and speed segments.

use serde_json::{Map, Value, json};

use crate::geo::EnuFrame;
use crate::geom::Vec2;

/// The reference C1 car.
pub const C1_PROFILE: &str = r#"{"class":"C1","length_m":4.6,"width_m":1.8,"wheelbase_m":2.6,"track_m":1.55,"front_overhang_m":0.9,"antenna":{"forward_m":1.2,"left_m":0.0}}"#;
/// The reference C2 car (same body, automatic).
pub const C2_PROFILE: &str = r#"{"class":"C2","length_m":4.6,"width_m":1.8,"wheelbase_m":2.6,"track_m":1.55,"front_overhang_m":0.9,"antenna":{"forward_m":1.2,"left_m":0.0}}"#;
/// Site origin (lon, lat).
pub const ORIGIN: [f64; 2] = [117.0876, 36.195];

/// Reverse parking: x of the garage centre line.
pub const RP_X: f64 = 30.0;
/// Reverse parking: lane half-extent along x.
pub const RP_HALF: f64 = 14.0;
/// Reverse parking: lane y range (rear-axle path at y = 0).
pub const RP_LANE: (f64, f64) = (-4.2, 2.7);
/// Reverse parking: garage depth (y from `RP_LANE.0` down).
pub const RP_DEPTH: f64 = 5.3;
/// Reverse parking: garage half-width.
pub const RP_HALF_W: f64 = 1.2;
/// Reverse parking: control lines at `RP_X ± RP_CTL`.
pub const RP_CTL: f64 = 7.0;
/// Parallel parking: x of the bay's rear (west) end.
pub const PP_X: f64 = 62.0;
/// Parallel parking: bay length.
pub const PP_LEN: f64 = 7.9;
/// Parallel parking: lane half-width (lane is `±PP_LANE`).
pub const PP_LANE: f64 = 1.75;
/// Parallel parking: bay width.
pub const PP_W: f64 = 2.6;
/// Hill start: road x range.
pub const HILL: (f64, f64) = (90.0, 120.0);
/// Hill start: stop line x.
pub const HILL_STOP: f64 = 105.0;
/// Hill start: right edge y and left edge y.
pub const HILL_EDGES: (f64, f64) = (-1.1, 2.4);
/// S-curve: x of the arc centres; first centre at y = 7.5, second at 22.5.
pub const SC_X: f64 = 130.0;
/// S-curve: centre-line radius.
pub const SC_R: f64 = 7.5;
/// Right-angle turn: x where the turn arc starts (rear axle on y = 30).
pub const RA_X: f64 = 150.0;
/// Right-angle turn: y of the east road's centre.
pub const RA_ROAD_Y: f64 = 30.7;

/// Subject 3 road: lane width.
pub const S3_LANE: f64 = 3.5;
/// Subject 3 road: the junction's x range (no markings inside).
pub const S3_JUNCTION: (f64, f64) = (600.0, 630.0);
/// Subject 3 road: the school zone's x range (bus stop 500–530, crosswalk 560–570; all 30 km/h).
pub const S3_SCHOOL: (f64, f64) = (400.0, 460.0);
/// Subject 3 road: length.
pub const S3_LEN: f64 = 1200.0;
/// Subject 3 side road, parallel to the main road: three lanes one way, centre of its right
/// lane at this y (far from every main-road drive).
pub const S3_WIDE_Y: f64 = -100.0;
/// Subject 3 side road: length.
pub const S3_WIDE_LEN: f64 = 400.0;
/// Subject 3 side road: x of the stop line across its three lanes (a traffic light).
pub const S3_WIDE_STOP_X: f64 = 300.0;

/// A course under construction, in ENU metres.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    site: String,
    features: Vec<Value>,
    frame: Option<EnuFrame>,
}

fn props(kind: &str, extra: &[(&str, Value)]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    for (k, v) in extra {
        m.insert((*k).into(), v.clone());
    }
    m
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<Vec2> {
    vec![
        Vec2::new(x0, y0),
        Vec2::new(x1, y0),
        Vec2::new(x1, y1),
        Vec2::new(x0, y1),
    ]
}

/// Points of an arc around `c`, radius `r`, from `a0` to `a1` degrees (math angles), every 3° or less.
pub fn arc_pts(c: Vec2, r: f64, a0: f64, a1: f64) -> Vec<Vec2> {
    let n = ((a1 - a0).abs() / 3.0).ceil().max(1.0) as usize;
    (0..=n)
        .map(|i| {
            let a = (a0 + (a1 - a0) * i as f64 / n as f64).to_radians();
            c + Vec2::new(a.cos(), a.sin()) * r
        })
        .collect()
}

impl Layout {
    /// An empty layout for `site`.
    pub fn new(site: &str) -> Self {
        Self {
            site: site.into(),
            features: Vec::new(),
            frame: Some(EnuFrame::new(ORIGIN[0], ORIGIN[1])),
        }
    }

    fn lonlat(&self, p: Vec2) -> Value {
        let (lon, lat) = self.frame.expect("layout has a frame").to_lonlat(p);
        json!([(lon * 1e10).round() / 1e10, (lat * 1e10).round() / 1e10])
    }

    /// Adds a LineString feature.
    pub fn line(&mut self, kind: &str, pts: &[Vec2], extra: &[(&str, Value)]) -> &mut Self {
        let coords: Vec<Value> = pts.iter().map(|&p| self.lonlat(p)).collect();
        self.features.push(json!({"type":"Feature","geometry":{"type":"LineString","coordinates":coords},"properties":props(kind, extra)}));
        self
    }

    /// Adds a Polygon feature (the ring is closed here).
    pub fn polygon(&mut self, kind: &str, ring: &[Vec2], extra: &[(&str, Value)]) -> &mut Self {
        let mut coords: Vec<Value> = ring.iter().map(|&p| self.lonlat(p)).collect();
        coords.push(coords[0].clone());
        self.features.push(json!({"type":"Feature","geometry":{"type":"Polygon","coordinates":[coords]},"properties":props(kind, extra)}));
        self
    }

    /// The GeoJSON text (one feature a line, for readable diffs).
    pub fn to_geojson(&self) -> String {
        let o = ORIGIN;
        let mut s = format!(
            "{{\"type\":\"FeatureCollection\",\n\"examd\":{{\"version\":1,\"site\":\"{}\",\"origin\":[{},{}]}},\n\"features\":[\n",
            self.site, o[0], o[1]
        );
        for (i, f) in self.features.iter().enumerate() {
            s.push_str(&f.to_string());
            s.push_str(if i + 1 < self.features.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        s.push_str("]}\n");
        s
    }
}

fn item(id: &str, kind: &str) -> Vec<(&'static str, Value)> {
    vec![("item", json!(id)), ("item_kind", json!(kind))]
}

fn with(
    mut v: Vec<(&'static str, Value)>,
    k: &'static str,
    val: Value,
) -> Vec<(&'static str, Value)> {
    v.push((k, val));
    v
}

fn v(x: f64, y: f64) -> Vec2 {
    Vec2::new(x, y)
}

/// The reference Subject 2 course for C1 (C2 uses it without the hill start).
pub fn subject2_course() -> Layout {
    let mut l = Layout::new("reference-s2");
    // Reverse parking.
    let it = item("rp1", "reverse_parking");
    let (x0, x1, (yb, yt)) = (RP_X - RP_HALF, RP_X + RP_HALF, RP_LANE);
    let (gl, gr, gb) = (RP_X - RP_HALF_W, RP_X + RP_HALF_W, yb - RP_DEPTH);
    l.line("edge_line", &[v(x0, yt), v(x1, yt)], &it)
        .line("edge_line", &[v(x0, yb), v(gl, yb)], &it)
        .line("edge_line", &[v(gr, yb), v(x1, yb)], &it)
        .line(
            "garage_line",
            &[v(gl, yb), v(gl, gb), v(gr, gb), v(gr, yb)],
            &it,
        )
        .polygon("garage", &rect(gl, gb, gr, yb), &it)
        .line(
            "control_line",
            &[v(RP_X - RP_CTL, yb), v(RP_X - RP_CTL, yt)],
            &with(it.clone(), "side", json!("left")),
        )
        .line(
            "control_line",
            &[v(RP_X + RP_CTL, yb), v(RP_X + RP_CTL, yt)],
            &with(it.clone(), "side", json!("right")),
        )
        .polygon(
            "trigger",
            &rect(x0, yb, x0 + 4.0, yt),
            &with(it.clone(), "role", json!("start")),
        )
        .polygon(
            "trigger",
            &rect(x1 - 4.0, yb, x1, yt),
            &with(it.clone(), "role", json!("end")),
        );
    // Parallel parking.
    let it = item("pp1", "parallel_parking");
    let (x0, x1, w) = (PP_X - 8.0, PP_X + 18.0, PP_LANE);
    let (bx1, by) = (PP_X + PP_LEN, -w - PP_W);
    l.line("edge_line", &[v(x0, w), v(x1, w)], &it)
        .line("edge_line", &[v(x0, -w), v(PP_X, -w)], &it)
        .line("edge_line", &[v(bx1, -w), v(x1, -w)], &it)
        .line(
            "garage_line",
            &[v(PP_X, -w), v(PP_X, by), v(bx1, by), v(bx1, -w)],
            &it,
        )
        .polygon("garage", &rect(PP_X, by, bx1, -w), &it)
        .polygon(
            "trigger",
            &rect(x0, -w, x0 + 4.0, w),
            &with(it.clone(), "role", json!("start")),
        )
        .polygon(
            "trigger",
            &rect(x1 - 4.0, -w, x1, w),
            &with(it.clone(), "role", json!("end")),
        );
    // Hill start.
    let it = item("hs1", "hill_start");
    let ((x0, x1), (er, el)) = (HILL, HILL_EDGES);
    l.line("edge_line", &[v(x0, er), v(x1, er)], &it)
        .line("edge_line", &[v(x0, el), v(x1, el)], &it)
        .line("stop_line", &[v(HILL_STOP, er), v(HILL_STOP, el)], &it)
        .polygon(
            "trigger",
            &rect(x0, er, x0 + 4.0, el),
            &with(it.clone(), "role", json!("start")),
        )
        .polygon(
            "trigger",
            &rect(x1 - 4.0, er, x1, el),
            &with(it.clone(), "role", json!("end")),
        );
    // S-curve: two semicircles, entering eastbound at y = 0, leaving eastbound at y = 30.
    let it = item("sc1", "s_curve");
    let (c1, c2, hw) = (v(SC_X, SC_R), v(SC_X, 3.0 * SC_R), 1.75);
    let mut right = vec![v(SC_X - 4.0, -hw)];
    right.extend(arc_pts(c1, SC_R + hw, -90.0, 90.0));
    right.extend(arc_pts(c2, SC_R - hw, -90.0, -270.0).into_iter().skip(1));
    right.push(v(SC_X + 4.0, 4.0 * SC_R - hw));
    let mut left = vec![v(SC_X - 4.0, hw)];
    left.extend(arc_pts(c1, SC_R - hw, -90.0, 90.0));
    left.extend(arc_pts(c2, SC_R + hw, -90.0, -270.0).into_iter().skip(1));
    left.push(v(SC_X + 4.0, 4.0 * SC_R + hw));
    l.line("edge_line", &right, &it)
        .line("edge_line", &left, &it)
        .polygon(
            "trigger",
            &rect(SC_X - 8.0, -hw, SC_X - 4.0, hw),
            &with(it.clone(), "role", json!("start")),
        )
        .polygon(
            "trigger",
            &rect(SC_X + 4.0, 4.0 * SC_R - hw, SC_X + 8.0, 4.0 * SC_R + hw),
            &with(it.clone(), "role", json!("end")),
        );
    // Right-angle turn (left): east road around y = RA_ROAD_Y, north road x in [RA_X+3.35, RA_X+6.85].
    let it = item("ra1", "right_angle_turn");
    let (ys, yn) = (RA_ROAD_Y - 1.75, RA_ROAD_Y + 1.75);
    let (xw, xe, top) = (RA_X + 3.05, RA_X + 6.55, 50.0);
    l.line(
        "edge_line",
        &[v(SC_X + 8.0, yn), v(xw, yn), v(xw, top)],
        &it,
    )
    .line(
        "edge_line",
        &[v(SC_X + 8.0, ys), v(xe, ys), v(xe, top)],
        &it,
    )
    .polygon(
        "trigger",
        &rect(SC_X + 8.0, ys, SC_X + 12.0, yn),
        &with(it.clone(), "role", json!("start")),
    )
    .polygon(
        "trigger",
        &rect(xw, top - 4.0, xe, top),
        &with(it.clone(), "role", json!("end")),
    );
    l
}

/// The reference Subject 3 route: eastbound two-lane road, right lane centred on y = 0.
pub fn subject3_course() -> Layout {
    let mut l = Layout::new("reference-s3");
    let (jx0, jx1) = S3_JUNCTION;
    let (e, d, c) = (-S3_LANE / 2.0, S3_LANE / 2.0, 1.5 * S3_LANE);
    for (x0, x1) in [(0.0, jx0), (jx1, S3_LEN)] {
        l.line("edge_line", &[v(x0, e), v(x1, e)], &[])
            .line("lane_dashed", &[v(x0, d), v(x1, d)], &[])
            .line("centre_solid", &[v(x0, c), v(x1, c)], &[]);
    }
    let route = item("route", "route");
    l.polygon(
        "trigger",
        &rect(0.0, e, 10.0, c),
        &with(route, "role", json!("start")),
    );
    let zone = |z: &str, lim: f64| vec![("zone", json!(z)), ("speed_limit_kmh", json!(lim))];
    l.polygon(
        "segment",
        &rect(0.0, e, S3_LEN, c),
        &[("speed_limit_kmh", json!(50.0))],
    )
    .polygon(
        "zone",
        &rect(S3_SCHOOL.0, e, S3_SCHOOL.1, c),
        &zone("school", 30.0),
    )
    .polygon("zone", &rect(500.0, e, 530.0, c), &zone("bus_stop", 30.0))
    .polygon("zone", &rect(560.0, e, 570.0, c), &zone("crosswalk", 30.0))
    .polygon(
        "zone",
        &rect(jx0, e - 20.0, jx1, c + 20.0),
        &[("zone", json!("junction"))],
    );
    wide_road(&mut l);
    l
}

/// The side road: a straight 400 m road with three lanes in the direction of travel (right edge,
/// two dashed lane lines, solid centre line, 3.5 m apart) at 50 km/h, with a stop line across the
/// three lanes at x = 300 m.
fn wide_road(l: &mut Layout) {
    let e = S3_WIDE_Y - S3_LANE / 2.0;
    let (d1, d2, c) = (e + S3_LANE, e + 2.0 * S3_LANE, e + 3.0 * S3_LANE);
    l.line("edge_line", &[v(0.0, e), v(S3_WIDE_LEN, e)], &[])
        .line("lane_dashed", &[v(0.0, d1), v(S3_WIDE_LEN, d1)], &[])
        .line("lane_dashed", &[v(0.0, d2), v(S3_WIDE_LEN, d2)], &[])
        .line("centre_solid", &[v(0.0, c), v(S3_WIDE_LEN, c)], &[])
        .line(
            "stop_line",
            &[v(S3_WIDE_STOP_X, e), v(S3_WIDE_STOP_X, c)],
            &[],
        )
        .polygon(
            "segment",
            &rect(0.0, e, S3_WIDE_LEN, c),
            &[("speed_limit_kmh", json!(50.0))],
        );
}
