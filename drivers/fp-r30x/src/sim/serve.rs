//! Serving the simulated module over a transport or a pseudo-terminal.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::StreamExt;
use hw::pty::PtyTask;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::FramedRead;

use super::{Action, Fault, Simulator};
use crate::codec::{Inbound, PacketCodec};
use crate::protocol::FrameError;

#[derive(Debug)]
struct Shared {
    sim: Simulator,
    faults: VecDeque<Fault>,
}

/// Controls a running simulator: fingers, faults, inspection.
#[derive(Debug, Clone)]
pub struct SimHandle(Arc<Mutex<Shared>>);

impl SimHandle {
    /// Wraps a simulator.
    pub fn new(sim: Simulator) -> Self {
        Self(Arc::new(Mutex::new(Shared {
            sim,
            faults: VecDeque::new(),
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0.lock().expect("simulator lock")
    }

    /// Runs `f` on the simulator (to place a finger, read counters...).
    pub fn with<R>(&self, f: impl FnOnce(&mut Simulator) -> R) -> R {
        f(&mut self.lock().sim)
    }

    /// Puts finger `index` on the sensor, or lifts it.
    pub fn place_finger(&self, index: Option<usize>) {
        self.with(|s| s.place_finger(index));
    }

    /// Queues a fault for the next packet the simulator sends (one fault a packet, in order).
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Faults queued but not yet applied.
    pub fn pending_faults(&self) -> usize {
        self.lock().faults.len()
    }
}

/// Serves the module on `io` until the host closes it (or the future is dropped).
/// A command with a bad checksum is answered with confirmation code 0x01, as modules do.
pub async fn serve<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    handle: SimHandle,
) -> std::io::Result<()> {
    let (rd, mut wr) = tokio::io::split(io);
    let mut frames = FramedRead::new(rd, PacketCodec::default());
    while let Some(item) = frames.next().await {
        let actions = match item? {
            Inbound::Packet(p) => handle.lock().sim.handle(p),
            Inbound::Corrupt(FrameError::BadChecksum { .. }) => handle.lock().sim.receive_error(),
            Inbound::Corrupt(e) => {
                tracing::debug!(error = %e, "simulator skipped bytes");
                continue;
            }
        };
        for action in actions {
            let bytes = match action {
                Action::Send(p) => p.to_bytes(),
                Action::SendRaw(b) => b,
                Action::SetBaud(b) => {
                    tracing::info!(bps = b.bps(), "simulated module switched baud rate");
                    continue;
                }
            };
            let fault = handle.lock().faults.pop_front();
            let (bytes, delay) = match fault {
                Some(f) => {
                    tracing::debug!(fault = ?f, "injecting");
                    f.apply(bytes)
                }
                None => (bytes, std::time::Duration::ZERO),
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            wr.write_all(&bytes).await?;
        }
        wr.flush().await?;
    }
    Ok(())
}

/// A simulator serving a pseudo-terminal; the slave side's path is what clients open.
#[derive(Debug)]
pub struct SimPty {
    pty: PtyTask,
    handle: SimHandle,
}

impl SimPty {
    /// Creates a pty pair and serves `sim` on its master side in a background task.
    pub fn spawn(handle: SimHandle) -> std::io::Result<Self> {
        let serving = handle.clone();
        let pty = PtyTask::spawn(move |master| async move {
            serve(tokio_serial::SerialStream::try_from(master)?, serving).await
        })?;
        Ok(Self { pty, handle })
    }

    /// The slave path (`/dev/pts/N`) to open.
    pub fn path(&self) -> &Path {
        self.pty.path()
    }

    /// The simulator's controls.
    pub fn handle(&self) -> &SimHandle {
        &self.handle
    }
}

/// Serves a simulated module on a new pty whose slave is symlinked at `link`, until the
/// returned future is dropped (the link is removed then) or the serving task fails.
/// This is what `examd sim r30x --link <path>` runs.
pub async fn run_simulator_on_pty(link: &Path, handle: SimHandle) -> std::io::Result<()> {
    SimPty::spawn(handle)?.pty.serve_linked(link, "r30x").await
}
