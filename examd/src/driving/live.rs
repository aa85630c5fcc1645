//! The car terminal's WebSocket: `GET /api/v1/driving/cars/{car}/stream`, bearer token of the car's
//! device account (whose name is the car id).
//!
//! Protocol (text frames, JSON):
//! * car → daemon, first: `{"type":"start","candidate":"…","examiner":"…","course":"course-s2",
//!   "vehicle":"vehicle-c1","standard":"GA1026-2017","region":null,"identity":{"sitting":"…",
//!   "candidate_finger":"<hex>","examiner_finger":"<hex>"}}` (`standard` and `region` optional;
//!   without `identity`, when the fingers do not match, or when the sitting was drawn and the draw
//!   put the candidate in another car or with another examiner, the start is refused and logged as
//!   a `driving.identity` event with `passed: false` and the reason, in Chinese and English);
//! * daemon → car: `{"type":"started","session":"D000001","subject":2,"pass_mark":80}` once logged;
//! * car → daemon: telemetry v1 lines (DESIGN §3.2), one or more per frame separated by `\n`;
//! * daemon → car: `{"type":"deduction",…}` for each deduction, once logged; `{"type":"error",
//!   "line":n,"message":"…"}` for a refused line (neither judged nor logged);
//! * car → daemon: `{"type":"end"}` when the drive is over; daemon → car:
//!   `{"type":"result","session":…,"ended":…,"verdict":{…DESIGN §3.4…}}`, then the daemon closes.
//!
//! The daemon ends the session itself, with the result, as soon as the pass mark is out of reach.
//! A car that disconnects ends its session as `disconnected`, judged on what it sent.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use judge::Standard;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::events::{DrivingEvent, IdentityV1, InputRefV1, InputV1, StartedV1};
use super::inputs::{Setup, Text};
use super::photos::Photographer;
use super::session::{LineError, Session};
use super::{Control, DrivingArea};
use crate::booking::events::AssignmentV1;

/// The first message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartV1 {
    /// Always `start`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The candidate.
    pub candidate: String,
    /// The examiner in the car.
    pub examiner: String,
    /// Course map name.
    pub course: String,
    /// Vehicle profile name.
    pub vehicle: String,
    /// GA 1026 edition (default `GA1026-2017`).
    #[serde(default)]
    pub standard: Option<String>,
    /// Region code whose overrides apply.
    #[serde(default)]
    pub region: Option<String>,
    /// Fingers taken at the car (required): the session starts only if they match.
    #[serde(default)]
    pub identity: Option<ProofV1>,
}

/// The fingers taken at the car terminal, as ISO/IEC 19794-2 (or ANSI 378) records in hex.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofV1 {
    /// The day's sitting whose roster the candidate must be on.
    pub sitting: String,
    /// The candidate's finger.
    pub candidate_finger: String,
    /// The examiner's finger.
    pub examiner_finger: String,
}

/// Why a start without fingers is refused.
pub const MISSING: &str = "no fingers: the start message has no identity field (sitting, candidate_finger, \
     examiner_finger): a Subject 2 or 3 exam starts only after the candidate's and the examiner's \
     fingers are checked at the car";

/// A drawn sitting, as a car start is checked against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The sitting's subject as the draw holds it (2 or 3; 0 for a theory sitting).
    pub subject: u8,
    /// The subject of the course the car starts.
    pub start_subject: u8,
    /// The logged assignments.
    pub assignments: Vec<AssignmentV1>,
}

/// The draw of `sitting`, if it is a drawn booking session, for a start of `start_subject`.
fn drawn_of(
    booking: &crate::booking::BookingArea,
    sitting: &str,
    start_subject: u8,
) -> Option<Drawn> {
    let assignments = crate::booking::draws::drawn(booking, sitting)?;
    let subject = match crate::booking::draws::subject_of(booking, sitting)? {
        booking::ExamSubject::Subject2 => 2,
        booking::ExamSubject::Subject3Road => 3,
        _ => 0,
    };
    Some(Drawn {
        subject,
        start_subject,
        assignments,
    })
}

