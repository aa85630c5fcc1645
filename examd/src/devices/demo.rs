//! `examd demo` for devices: the gate's door-A reader is a simulated R30x module on a pty whose image folder
//! holds synthetic prints (`fingersynth`, cooperative preset) of some demo candidates. The reader is a
//! configured sensor like any other (it shows on `/devices`); a reader loop captures through the real `fp-r30x`
//! client, extracts at the module's true resolution (256×288 at 500 ppi) and posts the template to the gate's
//! HTTP API, as a reader agent at the door would.
//!
//! The candidates' enrolment templates come from a second impression of the same synthetic fingers and are
//! enrolled at the "desk" through the identity registry ([`crate::identity::Registry::enroll`]) next to the
//! templates the booking demo enrolled for the first candidates of the day's drawn Subject 1 roster. The loop scans only while the gate is
//! idle (both doors closed and locked, nobody in the vestibule, no check in progress) so it does not cut into the
//! gate demo's own script; nobody walks through after its admissions, so the gate lets those releases expire.
//! Every failure is logged and the loop goes on.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use model::Role;

use super::cli::synthetic_prints;
use super::spec::{RawSensor, SensorSpec};
use crate::state::AppState;

/// The reader's device id and account.
const READER: &str = "demo-gate-a-r30x";
/// How many demo candidates have prints in the module.
const FINGERS: u32 = 6;
/// The synthetic set's seed.
const SEED: u64 = 2026;
/// Pause before the reader's first scan.
const FIRST: Duration = Duration::from_secs(3);
/// Pause between the reader's scans.
const EVERY: Duration = Duration::from_secs(20);

fn write_prints(dir: &Path, prints: &[hw::FingerImage]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (i, p) in prints.iter().enumerate() {
        super::cli::write_png(p, &dir.join(format!("finger-{:02}.png", i + 1)))?;
    }
    Ok(())
}

