//! Running the simulated receiver: poses → fixes → sentences, written at the epoch rate to any writer or a pty.

use std::path::Path;
use std::time::Duration;

use hw::pty::PtyTask;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio_serial::SerialStream;

use super::sentences;
use super::trajectory::{SimPose, Trajectory};
use crate::fix::{Fix, FixQuality};
use crate::geo::{Enu, LocalFrame};

/// How the simulated receiver reports.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The site frame the trajectory is given in.
    pub frame: LocalFrame,
    /// UTC Unix time of the trajectory's `t_ms = 0`, milliseconds.
    pub start_unix_ms: i64,
    /// Epochs per second (10 by default).
    pub rate_hz: u32,
    /// The talker id, `GN` (multi-constellation) by default.
    pub talker: String,
    /// Geoid separation written in GGA, metres.
    pub geoid_separation_m: f64,
    /// Satellites, HDOP and correction age written in GGA.
    pub satellites: u32,
    /// HDOP.
    pub hdop: f32,
    /// Age of corrections, seconds.
    pub age_s: f32,
}

impl SimConfig {
    /// Defaults around `frame`: 10 Hz, `GN`, a fixed start time (2026-11-29 08:00:00 UTC).
    pub fn new(frame: LocalFrame) -> SimConfig {
        SimConfig {
            frame,
            start_unix_ms: 1_795_939_200_000,
            rate_hz: 10,
            talker: "GN".to_owned(),
            geoid_separation_m: -8.5,
            satellites: 24,
            hdop: 0.6,
            age_s: 1.0,
        }
    }

    /// The fix the receiver reports for a pose.
    pub fn fix_for(&self, pose: &SimPose) -> Fix {
        let at = self.frame.to_geodetic(&Enu {
            east: pose.x,
            north: pose.y,
            up: pose.up,
        });
        let unix_ms = self.start_unix_ms + pose.t_ms as i64;
        let heading = self.frame.heading_from_frame(&at, pose.heading_deg);
        let measured = pose.quality.is_measured() || pose.quality == FixQuality::Simulation;
        Fix {
            time_of_day_ms: unix_ms.rem_euclid(86_400_000) as u32,
            unix_ms: Some(unix_ms),
            position: measured.then_some(at),
            quality: pose.quality,
            satellites: Some(if measured { self.satellites } else { 0 }),
            hdop: measured.then_some(self.hdop),
            age_s: matches!(pose.quality, FixQuality::RtkFixed | FixQuality::RtkFloat)
                .then_some(self.age_s),
            heading_deg: measured.then_some(heading),
            course_deg: measured.then_some(heading),
            speed_kmh: measured.then_some(pose.speed_kmh),
        }
    }

    fn period(&self) -> Duration {
        Duration::from_micros(1_000_000 / u64::from(self.rate_hz.max(1)))
    }
}

/// Writes one epoch burst per period until the trajectory ends (never, for a circle) or a write fails.
/// Epoch `k` reports the pose at `k` periods; a slow reader makes epochs late, never skipped.
pub async fn serve<W: AsyncWrite + Unpin>(
    mut out: W,
    trajectory: &Trajectory,
    cfg: &SimConfig,
) -> std::io::Result<()> {
    let period = cfg.period();
    let mut tick = tokio::time::interval(period);
    for k in 0u64.. {
        tick.tick().await;
        let t_ms = k * period.as_millis() as u64;
        if trajectory.end_ms().is_some_and(|end| t_ms > end) {
            break;
        }
        let fix = cfg.fix_for(&trajectory.at(t_ms));
        let burst = sentences::epoch(&cfg.talker, &fix, cfg.geoid_separation_m);
        out.write_all(burst.as_bytes()).await?;
        out.flush().await?;
    }
    Ok(())
}

/// A simulated receiver writing on a new pty; clients open [`GnssSimPty::path`].
#[derive(Debug)]
pub struct GnssSimPty(PtyTask);

impl GnssSimPty {
    /// Creates a pty pair and serves on its master side in a background task.
    pub fn spawn(trajectory: Trajectory, cfg: SimConfig) -> std::io::Result<GnssSimPty> {
        PtyTask::spawn(move |master| async move {
            serve(SerialStream::try_from(master)?, &trajectory, &cfg).await
        })
        .map(GnssSimPty)
    }

    /// The pty slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Whether the trajectory has ended (or serving failed).
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

/// Serves on a new pty linked at `link` until the trajectory ends, serving fails or the future is dropped (the
/// link is removed then). This is what `examd sim gnss --link <path>` runs.
pub async fn run_simulator_on_pty(
    link: &Path,
    trajectory: Trajectory,
    cfg: SimConfig,
) -> std::io::Result<()> {
    GnssSimPty::spawn(trajectory, cfg)?
        .0
        .serve_linked(link, "GNSS")
        .await
}
