//! One exam session's judging, without IO: lines in, the events to log out.
//!
//! The WebSocket loop ([`super::live`]) feeds it the car's telemetry lines and the examiner's
//! manual deductions, appends what it returns, and tells the car. Replaying the logged telemetry
//! through [`judge::judge`] gives the same verdict, because both run the same incremental judge.

use judge::telemetry::{Event, Record, RecordBody, parse_line};
use judge::{Judge, Verdict};

use super::events::{DeductionV1, DrivingEvent, ItemV1, ResultV1, TelemetryV1};
use super::inputs::Setup;

/// A chunk is logged once it holds this many bytes of telemetry…
pub const CHUNK_BYTES: usize = 48 * 1024;
/// …or spans this much drive time (so a crash loses at most this much raw telemetry).
pub const CHUNK_MS: u64 = 5_000;

/// Why a line was refused (the car is told; the line is neither judged nor logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Not telemetry v1.
    #[error("{0}")]
    Telemetry(String),
    /// The exam is over.
    #[error("the exam is over (the pass mark is out of reach)")]
    Over,
}

/// A manual deduction the examiner may not enter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManualError {
    /// The code is not in the catalogue for this subject.
    #[error("rule code {0:?} is not in the catalogue for Subject {1}")]
    UnknownCode(String, u8),
    /// The exam is over.
    #[error("the exam is over (the pass mark is out of reach)")]
    Over,
}

