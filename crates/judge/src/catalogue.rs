//! The rule catalogue (DESIGN §3.5): what a detection costs, as data.
//!
//! A catalogue source is TOML with a national baseline (`[[rule]]`), per-standard differences
//! (`[[variant]]`, e.g. GA 1026-2016 or -2022) and regional overrides (`[[regional]]`). Resolving it
//! for one standard and one region gives a [`Catalogue`]. Detectors report a [`Fault`] in a
//! [`Scope`]; the catalogue maps it to a rule with a code, a penalty and parameters.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::course::{AreaKind, ItemKind, Subject};
use crate::error::CatalogueError;
use crate::vehicle::VehicleClass;

/// A rule's code: the national 5-digit code, or a 7-digit regional sub-code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleCode(String);

impl RuleCode {
    /// Checks the shape (5 or 7 ASCII digits).
    pub fn parse(s: &str) -> Option<RuleCode> {
        ((s.len() == 5 || s.len() == 7) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| RuleCode(s.to_owned()))
    }
    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a rule costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    /// 不合格: the exam is failed (reported as 100 points).
    Fail,
    /// Minus this many points.
    Minus(u8),
}

impl Penalty {
    /// Points as reported: 100 for a fail.
    pub fn points(self) -> u8 {
        match self {
            Penalty::Fail => 100,
            Penalty::Minus(n) => n,
        }
    }
}

/// The GA 1026 edition a catalogue is resolved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standard {
    /// The 2016 tables (139号令 reform).
    Ga1026_2016,
    /// GA 1026-2017, in force 2017-10-01 (the baseline).
    Ga1026_2017,
    /// GA 1026-2022, in force 2022-04-01.
    Ga1026_2022,
}

impl Standard {
    /// Parses `"GA1026-2016"`, `"GA1026-2017"` or `"GA1026-2022"`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "GA1026-2016" => Self::Ga1026_2016,
            "GA1026-2017" => Self::Ga1026_2017,
            "GA1026-2022" => Self::Ga1026_2022,
            _ => return None,
        })
    }
    /// The catalogue spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ga1026_2016 => "GA1026-2016",
            Self::Ga1026_2017 => "GA1026-2017",
            Self::Ga1026_2022 => "GA1026-2022",
        }
    }
}

macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$d:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$d])* $v,)* }
        impl $name {
            /// Parses the catalogue spelling.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Self::$v),)* _ => None } }
            /// The catalogue spelling.
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s,)* } }
        }
    };
}