/// Checks a start against the day's draw of its sitting, when the sitting was drawn: the draw must
/// be for the subject started, and the candidate on it, drawn to this car and to this examiner.
/// Returns the route the draw gave the candidate's group; the refusal (zh/en) names what the draw
/// said. A sitting whose roster was imported by hand (`None`) has no draw to check.
pub fn drawn_check(
    drawn: Option<&Drawn>,
    candidate: &str,
    car: &str,
    examiner: &str,
) -> Result<Option<String>, String> {
    let Some(d) = drawn else {
        return Ok(None);
    };
    if d.subject != d.start_subject {
        return Err(format!(
            "本场抽签是科目{}，本车开始的是科目{} / the drawn sitting is for Subject {}, \
             this start is for Subject {}",
            d.subject, d.start_subject, d.subject, d.start_subject
        ));
    }
    let list = &d.assignments;
    let Some(a) = list.iter().find(|a| a.candidate == candidate) else {
        return Err(format!(
            "考生 {candidate} 未被抽入本场考试 / candidate {candidate} was not drawn for this sitting"
        ));
    };
    if let Some(drawn_car) = a.car.as_deref()
        && drawn_car != car
    {
        return Err(format!(
            "考生 {candidate} 抽签分配的考车是 {drawn_car}，不是本车 {car}，请到 {drawn_car} 考试 / \
             candidate {candidate} was drawn to car {drawn_car}, not this car {car}"
        ));
    }
    if let Some(drawn_ex) = a.examiner.as_deref()
        && drawn_ex != examiner
    {
        return Err(format!(
            "考生 {candidate} 抽签分配的考试员是 {drawn_ex}，不是 {examiner} / \
             candidate {candidate} was drawn to examiner {drawn_ex}, not {examiner}"
        ));
    }
    Ok(a.route.clone())
}

/// Checks the fingers: the candidate 1:1, the candidate 1:N over the sitting's roster (must rank
/// first), the examiner 1:1; and, when the sitting was drawn, that the draw put the candidate in
/// this car with this examiner ([`drawn_check`]). The event to log either way, and whether it passed.
#[allow(clippy::too_many_arguments)]
async fn check_identity(
    registry: &crate::identity::Registry,
    drawn: Option<&Drawn>,
    proof: &ProofV1,
    start: &StartV1,
    car: &str,
    session: &str,
    subject: u8,
    now: i64,
) -> Result<IdentityV1, String> {
    use crate::identity::{CandidateId, ExaminerId, PersonRef, SittingId};
    let sitting: SittingId = proof
        .sitting
        .parse()
        .map_err(|e| format!("sitting {:?}: {e}", proof.sitting))?;
    let cand: CandidateId = start
        .candidate
        .parse()
        .map_err(|e| format!("candidate {:?}: {e}", start.candidate))?;
    let ex: ExaminerId = start
        .examiner
        .parse()
        .map_err(|e| format!("examiner {:?}: {e}", start.examiner))?;
    let template = |what: &str, h: &str| {
        let bytes = hex::decode(h.trim()).map_err(|e| format!("{what}: not hex: {e}"))?;
        scoring::Template::from_standard_bytes(&bytes)
            .map_err(|e| format!("{what}: not an ISO/IEC 19794-2 or ANSI 378 record: {e}"))
    };
    let ct = template("candidate_finger", &proof.candidate_finger)?;
    let et = template("examiner_finger", &proof.examiner_finger)?;
    let one = registry
        .verify(&PersonRef::Candidate(cand.clone()), &ct)
        .await
        .map_err(|e| e.to_string())?;
    let top = registry
        .identify(&sitting, &ct, 1)
        .await
        .map_err(|e| e.to_string())?;
    let best = top.first().map(|(c, _)| c.as_str().to_owned());
    let exv = registry
        .verify_examiner(&ex, &et)
        .await
        .map_err(|e| e.to_string())?;
    let draw = drawn_check(drawn, cand.as_str(), car, ex.as_str());
    let route = draw.as_ref().ok().cloned().flatten();
    let failure = if let Err(why) = draw {
        Some(why)
    } else if !one.matched {
        Some("the candidate's finger does not match their enrolled templates".to_owned())
    } else if best.as_deref() != Some(cand.as_str()) {
        Some(format!(
            "the candidate's finger best matches {best:?} on the sitting's roster, not {:?}",
            cand.as_str()
        ))
    } else if !exv.matched {
        Some("the examiner's finger does not match".to_owned())
    } else {
        None
    };
    Ok(IdentityV1 {
        session: session.into(),
        sitting: sitting.as_str().into(),
        subject,
        car: car.into(),
        candidate: cand.as_str().into(),
        examiner: ex.as_str().into(),
        candidate_score: f64::from(one.score),
        best_match: best,
        examiner_score: f64::from(exv.score),
        threshold: f64::from(one.threshold),
        passed: failure.is_none(),
        failure,
        route,
        photo: None,
        at: now,
    })
}

