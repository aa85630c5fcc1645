//! Central's queries for platform staff: a candidate's results across sites, a site's day, the
//! live feed (server-sent events), inclusion proofs and a site's log as an audit export.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use model::{SiteId, UnixMs};
use serde::Deserialize;
use serde_json::{Value, json};
use store::CentralStore;
use store::central::FlowEntry;
use uplink::proof::ProveError;

use super::CentralApp;
use super::accounts::{Platform, PlatformRole};
use crate::error::ApiError;

/// Both platform roles.
const READERS: &[PlatformRole] = &[PlatformRole::Admin, PlatformRole::Auditor];
/// How often the live feed looks for new entries.
const FEED_POLL: Duration = Duration::from_millis(200);
/// Entries sent per look.
const FEED_PAGE: u32 = 500;
/// China Standard Time, the sites' civil day: UTC+8 (no daylight saving).
const CST_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// A flow entry as JSON.
pub fn entry_json(e: &FlowEntry) -> Value {
    let detail: Value =
        serde_json::from_str(&e.row.detail).unwrap_or_else(|_| Value::String(e.row.detail.clone()));
    json!({
        "id": e.id,
        "site": e.site.as_str(),
        "seq": e.row.seq.0,
        "time": e.row.time.0,
        "step": e.row.step,
        "code": e.row.code,
        "candidate": e.row.candidate,
        "session": e.row.session,
        "kind": e.row.kind,
        "detail": detail,
    })
}

fn site_param(s: &str) -> Result<SiteId, ApiError> {
    s.parse()
        .map_err(|e| ApiError::BadRequest(format!("site {s:?}: {e}")))
}

/// `GET /central/v1/candidates/{candidate}/flow`: every step of a candidate at every site.
pub async fn candidate_flow(
    State(app): State<CentralApp>,
    who: Platform,
    Path(candidate): Path<String>,
) -> Result<Json<Value>, ApiError> {
    who.require(READERS)?;
    let flow = app.store.candidate_flow(&candidate).await?;
    Ok(Json(
        json!({ "candidate": candidate, "flow": flow.iter().map(entry_json).collect::<Vec<_>>() }),
    ))
}

/// `GET /api/v1/photos/{sha256}`: a photo a site shipped, as `image/jpeg`, for both platform
/// roles (as the events that name it); 404 `photo not found` when central does not hold it, and
/// `photo store not found` when central keeps no photos (started without `--photos-dir`).
pub async fn photo(
    State(app): State<CentralApp>,
    who: Platform,
    Path(sha): Path<String>,
) -> Result<Response, ApiError> {
    who.require(READERS)?;
    crate::photos::photo_name(&sha)?;
    let store = app.photos.ok_or(ApiError::NotFound("photo store"))?;
    crate::photos::jpeg(store, sha).await
}

/// `?date=YYYY-MM-DD` (the civil day in China Standard Time).
#[derive(Debug, Deserialize)]
pub struct DayQuery {
    date: String,
}

/// Unix ms of 00:00 China Standard Time on `YYYY-MM-DD`.
pub fn day_start(date: &str) -> Result<UnixMs, String> {
    let bad = || format!("date {date:?}: expected YYYY-MM-DD");
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return Err(format!("date {date:?}: no such day"));
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "days_from_civil").
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(UnixMs(days * 86_400_000 - CST_OFFSET_MS))
}

/// `GET /central/v1/sites/{site}/day?date=YYYY-MM-DD`: a site's flow on one day.
pub async fn site_day(
    State(app): State<CentralApp>,
    who: Platform,
    Path(site): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Json<Value>, ApiError> {
    who.require(READERS)?;
    let site = site_param(&site)?;
    let from = day_start(&q.date).map_err(ApiError::BadRequest)?;
    app.store.head(&site).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError::NotFound("site"),
        e => e.into(),
    })?;
    let flow = app
        .store
        .site_flow(&site, from, UnixMs(from.0 + 86_400_000))
        .await?;
    Ok(Json(json!({
        "site": site.as_str(),
        "date": q.date,
        "flow": flow.iter().map(entry_json).collect::<Vec<_>>(),
    })))
}

/// `?after=<id>` for the live feed.
#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    after: Option<i64>,
}

/// `GET /central/v1/flow/live[?after=<id>]`: server-sent events, one `flow` event per entry
/// (its id as the SSE id) as central commits it, after `after` (default: from now on). It
/// reads the database, so it is the same on every central instance in front of one database.
pub async fn live(
    State(app): State<CentralApp>,
    who: Platform,
    Query(q): Query<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    who.require(READERS)?;
    let after = match q.after {
        Some(a) => a,
        None => app.store.flow_last_id().await?,
    };
    let stream = feed(app.store.clone(), after);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn feed(store: Arc<dyn CentralStore>, after: i64) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = Feed {
        store,
        last: after,
        pending: Vec::new().into_iter(),
        gap_since: None,
    };
    futures::stream::unfold(start, |mut f| async move {
        loop {
            if let Some(e) = f.pending.next() {
                f.last = e.id;
                let ev = Event::default()
                    .event("flow")
                    .id(e.id.to_string())
                    .data(entry_json(&e).to_string());
                return Some((Ok(ev), f));
            }
            match f.store.flow_after(f.last, FEED_PAGE).await {
                Ok(more) => {
                    let ready = settled(f.last, more, &mut f.gap_since);
                    if ready.is_empty() {
                        tokio::time::sleep(FEED_POLL).await;
                    }
                    f.pending = ready.into_iter();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live feed: reading the flow failed");
                    tokio::time::sleep(FEED_POLL * 5).await;
                }
            }
        }
    })
}

