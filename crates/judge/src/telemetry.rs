//! The telemetry stream, JSON Lines v1 (DESIGN §3.2): domain records and the line reader.
//!
//! The wire structs in [`wire`] mirror the JSON; [`Record`] is what the judge consumes. The reader
//! checks required fields and that time never goes backwards, and names the line of any error.

use std::io::BufRead;

use crate::error::TelemetryError;
use crate::geom::Vec2;

/// A gear position reported by the signal collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gear {
    /// Reverse.
    R,
    /// Neutral.
    N,
    /// Park (automatic).
    P,
    /// Drive (automatic).
    D,
    /// A forward gear of a manual box, 1 to 6.
    Manual(u8),
}

impl Gear {
    /// Parses `"R"`, `"N"`, `"P"`, `"D"` or `"1"`..`"6"`.
    pub fn parse(s: &str) -> Option<Gear> {
        Some(match s {
            "R" => Gear::R,
            "N" => Gear::N,
            "P" => Gear::P,
            "D" => Gear::D,
            _ => match s.parse::<u8>() {
                Ok(n @ 1..=6) => Gear::Manual(n),
                _ => return None,
            },
        })
    }
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Gear::R => "R",
            Gear::N => "N",
            Gear::P => "P",
            Gear::D => "D",
            Gear::Manual(n) => ["1", "2", "3", "4", "5", "6"][usize::from(n.clamp(1, 6)) - 1],
        }
    }
    /// Whether the gear drives the car forward.
    pub fn is_forward(self) -> bool {
        matches!(self, Gear::D | Gear::Manual(_))
    }
}

/// One position-and-signals sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Antenna position in the site's ENU frame, metres.
    pub pos: Vec2,
    /// Heading of the longitudinal axis, degrees clockwise from north.
    pub heading_deg: f64,
    /// Speed, km/h (never negative).
    pub speed_kmh: f64,
    /// Selected gear.
    pub gear: Gear,
    /// Engine speed.
    pub rpm: f64,
    /// The collector's boolean signals.
    pub signals: Signals,
}

/// The collector's boolean signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Signals {
    /// Engine running.
    pub engine_on: bool,
    /// Driver's seat belt fastened.
    pub seatbelt: bool,
    /// All doors closed.
    pub doors_closed: bool,
    /// Parking brake applied.
    pub parking_brake: bool,
    /// Foot brake pressed.
    pub foot_brake: bool,
    /// Clutch pressed.
    pub clutch: bool,
    /// Left indicator.
    pub left_signal: bool,
    /// Right indicator.
    pub right_signal: bool,
    /// Low beam.
    pub low_beam: bool,
    /// High beam.
    pub high_beam: bool,
    /// Horn.
    pub horn: bool,
    /// Hazard lights.
    pub hazard: bool,
}

/// An examiner's or the system's spoken instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// 靠边停车.
    PullOver,
    /// 变更车道.
    LaneChange,
    /// 超车.
    Overtake,
    /// 掉头.
    UTurn,
    /// 路口左转弯.
    TurnLeft,
    /// 路口右转弯.
    TurnRight,
    /// 直行通过路口.
    Straight,
    /// 模拟夜间灯光 (the simulated night-lights sequence).
    NightLights,
    /// A command this version does not judge (kept for the record).
    Other(String),
}

impl Command {
    fn parse(s: &str) -> Command {
        match s {
            "pull_over" => Command::PullOver,
            "lane_change" => Command::LaneChange,
            "overtake" => Command::Overtake,
            "u_turn" => Command::UTurn,
            "turn_left" => Command::TurnLeft,
            "turn_right" => Command::TurnRight,
            "straight" => Command::Straight,
            "night_lights" => Command::NightLights,
            other => Command::Other(other.to_owned()),
        }
    }
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Command::PullOver => "pull_over",
            Command::LaneChange => "lane_change",
            Command::Overtake => "overtake",
            Command::UTurn => "u_turn",
            Command::TurnLeft => "turn_left",
            Command::TurnRight => "turn_right",
            Command::Straight => "straight",
            Command::NightLights => "night_lights",
            Command::Other(s) => s,
        }
    }
}

/// A traffic-light state for the light the car faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// Red.
    Red,
    /// Yellow.
    Yellow,
    /// Green.
    Green,
}

/// A non-sample line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A spoken instruction.
    Command(Command),
    /// An examiner's manual deduction, by catalogue code.
    ManualDeduction(String),
    /// The light the car faces changed.
    TrafficLight(Light),
    /// An event kind this version does not know (ignored by the judge, reported as a finding).
    Unknown(String),
}

/// What a record carries.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordBody {
    /// A sample.
    Sample(Sample),
    /// An event.
    Event(Event),
}

/// One telemetry line: a time and a sample or an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Milliseconds since the start of the drive.
    pub t_ms: u64,
    /// The sample or event.
    pub body: RecordBody,
}

/// Wire structs of telemetry v1.
pub mod wire {
    use serde::{Deserialize, Serialize};

