//! The draw's steps on the site: commit, close the roster and draw, finish (no-shows, reveal).
//! The algorithm is `booking::draw`; this file holds the seed between commit and reveal
//! (`<data_dir>/draws/<session>.seed`, mode 0600) and logs each step.

use std::path::PathBuf;

use anyhow::Context;
use booking::draw::{self, Seed};
use booking::{ExamSubject, SessionId};
use ring::rand::{SecureRandom, SystemRandom};

use super::events::*;
use super::verify::{roster_of, to_v1};
use super::{BookingArea, SubmitError};
use crate::state::AppState;

/// Why a draw step was refused.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// The session does not exist.
    #[error("session {0} does not exist")]
    UnknownSession(String),
    /// The step is out of order; the message says which step is missing or done.
    #[error("{0}")]
    Order(String),
    /// Logging or the seed file failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn seed_path(area: &BookingArea, session: &SessionId) -> PathBuf {
    area.data_dir
        .join("draws")
        .join(format!("{}.seed", session.as_str()))
}

fn session_id(s: &str) -> Result<SessionId, DrawError> {
    s.parse()
        .map_err(|_| DrawError::UnknownSession(s.to_owned()))
}

/// Commits a fresh seed for the session: logs `draw.committed` with its SHA-256 commitment.
/// Refused once committed or once the roster is closed.
pub async fn commit(area: &BookingArea, session: &str) -> Result<String, DrawError> {
    let _one = area.draw_lock.lock().await;
    let id = session_id(session)?;
    let closed = area
        .read(|l| l.sessions.get(&id).map(|s| s.closed))
        .ok_or_else(|| DrawError::UnknownSession(session.to_owned()))?;
    if closed {
        return Err(DrawError::Order(format!(
            "session {session}: the roster is closed; a seed must be committed before"
        )));
    }
    if area.draw_state(session).commitment.is_some() {
        return Err(DrawError::Order(format!(
            "session {session}: the seed is already committed"
        )));
    }
    let mut b = [0u8; 32];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| anyhow::anyhow!("the system random source failed"))?;
    let seed = Seed(b);
    let path = seed_path(area, &id);
    std::fs::create_dir_all(path.parent().expect("has a parent"))
        .with_context(|| format!("creating {}", path.display()))?;
    if path.exists() {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    crate::site::write_private(&path, seed.to_hex().as_bytes())?;
    let c = draw::commitment(&id, &seed);
    area.append_other(BookingEvent::Committed(CommittedV1 {
        session: session.to_owned(),
        commitment: c.clone(),
        at: area.now().0,
    }))
    .await?;
    Ok(c)
}

