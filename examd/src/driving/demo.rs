//! What `examd demo` runs in the driving area: a simulated car terminal (device account `car-01`)
//! that drives scripted scenarios over the real WebSocket at 10 Hz, so deductions show live on
//! the `/driving` page.
//!
//! The car works from the day's draw only: it examines the candidates the booking demo's Subject 2
//! and Subject 3 draws put in `car-01`, each with the examiner the draw gave their group, and every
//! drive starts with both fingers at the car (the candidate's 1:1 and 1:N over the drawn roster, the
//! examiner's 1:1). Now and then a candidate drawn to another car tries this one and is refused.
//! A Subject 3 group drawn to `route-b` drives that road, judged on its own course map.

use std::time::Duration;

use anyhow::Context;
use booking::ExamSubject;
use model::{Role, UserName};

use super::car::{Start, drive};
use crate::booking::draws::latest_drawn;
use crate::gate::demo::booked_finger;
use crate::state::AppState;

/// The demo car's account.
const CAR: &str = "car-01";

/// The booking demo's driving examiners and their synthetic fingers: `examiner` is the gate's and
/// the hall's (enrolled by [`crate::gate::demo::enroll_examiner`]), `demo-examiner-2` only drives.
const EXAMINERS: &[(&str, u64)] = &[
    ("examiner", crate::gate::demo::EXAMINER_FINGER),
    ("demo-examiner-2", 902),
];

/// A drawn candidate the demo car examines (or who tries to).
#[derive(Debug, Clone)]
struct Examinee {
    sitting: String,
    candidate: String,
    finger: u64,
    examiner: String,
    car: String,
    /// The drawn route (Subject 3).
    route: Option<String>,
}

/// The latest drawn roster of `subject`: its candidates with a known finger and a drawn examiner.
fn examinees(state: &AppState, subject: ExamSubject) -> Vec<Examinee> {
    let Some((sitting, drawn)) = latest_drawn(&state.areas.booking, subject) else {
        return Vec::new();
    };
    drawn
        .into_iter()
        .filter_map(|a| {
            Some(Examinee {
                sitting: sitting.clone(),
                finger: booked_finger(&a.candidate)?,
                candidate: a.candidate,
                examiner: a.examiner?,
                car: a.car?,
                route: a.route,
            })
        })
        .collect()
}

fn examiner_finger(name: &str) -> Option<u64> {
    EXAMINERS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Enrols the demo examiners' fingers.
async fn enrol_examiners(state: &AppState) -> anyhow::Result<()> {
    crate::gate::demo::enroll_examiner(state).await?;
    let ex: crate::identity::ExaminerId = EXAMINERS[1].0.parse()?;
    state
        .identity
        .enroll(
            crate::identity::PersonRef::Examiner(ex),
            Some("演示考试员二"),
            vec![
                crate::gate::synth::impression(EXAMINERS[1].1, 0),
                crate::gate::synth::impression(EXAMINERS[1].1, 1),
            ],
            "demo",
        )
        .await?;
    Ok(())
}

/// Scenarios the demo car drives, in turn.
const DRIVES: &[&str] = &[
    "s2-hill-stall",
    "s3-turn-left-short-signal",
    "s2-ra-no-signal",
    "s2-pp-wheel-edge",
];

/// Runs the simulated car until the daemon stops.
pub async fn demo(state: AppState, base_url: String) -> anyhow::Result<()> {
    let token_file = state.rt.data_dir.join("demo-car-01.token");
    let name: UserName = CAR.parse()?;
    let token = match std::fs::read_to_string(&token_file) {
        Ok(t) => t.trim().to_owned(),
        Err(_) => {
            let dev = crate::accounts::create(
                &state.store,
                &state.log,
                name,
                Role::Device,
                "模拟考车 / simulated car".into(),
                None,
                state.now(),
                &"demo".parse()?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo car: {e}"))?;
            let t = dev.token.context("a device account has a token")?;
            crate::site::write_private(&token_file, t.as_bytes())?;
            t
        }
    };
    enrol_examiners(&state)
        .await
        .context("enrolling the demo examiners' fingers")?;
    let (s2, s3) = (
        examinees(&state, ExamSubject::Subject2),
        examinees(&state, ExamSubject::Subject3Road),
    );
    let mine =
        |l: &[Examinee]| -> Vec<Examinee> { l.iter().filter(|e| e.car == CAR).cloned().collect() };
    let (mine2, mine3) = (mine(&s2), mine(&s3));
    if mine2.is_empty() || mine3.is_empty() {
        anyhow::bail!(
            "the day's Subject 2 and Subject 3 draws put nobody in {CAR} (the booking demo draws \
             them): the demo car has nobody to examine"
        );
    }
    let elsewhere = |l: &[Examinee]| l.iter().find(|e| e.car != CAR).cloned();
    let (elsewhere2, elsewhere3) = (elsewhere(&s2), elsewhere(&s3));
    tracing::info!(
        subject2 = mine2.len(),
        subject3 = mine3.len(),
        "demo car: examining the candidates the draw put in {CAR}"
    );
    let all = judge::sim::scenarios::all();
    let mut turn = 0usize;
    for round in 0u64.. {
        for name in DRIVES {
            let Some(sc) = all.iter().find(|s| s.name == *name) else {
                continue;
            };
            let (list, elsewhere) = if sc.name.starts_with("s3") {
                (&mine3, &elsewhere3)
            } else {
                (&mine2, &elsewhere2)
            };
            // Every fifth drive, a candidate the draw put in another car tries this one.
            let who = match elsewhere {
                Some(e) if turn % 5 == 4 => e,
                _ => &list[turn % list.len()],
            };
            turn += 1;
            let examiner_f = examiner_finger(&who.examiner)
                .with_context(|| format!("no demo finger for examiner {}", who.examiner))?;
            let start = Start {
                candidate: who.candidate.clone(),
                examiner: who.examiner.clone(),
                course: sc.course.file().into(),
                vehicle: sc.vehicle.into(),
                standard: sc.standard.as_str().into(),
                region: sc.region.map(str::to_owned),
                identity: Some((
                    who.sitting.clone(),
                    crate::gate::synth::iso_impression(who.finger, 2 + round % 3),
                    crate::gate::synth::iso_impression(examiner_f, 3 + round % 3),
                )),
            };
            // A group drawn to the second reference route drives that road (judged on its map,
            // `super::routes`); 45 km/h is over its first stretch's 40 km/h.
            let records = match who.route.as_deref() {
                Some("route-b") => super::routes::route_b_drive(45.0),
                _ => sc.records.clone(),
            };
            let lines: Vec<String> = records.iter().map(|r| r.to_json_line()).collect();
            match drive(
                &base_url,
                CAR,
                &token,
                &start,
                &lines,
                1,
                Some(Duration::from_millis(100)),
            )
            .await
            {
                Ok(o) => tracing::info!(
                    session = %o.session, scenario = name, score = o.verdict.score,
                    passed = o.verdict.passed, "demo car: drive done"
                ),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "demo car: drive failed"),
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }
    Ok(())
}
