//! Load tool: a burst of N candidates (default 10,000, `BOOKING_BURST_CANDIDATES`) booking within
//! S seconds (default 60, `BOOKING_BURST_SECONDS`) for P places (default 2,000,
//! `BOOKING_BURST_PLACES`, in 10 Subject 1 sessions of one day) over the HTTP API of an
//! in-process daemon on temporary SQLite. Requests are sent open-loop at a steady rate (request
//! `i` at `i × S / N`), each to a session drawn at random. Reports: places taken per session
//! against capacity (no over-booking), latency p50/p99/max, and first-come-first-served
//! fairness: how many capacity refusals were *sent* before the last accepted booking of their
//! session, and by how much.
//!
//! The lottery case (`BOOKING_BURST_LOTTERY=0` skips it): as many other candidates *apply*
//! in the same open-loop burst for the same places in 10 lottery sessions of another day; then
//! each session's window is closed and its places drawn. Reports: application latency, the
//! allocation time (each session and all), places given per session against capacity (no
//! over-booking), and that every applicant was answered (every request accepted, and every
//! application ends allocated or not allocated).
//!
//! Then a day of 500 Subject 3 candidates (`BOOKING_VERIFY_CANDIDATES`) is drawn (commit,
//! close, reveal) and the time of `examd draw verify` over the whole log is measured.
//!
//! Candidates are registered and logged in before the burst (in-process); only bookings are
//! timed.
//!
//! `cargo bench -p benches --bench booking_burst`

use std::time::{Duration, Instant};