    /// One JSON line, either a sample or an event (`event` present).
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[allow(missing_docs)]
    pub struct Line {
        pub t_ms: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub event: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub item: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub state: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub y: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub heading_deg: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub speed_kmh: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub gear: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub rpm: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub engine_on: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub seatbelt: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub doors_closed: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub parking_brake: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub foot_brake: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub clutch: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub left_signal: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub right_signal: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub low_beam: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub high_beam: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub horn: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub hazard: Option<bool>,
    }
}

fn need<T>(v: Option<T>, line: usize, field: &'static str) -> Result<T, TelemetryError> {
    v.ok_or(TelemetryError::MissingField { line, field })
}

impl Record {
    /// Converts one wire line (1-based `line` for errors).
    pub fn from_wire(w: wire::Line, line: usize) -> Result<Record, TelemetryError> {
        let t_ms = need(w.t_ms, line, "t_ms")?;
        if let Some(ev) = w.event {
            let event = match ev.as_str() {
                "command" => Event::Command(Command::parse(&need(w.item, line, "item")?)),
                "manual_deduction" => Event::ManualDeduction(need(w.code, line, "code")?),
                "traffic_light" => {
                    Event::TrafficLight(match need(w.state, line, "state")?.as_str() {
                        "red" => Light::Red,
                        "yellow" => Light::Yellow,
                        "green" => Light::Green,
                        _ => {
                            return Err(TelemetryError::BadValue {
                                line,
                                field: "state",
                            });
                        }
                    })
                }
                _ => Event::Unknown(ev),
            };
            return Ok(Record {
                t_ms,
                body: RecordBody::Event(event),
            });
        }
        let gear = need(w.gear, line, "gear")?;
        let sample = Sample {
            pos: Vec2::new(need(w.x, line, "x")?, need(w.y, line, "y")?),
            heading_deg: need(w.heading_deg, line, "heading_deg")?,
            speed_kmh: need(w.speed_kmh, line, "speed_kmh")?,
            gear: Gear::parse(&gear).ok_or(TelemetryError::BadValue {
                line,
                field: "gear",
            })?,
            rpm: need(w.rpm, line, "rpm")?,
            signals: Signals {
                engine_on: need(w.engine_on, line, "engine_on")?,
                seatbelt: need(w.seatbelt, line, "seatbelt")?,
                doors_closed: need(w.doors_closed, line, "doors_closed")?,
                parking_brake: need(w.parking_brake, line, "parking_brake")?,
                foot_brake: need(w.foot_brake, line, "foot_brake")?,
                clutch: need(w.clutch, line, "clutch")?,
                left_signal: need(w.left_signal, line, "left_signal")?,
                right_signal: need(w.right_signal, line, "right_signal")?,
                low_beam: need(w.low_beam, line, "low_beam")?,
                high_beam: need(w.high_beam, line, "high_beam")?,
                horn: need(w.horn, line, "horn")?,
                hazard: need(w.hazard, line, "hazard")?,
            },
        };
        for (v, field) in [
            (sample.pos.x, "x"),
            (sample.pos.y, "y"),
            (sample.heading_deg, "heading_deg"),
        ] {
            if !v.is_finite() {
                return Err(TelemetryError::BadValue { line, field });
            }
        }
        if !(sample.speed_kmh.is_finite() && sample.speed_kmh >= 0.0) {
            return Err(TelemetryError::BadValue {
                line,
                field: "speed_kmh",
            });
        }
        Ok(Record {
            t_ms,
            body: RecordBody::Sample(sample),
        })
    }

    /// The wire form of this record.
    pub fn to_wire(&self) -> wire::Line {
        let mut w = wire::Line {
            t_ms: Some(self.t_ms),
            ..Default::default()
        };
        match &self.body {
            RecordBody::Event(e) => match e {
                Event::Command(c) => {
                    w.event = Some("command".into());
                    w.item = Some(c.as_str().into());
                }
                Event::ManualDeduction(c) => {
                    w.event = Some("manual_deduction".into());
                    w.code = Some(c.clone());
                }
                Event::TrafficLight(l) => {
                    w.event = Some("traffic_light".into());
                    w.state = Some(
                        match l {
                            Light::Red => "red",
                            Light::Yellow => "yellow",
                            Light::Green => "green",
                        }
                        .into(),
                    );
                }
                Event::Unknown(name) => w.event = Some(name.clone()),
            },
            RecordBody::Sample(s) => {
                let g = &s.signals;
                w.x = Some(s.pos.x);
                w.y = Some(s.pos.y);
                w.heading_deg = Some(s.heading_deg);
                w.speed_kmh = Some(s.speed_kmh);
                w.gear = Some(s.gear.as_str().into());
                w.rpm = Some(s.rpm);
                (w.engine_on, w.seatbelt, w.doors_closed, w.parking_brake) = (
                    Some(g.engine_on),
                    Some(g.seatbelt),
                    Some(g.doors_closed),
                    Some(g.parking_brake),
                );
                (w.foot_brake, w.clutch, w.left_signal, w.right_signal) = (
                    Some(g.foot_brake),
                    Some(g.clutch),
                    Some(g.left_signal),
                    Some(g.right_signal),
                );
                (w.low_beam, w.high_beam, w.horn, w.hazard) = (
                    Some(g.low_beam),
                    Some(g.high_beam),
                    Some(g.horn),
                    Some(g.hazard),
                );
            }
        }
        w
    }

