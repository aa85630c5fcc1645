//! `examd demo`: a day of candidates books online and the draw runs.
//!
//! 1. Demo candidates are registered with their earlier Subject 1 results (a past session,
//!    logged like any other, as the national system would hand them over), and their
//!    synthetic fingers are enrolled.
//! 2. Over HTTP, each candidate asks for a one-time code (read from the SMS outbox), logs in
//!    and books tomorrow's Subject 2 or Subject 3 session; one books too early for Subject 3
//!    and is refused by the waiting-period rule. New learners booked (yesterday) one of today's
//!    two Subject 1 sittings: one whose gate window is open now, one later today.
//! 3. The draw: commit, close and draw (the roster goes to the identity registry, so the gate,
//!    the seats and the cars check fingers against it), results, finish and reveal; then the
//!    draws are verified from the log as `examd draw verify` would. The Subject 3 groups are
//!    drawn over the two reference routes, each judged on its own course map. The gate admits
//!    each Subject 1 sitting inside its own window, whatever the order of the draws; the open
//!    sitting's groups are the theory hall's waves (as many as the hall has seats), seated by the
//!    theory demo.
//!
//! The gate, theory and driving demos then work from these drawn rosters only.

use anyhow::{Context, bail};
use booking::{CandidateId, LocalDay};
use serde_json::{Value, json};

use super::events::*;
use super::{BookingArea, draws, verify};
use crate::state::AppState;

const PEOPLE: usize = 24;
/// New learners who sit one of today's two Subject 1 (theory) sittings.
const LEARNERS: usize = 8;
/// Of them, those in the sitting whose gate window is open now.
const EARLY_LEARNERS: usize = 5;
/// Seats of the demo theory hall: the Subject 1 draw's groups are this size.
pub const HALL_SEATS: u32 = 4;

fn person(i: usize) -> (CandidateId, String) {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    (
        CandidateId::synthetic(crate::gate::demo::BOOKED_FROM + i as u32),
        format!("{}演示{}", SURNAMES[i % 8], i + 1),
    )
}

