//! The `/driving` page's event feed, `GET /api/v1/driving/events?from=SEQ` (Server-Sent Events):
//! the driving events a person reads — starts, identity checks, items, deductions, results —
//! without the raw telemetry chunks and the logged inputs, which on a real site are most of the
//! log's bytes. It opens with the most recent [`TAIL`] such events at or after `from` (or after
//! `Last-Event-ID` on a reconnect), oldest first, then follows the log live.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use model::{EventKind, Seq};
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::EventV1;

/// At most this many past events open the feed.
pub const TAIL: u32 = 100;

/// The kinds the feed carries.
pub const FEED_KINDS: &[EventKind] = &[
    EventKind::DrivingIdentity,
    EventKind::DrivingSessionStarted,
    EventKind::DrivingItemStarted,
    EventKind::DrivingItemEnded,
    EventKind::DrivingDeduction,
    EventKind::DrivingResult,
];

/// Whether an event of this kind (code) is on the feed.
pub fn on_feed(kind: u16) -> bool {
    FEED_KINDS.iter().any(|k| k.code() == kind)
}

/// Query of the feed.
#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    from: Option<u64>,
}

struct Follow {
    st: AppState,
    rx: broadcast::Receiver<Arc<audit::Sealed>>,
    next: Seq,
    backlog: VecDeque<store::StoredEvent>,
    catching_up: bool,
}

fn sse_of(bytes: &[u8], hash: &audit::Hash, seq: Seq) -> Option<SseEvent> {
    let v = EventV1::from_record(bytes, hash).ok()?;
    SseEvent::default()
        .id(seq.to_string())
        .event("event")
        .json_data(v)
        .ok()
}

fn kind_of(bytes: &[u8]) -> Option<u16> {
    audit::decode(bytes).ok().map(|e| e.kind.code())
}

/// `GET /api/v1/driving/events` — see the module.
pub(super) async fn feed(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    caller.require(super::api::WATCHERS)?;
    let rx = st.log.subscribe();
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|id| id + 1)
        .or(q.from)
        .unwrap_or(1);
    let next = st
        .store
        .log_head()
        .await?
        .map(|(s, _)| s.next())
        .unwrap_or(Seq::FIRST);
    // The recent tail, kind by kind (each an indexed read), merged by sequence number.
    let mut tail = Vec::new();
    for k in FEED_KINDS {
        tail.extend(
            st.store
                .events_desc(Some(next), Some(k.code()), TAIL)
                .await?,
        );
    }
    tail.retain(|e| e.seq.0 >= after);
    tail.sort_by_key(|e| std::cmp::Reverse(e.seq));
    tail.truncate(TAIL as usize);
    tail.reverse();
    let follow = Follow {
        st,
        rx,
        next,
        backlog: tail.into(),
        catching_up: false,
    };
    let s = futures::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(e) = f.backlog.pop_front() {
                if e.seq >= f.next {
                    f.next = e.seq.next();
                }
                if !kind_of(&e.bytes).is_some_and(on_feed) {
                    continue;
                }
                match sse_of(&e.bytes, &e.hash, e.seq) {
                    Some(ev) => return Some((Ok(ev), f)),
                    None => continue,
                }
            }
            if f.catching_up {
                match f.st.store.events(f.next, 256).await {
                    Ok(rows) if !rows.is_empty() => {
                        f.backlog.extend(rows);
                        continue;
                    }
                    Ok(_) => f.catching_up = false,
                    Err(err) => {
                        tracing::warn!(%err, "driving feed backfill failed");
                        return None;
                    }
                }
            }
            match f.rx.recv().await {
                Ok(sealed) if sealed.event.seq < f.next => continue,
                Ok(sealed) if sealed.event.seq == f.next => {
                    f.next = sealed.event.seq.next();
                    if !on_feed(sealed.event.kind.code()) {
                        continue;
                    }
                    if let Some(ev) = sse_of(&sealed.bytes, &sealed.hash, sealed.event.seq) {
                        return Some((Ok(ev), f));
                    }
                }
                // A gap (we lagged, or the event predates our subscription): read the store.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => f.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_leaves_out_telemetry_and_inputs_only() {
        assert!(!on_feed(EventKind::DrivingTelemetry.code()));
        assert!(!on_feed(EventKind::DrivingInput.code()));
        for k in FEED_KINDS {
            assert!(k.name().starts_with("driving."), "{}", k.name());
            assert!(on_feed(k.code()));
        }
        assert!(!on_feed(EventKind::GateDecision.code()));
    }
}