async fn send(ws: &mut WebSocket, v: Value) -> bool {
    ws.send(Message::Text(v.to_string().into())).await.is_ok()
}

async fn refuse(ws: &mut WebSocket, message: String) {
    let _ = send(ws, json!({"type": "error", "message": message})).await;
    close(ws).await;
}

/// Closes politely: reads (and drops) what the car still sends until it closes too, so the last
/// messages are not lost to a TCP reset.
async fn close(ws: &mut WebSocket) {
    let _ = ws.send(Message::Close(None)).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(m)) = ws.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && !s.chars().any(char::is_control)
}

/// Reads and checks the start message; the setup or what was wrong.
fn start_of(area: &DrivingArea, text: &str) -> Result<(StartV1, Arc<Setup>), String> {
    let start: StartV1 = serde_json::from_str(text)
        .map_err(|e| format!("the first message must be a start: {e}"))?;
    if start.kind != "start" {
        return Err(format!(
            "the first message must have \"type\":\"start\", not {:?}",
            start.kind
        ));
    }
    if !valid_id(&start.candidate) || !valid_id(&start.examiner) {
        return Err("candidate and examiner must be 1 to 64 characters".into());
    }
    let standard = match start.standard.as_deref() {
        None => Standard::Ga1026_2017,
        Some(s) => Standard::parse(s).ok_or_else(|| format!("unknown standard {s:?}"))?,
    };
    let setup = area
        .library()
        .setup(
            &start.course,
            &start.vehicle,
            standard,
            start.region.as_deref(),
        )
        .map_err(|e| format!("{e:#}"))?;
    Ok((start, setup))
}

/// The setup of a drive on the drawn `route`: the route's course map (`routes`) with the start's
/// car, standard and region; the refusal (zh/en) names a route without a map.
fn route_setup(area: &DrivingArea, route: &str, start: &StartV1) -> Result<Arc<Setup>, String> {
    let course = area.library().routes().course_for(route)?;
    let standard = match start.standard.as_deref() {
        None => Standard::Ga1026_2017,
        Some(s) => Standard::parse(s).ok_or_else(|| format!("unknown standard {s:?}"))?,
    };
    area.library()
        .setup(course, &start.vehicle, standard, start.region.as_deref())
        .map_err(|e| format!("route {route}: course map {course}: {e:#}"))
}

fn input(kind: &str, t: &Text) -> DrivingEvent {
    DrivingEvent::Input(InputV1 {
        kind: kind.into(),
        name: t.name.clone(),
        sha256: t.sha256.clone(),
        text: t.text.clone(),
    })
}

fn reference(t: &Text) -> InputRefV1 {
    InputRefV1 {
        name: t.name.clone(),
        sha256: t.sha256.clone(),
    }
}

