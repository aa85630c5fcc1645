//! `examd demo` at the gate: the simulated door module on a pty, a synthetic roster, and a scripted stream of
//! candidates sent through the real HTTP API by a simulated gate terminal — including a stand-in, a candidate
//! whose finger fails three times (examiner override) and a tailgater (examiner clears the vestibule).

use std::time::Duration;

use anyhow::Context;
use door_modbus::sim::SimConfig;
use gate::DoorId;
use model::Role;

use super::service::ServiceConfig;
use super::synth::iso_impression;
use crate::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
use crate::state::AppState;

/// The demo terminal's account.
const TERMINAL: &str = "demo-gate-a";
/// The demo examiner's account (created by the daemon's demo) and synthetic finger.
const EXAMINER: &str = "examiner";
pub(crate) const EXAMINER_FINGER: u64 = 900;
/// Candidates on the demo roster.
const ROSTER: u64 = 30;

fn candidate(n: u64) -> String {
    format!("D2026{n:04}")
}

/// The demo roster: candidate `D2026nnnn` has synthetic finger `n`; the demo examiner has finger 900.
pub fn demo_roster() -> RosterV1 {
    RosterV1 {
        sitting: "demo-sitting".into(),
        candidates: (1..=ROSTER)
            .map(|n| CandidateV1 {
                id: candidate(n),
                name: format!("考生{n:02}"),
                seat: None,
                subject: Some("subject1".into()),
                templates: vec![hex::encode(iso_impression(n, 0))],
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: EXAMINER.into(),
            display_name: Some("考官".into()),
            templates: vec![hex::encode(iso_impression(EXAMINER_FINGER, 0))],
        }],
    }
}

struct Terminal {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Terminal {
    async fn post(&self, path: &str, finger: u64, n: u64) -> anyhow::Result<serde_json::Value> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/octet-stream")
            .body(iso_impression(finger, n))
            .send()
            .await?;
        Ok(r.json().await?)
    }

    async fn scan(
        &self,
        door: &str,
        claim: Option<&str>,
        finger: u64,
        n: u64,
    ) -> anyhow::Result<serde_json::Value> {
        let path = match claim {
            Some(c) => format!("/api/v1/gate/scan?door={door}&claim={c}"),
            None => format!("/api/v1/gate/scan?door={door}"),
        };
        let v = self.post(&path, finger, n).await?;
        tracing::info!(door, claim, decision = %v["decision"], released = %v["released"], "demo scan");
        Ok(v)
    }
}

/// Runs the gate demo until the daemon stops.
pub async fn run(state: AppState, base_url: String) -> anyhow::Result<()> {
    let area = state.areas.gate.clone();
    let imported = state
        .identity
        .import_roster_v1(demo_roster(), "demo")
        .await
        .context("importing the demo roster")?;
    tracing::info!(sitting = %imported.sitting, candidates = imported.candidates, "gate demo: roster imported");
    let sim = SimConfig {
        close_after_ms: 1_500,
        ..SimConfig::default()
    };
    let mut cfg = ServiceConfig::new("sim");
    cfg.mantrap.interlock.release_pulse_ms = 4_000;
    let pty = area.attach_simulated(sim, cfg).await?;
    tracing::info!(pty = %pty.path().display(), "gate demo: simulated door module");
    let token_file = state.rt.data_dir.join("demo-gate-a.token");
    if !token_file.exists() {
        let by = "demo".parse()?;
        let dev = crate::accounts::create(
            &state.store,
            &state.log,
            TERMINAL.parse()?,
            Role::Device,
            "门禁终端 A".into(),
            None,
            state.now(),
            &by,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the gate terminal: {e}"))?;
        crate::site::write_private(&token_file, dev.token.unwrap_or_default().as_bytes())?;
    }
    let token = std::fs::read_to_string(&token_file).context("reading the gate terminal token")?;
    let t = Terminal {
        http: reqwest::Client::new(),
        base: base_url,
        token,
    };
    let sim = pty.handle().clone();
    let pause = |ms| tokio::time::sleep(Duration::from_millis(ms));
    pause(1_500).await;
    for round in 0u64.. {
        let n = round % ROSTER + 1;
        let id = candidate(n);
        let imp = round + 1;
        match round % 6 {
            // A stand-in: the finger belongs to the next candidate on the roster.
            2 => {
                t.scan("A", Some(&id), n % ROSTER + 1, imp).await?;
                pause(3_000).await;
                t.post(
                    "/api/v1/gate/override?door=A&admit=false&examiner=examiner",
                    EXAMINER_FINGER,
                    imp,
                )
                .await?;
                pause(2_000).await;
                continue;
            }
            // A worn finger: three failed tries, then the examiner admits with their own finger.
            4 => {
                for k in 0..3 {
                    t.scan("A", Some(&id), 5_000 + round, k).await?;
                    pause(800).await;
                }
                t.post(
                    "/api/v1/gate/override?door=A&admit=true&examiner=examiner",
                    EXAMINER_FINGER,
                    imp,
                )
                .await?;
            }
            _ => {
                t.scan("A", Some(&id), n, imp).await?;
            }
        }
        pause(700).await;
        sim.push(DoorId::A);
        if round % 6 == 5 {
            // A tailgater slips in behind: door A opens a second time on one grant.
            pause(1_700).await;
            sim.force(DoorId::A);
            pause(1_600).await;
            sim.shut(DoorId::A);
            pause(2_000).await;
            t.post("/api/v1/gate/clear?examiner=examiner", EXAMINER_FINGER, imp)
                .await?;
            pause(1_000).await;
            continue;
        }
        pause(2_500).await;
        t.scan("B", None, n, imp + 100).await?;
        pause(700).await;
        sim.push(DoorId::B);
        pause(3_000).await;
    }
    Ok(())
}