/// A running session.
pub struct Session<'s> {
    /// Session id.
    pub id: String,
    /// The candidate.
    pub candidate: String,
    setup: &'s Setup,
    judge: Judge<'s>,
    pushed: usize,
    item: Option<String>,
    pending: String,
    pending_from: Option<u64>,
    chunk: u32,
    records: u64,
    line_no: usize,
    last_t: Option<u64>,
    last_speed: Option<f64>,
    digest: ring::digest::Context,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl<'s> Session<'s> {
    /// A session judged with `setup`.
    pub fn new(id: String, candidate: String, setup: &'s Setup) -> Self {
        Session {
            id,
            candidate,
            setup,
            judge: Judge::new(&setup.course, &setup.vehicle, &setup.catalogue),
            pushed: 0,
            item: None,
            pending: String::new(),
            pending_from: None,
            chunk: 0,
            records: 0,
            line_no: 0,
            last_t: None,
            last_speed: None,
            digest: ring::digest::Context::new(&ring::digest::SHA256),
        }
    }

    /// The running score.
    pub fn score(&self) -> u8 {
        self.judge.score()
    }

    /// The speed of the last sample judged, km/h (a process photo's 车速).
    pub fn speed_kmh(&self) -> Option<f64> {
        self.last_speed
    }

    /// Whether the pass mark is out of reach.
    pub fn is_over(&self) -> bool {
        self.judge.is_over()
    }

    /// Judges one telemetry line from the car; returns the events to log, in order.
    pub fn line(&mut self, text: &str, now: i64) -> Result<Vec<DrivingEvent>, LineError> {
        self.line_no += 1;
        let text = text.trim_end_matches(['\r', '\n']);
        let Some(rec) =
            parse_line(text, self.line_no).map_err(|e| LineError::Telemetry(e.to_string()))?
        else {
            return Ok(Vec::new());
        };
        if let Some(prev) = self.last_t.filter(|&p| rec.t_ms < p) {
            return Err(LineError::Telemetry(
                judge::TelemetryError::TimeBackwards {
                    line: self.line_no,
                    t_ms: rec.t_ms,
                    prev,
                }
                .to_string(),
            ));
        }
        if self.judge.is_over() {
            return Err(LineError::Over);
        }
        Ok(self.judge_record(&rec, text, None, now))
    }

    /// Enters an examiner's manual deduction at the current drive time.
    pub fn manual(
        &mut self,
        code: &str,
        examiner: &str,
        now: i64,
    ) -> Result<Vec<DrivingEvent>, ManualError> {
        let subject = self.setup.course.subject();
        match self.setup.catalogue.by_code(code) {
            Some(r) if r.subject == subject => {}
            _ => return Err(ManualError::UnknownCode(code.into(), subject.number())),
        }
        if self.judge.is_over() {
            return Err(ManualError::Over);
        }
        let rec = Record {
            t_ms: self.last_t.unwrap_or(0),
            body: RecordBody::Event(Event::ManualDeduction(code.into())),
        };
        let text = rec.to_json_line();
        Ok(self.judge_record(&rec, &text, Some(examiner), now))
    }

    fn judge_record(
        &mut self,
        rec: &Record,
        text: &str,
        by: Option<&str>,
        now: i64,
    ) -> Vec<DrivingEvent> {
        self.records += 1;
        self.last_t = Some(rec.t_ms);
        if let RecordBody::Sample(s) = &rec.body {
            self.last_speed = Some(s.speed_kmh);
        }
        self.pending.push_str(text);
        self.pending.push('\n');
        self.digest.update(text.as_bytes());
        self.digest.update(b"\n");
        self.pending_from.get_or_insert(rec.t_ms);
        let new: Vec<_> = self.judge.push(rec).to_vec();
        self.pushed += new.len();
        let item = self.judge.item().map(str::to_owned);
        let mut events = Vec::new();
        let changed = item != self.item;
        let (before, after): (Vec<_>, Vec<_>) = new.iter().partition(|d| {
            changed && self.item.as_deref() == Some(d.item.as_str()) && item.is_some()
        });
        let mut score = 100u8.saturating_sub(
            self.judge.deductions()[..self.pushed - new.len()]
                .iter()
                .map(|d| d.points)
                .fold(0u8, |a, p| a.saturating_add(p)),
        );
        let mut ded = |d: &judge::Deduction| {
            score = score.saturating_sub(d.points);
            DrivingEvent::Deduction(DeductionV1 {
                session: self.id.clone(),
                t_ms: d.t_ms,
                item: d.item.clone(),
                code: d.code.as_str().into(),
                points: d.points,
                reason: d.reason.clone(),
                score,
                by: by.map(str::to_owned),
                at: now,
            })
        };
        events.extend(before.into_iter().map(&mut ded));
        if changed {
            if let Some(old) = self.item.take() {
                events.push(DrivingEvent::ItemEnded(ItemV1 {
                    session: self.id.clone(),
                    item: old,
                    t_ms: rec.t_ms,
                    at: now,
                }));
            }
            if let Some(new_item) = &item {
                events.push(DrivingEvent::ItemStarted(ItemV1 {
                    session: self.id.clone(),
                    item: new_item.clone(),
                    t_ms: rec.t_ms,
                    at: now,
                }));
            }
            self.item = item;
        }
        events.extend(after.into_iter().map(&mut ded));
        let full = self.pending.len() >= CHUNK_BYTES
            || self
                .pending_from
                .is_some_and(|from| rec.t_ms.saturating_sub(from) >= CHUNK_MS);
        if !events.is_empty() || full {
            // The chunk that holds the line goes first: the log never shows a deduction
            // before the telemetry that caused it.
            let mut all = self.flush().into_iter().collect::<Vec<_>>();
            all.extend(events);
            return all;
        }
        events
    }

    /// The pending telemetry as a chunk event, if there is any.
    pub fn flush(&mut self) -> Option<DrivingEvent> {
        if self.pending.is_empty() {
            return None;
        }
        self.pending_from = None;
        let chunk = self.chunk;
        self.chunk += 1;
        Some(DrivingEvent::Telemetry(TelemetryV1 {
            session: self.id.clone(),
            chunk,
            lines: std::mem::take(&mut self.pending),
        }))
    }

    /// Ends the session (`ended` says why: `finished`, `pass_out_of_reach`, `disconnected`):
    /// what only the end can show, the last item's end, and the result.
    pub fn finish(mut self, ended: &str, now: i64) -> (Vec<DrivingEvent>, Verdict) {
        let mut events: Vec<_> = self.flush().into_iter().collect();
        let t = self.last_t.unwrap_or(0);
        let (id, candidate, pushed, item) = (
            self.id.clone(),
            self.candidate.clone(),
            self.pushed,
            self.item.take(),
        );
        let digest = hex::encode(self.digest.clone().finish().as_ref());
        let (records, chunks) = (self.records, self.chunk);
        let (verdict, _findings) = self.judge.finish();
        let mut score = 100u8.saturating_sub(
            verdict.deductions[..pushed]
                .iter()
                .fold(0u8, |a, d| a.saturating_add(d.points)),
        );
        for d in &verdict.deductions[pushed..] {
            score = score.saturating_sub(d.points);
            events.push(DrivingEvent::Deduction(DeductionV1 {
                session: id.clone(),
                t_ms: d.t_ms,
                item: d.item.clone(),
                code: d.code.as_str().into(),
                points: d.points,
                reason: d.reason.clone(),
                score,
                by: None,
                at: now,
            }));
        }
        if let Some(item) = item {
            events.push(DrivingEvent::ItemEnded(ItemV1 {
                session: id.clone(),
                item,
                t_ms: t,
                at: now,
            }));
        }
        events.push(DrivingEvent::Result(ResultV1 {
            session: id,
            candidate,
            subject: verdict.subject.number(),
            score: verdict.score,
            passed: verdict.passed,
            deductions: verdict.deductions.len() as u32,
            ended: ended.into(),
            records,
            chunks,
            telemetry_sha256: digest,
            photo: None,
            at: now,
        }));
        (events, verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driving::inputs::Library;
    use judge::Standard;

    fn setup(course: &str) -> std::sync::Arc<Setup> {
        Library::load(std::path::Path::new("/nonexistent"))
            .unwrap()
            .setup(course, "vehicle-c1", Standard::Ga1026_2017, None)
            .unwrap()
    }

    fn lines_of(evs: &[DrivingEvent]) -> String {
        evs.iter()
            .filter_map(|e| match e {
                DrivingEvent::Telemetry(t) => Some(t.lines.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every scenario judged line by line logs telemetry that re-judges to the live verdict,
    /// and chunks precede the deductions they caused.
    #[test]
    fn logged_telemetry_rejudges_to_the_live_verdict() {
        for sc in judge::sim::scenarios::all().into_iter().take(12) {
            let course = if sc.name.starts_with("s3") {
                "course-s3"
            } else {
                "course-s2"
            };
            let s = setup(course);
            let mut sess = Session::new("t".into(), "c".into(), &s);
            let mut evs = Vec::new();
            for r in &sc.records {
                match sess.line(&r.to_json_line(), 0) {
                    Ok(e) => evs.extend(e),
                    Err(LineError::Over) => break,
                    Err(e) => panic!("{}: {e}", sc.name),
                }
            }
            let (end, live) = sess.finish("finished", 0);
            evs.extend(end);
            let recs = judge::telemetry::parse_str(&lines_of(&evs)).unwrap();
            let batch = judge::judge(&s.course, &s.vehicle, &s.catalogue, recs.into_iter());
            assert_eq!(batch, live, "{}", sc.name);
            let all = judge::telemetry::parse_str(&lines_of(&evs)).unwrap();
            let mut seen = 0usize;
            for e in &evs {
                match e {
                    DrivingEvent::Telemetry(t) => seen += t.lines.lines().count(),
                    DrivingEvent::Deduction(d) => assert!(
                        all[..seen].last().is_some_and(|r| r.t_ms >= d.t_ms),
                        "{}: deduction {} logged before its telemetry",
                        sc.name,
                        d.code
                    ),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn bad_lines_and_codes_are_refused_with_the_reason() {
        let s = setup("course-s2");
        let mut sess = Session::new("t".into(), "c".into(), &s);
        let e = sess.line("{\"t_ms\":5}", 0).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let ok = r#"{"t_ms":100,"x":0,"y":0,"heading_deg":0,"speed_kmh":0,"gear":"N","rpm":800,"engine_on":true,"seatbelt":true,"doors_closed":true,"parking_brake":true,"foot_brake":false,"clutch":false,"left_signal":false,"right_signal":false,"low_beam":false,"high_beam":false,"horn":false,"hazard":false}"#;
        sess.line(ok, 0).unwrap();
        let back = ok.replace("\"t_ms\":100", "\"t_ms\":50");
        let e = sess.line(&back, 0).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert_eq!(
            sess.manual("99999", "ex", 0).unwrap_err(),
            ManualError::UnknownCode("99999".into(), 2)
        );
        let evs = sess.manual("10204", "ex", 0).unwrap();
        let d = evs
            .iter()
            .find_map(|e| match e {
                DrivingEvent::Deduction(d) => Some(d),
                _ => None,
            })
            .expect("a deduction");
        assert_eq!((d.code.as_str(), d.points, d.score), ("10204", 10, 90));
        assert_eq!(d.by.as_deref(), Some("ex"));
        assert!(matches!(evs[0], DrivingEvent::Telemetry(_)));
    }
}
