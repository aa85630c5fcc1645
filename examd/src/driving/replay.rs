//! Re-judging a logged session: its inputs (by hash) and telemetry chunks come from the log, the
//! verdict from `judge::judge`; it must equal the logged result and deductions.

use std::collections::HashMap;

use judge::{Record, Standard, Verdict};
use model::{EventKind, Seq, SubjectKind, SubjectRef};

use super::events::{DeductionV1, DrivingEvent, InputV1, ResultV1, StartedV1};
use super::inputs::{Setup, Text};

/// A session cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The log has no such session.
    #[error("no driving session {0:?} in the log")]
    NoSession(String),
    /// The store failed.
    #[error("reading the log: {0}")]
    Store(#[from] store::StoreError),
    /// A record or payload does not decode.
    #[error("event {seq} does not decode: {message}")]
    Decode {
        /// Which.
        seq: u64,
        /// Why.
        message: String,
    },
    /// An input the session names by hash is not in the log.
    #[error("the session's {kind} (sha256 {sha256}) is not in the log")]
    MissingInput {
        /// `course`, `vehicle`, `catalogue`.
        kind: &'static str,
        /// Its hash.
        sha256: String,
    },
    /// Telemetry chunks are missing or out of order.
    #[error("telemetry chunk {want} is missing (found {found})")]
    ChunkGap {
        /// Expected number.
        want: u32,
        /// Found number.
        found: u32,
    },
    /// The logged inputs or telemetry do not parse.
    #[error("{0}")]
    Invalid(String),
}

/// Everything the log holds about one session.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The start.
    pub started: StartedV1,
    /// Telemetry lines in order.
    pub lines: String,
    /// Logged deductions in order.
    pub deductions: Vec<DeductionV1>,
    /// The result, if the session ended.
    pub result: Option<ResultV1>,
    /// The inputs, by hash.
    pub inputs: HashMap<String, InputV1>,
}

fn decode(e: &store::StoredEvent) -> Result<Option<DrivingEvent>, ReplayError> {
    let ev = audit::decode(&e.bytes).map_err(|err| ReplayError::Decode {
        seq: e.seq.0,
        message: err.to_string(),
    })?;
    match DrivingEvent::decode(ev.kind, &ev.payload) {
        None => Ok(None),
        Some(Ok(d)) => Ok(Some(d)),
        Some(Err(err)) => Err(ReplayError::Decode {
            seq: e.seq.0,
            message: err.to_string(),
        }),
    }
}

/// Reads a session's events and inputs from the log.
pub async fn load(store: &dyn store::Store, session: &str) -> Result<Logged, ReplayError> {
    let subject = SubjectRef::new(SubjectKind::Session, session);
    let mut rows = Vec::new();
    let mut before: Option<Seq> = None;
    loop {
        let page = store.events_about(&subject, before, 500).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        rows.extend(page);
    }
    rows.reverse();
    let mut started = None;
    let mut lines = String::new();
    let mut deductions = Vec::new();
    let mut result = None;
    let mut want = 0u32;
    for r in &rows {
        match decode(r)? {
            Some(DrivingEvent::Started(s)) if s.session == session => started = Some(s),
            Some(DrivingEvent::Telemetry(t)) if t.session == session => {
                if t.chunk != want {
                    return Err(ReplayError::ChunkGap {
                        want,
                        found: t.chunk,
                    });
                }
                want += 1;
                lines.push_str(&t.lines);
            }
            Some(DrivingEvent::Deduction(d)) if d.session == session => deductions.push(d),
            Some(DrivingEvent::Result(x)) if x.session == session => result = Some(x),
            _ => {}
        }
    }
    let started = started.ok_or_else(|| ReplayError::NoSession(session.into()))?;
    let needed = [
        &started.course.sha256,
        &started.vehicle.sha256,
        &started.catalogue.sha256,
    ];
    let mut inputs = HashMap::new();
    let mut before: Option<Seq> = None;
    while inputs.len() < 3 {
        let page = store
            .events_desc(before, Some(EventKind::DrivingInput.code()), 200)
            .await?;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        for r in &page {
            if let Some(DrivingEvent::Input(i)) = decode(r)?
                && needed.contains(&&i.sha256)
            {
                inputs.insert(i.sha256.clone(), i);
            }
        }
        if last.seq.0 <= 1 {
            break;
        }
    }
    Ok(Logged {
        started,
        lines,
        deductions,
        result,
        inputs,
    })
}

