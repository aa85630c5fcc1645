//! What `examd demo` runs in the driving area: a simulated car terminal (device account `car-01`)
//! that drives scripted scenarios over the real WebSocket at 10 Hz, so deductions show live on
//! the `/driving` page.
//!
//! Every drive starts with both fingers at the car: the candidates come from the booking demo's
//! drawn Subject 2 and Subject 3 rosters (imported into the identity registry by the draw), the
//! examiner is the booking demo's second driving examiner, `demo-examiner-2`.

use std::time::Duration;

use anyhow::Context;
use model::{Role, UserName};

use super::car::{Start, drive};
use crate::state::AppState;

/// The demo car's account.
const CAR: &str = "car-01";

/// The examiner in the demo car: the booking demo's second driving examiner, whose synthetic
/// finger only this demo enrols (the gate and theory demos enrol `examiner` with fingers of
/// their own).
const EXAMINER: &str = "demo-examiner-2";
const EXAMINER_FINGER: u64 = 902;

/// The booking demo registers candidate `booking::CandidateId::synthetic(900_000 + i)` with
/// synthetic finger `20_000 + i` (see `crate::booking::demo`); this many are looked up.
const BOOKED: u32 = 64;

/// A candidate of a drawn roster the demo car examines.
#[derive(Debug, Clone)]
struct Examinee {
    sitting: String,
    candidate: String,
    finger: u64,
}

/// The most recent drawn Subject 2 and Subject 3 rosters' candidates with a known finger.
async fn examinees(state: &AppState) -> anyhow::Result<(Vec<Examinee>, Vec<Examinee>)> {
    let fingers: std::collections::HashMap<String, u64> = (0..BOOKED)
        .map(|i| {
            (
                booking::CandidateId::synthetic(900_000 + i).to_string(),
                20_000 + u64::from(i),
            )
        })
        .collect();
    let (mut s2, mut s3) = (Vec::new(), Vec::new());
    for summary in state.identity.rosters().await? {
        let sitting: crate::identity::SittingId =
            summary.sitting.parse().map_err(anyhow::Error::msg)?;
        let entries = state.identity.roster(&sitting).await?;
        let list: Vec<Examinee> = entries
            .iter()
            .filter(|e| e.templates > 0)
            .filter_map(|e| {
                Some(Examinee {
                    sitting: summary.sitting.clone(),
                    candidate: e.candidate.to_string(),
                    finger: *fingers.get(e.candidate.as_str())?,
                })
            })
            .collect();
        let subject = entries.first().and_then(|e| e.subject.clone());
        match subject.as_deref() {
            Some("subject2") if s2.is_empty() => s2 = list,
            Some("subject3") if s3.is_empty() => s3 = list,
            _ => {}
        }
    }
    Ok((s2, s3))
}

/// Enrols the demo car's examiner's finger.
async fn enrol_examiner(state: &AppState) -> anyhow::Result<()> {
    let ex: crate::identity::ExaminerId = EXAMINER.parse()?;
    state
        .identity
        .enroll(
            crate::identity::PersonRef::Examiner(ex),
            Some("演示考试员二"),
            vec![
                crate::gate::synth::impression(EXAMINER_FINGER, 0),
                crate::gate::synth::impression(EXAMINER_FINGER, 1),
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
    enrol_examiner(&state)
        .await
        .context("enrolling the demo examiner's finger")?;
    let (s2, s3) = examinees(&state).await?;
    if s2.is_empty() || s3.is_empty() {
        anyhow::bail!(
            "no drawn Subject 2 and Subject 3 rosters with enrolled candidates (the booking demo \
             draws them): the demo car has nobody to examine"
        );
    }
    tracing::info!(
        subject2 = s2.len(),
        subject3 = s3.len(),
        "demo car: examining the drawn rosters' candidates"
    );
    let all = judge::sim::scenarios::all();
    let mut turn = 0usize;
    for round in 0u64.. {
        for name in DRIVES {
            let Some(sc) = all.iter().find(|s| s.name == *name) else {
                continue;
            };
            let list = if sc.name.starts_with("s3") { &s3 } else { &s2 };
            let who = &list[turn % list.len()];
            turn += 1;
            let start = Start {
                candidate: who.candidate.clone(),
                examiner: EXAMINER.into(),
                course: sc.course.file().into(),
                vehicle: sc.vehicle.into(),
                standard: sc.standard.as_str().into(),
                region: sc.region.map(str::to_owned),
                identity: Some((
                    who.sitting.clone(),
                    crate::gate::synth::iso_impression(who.finger, 2 + round % 3),
                    crate::gate::synth::iso_impression(EXAMINER_FINGER, 3 + round % 3),
                )),
            };
            let lines: Vec<String> = sc.records.iter().map(|r| r.to_json_line()).collect();
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
