//! Online self-booking and the same-day verifiable draw (公安部令第162号 arts. 39–48, 54).
//!
//! * `events`: the `booking.*` and `draw.*` payloads and their mapping to ledger facts.
//! * The ledger ([`booking::Ledger`]) is a projection of the log, replayed at start. Every
//!   change goes through one writer task ([`BookingArea::submit`]): it takes the queued
//!   requests in a batch, decides each against the ledger in order, and appends the batch
//!   (bookings and refusals alike) with one `append_many`, so the log order is the decision
//!   order and a replay decides the same (first come, first served by arrival at the task).
//! * `login`: candidates identify by ID number and a one-time code.
//! * `draws`: commit (seed from `ring`'s `SystemRandom`, only the commitment logged), close
//!   the roster and draw, reveal after the sitting; `verify`: `examd draw verify`.
//! * `lottery`: sessions whose places are drawn by lottery: opened with their seed's
//!   commitment, applications through the writer task like bookings, and the allocation at
//!   the window's close (the seed revealed in it); `lottery_timer` draws a session opened with
//!   an application close time by itself when that time passes (`by: system`).
//! * `api`: `/api/v1/booking/…`; `pages`: `/booking` (candidates), `/booking/admin`, `/draw`
//!   (public commitments and seeds); `session_times`: a session's start, gate margins and
//!   application close as an administrator gives them, each refusal naming its field.
//!
//! Architecture Invariant: the ledger changes only inside the writer task, and only for
//! events that are then durable; a failed append rebuilds the ledger from the log.

mod api;
mod demo;
pub mod draws;
pub mod events;
pub mod login;
pub mod lottery;
pub mod lottery_timer;
mod pages;
pub mod session_times;
pub mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::Router;
use booking::sitting::GateWindow;
use booking::{Effects, Ledger, LedgerError, LocalDay, WorkCalendar};
use model::{Seq, UnixMs};
use store::LogWriter;
use tokio::sync::{mpsc, oneshot};

use crate::site::Site;
use crate::state::{AppState, Clock};
use events::{AllocatedV1, BookingEvent, RefusedV1, ResultV1};

pub use demo::demo;

/// What the writer task answers.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The ledger refused it (a rule, an unknown candidate or session).
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    /// The event is not a ledger fact or does not parse.
    #[error("{0}")]
    Invalid(String),
    /// The log did not take it.
    #[error("log: {0}")]
    Log(String),
}

struct Job {
    ev: BookingEvent,
    reply: oneshot::Sender<Result<Effects, SubmitError>>,
}

/// A session's draw, as far as the log shows it.
#[derive(Debug, Clone, Default)]
pub struct DrawState {
    /// The commitment (hex), if committed.
    pub commitment: Option<String>,
    /// When it was committed.
    pub committed_at: Option<i64>,
    /// The logged assignments.
    pub assigned: Option<Vec<events::AssignmentV1>>,
    /// The revealed seed (hex).
    pub revealed: Option<String>,
    /// A lottery session's seed, revealed when its places were drawn (hex).
    pub lottery_seed: Option<String>,
}

/// Live state of the booking area.
pub struct BookingArea {
    ledger: Arc<Mutex<Ledger>>,
    draws: Mutex<BTreeMap<String, DrawState>>,
    /// Candidate logins.
    pub logins: login::Logins,
    jobs: mpsc::Sender<Job>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Candidate names by ID number (from the registrations).
    names: Mutex<std::collections::HashMap<String, String>>,
    /// Every session's gate window (from its opening).
    windows: Mutex<BTreeMap<String, GateWindow>>,
    /// Lottery sessions' application close times, ms (from their opening).
    closes: Mutex<BTreeMap<String, i64>>,
    timer: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Serialises the draw steps of every session.
    draw_lock: tokio::sync::Mutex<()>,
    data_dir: PathBuf,
    log: LogWriter,
    clock: Clock,
}

impl std::fmt::Debug for BookingArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookingArea")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// Replays the booking events of the log into a ledger and the draws.
type Replayed = (
    Ledger,
    BTreeMap<String, DrawState>,
    std::collections::HashMap<String, String>,
    BTreeMap<String, GateWindow>,
    BTreeMap<String, i64>,
);

/// A lottery session's application close time, from its `booking.lottery_opened`.
fn close_of(ev: &BookingEvent) -> Option<(String, i64)> {
    match ev {
        BookingEvent::LotteryOpened(l) => Some((
            l.session.session.clone(),
            l.session.times.applications_close?,
        )),
        _ => None,
    }
}

/// The session a `booking.session_opened` or `booking.lottery_opened` opens, with its gate window.
fn window_of(ev: &BookingEvent) -> Option<(String, GateWindow)> {
    let s = match ev {
        BookingEvent::SessionOpened(s) => s,
        BookingEvent::LotteryOpened(l) => &l.session,
        _ => return None,
    };
    Some((s.session.clone(), s.gate_window().ok()?))
}

