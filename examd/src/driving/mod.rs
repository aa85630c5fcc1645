//! Subject 2 and 3 judging in the daemon: `examd judge`, the live car path, replay pictures.
//!
//! Wired by `crate::areas`; everything driving-specific in examd lives under this folder.
//!
//! * `inputs`: course maps, cars and the rule catalogue by name (built in, or `<data_dir>/driving/`).
//! * `session`: one session's judging without IO — telemetry lines in, events to log out.
//! * `live`: the car terminal's WebSocket (`/api/v1/driving/cars/{car}/stream`), one task per car.
//! * `events`, `views`: the `driving.*` payloads and the sessions projection the console shows.
//! * `feed`: the page's event feed (recent tail, then live; no telemetry chunks or inputs).
//! * `photos`: the car camera's photos: identity (17C51), items and deductions (17C54), end (17C56).
//! * `replay`, `svg`, `cli`: re-judging a logged session, its picture, `examd judge` and `examd replay`.
//!
//! Architecture Invariant: the daemon judges with `judge::Judge` only; every input, telemetry line
//! and manual deduction that reaches the judge is in the log first or in the same batch as its
//! consequences, so replaying the log re-derives every verdict.

mod api;
pub mod car;
pub mod cli;
mod demo;
pub mod events;
pub mod feed;
pub mod inputs;
pub mod live;
mod page;
mod photos;
pub mod replay;
pub mod routes;
pub mod session;
pub mod svg;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::Router;
use model::{Seq, UnixMs};
use store::LogWriter;
use tokio::sync::{mpsc, oneshot};

use crate::site::Site;
use crate::state::{AppState, Clock};
use events::{DeductionV1, DrivingEvent};
use inputs::Library;
use views::{SessionV1, Sessions};

pub use demo::demo;

/// A request to a live session's task.
#[derive(Debug)]
pub enum Control {
    /// The examiner enters a manual deduction; the answer comes once it is logged.
    Manual {
        /// Catalogue code.
        code: String,
        /// Who.
        examiner: String,
        /// The logged deduction, or why not.
        reply: oneshot::Sender<Result<DeductionV1, String>>,
    },
}

/// Live state of the driving area (驾驶考试).
pub struct DrivingArea {
    library: Library,
    sessions: Mutex<Sessions>,
    live: Mutex<HashMap<String, mpsc::Sender<Control>>>,
    /// The number of the last session id handed out.
    last_id: std::sync::atomic::AtomicU64,
    log: LogWriter,
    clock: Clock,
}

impl std::fmt::Debug for DrivingArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DrivingArea").finish_non_exhaustive()
    }
}

impl DrivingArea {
    /// Starts the area for an open site: loads the inputs and rebuilds the sessions from the log.
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<DrivingArea>> {
        let library = Library::load(&site.rt.data_dir).context("loading the driving inputs")?;
        let mut sessions = Sessions::default();
        let mut from = Seq::FIRST;
        loop {
            let page = site.store.events(from, 2000).await?;
            let Some(last) = page.last() else { break };
            from = last.seq.next();
            for stored in &page {
                let ev = audit::decode(&stored.bytes)?;
                if let Some(d) = DrivingEvent::decode(ev.kind, &ev.payload) {
                    match d {
                        Ok(d) => sessions.apply(&d),
                        Err(e) => {
                            tracing::warn!(seq = ev.seq.0, error = %e, "driving event does not decode")
                        }
                    }
                }
            }
        }
        sessions.mark_interrupted();
        tracing::info!(
            sessions = sessions.by_id.len(),
            "driving sessions rebuilt from the log"
        );
        let last_id = sessions.started;
        Ok(Arc::new(DrivingArea {
            last_id: std::sync::atomic::AtomicU64::new(last_id),
            library,
            sessions: Mutex::new(sessions),
            live: Mutex::new(HashMap::new()),
            log: site.log.clone(),
            clock,
        }))
    }

    /// Stops the area's background work (live sessions end when their sockets close).
    pub async fn shutdown(&self) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> UnixMs {
        (self.clock)()
    }

    /// The named inputs.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Every session, newest first.
    pub fn sessions(&self) -> Vec<SessionV1> {
        let s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<_> = s.by_id.values().cloned().collect();
        v.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
        v
    }

    /// One session.
    pub fn session(&self, id: &str) -> Option<SessionV1> {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_id
            .get(id)
            .cloned()
    }

    /// Appends events (one batch, durable when this returns) and applies them to the projection.
    pub async fn append(
        &self,
        events: Vec<DrivingEvent>,
        candidate: Option<&str>,
        car: Option<&str>,
    ) -> anyhow::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let drafts = events
            .iter()
            .map(|e| match e {
                DrivingEvent::Input(_) => e.draft(None, None),
                _ => e.draft(candidate, car),
            })
            .collect();
        self.log.append_many(drafts).await?;
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        for e in &events {
            s.apply(e);
        }
        Ok(())
    }

    /// A new session id (`D` and a number, unique at this site, even for cars starting at once).
    fn next_id(&self) -> String {
        loop {
            let n = self
                .last_id
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                + 1;
            let id = format!("D{n:06}");
            let taken = self
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .by_id
                .contains_key(&id);
            if !taken {
                return id;
            }
        }
    }

    /// Whether an input (by hash) is in the log already.
    fn input_logged(&self, sha256: &str) -> bool {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .inputs
            .contains(sha256)
    }

    /// Registers a live session's control channel.
    fn register(&self, id: &str, tx: mpsc::Sender<Control>) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), tx);
    }

    fn deregister(&self, id: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Sends a manual deduction to a live session and waits until it is logged.
    pub async fn manual(
        &self,
        session: &str,
        code: &str,
        examiner: &str,
    ) -> Result<DeductionV1, ManualFailed> {
        let tx = self
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(session)
            .cloned()
            .ok_or(ManualFailed::NotLive)?;
        let (reply, rx) = oneshot::channel();
        tx.send(Control::Manual {
            code: code.into(),
            examiner: examiner.into(),
            reply,
        })
        .await
        .map_err(|_| ManualFailed::NotLive)?;
        rx.await
            .map_err(|_| ManualFailed::NotLive)?
            .map_err(ManualFailed::Refused)
    }
}

/// A manual deduction did not enter.
#[derive(Debug, thiserror::Error)]
pub enum ManualFailed {
    /// No car is streaming this session.
    #[error("the session is not live (no car is streaming it)")]
    NotLive,
    /// The session refused it (unknown code, exam over).
    #[error("{0}")]
    Refused(String),
}

/// Routes under `/api/v1/driving`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    page::routes()
}

pub use page::audit_replays;
