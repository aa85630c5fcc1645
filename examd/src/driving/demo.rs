//! What `examd demo` runs in the driving area: a simulated car terminal (device account `car-01`)
//! that drives scripted scenarios over the real WebSocket at 10 Hz, so deductions show live on
//! the `/driving` page.

use std::time::Duration;

use anyhow::Context;
use model::{Role, UserName};

use super::car::{Start, drive};
use crate::state::AppState;

/// The demo car's account.
const CAR: &str = "car-01";

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
    let all = judge::sim::scenarios::all();
    for round in 0u64.. {
        for (i, name) in DRIVES.iter().enumerate() {
            let Some(sc) = all.iter().find(|s| s.name == *name) else {
                continue;
            };
            let start = Start {
                candidate: format!("DEMO{:04}", round * DRIVES.len() as u64 + i as u64 + 1),
                examiner: "examiner".into(),
                course: sc.course.file().into(),
                vehicle: sc.vehicle.into(),
                standard: sc.standard.as_str().into(),
                region: sc.region.map(str::to_owned),
                identity: None,
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
