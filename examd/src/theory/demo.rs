//! `examd demo`: the day's drawn Subject 1 candidates sit theory papers at simulated seats, through
//! the HTTP API. The hall works from the draw only: each round the examiner opens a sitting with
//! their finger and the next drawn group is seated from the draw (`booking::draws::seat_group`:
//! the `theory.seat_assigned` events name the drawn roster). Each candidate's terminal waits for the
//! seat's (simulated) reader; every login is the candidate's finger 1:1 and 1:N over the drawn
//! roster, and one candidate first lets another rostered candidate press for them, which is
//! refused as a stand-in suspicion naming both. Fingers are synthetic ([`crate::gate::synth`]).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use model::Role;
use serde_json::{Value, json};

use super::{api, banks, seat};
use crate::accounts;
use crate::gate::demo::booked_finger;
use crate::gate::synth;
use crate::state::AppState;

/// The demo bank: the project's synthetic fixture bank, when the source tree is at hand.
fn fixture_bank() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/qbank/synthetic")
}

/// Seats of the demo (as many as the booking demo's Subject 1 groups hold) and how often the
/// candidate at each answers right.
const SEATS: &[(&str, u32)] = &[
    ("demo-seat-1", 99),
    ("demo-seat-2", 96),
    ("demo-seat-3", 85),
    ("demo-seat-4", 70),
];

/// The demo examiner's synthetic finger: the same person and finger as at the gate (one enrolment, whichever area runs first).
const EXAMINER_FINGER: u64 = crate::gate::demo::EXAMINER_FINGER;

