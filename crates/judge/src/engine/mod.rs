//! The incremental judge: push one record, get the deductions it caused.

mod measure;
mod road;
mod site;
mod state;

use road::Road;
use site::Site;
use state::{Frame, Motion, Out, RollParams, check_signal};

use crate::catalogue::{Catalogue, Fault, Scope};
use crate::course::{Course, Side, Subject};
use crate::telemetry::{Event, Gear, Record, RecordBody, Sample};
use crate::vehicle::VehicleProfile;
use crate::verdict::{Deduction, Finding, Verdict};

/// Judges one drive, one record at a time. Deterministic: the same records give the same output.
///
/// The exam ends as soon as the pass mark is out of reach; later records are counted and ignored.
#[derive(Debug)]
pub struct Judge<'a> {
    course: &'a Course,
    vehicle: &'a VehicleProfile,
    out: Out<'a>,
    motion: Motion,
    site: Option<Site>,
    road: Option<Road>,
    roll: RollParams,
    rolls: Vec<(Fault, f64)>,
    last_t: Option<u64>,
    last_sample: Option<Sample>,
    ignored: u64,
    coast_since: Option<u64>,
    /// Coasting thresholds (km/h, s), read once.
    coast: (f64, f64),
    /// Engine speed band (min rpm, max rpm, s), read once; `None` when the catalogue does not
    /// price it for this subject.
    rpm_band: Option<(f64, f64, f64)>,
    /// Since when the engine speed has been outside the band while moving, and whether charged.
    rpm_out_since: Option<(u64, bool)>,
}

impl<'a> Judge<'a> {
    /// A judge for one drive on `course` in `vehicle`, priced by `catalogue`.
    pub fn new(course: &'a Course, vehicle: &'a VehicleProfile, catalogue: &'a Catalogue) -> Self {
        let subject = course.subject();
        let mut out = Out::new(
            catalogue,
            subject,
            catalogue.pass_mark(subject, vehicle.class),
        );
        out.findings
            .extend(course.warnings.iter().cloned().map(Finding::Course));
        let roll = RollParams {
            major_m: out.param(Scope::General, Fault::RollBackMajor, "min_cm", 30.0) / 100.0,
            minor_m: out.param(Scope::General, Fault::RollBackMinor, "min_cm", 5.0) / 100.0,
        };
        let coast = (
            out.param(Scope::General, Fault::CoastingNeutral, "min_kmh", 5.0),
            out.param(Scope::General, Fault::CoastingNeutral, "min_s", 2.0),
        );
        let rpm_band = out.priced(Scope::General, Fault::RpmOutOfBand).then(|| {
            let p = |k, d| out.param(Scope::General, Fault::RpmOutOfBand, k, d);
            (p("min_rpm", 800.0), p("max_rpm", 3500.0), p("max_s", 5.0))
        });
        let road = (subject == Subject::Three).then(|| Road::new(course, &out));
        Self {
            course,
            vehicle,
            out,
            motion: Motion::default(),
            site: (subject == Subject::Two).then(|| Site::new(course)),
            road,
            roll,
            rolls: Vec::new(),
            last_t: None,
            last_sample: None,
            ignored: 0,
            coast_since: None,
            coast,
            rpm_band,
            rpm_out_since: None,
        }
    }

    /// Whether the pass mark is out of reach (the exam is over).
    pub fn is_over(&self) -> bool {
        self.out.over()
    }

    /// The running score.
    pub fn score(&self) -> u8 {
        self.out.score()
    }

