//! One integration-test binary: the driver against the simulated receiver.

mod fuzz_checks;
mod fuzz_regressions;
mod reader;
mod sim_pty;

/// Runs a test body with a hard time limit, so a stuck pty can never hang the suite.
pub async fn bounded<F: std::future::Future<Output = ()>>(secs: u64, f: F) {
    tokio::time::timeout(std::time::Duration::from_secs(secs), f)
        .await
        .expect("test timed out");
}
