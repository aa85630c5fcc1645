//! A simulated RTK receiver: a [`Trajectory`] of poses in the site frame becomes GGA, RMC, VTG and HDT sentences
//! at 10 Hz on any writer or a pty. Used by the tests, `examd demo` and `examd sim gnss`.

mod sentences;
mod serve;
mod trajectory;

pub use sentences::{checksum, epoch, frame, gga, hdt, rmc, vtg};
pub use serve::{GnssSimPty, SimConfig, run_simulator_on_pty, serve};
pub use trajectory::{SimPose, Trajectory, TrajectoryError, Waypoint};