/// Serves one car's connection until its session ends.
pub async fn run(
    area: Arc<DrivingArea>,
    registry: Arc<crate::identity::Registry>,
    booking: Arc<crate::booking::BookingArea>,
    photos: Arc<crate::photos::PhotosArea>,
    car: String,
    mut ws: WebSocket,
) {
    let first = match tokio::time::timeout(Duration::from_secs(30), ws.recv()).await {
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) => {
            return refuse(&mut ws, "the first message must be a start".into()).await;
        }
        _ => return,
    };
    let (start, setup) = match start_of(&area, first.as_str()) {
        Ok(x) => x,
        Err(e) => return refuse(&mut ws, e).await,
    };
    let now = area.now().0;
    let id = area.next_id();
    // The candidate's photo (17C51 照片) goes into the identity event, passed or refused.
    let photographer = Photographer {
        area: area.clone(),
        photos,
        car: car.clone(),
        candidate: start.candidate.clone(),
        pending: Arc::default(),
    };
    let start_photo = photographer.take().await;
    let mut events = Vec::new();
    let subject = setup.course.subject();
    let checked = match &start.identity {
        None => Err((None, MISSING.to_owned())),
        Some(proof) => {
            let drawn = drawn_of(&booking, &proof.sitting, subject.number());
            check_identity(
                &registry,
                drawn.as_ref(),
                proof,
                &start,
                &car,
                &id,
                subject.number(),
                now,
            )
            .await
            .map_err(|e| (Some(proof.sitting.clone()), e))
        }
    };
    // The drawn route selects the course map the drive is judged on (`routes`).
    let mut setup = setup;
    let checked = match checked {
        Ok(mut ev) if ev.passed => match ev.route.as_deref().map(|r| route_setup(&area, r, &start))
        {
            None => Ok(ev),
            Some(Ok(s)) => {
                setup = s;
                Ok(ev)
            }
            Some(Err(why)) => {
                ev.passed = false;
                ev.failure = Some(why);
                Ok(ev)
            }
        },
        other => other,
    };
    for (kind, t) in [
        ("course", &setup.course_text),
        ("vehicle", &setup.vehicle_text),
        ("catalogue", &setup.catalogue_text),
    ] {
        if !area.input_logged(&t.sha256) {
            events.push(input(kind, t));
        }
    }
    let pass_mark = setup.catalogue.pass_mark(subject, setup.vehicle.class);
    let refused = match checked {
        Ok(ev) if ev.passed => {
            events.push(DrivingEvent::Identity(IdentityV1 {
                photo: Some(start_photo.clone()),
                ..ev
            }));
            None
        }
        Ok(ev) => Some(IdentityV1 {
            photo: Some(start_photo.clone()),
            ..ev
        }),
        Err((sitting, why)) => Some(IdentityV1 {
            session: id.clone(),
            sitting: sitting.unwrap_or_default(),
            subject: subject.number(),
            car: car.clone(),
            candidate: start.candidate.clone(),
            examiner: start.examiner.clone(),
            candidate_score: 0.0,
            best_match: None,
            examiner_score: 0.0,
            threshold: 0.0,
            passed: false,
            failure: Some(why),
            route: None,
            photo: Some(start_photo.clone()),
            at: now,
        }),
    };
    if let Some(ev) = refused {
        // Logged before the car hears it: every refused start is on the record.
        let why = ev.failure.clone().unwrap_or_default();
        let cand = start.candidate.clone();
        if let Err(e) = area
            .append(vec![DrivingEvent::Identity(ev)], Some(&cand), Some(&car))
            .await
        {
            tracing::error!(error = %format!("{e:#}"), "driving: refused identity not logged");
        }
        tracing::info!(car = %car, candidate = %cand, why = %why, "driving: start refused at identity");
        return refuse(&mut ws, format!("identity not confirmed: {why}")).await;
    }
    events.push(DrivingEvent::Started(StartedV1 {
        session: id.clone(),
        car: car.clone(),
        candidate: start.candidate.clone(),
        examiner: start.examiner.clone(),
        subject: subject.number(),
        class: setup.vehicle.class.as_str().into(),
        course: reference(&setup.course_text),
        vehicle: reference(&setup.vehicle_text),
        catalogue: reference(&setup.catalogue_text),
        standard: setup.standard.as_str().into(),
        region: setup.region.clone(),
        pass_mark,
        at: now,
    }));
    let cand = start.candidate.clone();
    if let Err(e) = area.append(events, Some(&cand), Some(&car)).await {
        tracing::error!(error = %format!("{e:#}"), "driving: session start not logged");
        return refuse(&mut ws, "the log did not accept the session".into()).await;
    }
    let (tx, mut rx) = mpsc::channel::<Control>(16);
    area.register(&id, tx);
    tracing::info!(session = %id, car = %car, candidate = %cand, "driving session started");
    let ok = send(
        &mut ws,
        json!({"type": "started", "session": id, "subject": subject.number(), "pass_mark": pass_mark}),
    )
    .await;
    let mut sess = Session::new(id.clone(), cand.clone(), &setup);
    let ended = if ok {
        drive(&area, &car, &mut sess, &mut ws, &mut rx, &photographer).await
    } else {
        "disconnected"
    };
    area.deregister(&id);
    // Manual deductions that raced the end are refused.
    rx.close();
    while let Ok(Control::Manual { reply, .. }) = rx.try_recv() {
        let _ = reply.send(Err("the session has ended".into()));
    }
    let (mut events, verdict) = sess.finish(ended, area.now().0);
    photographer.end(&mut events).await;
    for e in &events {
        if let DrivingEvent::Deduction(d) = e {
            let _ = send(&mut ws, deduction_msg(d)).await;
        }
    }
    if let Err(e) = area.append(events, Some(&cand), Some(&car)).await {
        tracing::error!(session = %id, error = %format!("{e:#}"), "driving: result not logged");
        return refuse(&mut ws, "the log did not accept the result".into()).await;
    }
    tracing::info!(session = %id, score = verdict.score, passed = verdict.passed, ended, "driving session ended");
    let _ = send(
        &mut ws,
        json!({"type": "result", "session": id, "ended": ended, "verdict": verdict.to_dto()}),
    )
    .await;
    close(&mut ws).await;
}

