//! `examd demo` at the gate: the simulated door module on a pty and a scripted stream of candidates
//! sent through the real HTTP API by a simulated gate terminal. The gate admits the candidates of
//! the day's Subject 1 sitting whose gate window is open (`super::day_roster`): drawn candidates
//! come in with their fingers, a candidate drawn for a driving test only is refused (sent to the
//! car), and there are a stand-in, a candidate
//! whose finger fails three times (examiner override) and a tailgater (examiner clears the vestibule).

use std::time::Duration;

use anyhow::Context;
use booking::ExamSubject;
use door_modbus::sim::SimConfig;
use gate::DoorId;
use model::Role;

use super::service::ServiceConfig;
use super::synth::iso_impression;
use crate::booking::draws::latest_drawn;
use crate::state::AppState;

/// The demo terminal's account.
const TERMINAL: &str = "demo-gate-a";
/// The demo examiner's account (created by the daemon's demo) and synthetic finger.
const EXAMINER: &str = "examiner";
pub(crate) const EXAMINER_FINGER: u64 = 900;

/// The booking demo's candidates: `booking::CandidateId::synthetic(BOOKED_FROM + i)` has synthetic
/// finger `BOOKED_FINGER + i`, for `i` below [`BOOKED_MAX`].
pub const BOOKED_FROM: u32 = 900_000;
/// The synthetic finger of the booking demo's first candidate.
pub const BOOKED_FINGER: u64 = 20_000;
/// How many booking demo candidates there can be.
pub const BOOKED_MAX: u32 = 64;

/// The synthetic finger of a booking demo candidate (for simulated readers), if `candidate` is one.
pub fn booked_finger(candidate: &str) -> Option<u64> {
    (0..BOOKED_MAX)
        .find(|&i| booking::CandidateId::synthetic(BOOKED_FROM + i).as_str() == candidate)
        .map(|i| BOOKED_FINGER + u64::from(i))
}

/// Enrols the demo examiner's finger (the gate and the theory hall share it).
pub(crate) async fn enroll_examiner(state: &AppState) -> anyhow::Result<()> {
    let person: crate::identity::PersonRef = format!("examiner:{EXAMINER}")
        .parse()
        .map_err(anyhow::Error::msg)?;
    state
        .identity
        .enroll(
            person,
            Some("演示考试员"),
            vec![
                super::synth::impression(EXAMINER_FINGER, 0),
                super::synth::impression(EXAMINER_FINGER, 1),
            ],
            "demo",
        )
        .await?;
    Ok(())
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
    let (session, drawn) = latest_drawn(&state.areas.booking, ExamSubject::Subject1)
        .context("no drawn Subject 1 roster (the booking demo draws one): nobody to admit")?;
    // The drawn candidates, with their synthetic fingers; an undrawn one from a driving roster.
    let roster: Vec<(String, u64)> = drawn
        .iter()
        .filter_map(|a| Some((a.candidate.clone(), booked_finger(&a.candidate)?)))
        .collect();
    anyhow::ensure!(
        roster.len() >= 2,
        "the drawn Subject 1 roster {session} has fewer than two demo candidates"
    );
    let undrawn = [ExamSubject::Subject2, ExamSubject::Subject3Road]
        .into_iter()
        .filter_map(|s| latest_drawn(&state.areas.booking, s))
        .flat_map(|(_, a)| a)
        .find_map(|a| Some((a.candidate.clone(), booked_finger(&a.candidate)?)));
    enroll_examiner(&state)
        .await
        .context("enrolling the demo examiner's finger")?;
    tracing::info!(session = %session, candidates = roster.len(), "gate demo: admitting the drawn Subject 1 roster");
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
    let n = roster.len() as u64;
    for round in 0u64.. {
        let k = (round % n) as usize;
        let (id, finger) = roster[k].clone();
        let imp = round + 1;
        match round % 7 {
            // A stand-in: the finger belongs to the next candidate on the roster.
            2 => {
                t.scan("A", Some(&id), roster[(k + 1) % roster.len()].1, imp)
                    .await?;
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
                for j in 0..3 {
                    t.scan("A", Some(&id), 5_000 + round, j).await?;
                    pause(800).await;
                }
                t.post(
                    "/api/v1/gate/override?door=A&admit=true&examiner=examiner",
                    EXAMINER_FINGER,
                    imp,
                )
                .await?;
            }
            // Someone drawn for a driving test, not for the hall: refused, the door stays shut.
            6 => {
                if let Some((other, f)) = &undrawn {
                    let v = t.scan("A", Some(other), *f, imp).await?;
                    tracing::info!(candidate = %other, decision = %v["decision"], "gate demo: an undrawn candidate");
                    pause(3_000).await;
                }
                continue;
            }
            _ => {
                t.scan("A", Some(&id), finger, imp).await?;
            }
        }
        pause(700).await;
        sim.push(DoorId::A);
        if round % 7 == 5 {
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
        t.scan("B", None, finger, imp + 100).await?;
        pause(700).await;
        sim.push(DoorId::B);
        pause(3_000).await;
    }
    Ok(())
}
