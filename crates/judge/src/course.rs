//! Course map (DESIGN §3.3): GeoJSON in, plane geometry per item out.

use std::collections::BTreeMap;

use crate::error::CourseError;
use crate::geo::EnuFrame;
use crate::geom::{Aabb, Vec2};

/// The driving-test subject a course is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// 科目二, site driving.
    Two,
    /// 科目三, road driving.
    Three,
}

impl Subject {
    /// 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            Subject::Two => 2,
            Subject::Three => 3,
        }
    }
    /// From 2 or 3.
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            2 => Some(Self::Two),
            3 => Some(Self::Three),
            _ => None,
        }
    }
}

/// The kind of a course item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    /// 倒车入库.
    ReverseParking,
    /// 侧方停车.
    ParallelParking,
    /// 坡道定点停车和起步.
    HillStart,
    /// 直角转弯.
    RightAngleTurn,
    /// 曲线行驶.
    SCurve,
    /// The Subject 3 route.
    Route,
}

impl ItemKind {
    /// Parses the map's `item_kind`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "reverse_parking" => Self::ReverseParking,
            "parallel_parking" => Self::ParallelParking,
            "hill_start" => Self::HillStart,
            "right_angle_turn" => Self::RightAngleTurn,
            "s_curve" => Self::SCurve,
            "route" => Self::Route,
            _ => return None,
        })
    }
    /// The map's spelling (also the catalogue's scope name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReverseParking => "reverse_parking",
            Self::ParallelParking => "parallel_parking",
            Self::HillStart => "hill_start",
            Self::RightAngleTurn => "right_angle_turn",
            Self::SCurve => "s_curve",
            Self::Route => "route",
        }
    }
}

/// Left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// Left.
    Left,
    /// Right.
    Right,
}

/// What a line on the map means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Road or item edge line.
    Edge,
    /// Garage or bay line.
    Garage,
    /// Reverse-parking control line on one side.
    Control(Side),
    /// Hill-start pole line.
    Stop,
    /// Solid lane line.
    LaneSolid,
    /// Dashed lane line.
    LaneDashed,
    /// Solid centre line.
    CentreSolid,
    /// Dashed centre line.
    CentreDashed,
}

/// A polyline with its kind and bounding box.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What it means.
    pub kind: LineKind,
    /// Vertices in ENU metres.
    pub pts: Vec<Vec2>,
    /// Bounding box of the vertices.
    pub bbox: Aabb,
    /// Runs of at most [`Line::CHUNK`] segments with their boxes, so long curved lines are
    /// searched only where the car is.
    chunks: Vec<(Aabb, usize)>,
}

impl Line {
    /// Segments per chunk.
    pub const CHUNK: usize = 4;

    /// A line from its vertices (at least two).
    pub fn new(kind: LineKind, pts: Vec<Vec2>) -> Line {
        let chunks = (0..pts.len().saturating_sub(1))
            .step_by(Self::CHUNK)
            .map(|i| {
                (
                    Aabb::around(&pts[i..(i + Self::CHUNK + 1).min(pts.len())]),
                    i,
                )
            })
            .collect();
        Line {
            kind,
            bbox: Aabb::around(&pts),
            pts,
            chunks,
        }
    }

    /// The vertex runs (each sharing its end vertex with the next) whose box overlaps `area`,
    /// with their boxes.
    pub fn runs_near<'a>(
        &'a self,
        area: &'a Aabb,
    ) -> impl Iterator<Item = (&'a Aabb, &'a [Vec2])> + 'a {
        let all = self.bbox.overlaps(area);
        self.chunks
            .iter()
            .filter(move |(b, _)| all && b.overlaps(area))
            .map(|(b, i)| (b, &self.pts[*i..(*i + Self::CHUNK + 1).min(self.pts.len())]))
    }
}

/// The kind of a Subject 3 area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AreaKind {
    /// 学校区域.
    School,
    /// 公共汽车站.
    BusStop,
    /// 人行横道.
    Crosswalk,
    /// 路口.
    Junction,
    /// A road stretch with a speed limit.
    Segment,
}

impl AreaKind {
    /// The map's and catalogue's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::BusStop => "bus_stop",
            Self::Crosswalk => "crosswalk",
            Self::Junction => "junction",
            Self::Segment => "segment",
        }
    }
}