fn deduction_msg(d: &super::events::DeductionV1) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    v["type"] = json!("deduction");
    v
}

/// The session's main loop; returns why it ended.
async fn drive(
    area: &DrivingArea,
    car: &str,
    sess: &mut Session<'_>,
    ws: &mut WebSocket,
    rx: &mut mpsc::Receiver<Control>,
    ph: &Photographer,
) -> &'static str {
    let cand = sess.candidate.clone();
    loop {
        tokio::select! {
            msg = ws.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return "disconnected",
                    Some(Ok(_)) => continue,
                };
                for line in text.as_str().split('\n') {
                    if line.trim().is_empty() {
                        continue;
                    }
                    if line.contains("\"type\"") && !line.contains("\"t_ms\"") {
                        match serde_json::from_str::<Value>(line).ok().and_then(|v| v["type"].as_str().map(str::to_owned)).as_deref() {
                            Some("end") => return "finished",
                            other => {
                                let _ = send(ws, json!({"type": "error", "message": format!("unknown control message {other:?}")})).await;
                                continue;
                            }
                        }
                    }
                    match sess.line(line, area.now().0) {
                        Ok(events) => {
                            if !log_and_tell(area, car, &cand, events, ws, ph, sess.speed_kmh()).await {
                                return "aborted";
                            }
                        }
                        Err(LineError::Over) => return "pass_out_of_reach",
                        Err(e) => {
                            let _ = send(ws, json!({"type": "error", "message": e.to_string()})).await;
                        }
                    }
                    if sess.is_over() {
                        return "pass_out_of_reach";
                    }
                }
            }
            ctl = rx.recv() => {
                let Some(Control::Manual { code, examiner, reply }) = ctl else { continue };
                match sess.manual(&code, &examiner, area.now().0) {
                    Ok(events) => {
                        let d = events.iter().find_map(|e| match e {
                            DrivingEvent::Deduction(d) if d.by.is_some() => Some(d.clone()),
                            _ => None,
                        });
                        let logged = log_and_tell(area, car, &cand, events, ws, ph, sess.speed_kmh()).await;
                        let _ = reply.send(match (logged, d) {
                            (true, Some(d)) => Ok(d),
                            (true, None) => Err("the rule does not apply again (not repeatable)".into()),
                            (false, _) => Err("the log did not accept it".into()),
                        });
                        if !logged {
                            return "aborted";
                        }
                        if sess.is_over() {
                            return "pass_out_of_reach";
                        }
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.to_string()));
                    }
                }
            }
        }
    }
}