    /// The item in progress, if any: a Subject 2 item's id (`rp1`), or the Subject 3 manoeuvre
    /// being judged (`pull_over`, `night_lights`, …). Callers diff it after each push to log
    /// item starts and ends.
    pub fn item(&self) -> Option<&'a str> {
        let course: &'a Course = self.course;
        match (&self.site, &self.road) {
            (Some(site), _) => site.item(course),
            (None, Some(road)) => road.item(),
            (None, None) => None,
        }
    }

    /// All deductions so far.
    pub fn deductions(&self) -> &[Deduction] {
        &self.out.deductions
    }

    /// Judges one record and returns the deductions it caused.
    pub fn push(&mut self, rec: &Record) -> &[Deduction] {
        let before = self.out.deductions.len();
        if self.out.over() {
            self.ignored += 1;
            return &[];
        }
        let t = rec.t_ms;
        match &rec.body {
            RecordBody::Sample(s) => self.sample(t, s),
            RecordBody::Event(e) => self.event(t, e),
        }
        self.last_t = Some(t);
        &self.out.deductions[before..]
    }

    fn label(&self) -> &'a str {
        let course: &'a Course = self.course;
        match &self.site {
            Some(site) => site.label(course),
            None => "general",
        }
    }

    fn scope(&self) -> Scope {
        self.site
            .as_ref()
            .map_or(Scope::General, |s| s.scope(self.course))
    }

    fn event(&mut self, t: u64, e: &Event) {
        match e {
            Event::ManualDeduction(code) => {
                let label = self.label();
                self.out.manual(t, label, code);
            }
            Event::Command(c) => {
                if let Some(road) = &mut self.road {
                    road.command(&mut self.out, t, c);
                }
            }
            Event::TrafficLight(l) => {
                if let Some(road) = &mut self.road {
                    road.traffic_light(t, *l, self.motion.moving);
                }
            }
            Event::Unknown(name) => self.out.findings.push(Finding::UnknownEvent {
                t_ms: t,
                name: name.clone(),
            }),
        }
    }

    fn sample(&mut self, t: u64, s: &Sample) {
        if let Some(gap) = self
            .last_sample
            .and(self.last_t)
            .map(|p| t - p)
            .filter(|&g| g > 1000)
        {
            self.out.findings.push(Finding::SampleGap {
                t_ms: t,
                gap_ms: gap,
            });
        }
        let fp = self.vehicle.footprint(s.pos, s.heading_deg);
        let ev = self
            .motion
            .step(t, s, fp.forward, self.roll, &mut self.rolls);
        let scope = self.scope();
        let general = if self.road.is_some() {
            "general"
        } else {
            self.label()
        };
        for (fault, m) in self.rolls.drain(..) {
            self.out.fault(
                t,
                scope,
                general,
                fault,
                format!("rolled back {} cm", crate::geom::cm(m)),
            );
        }
        if self.motion.moving && !s.signals.seatbelt {
            self.out
                .fault(t, scope, general, Fault::SeatbeltOff, String::new());
        }
        let engine_was_on = self.last_sample.is_some_and(|p| p.signals.engine_on);
        if engine_was_on && !s.signals.engine_on && !matches!(s.gear, Gear::N | Gear::P) {
            self.out.fault(
                t,
                scope,
                general,
                Fault::Stall,
                format!("in gear {}", s.gear.as_str()),
            );
        }
        self.coasting(t, s, scope, general);
        self.rpm(t, s, scope, general);
        let frame = Frame {
            t,
            s,
            fp,
            motion: &self.motion,
            move_off: ev.move_off,
            just_stopped: ev.just_stopped,
        };
        if let Some(site) = &mut self.site {
            // Subject 2 moving off from the start point: left indicator for 3 s.
            if ev.move_off.is_some_and(|m| m.first) {
                let min_s = self
                    .out
                    .param(Scope::General, Fault::SignalShort, "min_s", 3.0);
                if let Some((fault, d)) = check_signal(&self.motion, t, Side::Left, min_s) {
                    self.out.fault(t, Scope::General, "general", fault, d);
                }
            }
            site.step(self.course, &mut self.out, &frame);
        }
        if let Some(road) = &mut self.road {
            road.step(self.course, &mut self.out, &frame);
        }
        self.last_sample = Some(*s);
    }

    fn coasting(&mut self, t: u64, s: &Sample, scope: Scope, label: &str) {
        if s.gear == Gear::N && s.speed_kmh > self.coast.0 {
            let since = *self.coast_since.get_or_insert(t);
            if (t - since) as f64 / 1000.0 > self.coast.1 {
                self.out.fault(
                    t,
                    scope,
                    label,
                    Fault::CoastingNeutral,
                    format!("{:.0} km/h in neutral", s.speed_kmh),
                );
            }
        } else {
            self.coast_since = None;
        }
    }

    /// Gear and speed mismatched: moving in a forward gear with the engine speed outside the
    /// catalogue's band for longer than its duration; charged once per episode.
    fn rpm(&mut self, t: u64, s: &Sample, scope: Scope, label: &str) {
        let Some((min, max, max_s)) = self.rpm_band else {
            return;
        };
        let out_of_band = s.rpm < min || s.rpm > max;
        if !(self.motion.moving && s.gear.is_forward() && s.signals.engine_on && out_of_band) {
            self.rpm_out_since = None;
            return;
        }
        let (since, charged) = self.rpm_out_since.get_or_insert((t, false));
        if !*charged && (t - *since) as f64 / 1000.0 > max_s {
            *charged = true;
            let d = format!(
                "{:.0} rpm in gear {} at {:.0} km/h for over {max_s:.0} s (band {min:.0}–{max:.0})",
                s.rpm,
                s.gear.as_str(),
                s.speed_kmh
            );
            self.out.fault(t, scope, label, Fault::RpmOutOfBand, d);
        }
    }

    /// Ends the drive: judges what only the end can show, and returns the verdict and findings.
    pub fn finish(mut self) -> (Verdict, Vec<Finding>) {
        let t = self.last_t.unwrap_or(0);
        if !self.out.over() {
            if let (Some(site), Some(s)) = (&mut self.site, self.last_sample) {
                site.end(self.course, &mut self.out, t, &s);
            }
            if let Some(road) = &mut self.road {
                road.finish(&mut self.out, t);
            }
        }
        if self.ignored > 0 {
            self.out.findings.push(Finding::IgnoredAfterEnd {
                count: self.ignored,
            });
        }
        let score = self.out.score();
        let verdict = Verdict {
            subject: self.out.subject,
            score,
            passed: score >= self.out.pass_mark,
            deductions: self.out.deductions,
        };
        (verdict, self.out.findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::CatalogueSource;
    use crate::catalogue::Standard;
    use crate::geom::Vec2;
    use crate::sim::{Sim, Steer, layout};
    use crate::telemetry::Event;

    const GA1026: &str = include_str!("../../../../fixtures/judge/catalogue/ga1026.toml");

    fn setup() -> (Course, VehicleProfile, Catalogue) {
        let course = Course::from_geojson(&layout::subject3_course().to_geojson()).unwrap();
        let vehicle = VehicleProfile::from_json(layout::C1_PROFILE).unwrap();
        let cat = CatalogueSource::from_toml(GA1026)
            .unwrap()
            .resolve(Standard::Ga1026_2017, None)
            .unwrap();
        (course, vehicle, cat)
    }

    /// Two -10 manual deductions put Subject 3 (pass 90) out of reach: everything after is ignored.
    #[test]
    fn exam_ends_when_the_pass_mark_is_out_of_reach() {
        let (course, vehicle, cat) = setup();
        let mut s = Sim::new(&vehicle, Vec2::new(5.0, 0.0), 90.0, 100);
        s.move_off_prep(3500, Gear::Manual(1));
        s.drive(5.0, Steer::Straight, 10.0);
        for code in ["30204", "30204", "30101"] {
            s.event(Event::ManualDeduction(code.into()));
        }
        s.drive(5.0, Steer::Straight, 10.0);
        let mut j = Judge::new(&course, &vehicle, &cat);
        let mut live = Vec::new();
        for r in s.records() {
            live.extend(
                j.push(r)
                    .iter()
                    .map(|d| (d.code.as_str().to_owned(), d.points)),
            );
        }
        assert!(j.is_over());
        assert_eq!(j.score(), 80);
        let (v, findings) = j.finish();
        assert_eq!(live, [("30204".to_owned(), 10), ("30204".to_owned(), 10)]);
        assert!(!v.passed);
        assert_eq!(v.deductions.len(), 2);
        assert!(matches!(
            findings.last(),
            Some(Finding::IgnoredAfterEnd { count: 19 })
        ));
    }

    /// `item()` names each Subject 2 item while the car is inside it, in course order, and
    /// nothing between items.
    #[test]
    fn item_in_progress_follows_the_triggers() {
        let course = Course::from_geojson(&layout::subject2_course().to_geojson()).unwrap();
        let vehicle = VehicleProfile::from_json(layout::C1_PROFILE).unwrap();
        let cat = CatalogueSource::from_toml(GA1026)
            .unwrap()
            .resolve(Standard::Ga1026_2017, None)
            .unwrap();
        let drive = crate::sim::scenarios::all()
            .into_iter()
            .find(|s| s.name == "s2-full-clean")
            .unwrap();
        let mut j = Judge::new(&course, &vehicle, &cat);
        assert_eq!(j.item(), None);
        let mut seen: Vec<String> = Vec::new();
        for r in &drive.records {
            j.push(r);
            if let Some(i) = j.item()
                && seen.last().map(String::as_str) != Some(i)
            {
                seen.push(i.to_owned());
            }
        }
        let ids: Vec<String> = course.items.iter().map(|i| i.id.clone()).collect();
        assert_eq!(seen, ids);
        assert_eq!(j.item(), None, "the drive ends outside every item");
    }

    /// Over-revving in second gear for 6 s is charged once; revving at rest or in neutral is not.
    #[test]
    fn rpm_out_of_band_while_moving_in_gear() {
        let (course, vehicle, cat) = setup();
        let codes = |high_ms: u64, gear: Gear| {
            let mut s = Sim::new(&vehicle, Vec2::new(5.0, 0.0), 90.0, 100);
            s.move_off_prep(3500, Gear::Manual(1));
            s.drive(5.0, Steer::Straight, 10.0).shift(gear).rpm_moving = 4200.0;
            s.drive(high_ms as f64 / 1000.0 * 4.0 / 3.6, Steer::Straight, 4.0);
            s.rpm_moving = 1500.0;
            s.shift(Gear::Manual(2)).drive(5.0, Steer::Straight, 10.0);
            let (v, _) = crate::judge_report(&course, &vehicle, &cat, s.into_records().into_iter());
            v.deductions
                .iter()
                .map(|d| d.code.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(12_000, Gear::Manual(2)), ["30110"]);
        assert!(codes(4_000, Gear::Manual(2)).is_empty());
        // Neutral at speed is coasting (30112), never a gear/speed mismatch.
        assert!(!codes(12_000, Gear::N).contains(&"30110".to_owned()));
    }

    /// Unknown events and codes become findings, never errors or deductions.
    #[test]
    fn bad_exam_data_gives_findings() {
        let (course, vehicle, cat) = setup();
        let mut s = Sim::new(&vehicle, Vec2::new(5.0, 0.0), 90.0, 100);
        s.hold(200)
            .event(Event::Unknown("fog".into()))
            .event(Event::ManualDeduction("12345".into()))
            .hold(2000);
        let (v, f) = crate::judge_report(&course, &vehicle, &cat, s.into_records().into_iter());
        assert_eq!((v.score, v.passed), (100, true));
        assert!(f.contains(&Finding::UnknownEvent {
            t_ms: 200,
            name: "fog".into()
        }));
        assert!(f.contains(&Finding::UnknownManualCode {
            t_ms: 200,
            code: "12345".into()
        }));
    }
}