/// A polygon area (zone or segment) with an optional speed limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Kind.
    pub kind: AreaKind,
    /// Outer ring in ENU metres.
    pub ring: Vec<Vec2>,
    /// Bounding box.
    pub bbox: Aabb,
    /// Speed limit in km/h.
    pub speed_limit_kmh: Option<f64>,
}

/// One item of a course with its geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The map's id, e.g. `"rp1"`.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Lines of the item.
    pub lines: Vec<Line>,
    /// Garage or bay interior.
    pub garage: Option<Vec<Vec2>>,
    /// Start trigger areas.
    pub start: Vec<Vec<Vec2>>,
    /// End trigger areas.
    pub end: Vec<Vec<Vec2>>,
}

impl Item {
    /// Lines of one kind.
    pub fn lines_of(&self, kind: LineKind) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(move |l| l.kind == kind)
    }
}

/// A parsed course map.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// The site named in the map.
    pub site: String,
    /// The ENU origin `[lon, lat]`.
    pub origin: [f64; 2],
    /// Subject 2 items (in map order) or the Subject 3 route.
    pub items: Vec<Item>,
    /// Lines not tied to a Subject 2 item (Subject 3 markings and edges).
    pub lines: Vec<Line>,
    /// Subject 3 zones and segments.
    pub areas: Vec<Area>,
    /// Non-fatal problems (unknown kinds), for the caller to log.
    pub warnings: Vec<String>,
}

/// Wire structs of the GeoJSON course map.
pub mod wire {
    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value};

    /// A GeoJSON FeatureCollection with the `examd` foreign member.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[allow(missing_docs)]
    pub struct Map_ {
        #[serde(rename = "type")]
        pub kind: String,
        pub examd: Option<Header>,
        pub features: Vec<Feature>,
    }

    /// The `examd` foreign member.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[allow(missing_docs)]
    pub struct Header {
        pub version: u32,
        pub site: String,
        pub origin: [f64; 2],
    }

    /// A GeoJSON Feature.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[allow(missing_docs)]
    pub struct Feature {
        #[serde(rename = "type")]
        pub kind: String,
        pub geometry: Option<Geometry>,
        #[serde(default)]
        pub properties: Map<String, Value>,
    }

    /// A GeoJSON geometry (only LineString and Polygon are used).
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[allow(missing_docs)]
    pub struct Geometry {
        #[serde(rename = "type")]
        pub kind: String,
        pub coordinates: Value,
    }
}

fn positions(v: &serde_json::Value) -> Option<Vec<[f64; 2]>> {
    v.as_array()?
        .iter()
        .map(|p| {
            let a = p.as_array()?;
            Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
        })
        .collect()
}