/// What `examd demo` runs in this area, given the running daemon.
pub async fn demo(st: AppState, base_url: String) -> anyhow::Result<()> {
    let data_dir = st.rt.data_dir.clone();
    let id: theory::BankId = "synthetic".parse()?;
    if !banks::current_versions(&data_dir)?
        .iter()
        .any(|(b, _)| *b == id)
    {
        let src = fixture_bank();
        if !src.is_dir() {
            tracing::warn!(
                "theory demo: no bank imported and the fixture bank is not at hand; run examd bank import"
            );
            return Ok(());
        }
        banks::import(&data_dir, &src, &id, "auto")
            .await
            .context("importing the demo bank")?;
    }
    let by: model::UserName = "demo".parse()?;
    for (seat, _) in SEATS {
        if st.store.user(&seat.parse()?).await.is_err() {
            accounts::create(
                &st.store,
                &st.log,
                seat.parse()?,
                Role::Device,
                "理论考试座位".into(),
                None,
                st.now(),
                &by,
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating {seat}: {e}"))?;
        }
    }
    println!(
        "  理论考试 / theory:  {base_url}/theory (考生终端 / seat: {base_url}/theory/seat?seat=demo-seat-1)"
    );
    crate::gate::demo::enroll_examiner(&st)
        .await
        .context("enrolling the demo examiner's finger")?;
    let (session, drawn) =
        crate::booking::draws::latest_drawn(&st.areas.booking, booking::ExamSubject::Subject1)
            .context("no drawn Subject 1 roster (the booking demo draws one): nobody to seat")?;
    let groups: std::collections::BTreeSet<u32> = drawn.iter().map(|a| a.group).collect();
    let groups: Vec<u32> = groups.into_iter().collect();
    let fingers: std::collections::HashMap<String, u64> = drawn
        .iter()
        .filter_map(|a| Some((a.candidate.clone(), booked_finger(&a.candidate)?)))
        .collect();
    tracing::info!(session = %session, groups = groups.len(), "theory demo: seating the drawn Subject 1 roster");
    let seats: Vec<String> = SEATS.iter().map(|(s, _)| (*s).to_owned()).collect();
    let client = reqwest::Client::new();
    let mut round = 0u64;
    loop {
        round += 1;
        let group = groups[(round as usize - 1) % groups.len()];
        let sitting = api::open(
            &st,
            "examiner",
            "subject1",
            id.as_str(),
            0,
            &synth::impression(EXAMINER_FINGER, round),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let seated = crate::booking::draws::seat_group(&st, &session, group, &sitting, &seats)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let version = banks::current_versions(&data_dir)?
            .into_iter()
            .find(|(b, _)| *b == id)
            .map(|(_, v)| v)
            .unwrap_or_default();
        let mut tasks = Vec::new();
        for (i, (seat, candidate)) in seated.into_iter().enumerate() {
            let Some(&finger) = fingers.get(&candidate) else {
                tracing::warn!(
                    seat,
                    candidate,
                    "theory demo: no synthetic finger for this candidate"
                );
                continue;
            };
            let right = SEATS.get(i).map_or(80, |s| s.1);
            let bank = st.areas.theory.bank(id.as_str(), &version);
            // The last seat's candidate first lets someone else on the roster press for them.
            let stand_in = (i + 1 == SEATS.len())
                .then(|| {
                    fingers
                        .iter()
                        .find(|(c, _)| **c != candidate)
                        .map(|(_, f)| *f)
                })
                .flatten();
            let (client, base, st) = (client.clone(), base_url.clone(), st.clone());
            let seed = round * 31 + i as u64;
            tasks.push(tokio::spawn(async move {
                let sim = Sim { st: &st, client: &client, base: &base, seat: &seat, candidate: &candidate, finger, stand_in };
                if let Err(e) = sim.sits(bank, right, seed).await {
                    tracing::warn!(seat, error = %format!("{e:#}"), "theory demo candidate stopped");
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

/// One simulated candidate at a seat: the terminal (over HTTP) and the seat's reader (in-process).
struct Sim<'a> {
    st: &'a AppState,
    client: &'a reqwest::Client,
    base: &'a str,
    seat: &'a str,
    candidate: &'a str,
    finger: u64,
    stand_in: Option<u64>,
}

impl Sim<'_> {
    /// The terminal waits for a finger, the reader reads one (a stand-in's first, if so set), then
    /// the candidate answers every question (right with probability `right`%) a second or two
    /// apart, until the paper ends.
    async fn sits(
        &self,
        bank: Option<banks::Installed>,
        right: u32,
        mut rng: u64,
    ) -> anyhow::Result<()> {
        let bank = bank.context("bank not loaded")?;
        let begun: Value = self
            .client
            .post(format!("{}/api/v1/theory/seat/begin", self.base))
            .json(&json!({ "seat": self.seat }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = begun["token"].as_str().context("no token")?.to_owned();
        let finger = self.finger;
        if let Some(other) = self.stand_in {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let r = seat::finger_at(self.st, self.seat, &synth::impression(other, 1)).await;
            tracing::info!(seat = self.seat, result = ?r.map(|v| v["message"].clone()), "theory demo: a stand-in at the seat");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let v = seat::finger_at(self.st, self.seat, &synth::impression(finger, 2))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(
            v["matched"] == true,
            "the candidate's finger was refused: {v}"
        );
        let mut state = self.get_state(&token).await?;
        while state["status"] == "in_progress" {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            tokio::time::sleep(Duration::from_millis(800 + (rng >> 33) % 1500)).await;
            let qid: theory::QuestionId = state["question"]["id"]
                .as_str()
                .context("no question")?
                .parse()?;
            let q = bank.bank.question(&qid).context("question not in bank")?;
            let correct: String = q.answer.keys().map(|k| k.letter()).collect();
            let choice = if ((rng >> 40) % 100) < u64::from(right) {
                correct
            } else {
                q.option_keys()
                    .map(|k| k.letter().to_string())
                    .find(|k| *k != correct)
                    .unwrap_or(correct)
            };
            state = self
                .client
                .post(format!("{}/api/v1/theory/seat/answer", self.base))
                .header(seat::SEAT_HEADER, &token)
                .json(&json!({ "index": state["index"], "choice": choice }))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
        }
        tracing::info!(seat = self.seat, candidate = self.candidate, result = %state["result"], "theory demo paper ended");
        Ok(())
    }

    async fn get_state(&self, token: &str) -> anyhow::Result<Value> {
        Ok(self
            .client
            .get(format!("{}/api/v1/theory/seat/state", self.base))
            .header(seat::SEAT_HEADER, token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}