/// Appends the events; tells the car about deductions once they are durable.
async fn log_and_tell(
    area: &DrivingArea,
    car: &str,
    candidate: &str,
    events: Vec<DrivingEvent>,
    ws: &mut WebSocket,
    ph: &Photographer,
    speed_kmh: Option<f64>,
) -> bool {
    if events.is_empty() {
        return true;
    }
    let session = events
        .iter()
        .find_map(DrivingEvent::session)
        .map(str::to_owned);
    let shots: Vec<DrivingEvent> = events
        .iter()
        .filter(|e| matches!(e, DrivingEvent::ItemStarted(_) | DrivingEvent::Deduction(_)))
        .cloned()
        .collect();
    let msgs: Vec<Value> = events
        .iter()
        .filter_map(|e| match e {
            DrivingEvent::Deduction(d) => Some(deduction_msg(d)),
            _ => None,
        })
        .collect();
    if let Err(e) = area.append(events, Some(candidate), Some(car)).await {
        tracing::error!(error = %format!("{e:#}"), "driving: events not logged; session aborted");
        return false;
    }
    for m in msgs {
        let _ = send(ws, m).await;
    }
    if let Some(session) = session {
        ph.after_logged(&session, &shots, speed_kmh);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(candidate: &str, car: &str, examiner: &str, route: Option<&str>) -> AssignmentV1 {
        AssignmentV1 {
            candidate: candidate.into(),
            group: 0,
            position: 0,
            examiner: Some(examiner.into()),
            car: Some(car.into()),
            route: route.map(str::to_owned),
        }
    }

    #[test]
    fn the_draw_decides_car_and_examiner_and_gives_the_route() {
        let day = Drawn {
            subject: 3,
            start_subject: 3,
            assignments: vec![
                a("c1", "car-01", "ex1", Some("route-east")),
                a("c2", "car-02", "ex2", Some("route-west")),
            ],
        };
        assert_eq!(
            drawn_check(Some(&day), "c1", "car-01", "ex1"),
            Ok(Some("route-east".into()))
        );
        let e = drawn_check(Some(&day), "c2", "car-01", "ex2").unwrap_err();
        assert!(
            e.contains("drawn to car car-02, not this car car-01") && e.contains("考车"),
            "{e}"
        );
        let e = drawn_check(Some(&day), "c1", "car-01", "ex2").unwrap_err();
        assert!(e.contains("drawn to examiner ex1, not ex2"), "{e}");
        let e = drawn_check(Some(&day), "c9", "car-01", "ex1").unwrap_err();
        assert!(e.contains("c9 was not drawn"), "{e}");
        // A Subject 3 roster does not start a Subject 2 course.
        let s2 = Drawn {
            start_subject: 2,
            ..day.clone()
        };
        let e = drawn_check(Some(&s2), "c1", "car-01", "ex1").unwrap_err();
        assert!(
            e.contains("drawn sitting is for Subject 3, this start is for Subject 2"),
            "{e}"
        );
        // A roster imported by hand has no draw to check.
        assert_eq!(drawn_check(None, "c9", "car-01", "ex1"), Ok(None));
    }
}