impl Course {
    /// Parses a GeoJSON course map.
    pub fn from_geojson(text: &str) -> Result<Course, CourseError> {
        let map: wire::Map_ =
            serde_json::from_str(text).map_err(|e| CourseError::Json(e.to_string()))?;
        let header = map
            .examd
            .filter(|h| h.version == 1)
            .ok_or(CourseError::Header)?;
        if map.kind != "FeatureCollection" {
            return Err(CourseError::Json(
                "top level is not a FeatureCollection".into(),
            ));
        }
        let frame = EnuFrame::new(header.origin[0], header.origin[1]);
        let mut course = Course {
            site: header.site,
            origin: header.origin,
            items: Vec::new(),
            lines: Vec::new(),
            areas: Vec::new(),
            warnings: Vec::new(),
        };
        let mut items: BTreeMap<String, (usize, Item)> = BTreeMap::new();
        for (index, f) in map.features.iter().enumerate() {
            let prop = |k: &str| f.properties.get(k).and_then(|v| v.as_str());
            let Some(kind) = prop("kind") else {
                course
                    .warnings
                    .push(format!("feature {index}: no `kind`, ignored"));
                continue;
            };
            let geom_err = |problem| CourseError::Geometry {
                index,
                kind: kind.into(),
                problem,
            };
            let g = f.geometry.as_ref().ok_or(geom_err("no geometry"))?;
            let line_pts = || -> Result<Vec<Vec2>, CourseError> {
                if g.kind != "LineString" {
                    return Err(geom_err("expected a LineString"));
                }
                let p = positions(&g.coordinates).ok_or(geom_err("bad coordinates"))?;
                if p.len() < 2 {
                    return Err(geom_err("a line needs two positions"));
                }
                Ok(p.iter().map(|c| frame.to_enu(c[0], c[1])).collect())
            };
            let ring_pts = || -> Result<Vec<Vec2>, CourseError> {
                if g.kind != "Polygon" {
                    return Err(geom_err("expected a Polygon"));
                }
                let rings = g
                    .coordinates
                    .as_array()
                    .ok_or(geom_err("bad coordinates"))?;
                let p = rings
                    .first()
                    .and_then(positions)
                    .ok_or(geom_err("bad coordinates"))?;
                let mut r: Vec<Vec2> = p.iter().map(|c| frame.to_enu(c[0], c[1])).collect();
                if r.len() > 1 && r.first() == r.last() {
                    r.pop();
                }
                if r.len() < 3 {
                    return Err(geom_err("a polygon needs three positions"));
                }
                Ok(r)
            };
            let line_kind = match kind {
                "edge_line" => Some(LineKind::Edge),
                "garage_line" => Some(LineKind::Garage),
                "stop_line" => Some(LineKind::Stop),
                "lane_solid" => Some(LineKind::LaneSolid),
                "lane_dashed" => Some(LineKind::LaneDashed),
                "centre_solid" => Some(LineKind::CentreSolid),
                "centre_dashed" => Some(LineKind::CentreDashed),
                "control_line" => Some(LineKind::Control(match prop("side") {
                    Some("left") => Side::Left,
                    Some("right") => Side::Right,
                    _ => {
                        return Err(CourseError::Property {
                            index,
                            kind: kind.into(),
                            property: "side",
                        });
                    }
                })),
                _ => None,
            };
            let item_entry = |items: &mut BTreeMap<String, (usize, Item)>| -> Result<Option<usize>, CourseError> {
                let Some(id) = prop("item") else { return Ok(None) };
                let ik = prop("item_kind")
                    .and_then(ItemKind::parse)
                    .ok_or(CourseError::Property { index, kind: kind.into(), property: "item_kind" })?;
                let n = items.len();
                let e = items.entry(id.to_owned()).or_insert_with(|| {
                    (n, Item { id: id.into(), kind: ik, lines: vec![], garage: None, start: vec![], end: vec![] })
                });
                Ok((e.1.kind != ItemKind::Route).then_some(e.0))
            };
            if let Some(lk) = line_kind {
                let pts = line_pts()?;
                let line = Line::new(lk, pts);
                match item_entry(&mut items)? {
                    Some(_) => items
                        .get_mut(prop("item").unwrap_or_default())
                        .unwrap()
                        .1
                        .lines
                        .push(line),
                    None => course.lines.push(line),
                }
                continue;
            }
            match kind {
                "garage" | "trigger" => {
                    let ring = ring_pts()?;
                    if item_entry(&mut items)?.is_none() && prop("item").is_none() {
                        return Err(CourseError::Property {
                            index,
                            kind: kind.into(),
                            property: "item",
                        });
                    }
                    let it = &mut items.get_mut(prop("item").unwrap_or_default()).unwrap().1;
                    match (kind, prop("role")) {
                        ("garage", _) => it.garage = Some(ring),
                        (_, Some("start")) => it.start.push(ring),
                        (_, Some("end")) => it.end.push(ring),
                        _ => {
                            return Err(CourseError::Property {
                                index,
                                kind: kind.into(),
                                property: "role",
                            });
                        }
                    }
                }
                "zone" | "segment" => {
                    let ring = ring_pts()?;
                    let limit = f.properties.get("speed_limit_kmh").and_then(|v| v.as_f64());
                    let ak = if kind == "segment" {
                        if limit.is_none() {
                            return Err(CourseError::Property {
                                index,
                                kind: kind.into(),
                                property: "speed_limit_kmh",
                            });
                        }
                        AreaKind::Segment
                    } else {
                        match prop("zone") {
                            Some("school") => AreaKind::School,
                            Some("bus_stop") => AreaKind::BusStop,
                            Some("crosswalk") => AreaKind::Crosswalk,
                            Some("junction") => AreaKind::Junction,
                            _ => {
                                return Err(CourseError::Property {
                                    index,
                                    kind: kind.into(),
                                    property: "zone",
                                });
                            }
                        }
                    };
                    course.areas.push(Area {
                        kind: ak,
                        bbox: Aabb::around(&ring),
                        ring,
                        speed_limit_kmh: limit,
                    });
                }
                other => course
                    .warnings
                    .push(format!("feature {index}: unknown kind `{other}`, ignored")),
            }
        }
        let mut ordered: Vec<(usize, Item)> = items.into_values().collect();
        ordered.sort_by_key(|(o, _)| *o);
        course.items = ordered.into_iter().map(|(_, it)| it).collect();
        if course.items.iter().any(|i| i.kind == ItemKind::Route)
            && course.items.iter().any(|i| i.kind != ItemKind::Route)
        {
            return Err(CourseError::MixedSubjects);
        }
        for it in &course.items {
            check_item(it)?;
        }
        Ok(course)
    }

