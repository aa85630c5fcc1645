//! The theory area of the daemon: its live state, API routes, console pages, commands and demo.
//!
//! Wired by `crate::areas`; everything theory-specific in examd lives under this folder.
//!
//! * `banks`: imported, versioned banks under `<data_dir>/banks/` (`examd bank import`, [`cli`]).
//! * `hall`: open sittings and seats, a projection of the `theory.*` events, replayed at start.
//! * `api`: `/api/v1/theory/…` for examiners; `seat`: the seat terminal's routes (finger login,
//!   paper, answers); `finger`: probes and the 1:1 check against the identity registry; `pages`:
//!   the examiner page `/theory` and the candidate terminal `/theory/seat`.
//!
//! Architecture Invariant: a sitting's state changes only by an event that is durable in the log
//! first; the server's clock (the injected [`Clock`]) times every paper.

mod api;
pub mod banks;
pub mod cli;
mod demo;
pub mod events;
pub mod finger;
pub mod hall;
mod pages;
pub mod photos;
mod seat;
mod sqlite_import;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use model::{Seq, UnixMs};
use store::LogWriter;
use theory::{BankId, Event, Sitting};

use crate::site::Site;
use crate::state::{AppState, Clock};
use banks::Installed;
use events::{ReverifyV1, TheoryEvent};
use hall::{Hall, HallError, Seat};

pub use demo::demo;

/// How long a due identity re-check may wait before it counts as failed.
pub const REVERIFY_GRACE_MS: i64 = 60_000;

/// Live state of the theory area (理论考试).
pub struct TheoryArea {
    data_dir: PathBuf,
    hall: tokio::sync::Mutex<Hall>,
    banks: Mutex<HashMap<(String, String), Installed>>,
    log: LogWriter,
    clock: Clock,
    ticker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for TheoryArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TheoryArea")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl TheoryArea {
    /// Starts the area for an open site: replays the theory events of the log, then times papers.
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<TheoryArea>> {
        let area = Arc::new(TheoryArea {
            data_dir: site.rt.data_dir.clone(),
            hall: tokio::sync::Mutex::new(Hall::default()),
            banks: Mutex::new(HashMap::new()),
            log: site.log.clone(),
            clock,
            ticker: Mutex::new(None),
        });
        area.replay(&*site.store)
            .await
            .context("replaying the theory events")?;
        let weak = Arc::downgrade(&area);
        let handle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                let Some(area) = weak.upgrade() else { return };
                area.tick().await;
            }
        });
        *area.ticker.lock().expect("ticker lock") = Some(handle);
        Ok(area)
    }

    /// Stops the area's background work.
    pub async fn shutdown(&self) {
        if let Some(h) = self.ticker.lock().expect("ticker lock").take() {
            h.abort();
        }
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> UnixMs {
        (self.clock)()
    }

    /// A bank version, loaded once.
    pub fn bank(&self, id: &str, version: &str) -> Option<Installed> {
        let key = (id.to_owned(), version.to_owned());
        if let Some(b) = self.banks.lock().expect("banks lock").get(&key) {
            return Some(b.clone());
        }
        let bid: BankId = id.parse().ok()?;
        match banks::load(&self.data_dir, &bid, version) {
            Ok(b) => {
                self.banks
                    .lock()
                    .expect("banks lock")
                    .insert(key, b.clone());
                Some(b)
            }
            Err(e) => {
                tracing::warn!(bank = id, version, error = %format!("{e:#}"), "bank version not loadable");
                None
            }
        }
    }

    async fn replay(&self, store: &dyn store::Store) -> anyhow::Result<()> {
        let mut hall = self.hall.lock().await;
        let mut from = Seq::FIRST;
        let mut n = 0usize;
        loop {
            let page = store.events(from, 2000).await?;
            let Some(last) = page.last() else { break };
            from = last.seq.next();
            for stored in &page {
                let ev = audit::decode(&stored.bytes)?;
                if ev.kind == model::EventKind::TheoryPhoto {
                    if let Err(e) = replay_photo(&hall, &ev.payload) {
                        tracing::warn!(seq = ev.seq.0, error = %e, "theory photo does not replay");
                    }
                    continue;
                }
                let Some(decoded) = TheoryEvent::decode(ev.kind, &ev.payload) else {
                    continue;
                };
                let te =
                    decoded.with_context(|| format!("theory event {} does not decode", ev.seq))?;
                n += 1;
                let r = match &te {
                    TheoryEvent::Opened(_) | TheoryEvent::Assigned(_) => {
                        hall.apply_hall(&te, |b, v| self.bank(b, v))
                    }
                    other => replay_seat(&mut hall, other),
                };
                if let Err(e) = r {
                    tracing::warn!(seq = ev.seq.0, error = %e, "theory event does not replay");
                }
            }
        }
        tracing::info!(
            events = n,
            seats = hall.seats.len(),
            "theory hall rebuilt from the log"
        );
        Ok(())
    }

    /// Appends `events` about a seat and applies them, holding the seat's lock throughout. A
    /// paper that ends gets its result event in the same batch.
    pub async fn seat_op(
        &self,
        seat_name: &str,
        make: impl FnOnce(&Seat, UnixMs) -> Result<Vec<TheoryEvent>, HallError>,
    ) -> Result<Seat, HallError> {
        let holder = self
            .hall
            .lock()
            .await
            .seat(seat_name)
            .ok_or(HallError::NotFound("seat"))?;
        let mut seat = holder.lock().await;
        let now = self.now();
        let mut evs = make(&seat, now)?;
        if evs.is_empty() {
            return Ok(seat.clone());
        }
        let mut next = seat.clone();
        for ev in &evs {
            next.apply(ev)?;
        }
        let was_done = seat.state.outcome().is_some();
        let ends = !was_done && next.state.outcome().is_some();
        if ends && !evs.iter().any(|e| matches!(e, TheoryEvent::Result(_))) {
            evs.extend(next.result_event());
        }
        let drafts = evs
            .iter()
            .map(|e| e.draft(&next.sitting, Some(&next.candidate)))
            .collect();
        self.log
            .append_many(drafts)
            .await
            .map_err(|e| HallError::Conflict(format!("log: {e}")))?;
        *seat = next;
        Ok(seat.clone())
    }

    /// Ends papers whose time is up, and fails identity re-checks left unanswered.
    async fn tick(&self) {
        let seats: Vec<_> = self.hall.lock().await.seats.keys().cloned().collect();
        for name in seats {
            let r = self
                .seat_op(&name, |seat, now| {
                    let Some(p) = seat.state.progress() else {
                        return Ok(vec![]);
                    };
                    if matches!(seat.state, Sitting::InProgress(_)) && now >= p.deadline {
                        let mut next = seat.clone();
                        next.state = next.state.transition(Event::Tick { at: now })?;
                        return Ok(next.result_event().into_iter().collect());
                    }
                    if seat.reverify_due(now)
                        && now.0 - seat.verified_at.0 >= seat.reverify_ms + REVERIFY_GRACE_MS
                    {
                        return Ok(vec![TheoryEvent::ReverifyFailed(ReverifyV1 {
                            seat: seat.name.clone(),
                            reason: "timeout".into(),
                            score: None,
                            session_sha256: None,
                            examiner: None,
                            at: now.0,
                        })]);
                    }
                    Ok(vec![])
                })
                .await;
            if let Err(e) = r {
                tracing::warn!(seat = name, error = %e, "theory tick");
            }
        }
    }
}