    /// One JSON line (without the newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(&self.to_wire()).expect("wire lines always serialise")
    }
}

/// Parses one line of text (1-based `line` for errors). Blank lines give `Ok(None)`.
pub fn parse_line(text: &str, line: usize) -> Result<Option<Record>, TelemetryError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let w: wire::Line = serde_json::from_str(text).map_err(|e| TelemetryError::Json {
        line,
        message: e.to_string(),
    })?;
    Record::from_wire(w, line).map(Some)
}

/// Reads telemetry from any line source, checking that time never goes backwards.
#[derive(Debug)]
pub struct TelemetryReader<R> {
    src: R,
    line: usize,
    last_t: Option<u64>,
    buf: String,
}

impl<R: BufRead> TelemetryReader<R> {
    /// A reader over `src`.
    pub fn new(src: R) -> Self {
        Self {
            src,
            line: 0,
            last_t: None,
            buf: String::new(),
        }
    }
}

impl<R: BufRead> Iterator for TelemetryReader<R> {
    type Item = Result<Record, TelemetryError>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            match self.src.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(TelemetryError::Io {
                        line: self.line,
                        message: e.to_string(),
                    }));
                }
            }
            match parse_line(&self.buf, self.line) {
                Ok(None) => continue,
                Ok(Some(r)) => {
                    if let Some(prev) = self.last_t.filter(|&p| r.t_ms < p) {
                        return Some(Err(TelemetryError::TimeBackwards {
                            line: self.line,
                            t_ms: r.t_ms,
                            prev,
                        }));
                    }
                    self.last_t = Some(r.t_ms);
                    return Some(Ok(r));
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Parses a whole telemetry text.
pub fn parse_str(text: &str) -> Result<Vec<Record>, TelemetryError> {
    TelemetryReader::new(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"t_ms":0,"x":12.31,"y":-4.02,"heading_deg":87.5,"speed_kmh":5.2,"gear":"1","rpm":1100,"engine_on":true,"seatbelt":true,"doors_closed":true,"parking_brake":false,"foot_brake":false,"clutch":false,"left_signal":false,"right_signal":false,"low_beam":false,"high_beam":false,"horn":false,"hazard":false,"extra":1}"#;

    #[test]
    fn reads_the_design_example() {
        let text = format!(
            "{SAMPLE}\n{}\n\n{}\n{}\n",
            r#"{"t_ms":15200,"event":"command","item":"pull_over"}"#,
            r#"{"t_ms":18000,"event":"manual_deduction","code":"40601"}"#,
            r#"{"t_ms":20500,"event":"traffic_light","state":"green"}"#
        );
        let recs = parse_str(&text).unwrap();
        assert_eq!(recs.len(), 4);
        let RecordBody::Sample(s) = &recs[0].body else {
            panic!()
        };
        assert_eq!(s.gear, Gear::Manual(1));
        assert_eq!(s.pos, Vec2::new(12.31, -4.02));
        assert_eq!(
            recs[1].body,
            RecordBody::Event(Event::Command(Command::PullOver))
        );
        assert_eq!(
            recs[2].body,
            RecordBody::Event(Event::ManualDeduction("40601".into()))
        );
        assert_eq!(
            recs[3].body,
            RecordBody::Event(Event::TrafficLight(Light::Green))
        );
    }

    #[test]
    fn errors_name_the_line() {
        let missing = SAMPLE.replace(r#""seatbelt":true,"#, "");
        let text = format!("{SAMPLE}\n{missing}\n");
        let err = parse_str(&text).unwrap_err();
        assert_eq!(
            err,
            TelemetryError::MissingField {
                line: 2,
                field: "seatbelt"
            }
        );
        assert!(err.to_string().contains("line 2"), "{err}");

        let back = SAMPLE.replace(r#""t_ms":0"#, r#""t_ms":5"#);
        let text = format!("{back}\n{SAMPLE}\n");
        assert_eq!(
            parse_str(&text).unwrap_err(),
            TelemetryError::TimeBackwards {
                line: 2,
                t_ms: 0,
                prev: 5
            }
        );

        let bad = SAMPLE.replace(r#""gear":"1""#, r#""gear":"7""#);
        assert_eq!(
            parse_str(&bad).unwrap_err(),
            TelemetryError::BadValue {
                line: 1,
                field: "gear"
            }
        );
        assert!(matches!(
            parse_str("{not json").unwrap_err(),
            TelemetryError::Json { line: 1, .. }
        ));
    }

    #[test]
    fn wire_round_trip() {
        let recs = parse_str(SAMPLE).unwrap();
        let again = parse_str(&recs[0].to_json_line()).unwrap();
        assert_eq!(recs, again);
    }
}
