//! Shared judging state: the deduction sink, motion tracking (stops, move-offs, roll-back) and
//! the indicator history with the 3-second rule.

use std::collections::HashSet;

use crate::catalogue::{Catalogue, Fault, Penalty, RuleCode, Scope};
use crate::course::{Side, Subject};
use crate::geom::{Vec2, cm};
use crate::telemetry::{Gear, Sample};
use crate::vehicle::Footprint;
use crate::verdict::{Deduction, Finding};

/// Below this speed the car counts as stopped (km/h). A detector definition, not a rule.
pub(crate) const STOPPED_KMH: f64 = 0.5;

/// Where deductions go: prices faults through the catalogue, enforces "once per item" and the pass mark.
#[derive(Debug)]
pub(crate) struct Out<'a> {
    pub cat: &'a Catalogue,
    pub subject: Subject,
    pub pass_mark: u8,
    pub deductions: Vec<Deduction>,
    pub findings: Vec<Finding>,
    charged: HashSet<(String, RuleCode)>,
    lost: u32,
}

impl<'a> Out<'a> {
    pub fn new(cat: &'a Catalogue, subject: Subject, pass_mark: u8) -> Self {
        Self {
            cat,
            subject,
            pass_mark,
            deductions: Vec::new(),
            findings: Vec::new(),
            charged: HashSet::new(),
            lost: 0,
        }
    }

    /// A parameter of the rule pricing `fault` in `scope` (general fallback), or `default`.
    pub fn param(&self, scope: Scope, fault: Fault, key: &str, default: f64) -> f64 {
        self.cat
            .rule_for(self.subject, scope, fault)
            .map_or(default, |r| r.param(key, default))
    }

    /// Whether the catalogue prices `fault` in `scope` at all.
    pub fn priced(&self, scope: Scope, fault: Fault) -> bool {
        self.cat.rule_for(self.subject, scope, fault).is_some()
    }

    /// Records a detection; `label` is the deduction's `item`.
    pub fn fault(&mut self, t_ms: u64, scope: Scope, label: &str, fault: Fault, detail: String) {
        let Some(rule) = self.cat.rule_for(self.subject, scope, fault) else {
            self.findings.push(Finding::Unpriced {
                t_ms,
                fault: fault.as_str(),
                scope: scope.as_str(),
            });
            return;
        };
        let (code, penalty, repeatable) = (rule.code.clone(), rule.penalty, rule.repeatable);
        let reason = if detail.is_empty() {
            rule.zh.clone()
        } else {
            format!("{} ({detail})", rule.zh)
        };
        self.charge(t_ms, label, code, penalty, repeatable, reason);
    }

    /// Records an examiner's manual deduction by code.
    pub fn manual(&mut self, t_ms: u64, label: &str, code: &str) {
        let Some(rule) = self.cat.by_code(code) else {
            self.findings.push(Finding::UnknownManualCode {
                t_ms,
                code: code.into(),
            });
            return;
        };
        let (c, p, r, reason) = (
            rule.code.clone(),
            rule.penalty,
            rule.repeatable,
            format!("{} (examiner)", rule.zh),
        );
        self.charge(t_ms, label, c, p, r, reason);
    }

    fn charge(
        &mut self,
        t_ms: u64,
        label: &str,
        code: RuleCode,
        penalty: Penalty,
        repeatable: bool,
        reason: String,
    ) {
        if !repeatable && !self.charged.insert((label.to_owned(), code.clone())) {
            return;
        }
        self.lost += u32::from(penalty.points());
        self.deductions.push(Deduction {
            t_ms,
            item: label.to_owned(),
            code,
            points: penalty.points(),
            reason,
        });
    }

    pub fn score(&self) -> u8 {
        100u32.saturating_sub(self.lost) as u8
    }

    /// The pass mark can no longer be reached.
    pub fn over(&self) -> bool {
        self.score() < self.pass_mark
    }
}

/// Intended direction of travel, from the gear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Forward,
    Backward,
}

impl Dir {
    fn of(g: Gear) -> Dir {
        if g == Gear::R {
            Dir::Backward
        } else {
            Dir::Forward
        }
    }
}

/// The car started moving after a stop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoveOff {
    pub stopped_ms: u64,
    pub dir_before: Option<Dir>,
    pub dir: Dir,
    pub first: bool,
    pub parking_brake_seen: bool,
}

/// What motion tracking saw in one sample.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MotionEvents {
    pub move_off: Option<MoveOff>,
    pub just_stopped: bool,
}

