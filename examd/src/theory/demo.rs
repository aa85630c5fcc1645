//! `examd demo`: simulated candidates sit theory papers at simulated seats, through the HTTP API.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use model::Role;
use serde_json::{Value, json};

use super::{api, banks};
use crate::accounts;
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
    let client = reqwest::Client::new();
    let mut round = 0u64;
    loop {
        round += 1;
        let exam = if round % 2 == 1 { "safety" } else { "subject1" };
        let sitting = api::open(&st, "examiner", exam, id.as_str(), 0)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tasks = Vec::new();
        for (i, (seat, name, right)) in SEATS.iter().enumerate() {
            let candidate = format!("{name}{round}");
            let code = match api::assign(&st, &sitting, seat, &candidate).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(seat, error = %e, "theory demo: seat not assigned");
                    continue;
                }
            };
            let bank = st.areas.theory.bank(
                id.as_str(),
                &banks::current_versions(&data_dir)?
                    .into_iter()
                    .find(|(b, _)| *b == id)
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
            );
            let (client, base) = (client.clone(), base_url.clone());
            let seed = round * 31 + i as u64;
            tasks.push(tokio::spawn(async move {
                if let Err(e) = candidate_sits(&client, &base, seat, &candidate, &code, bank, *right, seed).await {
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

/// One simulated candidate: logs in with the seat code, answers every question (right with
/// probability `right`%) a second or two apart, until the paper ends.
#[allow(clippy::too_many_arguments)]
async fn candidate_sits(
    client: &reqwest::Client,
    base: &str,
    seat: &str,
    candidate: &str,
    code: &str,
    bank: Option<banks::Installed>,
    right: u32,
    mut rng: u64,
) -> anyhow::Result<()> {
    let bank = bank.context("bank not loaded")?;
    let login: Value = client
        .post(format!("{base}/api/v1/theory/seat/login"))
        .json(&json!({ "seat": seat, "candidate": candidate, "code": code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().context("no token")?.to_owned();
    let mut state = login["state"].clone();
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
        state = client
            .post(format!("{base}/api/v1/theory/seat/answer"))
            .header(api::SEAT_HEADER, &token)
            .json(&json!({ "index": state["index"], "choice": choice }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
    }
    tracing::info!(seat, candidate, result = %state["result"], "theory demo paper ended");
    Ok(())
}