/// A re-judged session.
#[derive(Debug)]
pub struct Replayed {
    /// What the log holds.
    pub logged: Logged,
    /// The inputs, parsed.
    pub setup: Setup,
    /// The telemetry, parsed.
    pub records: Vec<Record>,
    /// The verdict the judge gives now.
    pub verdict: Verdict,
}

/// Re-judges a logged session from its logged inputs and telemetry.
pub fn rejudge(logged: &Logged) -> Result<Replayed, ReplayError> {
    let s = &logged.started;
    let text = |kind: &'static str, r: &super::events::InputRefV1| {
        let i = logged
            .inputs
            .get(&r.sha256)
            .ok_or_else(|| ReplayError::MissingInput {
                kind,
                sha256: r.sha256.clone(),
            })?;
        let t = Text::new(r.name.clone(), i.text.clone());
        if t.sha256 != r.sha256 {
            return Err(ReplayError::Invalid(format!(
                "the logged {kind} text does not hash to {}",
                r.sha256
            )));
        }
        Ok(t)
    };
    let standard = Standard::parse(&s.standard)
        .ok_or_else(|| ReplayError::Invalid(format!("unknown standard {:?}", s.standard)))?;
    let setup = Setup::parse(
        text("course", &s.course)?,
        text("vehicle", &s.vehicle)?,
        text("catalogue", &s.catalogue)?,
        standard,
        s.region.clone(),
    )
    .map_err(|e| ReplayError::Invalid(format!("{e:#}")))?;
    let records = judge::telemetry::parse_str(&logged.lines)
        .map_err(|e| ReplayError::Invalid(format!("logged telemetry: {e}")))?;
    let verdict = judge::judge(
        &setup.course,
        &setup.vehicle,
        &setup.catalogue,
        records.iter().cloned(),
    );
    Ok(Replayed {
        logged: logged.clone(),
        setup,
        records,
        verdict,
    })
}

impl Replayed {
    /// Whether the re-judged verdict is the logged one; otherwise what differs.
    pub fn agrees(&self) -> Result<(), String> {
        let Some(r) = &self.logged.result else {
            return Err("the session has no logged result (it never ended)".into());
        };
        if (r.score, r.passed) != (self.verdict.score, self.verdict.passed) {
            return Err(format!(
                "logged score {} passed {}, replay gives {} passed {}",
                r.score, r.passed, self.verdict.score, self.verdict.passed
            ));
        }
        let logged: Vec<_> = self
            .logged
            .deductions
            .iter()
            .map(|d| {
                (
                    d.t_ms,
                    d.item.as_str(),
                    d.code.as_str(),
                    d.points,
                    d.reason.as_str(),
                )
            })
            .collect();
        let now: Vec<_> = self
            .verdict
            .deductions
            .iter()
            .map(|d| {
                (
                    d.t_ms,
                    d.item.as_str(),
                    d.code.as_str(),
                    d.points,
                    d.reason.as_str(),
                )
            })
            .collect();
        if logged != now {
            return Err(format!(
                "logged deductions {logged:?}, replay gives {now:?}"
            ));
        }
        Ok(())
    }

    /// The replay picture.
    pub fn svg(&self) -> String {
        super::svg::draw(
            &self.setup,
            &self.records,
            &self.verdict,
            &self.logged.started.session,
        )
    }
}
