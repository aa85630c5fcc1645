//! `examd demo` on the watch-list: one synthetic person (a stand-in caught at an earlier sitting, synthetic
//! finger [`FINGER`]) is put on the list, then tries door A once through the real gate API, claiming to be a
//! roster candidate; the gate refuses them and raises a `watchlist` alarm, and the hit shows on `/watchlist`.

use std::time::Duration;

use anyhow::Context;
use model::Role;

use super::NewEntry;
use super::model::Reason;
use crate::gate::synth::iso_impression;
use crate::state::AppState;

/// The listed person's synthetic finger: no demo roster or examiner uses it (the gate demo's worn fingers count up
/// from 5,000, one every few rounds, the booked candidates' from 20,000).
pub const FINGER: u64 = 90_001;
/// How the demo's entry is recognised on a restarted demo (added once).
const NOTE: &str =
    "演示：上次考试中被查获的代考人员 / demo: a stand-in caught at an earlier sitting";
/// The terminal the person scans at.
const TERMINAL: &str = "demo-gate-a-wl";

/// Adds the person (once) and has them try the gate once.
pub async fn run(state: AppState, base_url: String) -> anyhow::Result<()> {
    let area = state.areas.watchlist.clone();
    if !area.entries().iter().any(|e| e.note == NOTE) {
        let e = area
            .add(
                NewEntry {
                    id_number: Some("DEMO-WL-0001".parse()?),
                    name: Some("赵某（演示）".into()),
                    reason: Reason::StandIn,
                    note: NOTE.into(),
                    records: vec![iso_impression(FINGER, 0), iso_impression(FINGER, 1)],
                    source: "upload".into(),
                },
                "demo",
            )
            .await
            .context("adding the demo watch-list entry")?;
        tracing::info!(entry = %e.id, "watch-list demo: synthetic stand-in listed");
    }
    let token_file = state.rt.data_dir.join(format!("{TERMINAL}.token"));
    if !token_file.exists() {
        let dev = crate::accounts::create(
            &state.store,
            &state.log,
            TERMINAL.parse()?,
            Role::Device,
            "门禁终端 A（黑名单演示）".into(),
            None,
            state.now(),
            &"demo".parse()?,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the watch-list demo terminal: {e}"))?;
        crate::site::write_private(&token_file, dev.token.unwrap_or_default().as_bytes())?;
    }
    let token = std::fs::read_to_string(&token_file).context("reading the demo terminal token")?;
    // Wait for the gate demo's door module, then let a few candidates through first.
    for _ in 0..120 {
        if state.areas.gate.running() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(20)).await;
    // Someone on the open sitting's roster, late in it (the sittings are small: the last one if fewer than seven).
    let gallery = state.areas.gate.gallery();
    let claim = gallery
        .candidates
        .keys()
        .nth(6)
        .or_else(|| gallery.candidates.keys().last())
        .map(|c| c.to_string())
        .context("the gate has no roster to claim a place on")?;
    let r = reqwest::Client::new()
        .post(format!("{base_url}/api/v1/gate/scan?door=A&claim={claim}"))
        .bearer_auth(token.trim())
        .header("content-type", "application/octet-stream")
        .body(iso_impression(FINGER, 2))
        .send()
        .await?;
    let v: serde_json::Value = r.json().await?;
    tracing::info!(claim, decision = %v["decision"], denied = %v["denied"], "watch-list demo: the listed person tried door A");
    Ok(())
}