async fn replay(store: &dyn store::Store) -> anyhow::Result<Replayed> {
    let mut names = std::collections::HashMap::new();
    let mut ledger = Ledger::new(WorkCalendar::default());
    let mut draws: BTreeMap<String, DrawState> = BTreeMap::new();
    let mut windows = BTreeMap::new();
    let mut closes = BTreeMap::new();
    let mut from = Seq::FIRST;
    loop {
        let page = store.events(from, 2000).await?;
        let Some(last) = page.last() else { break };
        from = last.seq.next();
        for stored in &page {
            let ev = audit::decode(&stored.bytes)?;
            let Some(b) = BookingEvent::decode(ev.kind, &ev.payload) else {
                continue;
            };
            let b = b.with_context(|| format!("booking event {} does not decode", ev.seq))?;
            windows.extend(window_of(&b));
            closes.extend(close_of(&b));
            if let Some(fact) = b.fact() {
                let r = fact
                    .map_err(|e| e.to_string())
                    .and_then(|f| ledger.apply(&f).map_err(|e| e.to_string()));
                if let Err(e) = r {
                    tracing::warn!(seq = ev.seq.0, error = %e, "booking event does not replay");
                }
            }
            match b {
                BookingEvent::Registered(e) => {
                    names.insert(e.candidate, e.name);
                }
                BookingEvent::Committed(e) => {
                    let d = draws.entry(e.session).or_default();
                    d.commitment = Some(e.commitment);
                    d.committed_at = Some(e.at);
                }
                BookingEvent::Assigned(e) => {
                    draws.entry(e.session).or_default().assigned = Some(e.assignments);
                }
                BookingEvent::Revealed(e) => {
                    draws.entry(e.session).or_default().revealed = Some(e.seed);
                }
                BookingEvent::Allocated(e) => {
                    draws.entry(e.session).or_default().lottery_seed = Some(e.seed);
                }
                _ => {}
            }
        }
    }
    Ok((ledger, draws, names, windows, closes))
}

impl BookingArea {
    /// Starts the area: replays the booking events, then runs the writer task.
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<BookingArea>> {
        let (ledger, draws, names, windows, closes) = replay(&*site.store)
            .await
            .context("replaying the booking events")?;
        tracing::info!(
            candidates = ledger.candidates.len(),
            sessions = ledger.sessions.len(),
            "booking ledger rebuilt from the log"
        );
        let ledger = Arc::new(Mutex::new(ledger));
        let (tx, rx) = mpsc::channel(4096);
        let handle = tokio::spawn(writer(
            rx,
            ledger.clone(),
            site.log.clone(),
            site.store.clone(),
        ));
        let area = Arc::new(BookingArea {
            ledger,
            draws: Mutex::new(draws),
            logins: login::Logins::default(),
            names: Mutex::new(names),
            windows: Mutex::new(windows),
            closes: Mutex::new(closes),
            timer: Mutex::new(None),
            jobs: tx,
            task: Mutex::new(Some(handle)),
            draw_lock: tokio::sync::Mutex::new(()),
            data_dir: site.rt.data_dir.clone(),
            log: site.log.clone(),
            clock,
        });
        // Lottery windows close on time (lottery_timer).
        let timer = tokio::spawn(lottery_timer::run(
            Arc::downgrade(&area),
            lottery_timer::EVERY,
        ));
        *area.timer.lock().expect("timer lock") = Some(timer);
        Ok(area)
    }

    /// Stops the writer task and the lottery timer.
    pub async fn shutdown(&self) {
        if let Some(h) = self.timer.lock().expect("timer lock").take() {
            h.abort();
        }
        if let Some(h) = self.task.lock().expect("task lock").take() {
            h.abort();
        }
    }

    /// Every lottery session's application close time (ms), by session.
    pub fn lottery_closes(&self) -> BTreeMap<String, i64> {
        self.closes.lock().expect("closes lock").clone()
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> UnixMs {
        (self.clock)()
    }

    /// Today in China.
    pub fn today(&self) -> LocalDay {
        LocalDay::of(self.now())
    }

    /// Reads the ledger.
    pub fn read<R>(&self, f: impl FnOnce(&Ledger) -> R) -> R {
        f(&self.ledger.lock().expect("ledger lock"))
    }

    /// A session's draw state.
    pub fn draw_state(&self, session: &str) -> DrawState {
        self.draws
            .lock()
            .expect("draws lock")
            .get(session)
            .cloned()
            .unwrap_or_default()
    }

    /// Every session's draw state.
    pub fn draw_states(&self) -> BTreeMap<String, DrawState> {
        self.draws.lock().expect("draws lock").clone()
    }

    /// A session's gate window (`None` for an unknown session).
    pub fn gate_window(&self, session: &str) -> Option<GateWindow> {
        self.windows
            .lock()
            .expect("windows lock")
            .get(session)
            .copied()
    }

    /// A registered candidate's name (empty when unknown).
    pub fn name_of(&self, candidate: &str) -> String {
        self.names
            .lock()
            .expect("names lock")
            .get(candidate)
            .cloned()
            .unwrap_or_default()
    }

    /// Decides and logs a ledger event (registration, session, booking, cancellation, roster
    /// close, result) through the writer task.
    pub async fn submit(&self, ev: BookingEvent) -> Result<Effects, SubmitError> {
        let name = match &ev {
            BookingEvent::Registered(e) => Some((e.candidate.clone(), e.name.clone())),
            _ => None,
        };
        let window = window_of(&ev);
        let close = close_of(&ev);
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { ev, reply })
            .await
            .map_err(|_| SubmitError::Log("the booking writer stopped".into()))?;
        let fx = answer
            .await
            .map_err(|_| SubmitError::Log("the booking writer stopped".into()))??;
        if let Some((c, n)) = name {
            self.names.lock().expect("names lock").insert(c, n);
        }
        if let Some((s, w)) = window {
            self.windows.lock().expect("windows lock").insert(s, w);
        }
        if let Some((s, t)) = close {
            self.closes.lock().expect("closes lock").insert(s, t);
        }
        Ok(fx)
    }

