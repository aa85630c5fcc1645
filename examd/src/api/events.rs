//! The log over HTTP: paginated listing, a live tail (Server-Sent Events), and device appends.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use model::{EventKind, Role, Seq, SubjectKind, SubjectRef};
use serde::Deserialize;
use store::Draft;
use tokio::sync::broadcast;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{AppendV1, AppendedV1, EventPageV1, EventV1};

/// Roles that may read the raw log.
pub const LOG_READERS: &[Role] = &[Role::Admin, Role::Auditor];

/// Query of `GET /api/v1/events`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    before: Option<u64>,
    kind: Option<String>,
    limit: Option<u32>,
}

fn to_v1(e: &store::StoredEvent) -> Result<EventV1, ApiError> {
    EventV1::from_record(&e.bytes, &e.hash).map_err(|err| {
        ApiError::Internal(anyhow::anyhow!(
            "stored event {} does not decode: {err}",
            e.seq
        ))
    })
}

/// `GET /api/v1/events?before=&kind=&limit=` — newest first.
pub async fn list(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<EventPageV1>, ApiError> {
    caller.require(LOG_READERS)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            EventKind::from_name(name)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown event kind {name:?}")))?
                .code(),
        ),
    };
    let rows = st.store.events_desc(q.before.map(Seq), kind, limit).await?;
    let events = rows.iter().map(to_v1).collect::<Result<Vec<_>, _>>()?;
    let next_before = match events.last() {
        Some(e) if e.seq > 1 && events.len() as u32 == limit => Some(e.seq),
        _ => None,
    };
    Ok(Json(EventPageV1 {
        events,
        next_before,
    }))
}

/// `POST /api/v1/events` — devices append a report; answered only once it is durable.
pub async fn append(
    State(st): State<AppState>,
    caller: Caller,
    Json(req): Json<AppendV1>,
) -> Result<(StatusCode, Json<AppendedV1>), ApiError> {
    caller.require(&[Role::Device])?;
    if EventKind::from_name(&req.kind) != Some(EventKind::DeviceReport) {
        return Err(ApiError::BadRequest(format!(
            "devices may append only device.report events, not {:?}",
            req.kind
        )));
    }
    if !req.payload.is_object() {
        return Err(ApiError::BadRequest("payload must be a JSON object".into()));
    }
    let mut subjects = vec![SubjectRef::new(SubjectKind::Device, caller.name.as_str())];
    for s in req.subjects {
        let kind = match s.kind.as_str() {
            "candidate" => SubjectKind::Candidate,
            "session" => SubjectKind::Session,
            other => {
                return Err(ApiError::BadRequest(format!(
                    "subject kind {other:?} is not allowed here"
                )));
            }
        };
        if s.id.is_empty() || s.id.len() > 255 {
            return Err(ApiError::BadRequest(
                "subject id must be 1 to 255 bytes".into(),
            ));
        }
        subjects.push(SubjectRef::new(kind, s.id));
    }
    // serde_json's map is ordered by key: this is the canonical form.
    let payload = serde_json::to_vec(&req.payload).map_err(anyhow::Error::from)?;
    if payload.len() > 64 * 1024 {
        return Err(ApiError::BadRequest("payload is larger than 64 KiB".into()));
    }
    let sealed = st
        .log
        .append(Draft {
            kind: EventKind::DeviceReport,
            subjects,
            payload,
        })
        .await
        .map_err(anyhow::Error::from)?;
    Ok((
        StatusCode::CREATED,
        Json(AppendedV1 {
            seq: sealed.event.seq.0,
            hash: sealed.hash.to_hex(),
            time_ms: sealed.event.time.0,
        }),
    ))
}

/// Query of `GET /api/v1/events/stream`.
#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    from: Option<u64>,
    prefix: Option<String>,
}

/// Kind prefixes of the console's area pages; examiners may follow these.
const AREA_PREFIXES: &[&str] = &["gate.", "theory.", "driving.", "upload.", "device."];

struct Tail {
    st: AppState,
    rx: broadcast::Receiver<Arc<audit::Sealed>>,
    next: Seq,
    backlog: VecDeque<store::StoredEvent>,
    catching_up: bool,
    prefix: Option<String>,
}

impl Tail {
    fn wants(&self, bytes: &[u8]) -> bool {
        match &self.prefix {
            None => true,
            Some(p) => audit::decode(bytes)
                .map(|e| e.kind.name().starts_with(p.as_str()))
                .unwrap_or(true),
        }
    }
}

/// `GET /api/v1/events/stream?from=SEQ` — every event from `from` (default: only new ones),
/// then live. Resumes from `Last-Event-ID` after a reconnect.
pub async fn stream(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    match q.prefix.as_deref() {
        Some(p) if AREA_PREFIXES.contains(&p) => {
            caller.require(&[Role::Admin, Role::Auditor, Role::Examiner])?
        }
        Some(p) => return Err(ApiError::BadRequest(format!("unknown stream prefix {p:?}"))),
        None => caller.require(LOG_READERS)?,
    }
    let rx = st.log.subscribe();
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let next = match (last_id, q.from) {
        (Some(id), _) => Seq(id + 1),
        (None, Some(from)) => Seq(from.max(1)),
        (None, None) => st
            .store
            .log_head()
            .await?
            .map(|(s, _)| s.next())
            .unwrap_or(Seq::FIRST),
    };
    let tail = Tail {
        st,
        rx,
        next,
        backlog: VecDeque::new(),
        catching_up: true,
        prefix: q.prefix,
    };
    let s = futures::stream::unfold(tail, |mut t| async move {
        loop {
            if let Some(e) = t.backlog.pop_front() {
                t.next = e.seq.next();
                if !t.wants(&e.bytes) {
                    continue;
                }
                return Some((Ok(sse_of(&e.bytes, &e.hash, e.seq)), t));
            }
            if t.catching_up {
                match t.st.store.events(t.next, 256).await {
                    Ok(rows) if !rows.is_empty() => {
                        t.backlog.extend(rows);
                        continue;
                    }
                    Ok(_) => t.catching_up = false,
                    Err(err) => {
                        tracing::warn!(%err, "event stream backfill failed");
                        return None;
                    }
                }
            }
            match t.rx.recv().await {
                Ok(sealed) if sealed.event.seq < t.next => continue,
                Ok(sealed) if sealed.event.seq == t.next => {
                    t.next = sealed.event.seq.next();
                    if !t.wants(&sealed.bytes) {
                        continue;
                    }
                    return Some((Ok(sse_of(&sealed.bytes, &sealed.hash, sealed.event.seq)), t));
                }
                // A gap (we lagged, or the event predates our subscription): read the store.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => t.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}

fn sse_of(bytes: &[u8], hash: &audit::Hash, seq: Seq) -> SseEvent {
    match EventV1::from_record(bytes, hash) {
        Ok(v) => SseEvent::default()
            .id(seq.to_string())
            .event("event")
            .json_data(v)
            .unwrap_or_else(|_| SseEvent::default().event("error").data("encoding failed")),
        Err(e) => SseEvent::default()
            .id(seq.to_string())
            .event("error")
            .data(e.to_string()),
    }
}
