//! The driver's timing settings.

use std::time::Duration;

use serde::Deserialize;

/// Timing of the poll loop (hardware.md §5.9: poll every 50–100 ms, debounce 50–100 ms, re-assert periodically).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriverConfig {
    /// Time between two input reads.
    pub poll_ms: u32,
    /// How long to wait for an answer (a 9600 Bd FC02 round trip takes about 15 ms).
    pub timeout_ms: u32,
    /// Equal reads in a row before an input change counts.
    pub debounce_reads: u8,
    /// Failed exchanges in a row before the link counts as lost.
    pub lost_after: u8,
    /// Time between two re-assertions of every lock relay's state.
    pub reassert_ms: u32,
}

impl Default for DriverConfig {
    /// 50 ms polls, 200 ms timeout, 2 reads debounce (≈ 50–100 ms), lost after 2 failures, re-assert every second.
    fn default() -> Self {
        DriverConfig {
            poll_ms: 50,
            timeout_ms: 200,
            debounce_reads: 2,
            lost_after: 2,
            reassert_ms: 1_000,
        }
    }
}

impl DriverConfig {
    pub(crate) fn poll(&self) -> Duration {
        Duration::from_millis(u64::from(self.poll_ms.max(1)))
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.timeout_ms.max(1)))
    }

    pub(crate) fn reassert(&self) -> Duration {
        Duration::from_millis(u64::from(self.reassert_ms.max(1)))
    }
}
