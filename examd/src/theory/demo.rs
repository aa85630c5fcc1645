//! `examd demo`: simulated candidates sit theory papers at simulated seats, through the HTTP API.
//! Everyone's fingers are synthetic ([`crate::gate::synth`]): the examiner opens each sitting with
//! their finger, each candidate's terminal waits for the seat's (simulated) reader, and one
//! candidate presses a wrong finger first, which is refused and logged.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use model::Role;
use serde_json::{Value, json};

use super::{api, banks, seat};
use crate::accounts;
use crate::gate::synth;
use crate::state::AppState;

/// The demo bank: the project's synthetic fixture bank, when the source tree is at hand.
fn fixture_bank() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/qbank/synthetic")
}

/// Seats of the demo and how often each simulated candidate answers right.
const SEATS: &[(&str, &str, u32)] = &[
    ("demo-seat-1", "演示考生甲", 99),
    ("demo-seat-2", "演示考生乙", 96),
    ("demo-seat-3", "演示考生丙", 85),
    ("demo-seat-4", "演示考生丁", 70),
];

/// The demo examiner's synthetic finger: the same person and finger as at the gate (one enrolment, whichever area runs first).
const EXAMINER_FINGER: u64 = crate::gate::demo::EXAMINER_FINGER;

/// A demo candidate's synthetic finger, from their id.
fn finger_of(candidate: &str) -> u64 {
    let h = audit::sha256(&[candidate.as_bytes()]).0;
    10_000 + u64::from(u16::from_le_bytes([h[0], h[1]]))
}

/// Enrols two impressions of synthetic `finger` for `person` (`candidate:<id>`, `examiner:<name>`).
async fn enroll(st: &AppState, person: &str, name: &str, finger: u64) -> anyhow::Result<()> {
    let person: crate::identity::PersonRef = person.parse().map_err(anyhow::Error::msg)?;
    st.identity
        .enroll(
            person,
            Some(name),
            vec![synth::impression(finger, 0), synth::impression(finger, 1)],
            "demo",
        )
        .await?;
    Ok(())
}

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
    for (seat, _, _) in SEATS {
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
    enroll(&st, "examiner:examiner", "演示考试员", EXAMINER_FINGER)
        .await
        .context("enrolling the demo examiner's finger")?;
    let client = reqwest::Client::new();
    let mut round = 0u64;
    loop {
        round += 1;
        let exam = if round % 2 == 1 { "safety" } else { "subject1" };
        let sitting = api::open(
            &st,
            "examiner",
            exam,
            id.as_str(),
            0,
            &synth::impression(EXAMINER_FINGER, round),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tasks = Vec::new();
        for (i, (seat, name, right)) in SEATS.iter().enumerate() {
            let candidate = format!("demo-{round}-{}", i + 1);
            let enrolled = enroll(
                &st,
                &format!("candidate:{candidate}"),
                name,
                finger_of(&candidate),
            )
            .await;
            let assigned = match enrolled {
                Ok(()) => api::assign(&st, &sitting, seat, &candidate)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}")),
                Err(e) => Err(e),
            };
            if let Err(e) = assigned {
                tracing::warn!(seat, error = %format!("{e:#}"), "theory demo: seat not assigned");
                continue;
            }
            let bank = st.areas.theory.bank(
                id.as_str(),
                &banks::current_versions(&data_dir)?
                    .into_iter()
                    .find(|(b, _)| *b == id)
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
            );
            let (client, base, st) = (client.clone(), base_url.clone(), st.clone());
            let seed = round * 31 + i as u64;
            // The last seat's candidate presses a wrong finger first.
            let wrong_first = i + 1 == SEATS.len();
            tasks.push(tokio::spawn(async move {
                let sim = Sim { st: &st, client: &client, base: &base, seat, candidate: &candidate, wrong_first };
                if let Err(e) = sim.sits(bank, *right, seed).await {
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
    wrong_first: bool,
}

impl Sim<'_> {
    /// The terminal waits for a finger, the reader reads one (a wrong one first, if so set), then
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
        let finger = finger_of(self.candidate);
        if self.wrong_first {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let r = seat::finger_at(self.st, self.seat, &synth::impression(finger + 1, 1)).await;
            tracing::info!(seat = self.seat, result = ?r.map(|v| v["matched"].clone()), "theory demo: a wrong finger");
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