keyed_enum! {
    /// What a detector measured. Each is priced by a rule in the catalogue.
    Fault {
        /// Moving without the seat belt.
        SeatbeltOff = "seatbelt_off",
        /// Rolled back more than the limit.
        RollBackMajor = "roll_back_major",
        /// Rolled back less than the major limit.
        RollBackMinor = "roll_back_minor",
        /// Engine stopped in gear.
        Stall = "stall",
        /// No or the wrong indicator before a manoeuvre.
        SignalMissing = "signal_missing",
        /// Indicator on for less than the minimum before a manoeuvre.
        SignalShort = "signal_short",
        /// Indicator left on after the manoeuvre.
        SignalNotCancelled = "signal_not_cancelled",
        /// Stopped longer than allowed, then went on in the same direction.
        MidStop = "mid_stop",
        /// Item not finished within its time limit.
        ItemTimeout = "item_timeout",
        /// Body outline over a garage or edge line.
        BodyOverLine = "body_over_line",
        /// Body touched a bay line while driving.
        BodyTouchLine = "body_touch_line",
        /// A wheel contact point on an edge line.
        WheelOnEdgeLine = "wheel_on_edge_line",
        /// A wheel on a solid lane or centre line.
        WheelOnSolidLine = "wheel_on_solid_line",
        /// Not fully inside the garage when stopped.
        NotInGarage = "not_in_garage",
        /// Reversed before both front wheels passed the control line.
        ControlLineNotPassed = "control_line_not_passed",
        /// Item driven in the wrong order.
        WrongSequence = "wrong_sequence",
        /// Front bumper beyond the large tolerance of the stop line.
        StopLineFar = "stop_line_far",
        /// Front bumper off the stop line, within the large tolerance.
        StopLineNear = "stop_line_near",
        /// Body beyond the large gap from the edge line.
        EdgeGapFar = "edge_gap_far",
        /// Body between the small and the large gap from the edge line.
        EdgeGapNear = "edge_gap_near",
        /// Parking brake not applied after stopping.
        ParkingBrakeNotApplied = "parking_brake_not_applied",
        /// Restart took too long after the stop.
        RestartTimeout = "restart_timeout",
        /// Driving the item in too low a gear.
        LowGear = "low_gear",
        /// Coasting in neutral.
        CoastingNeutral = "coasting_neutral",
        /// Moving in a forward gear with the engine speed outside its band for too long.
        RpmOutOfBand = "rpm_out_of_band",
        /// Crossed two or more lane lines in one lane change.
        MultiLaneChange = "multi_lane_change",
        /// Front bumper crossed a stop line of the map while the light was red.
        RedLight = "red_light",
        /// Moving with a door open.
        DoorOpen = "door_open",
        /// Moved off with the parking brake on, not corrected.
        ParkingBrakeOnMoving = "parking_brake_on_moving",
        /// Moved off with the parking brake on, corrected in time.
        ParkingBrakeCorrected = "parking_brake_corrected",
        /// Faster than the limit of the area.
        Overspeed = "overspeed",
        /// Straddled a lane divider too long.
        StraddleLane = "straddle_lane",
        /// Did not move off in time after a green light.
        GreenStartTimeout = "green_start_timeout",
        /// Body over the road edge after pulling over.
        PullOverOverLine = "pull_over_over_line",
        /// Did not stop within the distance allowed after the pull-over command.
        PullOverDistance = "pull_over_distance",
        /// Opened a door after pulling over with the engine still running.
        EngineOnLeaving = "engine_on_leaving",
        /// Wrong lights for a simulated night-lights prompt.
        NightLightsWrong = "night_lights_wrong",
    }
}

/// Where a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole subject.
    General,
    /// A Subject 2 item.
    Item(ItemKind),
    /// Subject 3 起步.
    MovingOff,
    /// Subject 3 变更车道.
    LaneChange,
    /// Subject 3 靠边停车.
    PullOver,
    /// Subject 3 路口转弯 (left or right).
    Turn,
    /// Subject 3 掉头.
    UTurn,
    /// Subject 3 超车.
    Overtake,
    /// Subject 3 area items (school, bus stop, crosswalk, junction) and speed segments.
    Area(AreaKind),
    /// Subject 3 模拟夜间灯光.
    NightLights,
}

impl Scope {
    /// Parses the catalogue spelling.
    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "general" => Scope::General,
            "moving_off" => Scope::MovingOff,
            "lane_change" => Scope::LaneChange,
            "pull_over" => Scope::PullOver,
            "turn" => Scope::Turn,
            "u_turn" => Scope::UTurn,
            "overtake" => Scope::Overtake,
            "night_lights" => Scope::NightLights,
            "school" => Scope::Area(AreaKind::School),
            "bus_stop" => Scope::Area(AreaKind::BusStop),
            "crosswalk" => Scope::Area(AreaKind::Crosswalk),
            "junction" => Scope::Area(AreaKind::Junction),
            "segment" => Scope::Area(AreaKind::Segment),
            other => Scope::Item(ItemKind::parse(other).filter(|k| *k != ItemKind::Route)?),
        })
    }
    /// The catalogue spelling (also used as the deduction's `item` in Subject 3).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::General => "general",
            Scope::Item(k) => k.as_str(),
            Scope::MovingOff => "moving_off",
            Scope::LaneChange => "lane_change",
            Scope::PullOver => "pull_over",
            Scope::Turn => "turn",
            Scope::UTurn => "u_turn",
            Scope::Overtake => "overtake",
            Scope::Area(a) => a.as_str(),
            Scope::NightLights => "night_lights",
        }
    }
}

