//! Scripted signal changes for the simulator:
//! `[{"t_ms": 0, "set": {"engine_on": true}}, {"t_ms": 1500, "set": {"gear": "1"}}, {"t_ms": 9000, "silent": true}]`.

use serde::Deserialize;

use super::service::SimHandle;
use crate::signals::SignalPatch;

/// One step: at `t_ms` after the script starts, change these signals (and maybe go silent or come back).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptStep {
    /// Milliseconds after the start.
    pub t_ms: u64,
    /// Whether the collector stops (`true`) or resumes (`false`) answering.
    #[serde(default)]
    pub silent: Option<bool>,
    /// The signals to change.
    #[serde(default)]
    pub set: SignalPatch,
}

/// A script: steps by non-decreasing time, deserialised from a JSON array.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Script(pub Vec<ScriptStep>);

/// Runs `script` against `handle` on tokio's clock, from now; returns after the last step.
pub async fn run_script(handle: SimHandle, script: Script) {
    let start = tokio::time::Instant::now();
    for step in script.0 {
        tokio::time::sleep_until(start + std::time::Duration::from_millis(step.t_ms)).await;
        handle.apply(&step.set);
        if let Some(silent) = step.silent {
            handle.set_silent(silent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::SignalMap;
    use crate::signals::{Gear, Signals};

    #[tokio::test(start_paused = true)]
    async fn steps_apply_at_their_times() {
        let script: Script = serde_json::from_str(
            r#"[{"t_ms":0,"set":{"engine_on":true,"rpm":800}},
                {"t_ms":1500,"set":{"gear":"1","parking_brake":false}},
                {"t_ms":3000,"silent":true}]"#,
        )
        .unwrap();
        let h = SimHandle::new(SignalMap::standard(), Signals::default());
        let task = tokio::spawn(run_script(h.clone(), script));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        assert!(h.signals().engine_on);
        assert_eq!(h.signals().gear, Gear::Neutral);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(h.signals().gear, Gear::First);
        assert!(!h.signals().parking_brake);
        task.await.unwrap();
        assert!(serde_json::from_str::<Script>(r#"[{"t_ms":0,"set":{"wipers":true}}]"#).is_err());
    }
}