fn read_seed(area: &BookingArea, id: &SessionId) -> anyhow::Result<Seed> {
    let path = seed_path(area, id);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Seed::from_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Closes the roster (logged with the booked candidates, examiners, cars and routes), draws
/// from the committed seed, logs the assignments, and imports the roster into the identity
/// registry (theory seats by draw order). Returns the assignments.
pub async fn close(st: &AppState, session: &str, by: &str) -> Result<Vec<AssignmentV1>, DrawError> {
    let area = &st.areas.booking;
    let _one = area.draw_lock.lock().await;
    let id = session_id(session)?;
    if area.draw_state(session).commitment.is_none() {
        return Err(DrawError::Order(format!(
            "session {session}: commit the draw's seed before closing the roster"
        )));
    }
    let s = area
        .read(|l| l.sessions.get(&id).cloned())
        .ok_or_else(|| DrawError::UnknownSession(session.to_owned()))?;
    if s.closed {
        return Err(DrawError::Order(format!(
            "session {session}: the roster is already closed"
        )));
    }
    let seed = read_seed(area, &id)?;
    let mut candidates: Vec<String> = s.booked.iter().map(|c| c.to_string()).collect();
    candidates.sort();
    let closed = RosterClosedV1 {
        session: session.to_owned(),
        subject: s.spec.subject.code().to_owned(),
        candidates,
        examiners: s.spec.examiners.iter().map(|x| x.to_string()).collect(),
        cars: s.spec.cars.iter().map(|x| x.to_string()).collect(),
        routes: s.spec.routes.iter().map(|x| x.to_string()).collect(),
        group_size: s.spec.group_size,
        at: area.now().0,
    };
    let roster = roster_of(&closed)?;
    match area.submit(BookingEvent::RosterClosed(closed)).await {
        Ok(_) => {}
        Err(SubmitError::Ledger(e)) => return Err(DrawError::Order(e.to_string())),
        Err(e) => return Err(DrawError::Internal(anyhow::anyhow!("{e}"))),
    }
    let assignments: Vec<AssignmentV1> = draw::assign(&roster, &seed).iter().map(to_v1).collect();
    area.append_other(BookingEvent::Assigned(AssignedV1 {
        session: session.to_owned(),
        assignments: assignments.clone(),
        at: area.now().0,
    }))
    .await?;
    feed_roster(st, session, s.spec.subject, &assignments, by).await;
    Ok(assignments)
}

/// Imports the drawn roster into the identity registry: the gate admits (inside the sitting's
/// gate window, `crate::gate::day_roster`) and the seats and cars check fingers against it. Hall seats are not reserved here: the theory hall seats each
/// drawn group when its sitting opens ([`seat_group`]). A failure is logged and reported, not
/// fatal to the draw.
async fn feed_roster(
    st: &AppState,
    session: &str,
    subject: ExamSubject,
    assignments: &[AssignmentV1],
    by: &str,
) {
    let roster = crate::identity::RosterV1 {
        sitting: session.to_owned(),
        candidates: assignments
            .iter()
            .map(|a| crate::identity::roster::CandidateV1 {
                id: a.candidate.clone(),
                name: st.areas.booking.name_of(&a.candidate),
                seat: None,
                subject: Some(subject.code().to_owned()),
                templates: vec![],
            })
            .collect(),
        examiners: vec![],
    };
    match st.identity.import_roster_v1(roster, by).await {
        Ok(sum) => tracing::info!(
            session,
            candidates = sum.candidates,
            without_templates = sum.without_templates.len(),
            "drawn roster imported into the identity registry"
        ),
        Err(e) => {
            tracing::warn!(session, error = %e, "drawn roster not imported into the identity registry")
        }
    }
}

/// A drawn session's logged assignments, in group and position order (`None` before the draw).
pub fn drawn(area: &BookingArea, session: &str) -> Option<Vec<AssignmentV1>> {
    area.draw_state(session).assigned
}

/// The subject of a booking session, if `session` is one.
pub fn subject_of(area: &BookingArea, session: &str) -> Option<ExamSubject> {
    let id: SessionId = session.parse().ok()?;
    area.read(|l| l.sessions.get(&id).map(|s| s.spec.subject))
}

/// The drawn session of `subject` whose gate window is open now, or else the latest one (by
/// session id, which begins with its day), and its logged assignments: the roster the day's
/// gate, hall or cars work from.
pub fn latest_drawn(
    area: &BookingArea,
    subject: ExamSubject,
) -> Option<(String, Vec<AssignmentV1>)> {
    let now = area.now();
    let drawn: Vec<(String, Vec<AssignmentV1>)> = area
        .draw_states()
        .into_iter()
        .filter_map(|(session, d)| Some((session, d.assigned?)))
        .filter(|(session, _)| subject_of(area, session) == Some(subject))
        .collect();
    let open = drawn.iter().position(|(session, _)| {
        area.gate_window(session)
            .is_some_and(|w| w.state(now) == booking::sitting::WindowState::Open)
    });
    match open {
        Some(i) => drawn.into_iter().nth(i),
        None => drawn.into_iter().next_back(),
    }
}

/// Seats one drawn group of a theory (Subject 1) session in the theory hall: the group's
/// candidates, in their drawn order, go to `seats` of the open theory sitting `sitting`, each
/// assignment (`theory.seat_assigned`) naming the drawn roster, so the finger at login is also
/// searched 1:N over the day's roster. Returns `(seat, candidate)` pairs.
pub async fn seat_group(
    st: &AppState,
    session: &str,
    group: u32,
    sitting: &str,
    seats: &[String],
) -> Result<Vec<(String, String)>, DrawError> {
    let id = session_id(session)?;
    let subject = st
        .areas
        .booking
        .read(|l| l.sessions.get(&id).map(|s| s.spec.subject))
        .ok_or_else(|| DrawError::UnknownSession(session.to_owned()))?;
    if subject.is_driving() {
        return Err(DrawError::Order(format!(
            "session {session} is a driving test: its draw seats candidates in cars, not in the hall"
        )));
    }
    let drawn = drawn(&st.areas.booking, session).ok_or_else(|| {
        DrawError::Order(format!(
            "session {session}: close the roster and draw before seating"
        ))
    })?;
    let members: Vec<&AssignmentV1> = drawn.iter().filter(|a| a.group == group).collect();
    if members.is_empty() {
        return Err(DrawError::Order(format!(
            "session {session} has no drawn group {group}"
        )));
    }
    if members.len() > seats.len() {
        return Err(DrawError::Order(format!(
            "session {session}: group {group} has {} candidates but only {} seats were given",
            members.len(),
            seats.len()
        )));
    }
    let mut out = Vec::new();
    for (a, seat) in members.iter().zip(seats) {
        crate::theory::api_assign_drawn(st, sitting, seat, &a.candidate, session)
            .await
            .map_err(|e| {
                DrawError::Internal(anyhow::anyhow!("seating {} at {seat}: {e:#}", a.candidate))
            })?;
        out.push((seat.clone(), a.candidate.clone()));
    }
    Ok(out)
}

/// After the sitting: every booking without a result becomes a no-show (a fail, art. 46), then
/// the seed is revealed (`draw.revealed`). Returns the seed.
pub async fn finish(area: &BookingArea, session: &str) -> Result<String, DrawError> {
    let _one = area.draw_lock.lock().await;
    let id = session_id(session)?;
    let s = area
        .read(|l| l.sessions.get(&id).cloned())
        .ok_or_else(|| DrawError::UnknownSession(session.to_owned()))?;
    if !s.closed || area.draw_state(session).assigned.is_none() {
        return Err(DrawError::Order(format!(
            "session {session}: close the roster and draw before finishing"
        )));
    }
    if area.draw_state(session).revealed.is_some() {
        return Err(DrawError::Order(format!(
            "session {session}: already finished"
        )));
    }
    let pending: Vec<String> = area.read(|l| {
        s.booked
            .iter()
            .filter(|c| {
                l.candidates.get(*c).is_some_and(|f| {
                    f.bookings
                        .iter()
                        .any(|b| b.session == id && b.result == booking::BookingResult::Pending)
                })
            })
            .map(|c| c.to_string())
            .collect()
    });
    for c in pending {
        let r = area
            .submit(BookingEvent::Result(ResultV1 {
                candidate: c,
                session: session.to_owned(),
                outcome: "no_show".into(),
                voided: vec![],
                at: area.now().0,
            }))
            .await;
        if let Err(e) = r {
            bail_draw(e)?;
        }
    }
    let seed = read_seed(area, &id)?;
    area.append_other(BookingEvent::Revealed(RevealedV1 {
        session: session.to_owned(),
        seed: seed.to_hex(),
        at: area.now().0,
    }))
    .await?;
    Ok(seed.to_hex())
}

fn bail_draw(e: SubmitError) -> Result<(), DrawError> {
    match e {
        SubmitError::Ledger(e) => Err(DrawError::Order(e.to_string())),
        other => Err(DrawError::Internal(anyhow::anyhow!("{other}"))),
    }
}