/// One resolved rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Code.
    pub code: RuleCode,
    /// Subject.
    pub subject: Subject,
    /// Where it applies.
    pub scope: Scope,
    /// The detector that finds it; `None` for rules only the examiner can enter.
    pub fault: Option<Fault>,
    /// Cost.
    pub penalty: Penalty,
    /// Whether it may be deducted more than once per item.
    pub repeatable: bool,
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
    /// Typed parameters; the key's suffix is the unit (`_s`, `_cm`, `_kmh`, `_m`, `_deg`, `_count`, `_rpm`).
    pub params: BTreeMap<String, f64>,
}

impl Rule {
    /// A parameter, or `default` when the catalogue does not set it.
    pub fn param(&self, key: &str, default: f64) -> f64 {
        self.params.get(key).copied().unwrap_or(default)
    }
}

/// What the driver must do for one simulated night-lights prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightsExpect {
    /// High beam on.
    HighBeam,
    /// Low beam on, high beam off.
    LowBeam,
    /// High beam flashed (switched at least twice) within the window.
    Alternate,
    /// Hazard lights on.
    Hazard,
}

/// One prompt of the simulated night-lights sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct NightPrompt {
    /// Chinese prompt text.
    pub zh: String,
    /// English prompt text.
    pub en: String,
    /// Required response.
    pub expect: LightsExpect,
    /// Time the candidate has, seconds.
    pub window_s: f64,
}

/// A resolved catalogue: one standard, at most one region.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    /// The standard it was resolved for.
    pub standard: Standard,
    /// The region, if any.
    pub region: Option<String>,
    rules: Vec<Rule>,
    by_key: HashMap<(Subject, Scope, Fault), usize>,
    by_code: HashMap<RuleCode, usize>,
    pass_marks: Vec<PassMark>,
    /// The simulated night-lights sequence.
    pub night_prompts: Vec<NightPrompt>,
}

#[derive(Debug, Clone, PartialEq)]
struct PassMark {
    subject: Subject,
    classes: Vec<VehicleClass>,
    mark: u8,
}