    /// Appends a draw or login event (not a ledger fact) and records draw state.
    async fn append_other(&self, ev: BookingEvent) -> anyhow::Result<()> {
        self.log.append(ev.draft()).await?;
        let mut draws = self.draws.lock().expect("draws lock");
        match ev {
            BookingEvent::Committed(e) => {
                let d = draws.entry(e.session).or_default();
                d.commitment = Some(e.commitment);
                d.committed_at = Some(e.at);
            }
            BookingEvent::Assigned(e) => {
                draws.entry(e.session).or_default().assigned = Some(e.assignments);
            }
            BookingEvent::Revealed(e) => {
                draws.entry(e.session).or_default().revealed = Some(e.seed);
            }
            _ => {}
        }
        Ok(())
    }
}

/// The single writer: batches, decides in order, appends once, then answers.
async fn writer(
    mut rx: mpsc::Receiver<Job>,
    ledger: Arc<Mutex<Ledger>>,
    log: LogWriter,
    store: Arc<dyn store::Store>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1024 {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut drafts = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        {
            let mut l = ledger.lock().expect("ledger lock");
            for job in batch {
                let fact = match job.ev.fact() {
                    Some(Ok(f)) => f,
                    Some(Err(e)) => {
                        answers.push((job.reply, Err(SubmitError::Invalid(e))));
                        continue;
                    }
                    None => {
                        answers.push((
                            job.reply,
                            Err(SubmitError::Invalid("not a ledger event".into())),
                        ));
                        continue;
                    }
                };
                let places = match &fact {
                    booking::Fact::Allocated { session, .. } => {
                        l.sessions.get(session).map(|s| l.lottery_places(s))
                    }
                    _ => None,
                };
                match l.apply(&fact) {
                    Ok(fx) => {
                        let names = |v: &[booking::CandidateId]| {
                            v.iter().map(|c| c.to_string()).collect::<Vec<_>>()
                        };
                        let ev = match job.ev {
                            BookingEvent::Result(r) => BookingEvent::Result(ResultV1 {
                                voided: fx.voided.iter().map(|s| s.code().to_owned()).collect(),
                                ..r
                            }),
                            // The ledger decided the allocation: the event records its outcome.
                            BookingEvent::Allocated(a) => {
                                let allot = fx.allotment.clone().unwrap_or_default();
                                BookingEvent::Allocated(AllocatedV1 {
                                    places: places.unwrap_or_default(),
                                    winners: names(&allot.winners),
                                    losers: names(&allot.losers),
                                    ..a
                                })
                            }
                            other => other,
                        };
                        drafts.push(ev.draft());
                        answers.push((job.reply, Ok(fx)));
                    }
                    Err(LedgerError::Refused(r)) => {
                        let refused = match &job.ev {
                            BookingEvent::Booked(b) => Some((b, "book")),
                            BookingEvent::Cancelled(b) => Some((b, "cancel")),
                            BookingEvent::Applied(b) => Some((b, "apply")),
                            _ => None,
                        };
                        if let Some((b, action)) = refused {
                            drafts.push(
                                BookingEvent::Refused(RefusedV1 {
                                    candidate: b.candidate.clone(),
                                    session: b.session.clone(),
                                    action: action.into(),
                                    rule: r.rule().into(),
                                    message: format!("{} / {}", r.zh(), r.en()),
                                    at: b.at,
                                })
                                .draft(),
                            );
                        }
                        answers.push((job.reply, Err(LedgerError::Refused(r).into())));
                    }
                    Err(e) => answers.push((job.reply, Err(e.into()))),
                }
            }
        }
        let appended = log.append_many(drafts).await;
        match appended {
            Ok(_) => {
                for (reply, a) in answers {
                    let _ = reply.send(a);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "booking batch not logged; rebuilding the ledger");
                match replay(&*store).await {
                    Ok((l, ..)) => *ledger.lock().expect("ledger lock") = l,
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "booking replay failed"),
                }
                for (reply, a) in answers {
                    let _ = reply.send(a.and(Err(SubmitError::Log(e.to_string()))));
                }
            }
        }
    }
}

/// Routes under `/api/v1/booking`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages: `/booking`, `/booking/admin`, `/draw`.
pub fn pages() -> Router<AppState> {
    pages::routes()
}