/// A logged `theory.photo` back on its seat.
fn replay_photo(hall: &Hall, payload: &[u8]) -> Result<(), HallError> {
    let e: photos::PhotoEventV1 = serde_json::from_slice(payload)
        .map_err(|e| HallError::Conflict(format!("theory.photo does not decode: {e}")))?;
    let holder = hall.seat(&e.seat).ok_or(HallError::NotFound("seat"))?;
    let mut seat = holder
        .try_lock()
        .map_err(|_| HallError::Conflict("seat busy during replay".into()))?;
    seat.add_photo(&e)
}

fn replay_seat(hall: &mut Hall, ev: &TheoryEvent) -> Result<(), HallError> {
    let seat_name = match ev {
        TheoryEvent::Login(e) => &e.seat,
        TheoryEvent::Shown(e) => &e.seat,
        TheoryEvent::Answer(e) => &e.seat,
        TheoryEvent::Reverified(e) | TheoryEvent::ReverifyFailed(e) => &e.seat,
        TheoryEvent::Result(e) => &e.seat,
        // An examiner's finger refused (opening a sitting, admitting at a seat): no seat changes.
        TheoryEvent::FingerRefused(e) if e.seat.is_empty() || e.purpose == "admit" => {
            return Ok(());
        }
        TheoryEvent::FingerRefused(e) => &e.seat,
        TheoryEvent::Opened(_) | TheoryEvent::Assigned(_) => {
            return Err(HallError::Conflict("hall event".into()));
        }
    };
    let holder = hall.seat(seat_name).ok_or(HallError::NotFound("seat"))?;
    let mut seat = holder
        .try_lock()
        .map_err(|_| HallError::Conflict("seat busy during replay".into()))?;
    seat.apply(ev)?;
    match ev {
        TheoryEvent::Login(e) => hall.bind_session(&e.seat, &e.session_sha256),
        TheoryEvent::Reverified(e) => {
            if let Some(session) = &e.session_sha256 {
                hall.bind_session(&e.seat, session);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Routes under `/api/v1/theory`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages of the area: the examiner page and the candidate terminal.
pub fn pages() -> Router<AppState> {
    pages::routes()
}

/// Opens a sitting as `examiner`, whose `finger` must match their enrolled templates (what
/// `POST /api/v1/theory/sittings` does); returns its id.
pub async fn api_open(
    st: &AppState,
    examiner: &str,
    exam: &str,
    bank: &str,
    reverify_s: u32,
    finger: &scoring::Template,
) -> anyhow::Result<String> {
    api::open(st, examiner, exam, bank, reverify_s, finger)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Assigns a candidate to a seat (what `POST /api/v1/theory/sittings/{id}/seats` does).
pub async fn api_assign(
    st: &AppState,
    sitting: &str,
    seat: &str,
    candidate: &str,
) -> anyhow::Result<()> {
    api::assign(st, sitting, seat, candidate)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Assigns a drawn candidate to a seat, naming the drawn roster (`roster`, the booking session)
/// the finger at login is also searched 1:N over (see `booking::draws::seat_group`).
pub async fn api_assign_drawn(
    st: &AppState,
    sitting: &str,
    seat: &str,
    candidate: &str,
    roster: &str,
) -> anyhow::Result<()> {
    api::assign_from(st, sitting, seat, candidate, Some(roster))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A finger at `seat`'s reader, as `POST /api/v1/theory/seat/finger` handles it (for simulated
/// readers in the demo and tools); returns what the reader shows (`matched`, `score`, …).
pub async fn seat_finger(
    st: &AppState,
    seat: &str,
    probe: &scoring::Template,
) -> anyhow::Result<serde_json::Value> {
    seat::finger_at(st, seat, probe)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}
