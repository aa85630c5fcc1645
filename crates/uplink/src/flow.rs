//! The platform's view of a site event: which step of the exam flow it is.
//!
//! The mapping is a table, [`RULES`]: one line per event kind (optionally only when a payload
//! field has a given value). A kind added to the registry in `model` is mapped by adding one
//! line here. Steps carry the code of the platform interface they correspond to
//! (exam-rules §4: 17C51 identity/subject start … 17C56 subject end) where there is one.
//!
//! Pure: [`project`] takes a canonical event record and returns the flow row, if any.

use model::{EventKind, SubjectKind};
use store::central::FlowRow;

/// A step of the exam flow as the platform follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowStep {
    /// 17C51: identity verified, a subject starts.
    SubjectStart,
    /// 17C52: an exam item starts.
    ItemStart,
    /// 17C53: a deduction.
    Deduction,
    /// 17C54: a process photo.
    Photo,
    /// 17C55: an exam item ends.
    ItemEnd,
    /// 17C56: a subject ends, with its score.
    SubjectEnd,
    /// A theory (Subject 1) paper ended, with its score and verdict.
    TheoryResult,
    /// A candidate was admitted through the gate.
    GateAdmission,
}

impl FlowStep {
    /// Every step.
    pub const ALL: [FlowStep; 8] = [
        FlowStep::SubjectStart,
        FlowStep::ItemStart,
        FlowStep::Deduction,
        FlowStep::Photo,
        FlowStep::ItemEnd,
        FlowStep::SubjectEnd,
        FlowStep::TheoryResult,
        FlowStep::GateAdmission,
    ];

    /// The stable name stored at central and used in the API.
    pub fn name(self) -> &'static str {
        match self {
            FlowStep::SubjectStart => "subject_start",
            FlowStep::ItemStart => "item_start",
            FlowStep::Deduction => "deduction",
            FlowStep::Photo => "photo",
            FlowStep::ItemEnd => "item_end",
            FlowStep::SubjectEnd => "subject_end",
            FlowStep::TheoryResult => "theory_result",
            FlowStep::GateAdmission => "gate_admission",
        }
    }

    /// The step with this name.
    pub fn from_name(name: &str) -> Option<FlowStep> {
        FlowStep::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The platform interface code (exam-rules §4), where the step has one.
    pub fn code(self) -> Option<&'static str> {
        match self {
            FlowStep::SubjectStart => Some("17C51"),
            FlowStep::ItemStart => Some("17C52"),
            FlowStep::Deduction => Some("17C53"),
            FlowStep::Photo => Some("17C54"),
            FlowStep::ItemEnd => Some("17C55"),
            FlowStep::SubjectEnd => Some("17C56"),
            FlowStep::TheoryResult | FlowStep::GateAdmission => None,
        }
    }
}

/// One line of the mapping: events of `kind` (whose payload has `field == value`, when
/// `when` is given) are `step`.
#[derive(Debug, Clone, Copy)]
pub struct FlowRule {
    /// The event kind.
    pub kind: EventKind,
    /// A JSON payload field and the string value it must have.
    pub when: Option<(&'static str, &'static str)>,
    /// The step.
    pub step: FlowStep,
}

const fn rule(kind: EventKind, step: FlowStep) -> FlowRule {
    FlowRule {
        kind,
        when: None,
        step,
    }
}

/// The mapping from site events to flow steps, one line per kind; a new kind is one more line.
/// The photos of 17C51, 17C54 and 17C56 travel beside their events ([`crate::photo`]).
pub const RULES: &[FlowRule] = &[
    FlowRule {
        kind: EventKind::GateNotice,
        when: Some(("notice", "admitted")),
        step: FlowStep::GateAdmission,
    },
    rule(EventKind::TheoryCandidateLogin, FlowStep::SubjectStart),
    rule(EventKind::TheoryResult, FlowStep::TheoryResult),
    rule(EventKind::DrivingSessionStarted, FlowStep::SubjectStart),
    rule(EventKind::DrivingItemStarted, FlowStep::ItemStart),
    rule(EventKind::DrivingDeduction, FlowStep::Deduction),
    rule(EventKind::DrivingItemEnded, FlowStep::ItemEnd),
    rule(EventKind::DrivingResult, FlowStep::SubjectEnd),
    rule(EventKind::DrivingPhoto, FlowStep::Photo),
];

/// The rule an event of `kind` with `payload` (JSON) falls under, if any.
pub fn rule_for(kind: EventKind, payload: &[u8]) -> Option<&'static FlowRule> {
    let mut parsed: Option<Option<serde_json::Value>> = None;
    RULES.iter().find(|r| {
        if r.kind != kind {
            return false;
        }
        let Some((field, value)) = r.when else {
            return true;
        };
        let json = parsed.get_or_insert_with(|| serde_json::from_slice(payload).ok());
        json.as_ref()
            .and_then(|j| j.get(field))
            .and_then(|v| v.as_str())
            == Some(value)
    })
}