    /// Subject 3 when the map is a route, else Subject 2.
    pub fn subject(&self) -> Subject {
        if self.items.iter().any(|i| i.kind == ItemKind::Route) || self.items.is_empty() {
            Subject::Three
        } else {
            Subject::Two
        }
    }
}

fn check_item(it: &Item) -> Result<(), CourseError> {
    let missing = |what| {
        Err(CourseError::ItemIncomplete {
            item: it.id.clone(),
            item_kind: it.kind.as_str(),
            what,
        })
    };
    if it.kind == ItemKind::Route {
        return Ok(());
    }
    if it.start.is_empty() {
        return missing("start trigger");
    }
    if it.end.is_empty() {
        return missing("end trigger");
    }
    let has = |k: LineKind| it.lines.iter().any(|l| l.kind == k);
    match it.kind {
        ItemKind::ReverseParking | ItemKind::ParallelParking => {
            if it.garage.is_none() {
                return missing("garage polygon");
            }
            if !has(LineKind::Garage) {
                return missing("garage_line");
            }
            if it.kind == ItemKind::ReverseParking
                && !(has(LineKind::Control(Side::Left)) && has(LineKind::Control(Side::Right)))
            {
                return missing("control_line on both sides");
            }
        }
        ItemKind::HillStart => {
            if !has(LineKind::Stop) {
                return missing("stop_line");
            }
            if !has(LineKind::Edge) {
                return missing("edge_line");
            }
        }
        ItemKind::RightAngleTurn | ItemKind::SCurve => {
            if !has(LineKind::Edge) {
                return missing("edge_line");
            }
        }
        ItemKind::Route => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(features: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","examd":{{"version":1,"site":"t","origin":[117.0,36.0]}},"features":[{features}]}}"#
        )
    }
    const TRIG: &str = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[117.0,36.0],[117.0001,36.0],[117.0001,36.0001],[117.0,36.0]]]},"properties":{"kind":"trigger","role":"start","item":"h1","item_kind":"hill_start"}}"#;

    #[test]
    fn missing_item_geometry_names_the_item() {
        let err = Course::from_geojson(&map(TRIG)).unwrap_err();
        assert_eq!(
            err,
            CourseError::ItemIncomplete {
                item: "h1".into(),
                item_kind: "hill_start",
                what: "end trigger"
            }
        );
        assert!(err.to_string().contains("h1"));
    }

    #[test]
    fn unknown_kinds_warn_and_lines_convert() {
        let f = r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[117.0,36.0],[117.001,36.0]]},"properties":{"kind":"lane_solid"}},
                   {"type":"Feature","geometry":{"type":"Point","coordinates":[117.0,36.0]},"properties":{"kind":"lamp_post"}}"#;
        let c = Course::from_geojson(&map(f)).unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.lines.len(), 1);
        assert_eq!(c.lines[0].kind, LineKind::LaneSolid);
        assert!(
            (c.lines[0].pts[1].x - 90.16).abs() < 0.05,
            "{:?}",
            c.lines[0].pts
        );
        assert_eq!(c.subject(), Subject::Three);
    }

    #[test]
    fn header_is_required() {
        let t = r#"{"type":"FeatureCollection","features":[]}"#;
        assert_eq!(Course::from_geojson(t).unwrap_err(), CourseError::Header);
    }
}