impl Catalogue {
    /// The rule pricing `fault` in `scope`, falling back to the subject's general rule.
    pub fn rule_for(&self, subject: Subject, scope: Scope, fault: Fault) -> Option<&Rule> {
        self.by_key
            .get(&(subject, scope, fault))
            .or_else(|| self.by_key.get(&(subject, Scope::General, fault)))
            .map(|&i| &self.rules[i])
    }
    /// A rule by code.
    pub fn by_code(&self, code: &str) -> Option<&Rule> {
        RuleCode::parse(code)
            .and_then(|c| self.by_code.get(&c))
            .map(|&i| &self.rules[i])
    }
    /// All rules, sorted by code.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
    /// The pass mark for a subject and class (100 when the catalogue has none: nothing may be lost).
    pub fn pass_mark(&self, subject: Subject, class: VehicleClass) -> u8 {
        self.pass_marks
            .iter()
            .find(|p| p.subject == subject && (p.classes.is_empty() || p.classes.contains(&class)))
            .map_or(100, |p| p.mark)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum PenaltyDto {
    Points(u8),
    Word(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDto {
    code: String,
    subject: Option<u8>,
    scope: Option<String>,
    fault: Option<String>,
    penalty: Option<PenaltyDto>,
    repeatable: Option<bool>,
    zh: Option<String>,
    en: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, f64>,
    /// Provenance tag from the research notes ([L], [S2], [S1]) and remarks.
    #[allow(dead_code)]
    source: Option<String>,
    standard: Option<String>,
    region: Option<String>,
    #[serde(default)]
    remove: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassMarkDto {
    subject: u8,
    #[serde(default)]
    classes: Vec<String>,
    mark: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NightPromptDto {
    zh: String,
    en: String,
    expect: String,
    window_s: f64,
}

/// A parsed, unresolved catalogue source (one or more TOML files merged).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSource {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    pass_mark: Vec<PassMarkDto>,
    #[serde(default)]
    rule: Vec<RuleDto>,
    #[serde(default)]
    variant: Vec<RuleDto>,
    #[serde(default)]
    regional: Vec<RuleDto>,
    #[serde(default)]
    night_prompt: Vec<NightPromptDto>,
}

fn invalid(code: &str, problem: impl Into<String>) -> CatalogueError {
    CatalogueError::Invalid {
        code: code.into(),
        problem: problem.into(),
    }
}

const UNITS: &[&str] = &["_s", "_cm", "_kmh", "_m", "_deg", "_count", "_rpm"];

fn complete(d: &RuleDto) -> Result<Rule, CatalogueError> {
    let code =
        RuleCode::parse(&d.code).ok_or_else(|| invalid(&d.code, "code must be 5 or 7 digits"))?;
    let subject = d
        .subject
        .and_then(Subject::from_number)
        .ok_or_else(|| invalid(&d.code, "subject must be 2 or 3"))?;
    let scope = Scope::parse(d.scope.as_deref().unwrap_or("general"))
        .ok_or_else(|| invalid(&d.code, "unknown scope"))?;
    let fault = match d.fault.as_deref() {
        None | Some("manual") => None,
        Some(f) => {
            Some(Fault::parse(f).ok_or_else(|| invalid(&d.code, format!("unknown fault `{f}`")))?)
        }
    };
    let penalty = penalty(
        &d.code,
        d.penalty
            .as_ref()
            .ok_or_else(|| invalid(&d.code, "no penalty"))?,
    )?;
    let rule = Rule {
        code,
        subject,
        scope,
        fault,
        penalty,
        repeatable: d.repeatable.unwrap_or(false),
        zh: d.zh.clone().ok_or_else(|| invalid(&d.code, "no zh text"))?,
        en: d.en.clone().ok_or_else(|| invalid(&d.code, "no en text"))?,
        params: BTreeMap::new(),
    };
    let mut rule = rule;
    apply_params(&mut rule, &d.params)?;
    Ok(rule)
}

fn penalty(code: &str, p: &PenaltyDto) -> Result<Penalty, CatalogueError> {
    match p {
        PenaltyDto::Word(w) if w == "fail" => Ok(Penalty::Fail),
        PenaltyDto::Points(n @ 1..=99) => Ok(Penalty::Minus(*n)),
        _ => Err(invalid(code, "penalty must be \"fail\" or 1..99 points")),
    }
}

fn apply_params(rule: &mut Rule, params: &BTreeMap<String, f64>) -> Result<(), CatalogueError> {
    for (k, v) in params {
        if !UNITS.iter().any(|u| k.ends_with(u)) {
            return Err(invalid(
                rule.code.as_str(),
                format!("parameter `{k}` has no unit suffix"),
            ));
        }
        if !v.is_finite() || *v < 0.0 {
            return Err(invalid(
                rule.code.as_str(),
                format!("parameter `{k}` must be finite and ≥ 0"),
            ));
        }
        rule.params.insert(k.clone(), *v);
    }
    Ok(())
}

impl CatalogueSource {
    /// Parses one TOML file.
    pub fn from_toml(text: &str) -> Result<Self, CatalogueError> {
        toml::from_str(text).map_err(|e| CatalogueError::Toml(e.to_string()))
    }

    /// Adds another file's entries (a regional file, say).
    pub fn merge(&mut self, other: CatalogueSource) {
        self.name = self.name.take().or(other.name);
        self.pass_mark.extend(other.pass_mark);
        self.rule.extend(other.rule);
        self.variant.extend(other.variant);
        self.regional.extend(other.regional);
        self.night_prompt.extend(other.night_prompt);
    }

    /// Resolves the baseline plus the differences of `standard` and the overrides of `region`.
    pub fn resolve(
        &self,
        standard: Standard,
        region: Option<&str>,
    ) -> Result<Catalogue, CatalogueError> {
        let mut rules: BTreeMap<RuleCode, Rule> = BTreeMap::new();
        for d in &self.rule {
            let r = complete(d)?;
            if rules.insert(r.code.clone(), r).is_some() {
                return Err(CatalogueError::Duplicate(d.code.clone()));
            }
        }
        for d in &self.variant {
            let st = d.standard.as_deref().and_then(Standard::parse);
            let st = st.ok_or_else(|| invalid(&d.code, "variant needs a known `standard`"))?;
            if st == standard {
                override_rule(&mut rules, d)?;
            }
        }
        for d in &self.regional {
            let reg = d
                .region
                .as_deref()
                .ok_or_else(|| invalid(&d.code, "regional entry needs `region`"))?;
            if Some(reg) == region {
                override_rule(&mut rules, d)?;
            }
        }
        let rules: Vec<Rule> = rules.into_values().collect();
        let mut by_key = HashMap::new();
        let mut by_code = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            by_code.insert(r.code.clone(), i);
            match r.fault {
                Some(f) if by_key.insert((r.subject, r.scope, f), i).is_some() => {
                    return Err(invalid(
                        r.code.as_str(),
                        "another rule prices the same fault in the same scope",
                    ));
                }
                _ => {}
            }
        }
        let pass_marks = self
            .pass_mark
            .iter()
            .map(|p| {
                Ok(PassMark {
                    subject: Subject::from_number(p.subject)
                        .ok_or_else(|| invalid("pass_mark", "subject must be 2 or 3"))?,
                    classes: p
                        .classes
                        .iter()
                        .map(|c| {
                            VehicleClass::parse(c)
                                .ok_or_else(|| invalid("pass_mark", format!("unknown class {c}")))
                        })
                        .collect::<Result<_, _>>()?,
                    mark: p.mark.min(100),
                })
            })
            .collect::<Result<_, CatalogueError>>()?;
        let night_prompts = self
            .night_prompt
            .iter()
            .map(|n| {
                let expect = match n.expect.as_str() {
                    "high_beam" => LightsExpect::HighBeam,
                    "low_beam" => LightsExpect::LowBeam,
                    "alternate" => LightsExpect::Alternate,
                    "hazard" => LightsExpect::Hazard,
                    other => {
                        return Err(invalid("night_prompt", format!("unknown expect `{other}`")));
                    }
                };
                Ok(NightPrompt {
                    zh: n.zh.clone(),
                    en: n.en.clone(),
                    expect,
                    window_s: n.window_s,
                })
            })
            .collect::<Result<_, CatalogueError>>()?;
        Ok(Catalogue {
            standard,
            region: region.map(str::to_owned),
            rules,
            by_key,
            by_code,
            pass_marks,
            night_prompts,
        })
    }
}

fn override_rule(rules: &mut BTreeMap<RuleCode, Rule>, d: &RuleDto) -> Result<(), CatalogueError> {
    let code =
        RuleCode::parse(&d.code).ok_or_else(|| invalid(&d.code, "code must be 5 or 7 digits"))?;
    if d.remove {
        rules.remove(&code);
        return Ok(());
    }
    match rules.get_mut(&code) {
        Some(r) => {
            if let Some(p) = &d.penalty {
                r.penalty = penalty(&d.code, p)?;
            }
            if let Some(rep) = d.repeatable {
                r.repeatable = rep;
            }
            if let Some(t) = &d.zh {
                r.zh = t.clone();
            }
            if let Some(t) = &d.en {
                r.en = t.clone();
            }
            if let Some(f) = &d.fault {
                r.fault = if f == "manual" {
                    None
                } else {
                    Some(Fault::parse(f).ok_or_else(|| invalid(&d.code, "unknown fault"))?)
                };
            }
            if let Some(s) = &d.scope {
                r.scope = Scope::parse(s).ok_or_else(|| invalid(&d.code, "unknown scope"))?;
            }
            apply_params(r, &d.params)?;
        }
        None => {
            if d.subject.is_none() || d.penalty.is_none() || d.zh.is_none() || d.en.is_none() {
                return Err(CatalogueError::UnknownOverride(d.code.clone()));
            }
            let r = complete(d)?;
            rules.insert(code, r);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
name = "test"
[[pass_mark]]
subject = 2
classes = ["C1", "C2"]
mark = 80
[[rule]]
code = "10202"
subject = 2
fault = "roll_back_minor"
penalty = 10
repeatable = true
zh = "起步时车辆后溜，但后溜距离小于30cm"
en = "Rolled back less than 30 cm when moving off"
params = { min_cm = 5 }
[[rule]]
code = "30205"
subject = 3
scope = "general"
fault = "signal_missing"
penalty = "fail"
zh = "不使用或错误使用转向灯"
en = "No or wrong turn signal"
[[variant]]
standard = "GA1026-2022"
code = "10202"
penalty = 5
params = { min_cm = 10 }
[[variant]]
standard = "GA1026-2016"
code = "30205"
penalty = 10
[[regional]]
region = "370800"
code = "4060601"
subject = 3
scope = "pull_over"
fault = "parking_brake_not_applied"
penalty = "fail"
zh = "停车后，未拉紧驻车制动器（济宁）"
en = "Parking brake not applied after stopping (Jining)"
"#;

    #[test]
    fn versions_and_regions_are_data() {
        let src = CatalogueSource::from_toml(SRC).unwrap();
        let base = src.resolve(Standard::Ga1026_2017, None).unwrap();
        let r = base
            .rule_for(
                Subject::Two,
                Scope::Item(ItemKind::HillStart),
                Fault::RollBackMinor,
            )
            .unwrap();
        assert_eq!(
            (r.code.as_str(), r.penalty, r.param("min_cm", 0.0)),
            ("10202", Penalty::Minus(10), 5.0)
        );
        assert_eq!(base.by_code("30205").unwrap().penalty, Penalty::Fail);
        assert!(base.by_code("4060601").is_none());
        assert_eq!(base.pass_mark(Subject::Two, VehicleClass::C1), 80);
        assert_eq!(base.pass_mark(Subject::Three, VehicleClass::C1), 100);

        let v22 = src.resolve(Standard::Ga1026_2022, None).unwrap();
        let r = v22.by_code("10202").unwrap();
        assert_eq!(
            (r.penalty, r.param("min_cm", 0.0)),
            (Penalty::Minus(5), 10.0)
        );
        assert_eq!(
            src.resolve(Standard::Ga1026_2016, None)
                .unwrap()
                .by_code("30205")
                .unwrap()
                .penalty,
            Penalty::Minus(10)
        );

        let jn = src.resolve(Standard::Ga1026_2017, Some("370800")).unwrap();
        let r = jn
            .rule_for(
                Subject::Three,
                Scope::PullOver,
                Fault::ParkingBrakeNotApplied,
            )
            .unwrap();
        assert_eq!(r.code.as_str(), "4060601");
    }

    #[test]
    fn bad_entries_are_rejected() {
        let dup = format!(
            "{SRC}\n[[rule]]\ncode = \"10202\"\nsubject = 2\npenalty = 10\nzh = \"x\"\nen = \"x\"\n"
        );
        let src = CatalogueSource::from_toml(&dup).unwrap();
        assert_eq!(
            src.resolve(Standard::Ga1026_2017, None).unwrap_err(),
            CatalogueError::Duplicate("10202".into())
        );
        let unit = SRC.replace("min_cm = 5", "min = 5");
        let src = CatalogueSource::from_toml(&unit).unwrap();
        assert!(matches!(
            src.resolve(Standard::Ga1026_2017, None),
            Err(CatalogueError::Invalid { .. })
        ));
        let orphan =
            format!("{SRC}\n[[regional]]\nregion = \"1\"\ncode = \"99999\"\npenalty = 10\n");
        let src = CatalogueSource::from_toml(&orphan).unwrap();
        assert_eq!(
            src.resolve(Standard::Ga1026_2017, Some("1")).unwrap_err(),
            CatalogueError::UnknownOverride("99999".into())
        );
        assert!(CatalogueSource::from_toml("[[rule]]\nbogus = 1").is_err());
    }
}