/// The flow row of a canonical event record, or `None` when the event is not a flow step (or
/// does not decode: the receiver has verified the chain before, so that does not happen).
pub fn project(record: &[u8]) -> Option<FlowRow> {
    let event = audit::decode(record).ok()?;
    let rule = rule_for(event.kind, &event.payload)?;
    let first = |k: SubjectKind| {
        event
            .subjects
            .iter()
            .find(|s| s.kind == k)
            .map(|s| s.id.clone())
    };
    Some(FlowRow {
        seq: event.seq,
        time: event.time,
        step: rule.step.name().to_owned(),
        code: rule.step.code().map(str::to_owned),
        candidate: first(SubjectKind::Candidate),
        session: first(SubjectKind::Session),
        kind: event.kind.name().to_owned(),
        detail: String::from_utf8_lossy(&event.payload).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use audit::Event;
    use model::{Seq, SubjectRef, UnixMs};

    use super::*;

    fn record(kind: EventKind, subjects: Vec<SubjectRef>, payload: &str) -> Vec<u8> {
        audit::encode(&Event {
            seq: Seq(7),
            time: UnixMs(1_700_000_000_000),
            kind,
            subjects,
            payload: payload.as_bytes().to_vec(),
        })
        .unwrap()
    }

    #[test]
    fn a_gate_admission_is_a_flow_step_and_other_notices_are_not() {
        let who = vec![SubjectRef::new(
            SubjectKind::Candidate,
            "370102199001011234",
        )];
        let row = project(&record(
            EventKind::GateNotice,
            who.clone(),
            r#"{"notice":"admitted"}"#,
        ))
        .unwrap();
        assert_eq!(row.step, "gate_admission");
        assert_eq!(row.code, None);
        assert_eq!(row.candidate.as_deref(), Some("370102199001011234"));
        assert_eq!(row.seq, Seq(7));
        assert_eq!(row.time, UnixMs(1_700_000_000_000));
        assert_eq!(row.kind, "gate.notice");
        assert!(
            project(&record(
                EventKind::GateNotice,
                who,
                r#"{"notice":"entered"}"#
            ))
            .is_none()
        );
        assert!(project(&record(EventKind::GateNotice, vec![], "not json")).is_none());
    }

    #[test]
    fn theory_login_starts_the_subject_and_the_result_ends_it() {
        let subjects = vec![
            SubjectRef::new(SubjectKind::Session, "sitting-1"),
            SubjectRef::new(SubjectKind::Candidate, "c-1"),
        ];
        let login = project(&record(
            EventKind::TheoryCandidateLogin,
            subjects.clone(),
            r#"{"seat":"A01"}"#,
        ))
        .unwrap();
        assert_eq!(
            (login.step.as_str(), login.code.as_deref()),
            ("subject_start", Some("17C51"))
        );
        assert_eq!(login.session.as_deref(), Some("sitting-1"));
        assert_eq!(login.detail, r#"{"seat":"A01"}"#);
        let result = project(&record(
            EventKind::TheoryResult,
            subjects,
            r#"{"score":92}"#,
        ))
        .unwrap();
        assert_eq!(result.step, "theory_result");
        assert_eq!(result.candidate.as_deref(), Some("c-1"));
    }

    #[test]
    fn a_drive_is_subject_start_items_deductions_and_subject_end() {
        let steps = [
            (EventKind::DrivingSessionStarted, "17C51"),
            (EventKind::DrivingItemStarted, "17C52"),
            (EventKind::DrivingDeduction, "17C53"),
            (EventKind::DrivingItemEnded, "17C55"),
            (EventKind::DrivingResult, "17C56"),
            (EventKind::DrivingPhoto, "17C54"),
        ];
        for (kind, code) in steps {
            let row = project(&record(kind, vec![], "{}")).unwrap();
            assert_eq!(row.code.as_deref(), Some(code), "{kind}");
        }
        assert!(project(&record(EventKind::DrivingTelemetry, vec![], "{}")).is_none());
    }

    #[test]
    fn unmapped_kinds_are_not_flow_steps() {
        for kind in [
            EventKind::SystemStarted,
            EventKind::DeviceReport,
            EventKind::GateScan,
        ] {
            assert!(project(&record(kind, vec![], "{}")).is_none(), "{kind}");
        }
        assert!(project(b"not a record").is_none());
    }

    #[test]
    fn the_table_is_consistent() {
        for r in RULES {
            assert!(
                EventKind::KNOWN.contains(&r.kind),
                "{} is not registered",
                r.kind
            );
        }
        // No two rules can match the same event: a kind appears once unconditionally, or only
        // with distinct conditions.
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(
                    a.kind != b.kind || (a.when.is_some() && b.when.is_some() && a.when != b.when),
                    "{} is mapped twice",
                    a.kind
                );
            }
        }
        for s in FlowStep::ALL {
            assert_eq!(FlowStep::from_name(s.name()), Some(s));
        }
    }
}