/// The live feed's cursor.
struct Feed {
    store: Arc<dyn CentralStore>,
    last: i64,
    pending: std::vec::IntoIter<FlowEntry>,
    gap_since: Option<Instant>,
}

/// How long the feed waits for a missing id before passing over it (a rolled-back insert).
const GAP_WAIT: Duration = Duration::from_secs(2);

/// The entries of `more` (ids ascending, all after `last`) that can be sent now. On PostgreSQL
/// ids are taken at insert, so a transaction may commit after one holding a higher id: the feed
/// sends only ids that follow on from `last` without a hole, and passes over a hole once it has
/// stayed open for [`GAP_WAIT`] (an id whose transaction rolled back never appears).
fn settled(last: i64, more: Vec<FlowEntry>, gap_since: &mut Option<Instant>) -> Vec<FlowEntry> {
    let dense = more
        .iter()
        .enumerate()
        .take_while(|(i, e)| e.id == last + 1 + *i as i64)
        .count();
    if dense > 0 || more.is_empty() {
        *gap_since = None;
        let mut more = more;
        more.truncate(dense);
        return more;
    }
    let since = *gap_since.get_or_insert_with(Instant::now);
    if since.elapsed() >= GAP_WAIT {
        *gap_since = None;
        more
    } else {
        Vec::new()
    }
}

/// `GET /central/v1/sites/{site}/proof/{seq}`: an [`uplink::proof::InclusionProof`] of the
/// event against the site's latest checkpoint central holds that covers it.
pub async fn proof(
    State(app): State<CentralApp>,
    who: Platform,
    Path((site, seq)): Path<(String, u64)>,
) -> Result<Response, ApiError> {
    who.require(READERS)?;
    let site = site_param(&site)?;
    match uplink::proof::prove(app.store.as_ref(), &site, seq).await {
        Ok(p) => Ok(Json(p).into_response()),
        Err(ProveError::Store(store::StoreError::NotFound)) => Err(ApiError::NotFound("site")),
        Err(e @ (ProveError::NotHeld { .. } | ProveError::NoCheckpoint { .. })) => {
            Err(ApiError::Conflict(e.to_string()))
        }
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

/// `GET /central/v1/sites/{site}/export`: central's copy of the site's log as an audit export
/// file (`examd audit verify --file` reads it).
pub async fn export(
    State(app): State<CentralApp>,
    who: Platform,
    Path(site): Path<String>,
) -> Result<Response, ApiError> {
    who.require(READERS)?;
    let site = site_param(&site)?;
    match uplink::export::export_site(app.store.as_ref(), &site, Vec::new()).await {
        Ok(bytes) => Ok((
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-central.examdlog\"",
                        site.as_str()
                    ),
                ),
            ],
            bytes,
        )
            .into_response()),
        Err(uplink::export::ExportFailure::Store(store::StoreError::NotFound)) => {
            Err(ApiError::NotFound("site"))
        }
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64) -> FlowEntry {
        FlowEntry {
            id,
            site: "s".parse().unwrap(),
            row: store::central::FlowRow {
                seq: model::Seq(id as u64),
                time: UnixMs(0),
                step: "theory_result".into(),
                code: None,
                candidate: None,
                session: None,
                kind: "theory.result".into(),
                detail: "{}".into(),
            },
        }
    }

    fn ids(v: &[FlowEntry]) -> Vec<i64> {
        v.iter().map(|e| e.id).collect()
    }

    #[test]
    fn the_feed_waits_at_a_hole_then_passes_over_it() {
        let mut gap = None;
        // 4 and 5 follow on from 3; 7 waits for 6.
        let got = settled(3, vec![entry(4), entry(5), entry(7)], &mut gap);
        assert_eq!(ids(&got), [4, 5]);
        assert!(settled(5, vec![entry(7)], &mut gap).is_empty());
        assert!(gap.is_some());
        // 6 committed late: it comes first.
        assert_eq!(ids(&settled(5, vec![entry(6), entry(7)], &mut gap)), [6, 7]);
        assert!(gap.is_none());
        // A hole that stays open (a rolled-back insert) is passed over after GAP_WAIT.
        gap = Some(Instant::now() - GAP_WAIT);
        assert_eq!(ids(&settled(7, vec![entry(9)], &mut gap)), [9]);
        assert!(settled(9, vec![], &mut gap).is_empty());
    }

    #[test]
    fn a_day_starts_at_midnight_china_time() {
        // 2026-11-29T00:00:00+08:00 = 2026-11-28T16:00:00Z.
        assert_eq!(day_start("2026-11-29"), Ok(UnixMs(1_795_881_600_000)));
        assert_eq!(day_start("1970-01-01"), Ok(UnixMs(-CST_OFFSET_MS)));
        assert_eq!(
            day_start("2024-03-01").unwrap().0 - day_start("2024-02-28").unwrap().0,
            2 * 86_400_000
        );
        for bad in [
            "2026-13-01",
            "2026-02-29",
            "2026-1-01",
            "yesterday",
            "2026-01-01-01",
        ] {
            assert!(day_start(bad).is_err(), "{bad}");
        }
    }
}