use booking::{CandidateId, LocalDay};
use examd::booking::events::*;
use examd::booking::{draws, lottery, verify};
use examd::config::{RawConfig, SiteArgs};
use serde_json::{Value, json};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let n = env("BOOKING_BURST_CANDIDATES", 10_000);
    let places = env("BOOKING_BURST_PLACES", 2_000);
    let seconds = env("BOOKING_BURST_SECONDS", 60);
    let verify_n = env("BOOKING_VERIFY_CANDIDATES", 500);
    let sessions = 10usize;
    let dir = tempfile::tempdir().unwrap();
    let args = SiteArgs {
        data_dir: Some(dir.path().into()),
        site_id: Some("burst-site".into()),
        ..Default::default()
    };
    let rt = examd::config::resolve(RawConfig::default(), &args, dir.path()).unwrap();
    let clock = examd::state::system_clock();
    let site = examd::site::open(rt, clock.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(examd::app::serve_with(
        site,
        listener,
        clock,
        async {
            let _ = stop_rx.await;
        },
        move |st| {
            let _ = tx.send(st);
        },
    ));
    let st = rx.await.unwrap();
    let area = st.areas.booking.clone();
    let today = area.today();
    let now = st.now().0;
    let submit = |ev| {
        let area = area.clone();
        async move { area.submit(ev).await.map(|_| ()).unwrap() }
    };
    // Sessions and candidates.
    let exam_day = today.plus_days(7);
    let per = (places / sessions) as u32;
    for s in 0..sessions {
        submit(BookingEvent::SessionOpened(SessionV1 {
            session: format!("burst-{s}"),
            subject: "subject1".into(),
            day: exam_day.to_string(),
            capacity: per,
            examiners: vec![],
            per_examiner: 0,
            group_size: 1,
            cars: vec![],
            routes: vec![],
            site_day_max: places as u32,
            examiner_day_max: 1,
            times: Default::default(),
            by: "bench".into(),
            at: now,
        }))
        .await;
    }
    let t0 = Instant::now();
    let people: Vec<CandidateId> = (0..n as u32).map(CandidateId::synthetic).collect();
    let tokens = enrol(&area, st.now(), &people).await;
    eprintln!(
        "{n} candidates registered and logged in in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    // The burst.
    let (results, wall) = burst(&base, tokens, "book", "burst", sessions, seconds).await;
    let mut lat: Vec<Duration> = results.iter().map(|r| r.2).collect();
    lat.sort();
    let ok = results.iter().filter(|r| r.3 == 201).count();
    let full = results
        .iter()
        .filter(|r| {
            r.4.as_deref() == Some("session-capacity")
                || r.4.as_deref() == Some("site-day-capacity")
        })
        .count();
    let other = n - ok - full;
    // Over-booking: the ledger and the replayed log.
    let booked: Vec<(String, usize, u32)> = area.read(|l| {
        l.sessions
            .values()
            .filter(|s| s.spec.id.as_str().starts_with("burst-"))
            .map(|s| (s.spec.id.to_string(), s.booked.len(), s.spec.capacity))
            .collect()
    });
    let over = booked.iter().filter(|(_, b, c)| *b as u32 > *c).count();
    // Fairness (FCFS): refusals sent before the last accepted booking of their session.
    let mut inversions = 0usize;
    let mut worst = Duration::ZERO;
    for s in 0..sessions {
        let name = format!("burst-{s}");
        let last_ok = results
            .iter()
            .filter(|r| r.0 == name && r.3 == 201)
            .map(|r| r.1)
            .max();
        if let Some(last_ok) = last_ok {
            for r in results.iter().filter(|r| r.0 == name && r.3 == 409) {
                if r.1 < last_ok {
                    inversions += 1;
                    worst = worst.max(last_ok - r.1);
                }
            }
        }
    }
    println!(
        "booking burst: {n} candidates in {seconds} s for {places} places ({sessions} sessions)"
    );
    println!(
        "  accepted {ok}, refused full {full}, other {other}; wall {:.1} s",
        wall.as_secs_f64()
    );
    println!(
        "  sessions over capacity: {over} (booked per session: {:?})",
        booked.iter().map(|(_, b, _)| *b).collect::<Vec<_>>()
    );
    println!(
        "  latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );
    println!(
        "  FCFS: {inversions} refusals were sent before the last accepted booking of their session (worst by {:.1} ms)",
        worst.as_secs_f64() * 1e3
    );
    assert_eq!(over, 0, "over-booking");
    assert_eq!(other, 0, "unexpected refusals");

    if env("BOOKING_BURST_LOTTERY", 1) != 0 {
        lottery_case(
            &st,
            &base,
            n,
            places,
            sessions,
            seconds,
            exam_day.plus_days(1),
        )
        .await;
    }

    // A day of Subject 3 candidates drawn, then `examd draw verify` timed.
    let past = today.plus_days(-40);
    let history = "verify-history".to_owned();
    submit(session_v1(
        &history,
        "subject1",
        past,
        verify_n as u32,
        vec![],
        vec![],
        vec![],
        1,
        now,
    ))
    .await;
    let drive_day = today.plus_days(1);
    let examiners: Vec<String> = (0..verify_n.div_ceil(20))
        .map(|i| format!("ex-{i}"))
        .collect();
    let cars: Vec<String> = (0..examiners.len()).map(|i| format!("car-{i}")).collect();
    let routes = vec![
        "route-a".into(),
        "route-b".into(),
        "route-c".into(),
        "route-d".into(),
    ];
    submit(session_v1(
        "verify-s3",
        "subject3",
        drive_day,
        verify_n as u32,
        examiners,
        cars,
        routes,
        2,
        now,
    ))
    .await;
    let drivers: Vec<CandidateId> = (0..verify_n as u32)
        .map(|i| CandidateId::synthetic(500_000 + i))
        .collect();
    for id in &drivers {
        let c = id.to_string();
        submit(BookingEvent::Registered(RegisteredV1 {
            candidate: c.clone(),
            name: "抽签考生".into(),
            class: "C1".into(),
            adding_class: false,
            phone_sha256: String::new(),
            by: "bench".into(),
            at: now,
        }))
        .await;
        submit(BookingEvent::Booked(BookedV1 {
            candidate: c.clone(),
            session: history.clone(),
            made_on: past.plus_days(-5).to_string(),
            at: now,
        }))
        .await;
        submit(BookingEvent::Result(ResultV1 {
            candidate: c.clone(),
            session: history.clone(),
            outcome: "passed".into(),
            voided: vec![],
            at: now,
        }))
        .await;
        submit(BookingEvent::Booked(BookedV1 {
            candidate: c,
            session: "verify-s3".into(),
            made_on: today.to_string(),
            at: now,
        }))
        .await;
    }
    draws::commit(&area, "verify-s3").await.unwrap();
    let a = draws::close(&st, "verify-s3", "bench").await.unwrap();
    assert_eq!(a.len(), verify_n);
    draws::finish(&area, "verify-s3").await.unwrap();
    let t = Instant::now();
    let (checked, errors) = verify::from_store(&*st.store).await.unwrap().finish();
    let took = t.elapsed();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(checked.iter().all(|c| c.mismatches.is_empty()));
    let events = st.log.stats().events;
    println!(
        "draw verify: {} draws ({} candidates in the largest) over {events} logged events in {:.1} ms",
        checked.len(),
        checked.iter().map(|c| c.candidates).max().unwrap_or(0),
        took.as_secs_f64() * 1e3
    );
    let _ = stop_tx.send(());
}

/// One answer: session, when sent, latency, HTTP status, the refusing rule.
type Answer = (String, Instant, Duration, u16, Option<String>);

/// Sends one request per token to `/api/v1/booking/{path}` at a steady rate over `seconds`,
/// each to a session `{prefix}-k` drawn at random; returns every answer and the wall time.
async fn burst(
    base: &str,
    tokens: Vec<String>,
    path: &str,
    prefix: &str,
    sessions: usize,
    seconds: usize,
) -> (Vec<Answer>, Duration) {
    let n = tokens.len();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let gap = Duration::from_secs_f64(seconds as f64 / n as f64);
    let start = Instant::now();
    let mut handles = Vec::with_capacity(n);
    for (i, token) in tokens.into_iter().enumerate() {
        let target = start + gap * i as u32;
        tokio::time::sleep_until(target.into()).await;
        let session = format!(
            "{prefix}-{}",
            (i.wrapping_mul(2_654_435_761) >> 7) % sessions
        );
        let http = http.clone();
        let url = format!("{base}/api/v1/booking/{path}");
        handles.push(tokio::spawn(async move {
            let sent = Instant::now();
            let r = http
                .post(url)
                .header("x-booking-token", token)
                .json(&json!({ "session": session }))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or_default();
            (
                session,
                sent,
                sent.elapsed(),
                status,
                v["rule"].as_str().map(str::to_owned),
            )
        }));
    }
    let mut results = Vec::with_capacity(n);
    for h in handles {
        results.push(h.await.unwrap());
    }
    (results, start.elapsed())
}

/// Registers `people` (in-process) and logs each in; returns their booking tokens.
async fn enrol(
    area: &std::sync::Arc<examd::booking::BookingArea>,
    now: model::UnixMs,
    people: &[CandidateId],
) -> Vec<String> {
    for wave in people.chunks(1000) {
        let mut set = tokio::task::JoinSet::new();
        for id in wave {
            let area = area.clone();
            let ev = BookingEvent::Registered(RegisteredV1 {
                candidate: id.to_string(),
                name: "压测考生".into(),
                class: "C1".into(),
                adding_class: false,
                phone_sha256: String::new(),
                by: "bench".into(),
                at: now.0,
            });
            set.spawn(async move { area.submit(ev).await.map(|_| ()).unwrap() });
        }
        set.join_all().await;
    }
    people
        .iter()
        .map(|id| {
            area.logins.issue(id, now).unwrap();
            let code = area.logins.outbox().last().unwrap().code.clone();
            area.logins.redeem(id, &code, now).unwrap()
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The lottery case: `n` candidates apply for `places` places in `sessions` lottery sessions on
/// `day`, then every window is closed and drawn.
#[allow(clippy::too_many_arguments)]
async fn lottery_case(
    st: &examd::state::AppState,
    base: &str,
    n: usize,
    places: usize,
    sessions: usize,
    seconds: usize,
    day: LocalDay,
) {
    let area = st.areas.booking.clone();
    let now = st.now();
    let per = (places / sessions) as u32;
    for s in 0..sessions {
        lottery::open(
            &area,
            SessionV1 {
                session: format!("lot-{s}"),
                subject: "subject1".into(),
                day: day.to_string(),
                capacity: per,
                examiners: vec![],
                per_examiner: 0,
                group_size: 1,
                cars: vec![],
                routes: vec![],
                site_day_max: places as u32,
                examiner_day_max: 1,
                times: Default::default(),
                by: "bench".into(),
                at: now.0,
            },
        )
        .await
        .unwrap();
    }
    let t0 = Instant::now();
    let people: Vec<CandidateId> = (0..n as u32)
        .map(|i| CandidateId::synthetic(1_000_000 + i))
        .collect();
    let tokens = enrol(&area, now, &people).await;
    eprintln!(
        "{n} lottery candidates registered and logged in in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let (results, wall) = burst(base, tokens, "apply", "lot", sessions, seconds).await;
    let mut lat: Vec<Duration> = results.iter().map(|r| r.2).collect();
    lat.sort();
    let applied = results.iter().filter(|r| r.3 == 201).count();
    // Close every window: the allocation is timed.
    let mut each = Vec::with_capacity(sessions);
    let t = Instant::now();
    for s in 0..sessions {
        let t1 = Instant::now();
        lottery::allocate(&area, &format!("lot-{s}"), "bench")
            .await
            .unwrap();
        each.push(t1.elapsed());
    }
    let all = t.elapsed();
    each.sort();
    // No over-booking, and every applicant answered: allocated or not allocated.
    let (per_session, over, won, lost, open): (Vec<usize>, usize, usize, usize, usize) =
        area.read(|l| {
            let lots: Vec<_> = l
                .sessions
                .values()
                .filter(|s| s.spec.id.as_str().starts_with("lot-"))
                .collect();
            let per: Vec<usize> = lots.iter().map(|s| s.booked.len()).collect();
            let over = lots
                .iter()
                .filter(|s| s.booked.len() as u32 > s.spec.capacity)
                .count();
            let mut won = 0;
            let mut lost = 0;
            let mut open = 0;
            for id in &people {
                let r = l.candidates[id]
                    .bookings
                    .iter()
                    .find(|b| b.session.as_str().starts_with("lot-"))
                    .map(|b| b.result);
                match r {
                    Some(booking::BookingResult::Pending) => won += 1,
                    Some(booking::BookingResult::NotAllocated) => lost += 1,
                    _ => open += 1,
                }
            }
            (per, over, won, lost, open)
        });
    println!(
        "lottery: {n} applicants in {seconds} s for {places} places ({sessions} lottery sessions)"
    );
    println!(
        "  applications accepted {applied} of {n}; wall {:.1} s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        wall.as_secs_f64(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
    println!(
        "  allocation: {sessions} windows closed and drawn in {:.1} ms (per session median {:.1} ms, max {:.1} ms)",
        ms(all),
        ms(pct(&each, 0.5)),
        ms(*each.last().unwrap())
    );
    println!(
        "  allocated {won}, not allocated {lost}, unanswered {open}; sessions over capacity: {over} (allocated per session: {per_session:?})"
    );
    assert_eq!(applied, n, "every application is accepted");
    assert_eq!(over, 0, "over-booking");
    assert_eq!(open, 0, "every applicant is answered");
    assert_eq!(won, places.min(n), "every place is given out");
}

#[allow(clippy::too_many_arguments)]
fn session_v1(
    id: &str,
    subject: &str,
    day: LocalDay,
    capacity: u32,
    examiners: Vec<String>,
    cars: Vec<String>,
    routes: Vec<String>,
    group_size: u32,
    at: i64,
) -> BookingEvent {
    let per = if examiners.is_empty() { 0 } else { 20 };
    BookingEvent::SessionOpened(SessionV1 {
        session: id.into(),
        subject: subject.into(),
        day: day.to_string(),
        capacity,
        examiners,
        per_examiner: per,
        group_size,
        cars,
        routes,
        site_day_max: 100_000,
        examiner_day_max: 20,
        times: Default::default(),
        by: "bench".into(),
        at,
    })
}