#[derive(Debug, Clone, Copy)]
struct Stop {
    since: u64,
    parking_brake_seen: bool,
}

#[derive(Debug, Clone, Copy)]
struct RollBack {
    anchor: Vec2,
    fwd: Vec2,
    max_back: f64,
    major: bool,
}

/// Stops, move-offs, roll-back and the indicators.
#[derive(Debug, Default)]
pub(crate) struct Motion {
    pub moving: bool,
    stop: Option<Stop>,
    last_dir: Option<Dir>,
    moved_off_once: bool,
    roll: Option<RollBack>,
    pub left_since: Option<u64>,
    pub right_since: Option<u64>,
}

/// Roll-back thresholds, read from the catalogue once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RollParams {
    pub major_m: f64,
    pub minor_m: f64,
}

impl Motion {
    /// Updates from one sample; `roll_out` receives a finished roll-back episode as (fault, metres).
    pub fn step(
        &mut self,
        t: u64,
        s: &Sample,
        fwd: Vec2,
        rp: RollParams,
        roll_out: &mut Vec<(Fault, f64)>,
    ) -> MotionEvents {
        let mut ev = MotionEvents::default();
        let moving = s.speed_kmh >= STOPPED_KMH;
        self.left_since = if s.signals.left_signal {
            self.left_since.or(Some(t))
        } else {
            None
        };
        self.right_since = if s.signals.right_signal {
            self.right_since.or(Some(t))
        } else {
            None
        };
        if moving && self.stop.is_some()
            || moving && !self.moved_off_once && self.last_dir.is_none()
        {
            let st = self.stop.take();
            ev.move_off = Some(MoveOff {
                stopped_ms: st.map_or(0, |s| t.saturating_sub(s.since)),
                dir_before: self.last_dir,
                dir: Dir::of(s.gear),
                first: !self.moved_off_once,
                parking_brake_seen: st.is_some_and(|s| s.parking_brake_seen),
            });
            self.moved_off_once = true;
        }
        if !moving && self.stop.is_none() {
            self.stop = Some(Stop {
                since: t,
                parking_brake_seen: false,
            });
            ev.just_stopped = self.moved_off_once;
            if self.roll.is_none() {
                self.roll = Some(RollBack {
                    anchor: s.pos,
                    fwd,
                    max_back: 0.0,
                    major: false,
                });
            }
        }
        if let Some(st) = &mut self.stop {
            st.parking_brake_seen |= s.signals.parking_brake;
        }
        if moving {
            self.last_dir = Some(Dir::of(s.gear));
        }
        self.moving = moving;
        // Roll-back: backward travel from the last stop while not in reverse.
        if let Some(r) = &mut self.roll {
            let back = -(s.pos - r.anchor).dot(r.fwd);
            if s.gear == Gear::R || back <= 0.0 && moving {
                if !r.major && r.max_back >= rp.minor_m {
                    roll_out.push((Fault::RollBackMinor, r.max_back));
                }
                self.roll = None;
            } else {
                r.max_back = r.max_back.max(back);
                if !r.major && r.max_back > rp.major_m {
                    r.major = true;
                    roll_out.push((Fault::RollBackMajor, r.max_back));
                }
            }
        }
        ev
    }
}

/// The 3-second rule: was the indicator for `side` on, alone, for at least `min_s` before `t`?
pub(crate) fn check_signal(m: &Motion, t: u64, side: Side, min_s: f64) -> Option<(Fault, String)> {
    let (want, other) = match side {
        Side::Left => (m.left_since, m.right_since),
        Side::Right => (m.right_since, m.left_since),
    };
    let name = match side {
        Side::Left => "left",
        Side::Right => "right",
    };
    match want {
        None if other.is_some() => Some((
            Fault::SignalMissing,
            format!("{name} indicator needed, the other one was on"),
        )),
        None => Some((Fault::SignalMissing, format!("{name} indicator off"))),
        Some(since) if (t - since) as f64 / 1000.0 + 1e-9 < min_s => Some((
            Fault::SignalShort,
            format!("{name} indicator on {:.1} s", (t - since) as f64 / 1000.0),
        )),
        Some(_) => None,
    }
}

/// Centimetre text for a detail.
pub(crate) fn cm_text(m: f64) -> String {
    format!("{} cm", cm(m))
}

/// One sample as the item detectors see it.
pub(crate) struct Frame<'s> {
    pub t: u64,
    pub s: &'s Sample,
    pub fp: Footprint,
    pub motion: &'s Motion,
    pub move_off: Option<MoveOff>,
    pub just_stopped: bool,
}
