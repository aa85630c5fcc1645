//! The gate's outputs as log events: one `Draft` per input, decision, command, refusal, alarm and notice.
//!
//! Payloads are JSON objects (serde_json orders keys, which makes them canonical).

use gate::{
    Alarm, Command, DenyReason, DoorId, DoorState, Grant, Input, Notice, Occupant, Output,
    TailgatingSign,
};
use model::{EventKind, SubjectKind, SubjectRef};
use serde_json::{Value, json};
use store::{Draft, LogWriter};
use tokio::sync::{mpsc, oneshot};

/// A draft with a JSON payload.
pub fn draft(kind: EventKind, subjects: Vec<SubjectRef>, payload: Value) -> Draft {
    Draft {
        kind,
        subjects,
        payload: serde_json::to_vec(&payload).expect("JSON values serialise"),
    }
}

/// A candidate subject.
pub fn candidate(id: &gate::CandidateId) -> SubjectRef {
    SubjectRef::new(SubjectKind::Candidate, id.as_str())
}

/// A user subject (an examiner).
pub fn user(name: &str) -> SubjectRef {
    SubjectRef::new(SubjectKind::User, name)
}

/// `A`, `B`, ….
pub fn door(d: DoorId) -> String {
    d.to_string()
}

/// A door state's stable name.
pub fn door_state(s: DoorState) -> &'static str {
    match s {
        DoorState::Unknown => "unknown",
        DoorState::ClosedLocked => "closed_locked",
        DoorState::ClosedUnlocked => "closed_unlocked",
        DoorState::Open => "open",
        DoorState::HeldOpen => "held_open",
        DoorState::ForcedOpen => "forced_open",
        DoorState::FireReleased => "fire_released",
    }
}

fn grant(g: &Grant) -> Value {
    match g {
        Grant::Credential(id) => json!({ "credential": id.0 }),
        Grant::ExitButton(side) => json!({ "exit_button": side_name(*side) }),
    }
}

fn side_name(s: gate::Side) -> &'static str {
    match s {
        gate::Side::Vestibule => "vestibule",
        gate::Side::Outer => "outer",
    }
}

/// An alarm's stable kind name, door and detail.
pub fn alarm(a: &Alarm) -> (&'static str, Option<DoorId>, Value) {
    match a {
        Alarm::HeldOpen { door } => ("held_open", Some(*door), json!({})),
        Alarm::ForcedOpen { door } => ("forced_open", Some(*door), json!({})),
        Alarm::Tailgating { door, sign } => {
            let sign = match sign {
                TailgatingSign::DoorCycledTwice { grant: g } => {
                    json!({ "door_cycled_twice": grant(g) })
                }
                TailgatingSign::ScanWhileOccupied { candidate } => {
                    json!({ "scan_while_occupied": candidate.as_str() })
                }
            };
            ("tailgating", Some(*door), json!({ "sign": sign }))
        }
        Alarm::Passback { door, candidate } => (
            "passback",
            Some(*door),
            json!({ "candidate": candidate.as_str() }),
        ),
        Alarm::FireOverride => ("fire_override", None, json!({})),
        Alarm::CommsLost => ("comms_lost", None, json!({})),
        Alarm::Tamper { door } => ("tamper", Some(*door), json!({})),
    }
}

fn alarm_payload(a: &Alarm) -> (Vec<SubjectRef>, Value) {
    let (kind, d, detail) = alarm(a);
    let subjects = match a {
        Alarm::Passback { candidate: c, .. }
        | Alarm::Tailgating {
            sign: TailgatingSign::ScanWhileOccupied { candidate: c },
            ..
        } => {
            vec![candidate(c)]
        }
        _ => vec![],
    };
    (
        subjects,
        json!({ "alarm": kind, "door": d.map(door), "detail": detail }),
    )
}

fn deny_reason(r: &DenyReason) -> Value {
    match r {
        DenyReason::FireOverride => json!("fire_override"),
        DenyReason::CommsLost => json!("comms_lost"),
        DenyReason::StateUnknown { door: d } => json!({ "state_unknown": door(*d) }),
        DenyReason::DoorOpen => json!("door_open"),
        DenyReason::AlreadyReleased => json!("already_released"),
        DenyReason::OtherDoorOpen { door: d } => json!({ "other_door_open": door(*d) }),
        DenyReason::OtherDoorReleased { door: d } => json!({ "other_door_released": door(*d) }),
        DenyReason::OtherDoorUnlocked { door: d } => json!({ "other_door_unlocked": door(*d) }),
        DenyReason::Passback => json!("passback"),
        DenyReason::VestibuleOccupied => json!("vestibule_occupied"),
        DenyReason::AlreadyGranted => json!("already_granted"),
    }
}

/// An occupant as JSON.
pub fn occupant(o: &Occupant) -> Value {
    match o {
        Occupant::Candidate(c) => json!({ "candidate": c.as_str() }),
        Occupant::Unidentified => json!("unidentified"),
    }
}