async fn submit(area: &BookingArea, ev: BookingEvent) -> anyhow::Result<()> {
    area.submit(ev)
        .await
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn session(
    id: &str,
    subject: &str,
    day: LocalDay,
    capacity: u32,
    group: u32,
    at: i64,
) -> BookingEvent {
    let driving = subject == "subject2" || subject == "subject3";
    BookingEvent::SessionOpened(SessionV1 {
        session: id.to_owned(),
        subject: subject.to_owned(),
        day: day.to_string(),
        capacity,
        examiners: if driving {
            vec!["examiner".into(), "demo-examiner-2".into()]
        } else {
            vec![]
        },
        per_examiner: if driving { 10 } else { 0 },
        group_size: group,
        cars: if driving {
            vec!["car-01".into(), "car-02".into(), "car-03".into()]
        } else {
            vec![]
        },
        routes: if subject == "subject3" {
            // The reference routes, each with its own course map (`crate::driving::routes`).
            vec!["route-a".into(), "route-b".into()]
        } else {
            vec![]
        },
        site_day_max: 200,
        examiner_day_max: 40,
        times: Default::default(),
        by: "demo".into(),
        at,
    })
}

/// What `examd demo` runs in this area, given the running daemon.
pub async fn demo(st: AppState, base_url: String) -> anyhow::Result<()> {
    let area = &st.areas.booking;
    let today = area.today();
    let now = st.now().0;
    let tag = today.to_string();
    let past = today.plus_days(-35);
    let history = format!("history-s1-{tag}");
    if area.read(|l| l.sessions.contains_key(&history.parse().expect("valid"))) {
        tracing::info!("booking demo already ran today");
        return Ok(());
    }
    // 1. Candidates and their Subject 1 results (passed 35 days ago: a C1 may book Subject 3 after 30 days, the A1 candidate only after 40).
    submit(
        area,
        session(&history, "subject1", past, PEOPLE as u32, 1, now),
    )
    .await?;
    for i in 0..PEOPLE + LEARNERS {
        let (id, name) = person(i);
        let class = if i == PEOPLE - 1 { "A1" } else { "C1" };
        submit(
            area,
            BookingEvent::Registered(RegisteredV1 {
                candidate: id.to_string(),
                name: name.clone(),
                class: class.into(),
                adding_class: false,
                phone_sha256: audit::sha256(&[format!("1380000{:04}", i).as_bytes()]).to_hex(),
                by: "demo".into(),
                at: now,
            }),
        )
        .await?;
        if i < PEOPLE {
            submit(
                area,
                BookingEvent::Booked(BookedV1 {
                    candidate: id.to_string(),
                    session: history.clone(),
                    made_on: past.plus_days(-5).to_string(),
                    at: now,
                }),
            )
            .await?;
            submit(
                area,
                BookingEvent::Result(ResultV1 {
                    candidate: id.to_string(),
                    session: history.clone(),
                    outcome: "passed".into(),
                    voided: vec![],
                    at: now,
                }),
            )
            .await?;
        }
        let finger = crate::gate::demo::BOOKED_FINGER + i as u64;
        let person: crate::identity::PersonRef = format!("candidate:{id}")
            .parse()
            .map_err(anyhow::Error::msg)?;
        if let Err(e) = st
            .identity
            .enroll(
                person,
                Some(&name),
                vec![
                    crate::gate::synth::impression(finger, 0),
                    crate::gate::synth::impression(finger, 1),
                ],
                "demo",
            )
            .await
        {
            tracing::warn!(error = %e, "booking demo: enrolment failed");
        }
    }
    // 2. Tomorrow's driving sessions, booked over HTTP, and today's two Subject 1 sittings (one
    //    whose gate window is open now, one later today), booked yesterday.
    let tomorrow = today.plus_days(1);
    let s2 = format!("{}-s2", tomorrow);
    let s3 = format!("{}-s3", tomorrow);
    let (s1a, s1b) = (format!("{today}-s1-a"), format!("{today}-s1-b"));
    submit(area, session(&s2, "subject2", tomorrow, 12, 2, now)).await?;
    submit(area, session(&s3, "subject3", tomorrow, 12, 2, now)).await?;
    let (early, late) = theory_starts(st.now());
    for (id, starts) in [(&s1a, early), (&s1b, late)] {
        let mut hall = session(id, "subject1", today, LEARNERS as u32, HALL_SEATS, now);
        if let BookingEvent::SessionOpened(s) = &mut hall {
            s.times.starts = starts;
        }
        submit(area, hall).await?;
    }
    for s in [&s2, &s3, &s1a, &s1b] {
        let c = draws::commit(area, s).await?;
        tracing::info!(session = %s, commitment = %c, "booking demo: seed committed");
    }
    let http = reqwest::Client::new();
    let mut refused = 0;
    for i in 0..PEOPLE {
        let (id, _) = person(i);
        let token = candidate_login(&st, &http, &base_url, &id).await?;
        let target = if i % 2 == 0 { &s2 } else { &s3 };
        let r = http
            .post(format!("{base_url}/api/v1/booking/book"))
            .header(super::api::TOKEN_HEADER, &token)
            .json(&json!({ "session": target }))
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await.unwrap_or_default();
        if status.is_success() {
            continue;
        }
        refused += 1;
        tracing::info!(candidate = %id.masked(), rule = %v["rule"], message = %v["message"], "booking demo: refused");
    }
    tracing::info!(refused, "booking demo: candidates booked");
    // The learners booked today's sittings yesterday (a booking is for a later day).
    for i in PEOPLE..PEOPLE + LEARNERS {
        let (id, _) = person(i);
        let target = if i < PEOPLE + EARLY_LEARNERS {
            &s1a
        } else {
            &s1b
        };
        submit(
            area,
            BookingEvent::Booked(BookedV1 {
                candidate: id.to_string(),
                session: target.clone(),
                made_on: today.plus_days(-1).to_string(),
                at: now,
            }),
        )
        .await?;
    }
    // 3. The draw, results and reveal.
    for s in [&s2, &s3] {
        let a = draws::close(&st, s, "demo").await?;
        tracing::info!(session = %s, candidates = a.len(), "booking demo: roster closed and drawn");
        for (k, x) in a.iter().enumerate() {
            if k % 5 == 4 {
                continue; // left as a no-show
            }
            let outcome = if k % 3 == 2 { "failed" } else { "passed" };
            submit(
                area,
                BookingEvent::Result(ResultV1 {
                    candidate: x.candidate.clone(),
                    session: s.to_string(),
                    outcome: outcome.into(),
                    voided: vec![],
                    at: st.now().0,
                }),
            )
            .await?;
        }
        let seed = draws::finish(area, s).await?;
        tracing::info!(session = %s, seed = %seed, "booking demo: seed revealed");
    }
    // The Subject 1 sittings, in any order: the gate admits each inside its own window; the
    // theory demo seats the open one's groups.
    for s in [&s1b, &s1a] {
        let a = draws::close(&st, s, "demo").await?;
        tracing::info!(session = %s, candidates = a.len(), "booking demo: Subject 1 roster closed and drawn");
    }
    let (checked, errors) = verify::from_store(&*st.store).await?.finish();
    let bad: usize = checked.iter().map(|c| c.mismatches.len()).sum::<usize>() + errors.len();
    if bad > 0 {
        bail!("booking demo: {bad} draw mismatches");
    }
    tracing::info!(
        draws = checked.len(),
        "booking demo: every draw verifies from the log"
    );
    Ok(())
}

/// Start times (China time) of the demo's two Subject 1 sittings today: ten minutes from now (so
/// its gate window is open; the whole day when that is past midnight) and four hours from now
/// (23:59 at the latest).
fn theory_starts(now: model::UnixMs) -> (Option<String>, Option<String>) {
    let day = LocalDay::of(now);
    let at = |minutes: i64| {
        let t = model::UnixMs(now.0 + minutes * 60_000);
        (LocalDay::of(t) == day).then(|| booking::sitting::clock_time(t).to_string())
    };
    (at(10), at(240).or_else(|| Some("23:59".into())))
}

/// Logs a candidate in the way the page does: ask for a code, read it from the SMS outbox,
/// redeem it. Returns the session token.
async fn candidate_login(
    st: &AppState,
    http: &reqwest::Client,
    base: &str,
    id: &CandidateId,
) -> anyhow::Result<String> {
    let r = http
        .post(format!("{base}/api/v1/booking/login/code"))
        .json(&json!({ "candidate": id.as_str() }))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!(
            "code for {}: {}",
            id.masked(),
            r.text().await.unwrap_or_default()
        );
    }
    let code = st
        .areas
        .booking
        .logins
        .outbox()
        .into_iter()
        .rev()
        .find(|m| m.candidate == id.as_str())
        .map(|m| m.code)
        .context("no code in the outbox")?;
    let v: Value = http
        .post(format!("{base}/api/v1/booking/login"))
        .json(&json!({ "candidate": id.as_str(), "code": code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    v["token"].as_str().map(str::to_owned).context("no token")
}