async fn device_token(state: &AppState) -> anyhow::Result<String> {
    let token_file = state.rt.data_dir.join(format!("{READER}.token"));
    if !token_file.exists() {
        let dev = crate::accounts::create(
            &state.store,
            &state.log,
            READER.parse()?,
            Role::Device,
            "A门指纹仪（模拟 R30x）".into(),
            None,
            state.now(),
            &"demo".parse()?,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the reader's account: {e}"))?;
        crate::site::write_private(&token_file, dev.token.unwrap_or_default().as_bytes())?;
    }
    Ok(std::fs::read_to_string(&token_file)?.trim().to_owned())
}

/// Enrols the `i`-th print of `enrol` for the `i`-th candidate of the day's drawn Subject 1 roster (the
/// gate's), next to two impressions of the synthetic finger the booking demo enrolled them with. Returns
/// the candidates, in print order.
async fn enrol_candidates(
    state: &AppState,
    enrol: Vec<scoring::Template>,
) -> anyhow::Result<Vec<String>> {
    use crate::gate::demo::booked_finger;
    use crate::gate::synth::impression;
    let (_, drawn) =
        crate::booking::draws::latest_drawn(&state.areas.booking, booking::ExamSubject::Subject1)
            .context("no drawn Subject 1 roster (the booking demo draws one)")?;
    let mut out = Vec::new();
    let people = drawn
        .iter()
        .filter_map(|a| Some((a.candidate.clone(), booked_finger(&a.candidate)?)));
    for ((c, finger), mine) in people.zip(enrol) {
        let id: crate::identity::CandidateId = c
            .parse()
            .map_err(|e| anyhow::anyhow!("candidate {c}: {e}"))?;
        let name = state.areas.booking.name_of(&c);
        state
            .identity
            .enroll(
                crate::identity::PersonRef::Candidate(id),
                Some(&name),
                vec![impression(finger, 0), impression(finger, 1), mine],
                "demo-desk",
            )
            .await
            .map_err(|e| anyhow::anyhow!("enrolling {c}: {e}"))?;
        out.push(c);
    }
    Ok(out)
}

/// Whether the gate is idle: both doors closed and locked, nobody inside, no check in progress.
async fn gate_idle(state: &AppState) -> bool {
    match state.areas.gate.status().await {
        Ok(s) => {
            s.comms_up
                && !s.fire_override
                && s.vestibule.is_empty()
                && s.attempts.is_empty()
                && s.doors
                    .iter()
                    .all(|d| d["state"].as_str() == Some("closed_locked"))
        }
        Err(_) => false,
    }
}

/// Runs the reader until the daemon stops.
pub async fn run(state: AppState, base_url: String) -> anyhow::Result<()> {
    let geometry = fp_r30x::protocol::ImageGeometry::Optical;
    let (captures, enrol) = tokio::task::spawn_blocking(move || {
        (
            synthetic_prints(FINGERS, SEED, 1, geometry),
            synthetic_prints(FINGERS, SEED, 2, geometry),
        )
    })
    .await?;
    let dir = state.rt.data_dir.join("demo-r30x-images");
    write_prints(&dir, &captures)?;
    let handle = fp_r30x::sim::Simulator::from_source(
        fp_r30x::SimConfig::default(),
        &fp_r30x::sim::FingerSource::Folder(dir.clone()),
    )
    .map_err(|e| anyhow::anyhow!("reader images in {}: {e}", dir.display()))?;
    let sim = fp_r30x::sim::SimPty::spawn(fp_r30x::SimHandle::new(handle))?;
    sim.handle().place_finger(None);
    let spec: SensorSpec = RawSensor {
        id: Some(READER.into()),
        kind: Some("r30x".into()),
        port: Some(sim.path().display().to_string()),
        role: Some("gate-A".into()),
        ..Default::default()
    }
    .resolve()
    .map_err(|e| anyhow::anyhow!("demo reader: {e}"))?;
    let id = spec.id.clone();
    state
        .areas
        .devices
        .add(spec)
        .map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(pty = %sim.path().display(), images = %dir.display(), "devices demo: R30x reader at gate door A");

    let enrol: Vec<_> = tokio::task::spawn_blocking(move || {
        enrol
            .iter()
            .filter_map(|p| super::extract(p, geometry.ppi()).ok())
            .collect()
    })
    .await?;
    let candidates = enrol_candidates(&state, enrol).await?;
    tracing::info!(
        candidates = candidates.len(),
        "devices demo: reader prints enrolled"
    );
    let token = device_token(&state).await?;
    let http = reqwest::Client::new();
    for round in 0usize.. {
        tokio::time::sleep(if round == 0 { FIRST } else { EVERY }).await;
        if candidates.is_empty() {
            continue;
        }
        let finger = round % candidates.len();
        let mut waited = 0;
        while !gate_idle(&state).await && waited < 40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            waited += 1;
        }
        if waited == 40 {
            tracing::debug!("devices demo: gate busy, scan skipped");
            continue;
        }
        sim.handle().place_finger(Some(finger));
        let captured = state
            .areas
            .devices
            .capture(&id, Duration::from_secs(3))
            .await;
        sim.handle().place_finger(None);
        let template = match captured {
            Ok(c) => match c.template {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "devices demo: unusable capture");
                    continue;
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "devices demo: capture failed");
                continue;
            }
        };
        let claim = &candidates[finger];
        let r = http
            .post(format!("{base_url}/api/v1/gate/scan?door=A&claim={claim}"))
            .bearer_auth(&token)
            .header("content-type", "application/octet-stream")
            .body(template.to_iso2005())
            .send()
            .await;
        match r {
            Ok(r) => {
                let status = r.status();
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                tracing::info!(%status, claim, minutiae = template.minutiae.len(), decision = %v["decision"], "devices demo: R30x scan at door A");
            }
            Err(e) => tracing::warn!(error = %e, "devices demo: posting the scan failed"),
        }
    }
    Ok(())
}