/// The event of an input from the door module (`None` for ticks).
pub fn input(i: &Input) -> Option<Draft> {
    let p = match *i {
        Input::Contact { door: d, closed } => {
            json!({ "input": "contact", "door": door(d), "closed": closed })
        }
        Input::Lock { door: d, locked } => {
            json!({ "input": "lock", "door": door(d), "locked": locked })
        }
        Input::ExitButton { door: d, side } => {
            json!({ "input": "exit_button", "door": door(d), "side": side_name(side) })
        }
        Input::Fire { active } => json!({ "input": "fire", "active": active }),
        Input::Tamper { door: d } => json!({ "input": "tamper", "door": door(d) }),
        Input::CommsLost => json!({ "input": "comms_lost" }),
        Input::CommsRestored => json!({ "input": "comms_restored" }),
        Input::ExaminerReset => json!({ "input": "examiner_reset" }),
        Input::Tick => return None,
    };
    Some(draft(EventKind::GateInput, vec![], p))
}

/// The event of one output of the gate state machine.
pub fn output(o: &Output) -> Draft {
    match o {
        Output::Command(c) => {
            let p = match *c {
                Command::Release { door: d, pulse_ms } => {
                    json!({ "command": "release", "door": door(d), "pulse_ms": pulse_ms })
                }
                Command::Relock { door: d } => json!({ "command": "relock", "door": door(d) }),
                Command::HoldReleased { door: d } => {
                    json!({ "command": "hold_released", "door": door(d) })
                }
            };
            draft(EventKind::GateCommand, vec![], p)
        }
        Output::Alarm(a) => {
            let (s, p) = alarm_payload(a);
            draft(EventKind::GateAlarm, s, p)
        }
        Output::AlarmCleared(a) => {
            let (s, p) = alarm_payload(a);
            draft(EventKind::GateAlarmCleared, s, p)
        }
        Output::Denied {
            door: d,
            grant: g,
            reason,
        } => draft(
            EventKind::GateDenied,
            vec![],
            json!({ "door": door(*d), "grant": grant(g), "reason": deny_reason(reason) }),
        ),
        Output::Notice(n) => {
            let (subjects, p) = match n {
                Notice::Passed {
                    door: d,
                    grant: g,
                    cycle,
                } => (
                    vec![],
                    json!({ "notice": "passed", "door": door(*d), "grant": grant(g), "cycle": cycle }),
                ),
                Notice::GrantExpired { door: d, grant: g } => (
                    vec![],
                    json!({ "notice": "grant_expired", "door": door(*d), "grant": grant(g) }),
                ),
                Notice::FireInputCleared => (vec![], json!({ "notice": "fire_input_cleared" })),
                Notice::FireReset => (vec![], json!({ "notice": "fire_reset" })),
                Notice::ResetRefused { reason } => (
                    vec![],
                    json!({ "notice": "reset_refused", "reason": format!("{reason:?}") }),
                ),
                Notice::Entered { candidate: c } => {
                    (vec![candidate(c)], json!({ "notice": "entered" }))
                }
                Notice::Admitted { candidate: c } => {
                    (vec![candidate(c)], json!({ "notice": "admitted" }))
                }
                Notice::BackedOut { candidate: c } => {
                    (vec![candidate(c)], json!({ "notice": "backed_out" }))
                }
                Notice::VestibuleCleared { examiner, removed } => (
                    vec![user(examiner.as_str())],
                    json!({ "notice": "vestibule_cleared", "removed": removed.iter().map(occupant).collect::<Vec<_>>() }),
                ),
            };
            draft(EventKind::GateNotice, subjects, p)
        }
    }
}

/// Events for the logger; the sender (if any) learns the last seq once the batch is durable.
pub type LogItem = (Vec<Draft>, Option<oneshot::Sender<Option<u64>>>);

/// Appends drafts in arrival order, batching whatever is waiting into one durable append.
pub async fn run_logger(log: LogWriter, mut rx: mpsc::UnboundedReceiver<LogItem>) {
    while let Some(first) = rx.recv().await {
        let mut items = vec![first];
        while let Ok(more) = rx.try_recv() {
            items.push(more);
        }
        let mut drafts = Vec::new();
        let mut ends = Vec::new();
        for (d, ack) in items {
            drafts.extend(d);
            ends.push((drafts.len(), ack));
        }
        match log.append_many(drafts).await {
            Ok(sealed) => {
                for (end, ack) in ends {
                    if let Some(ack) = ack {
                        let seq = end
                            .checked_sub(1)
                            .and_then(|i| sealed.get(i))
                            .map(|s| s.event.seq.0);
                        let _ = ack.send(seq);
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "gate events could not be logged");
                for (_, ack) in ends {
                    if let Some(ack) = ack {
                        let _ = ack.send(None);
                    }
                }
            }
        }
    }
}
