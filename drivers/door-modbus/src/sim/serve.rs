//! Serving the simulated module over a pseudo-terminal (RTU) or TCP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serialport::{SerialPort, TTYPort};
use tokio::net::TcpListener;
use tokio_modbus::server::rtu::Server as RtuServer;
use tokio_modbus::server::tcp::{Server as TcpServer, accept_tcp_connection};
use tokio_serial::SerialStream;

use super::service::{SimHandle, SimService};

/// Serves RTU on the pty master until a read or write fails. tokio-modbus ends a server on a request it cannot
/// decode, so the loop starts a new one on a fresh duplicate of the master, as a real module keeps listening.
async fn serve_rtu_master(master: TTYPort, handle: SimHandle) -> std::io::Result<()> {
    loop {
        let stream =
            SerialStream::try_from(master.try_clone_native()?).map_err(std::io::Error::from)?;
        match RtuServer::new(stream)
            .serve_forever(SimService(handle.clone()))
            .await
        {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                tracing::debug!(error = %e, "door simulator dropped an undecodable request");
            }
            Err(e) => return Err(e),
        }
    }
}

/// A simulated module serving Modbus RTU on a new pty; clients open [`SimPty::path`].
#[derive(Debug)]
pub struct SimPty {
    path: PathBuf,
    handle: SimHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    // Kept open so the master never sees a hang-up between client sessions.
    _slave: TTYPort,
}

impl SimPty {
    /// Creates a pty pair and serves the module on its master side in a background task.
    pub fn spawn(handle: SimHandle) -> std::io::Result<SimPty> {
        let (master, slave) = TTYPort::pair().map_err(std::io::Error::from)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| std::io::Error::other("pty slave has no name"))?;
        let task = tokio::spawn(serve_rtu_master(master, handle.clone()));
        Ok(SimPty {
            path,
            handle,
            task,
            _slave: slave,
        })
    }

    /// The pty slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The simulator's controls.
    pub fn handle(&self) -> &SimHandle {
        &self.handle
    }
}

impl Drop for SimPty {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the module on a new pty linked at `link` until the future is dropped (the link is removed then) or
/// serving fails. This is what `examd sim door --link <path>` runs.
pub async fn run_simulator_on_pty(link: &Path, handle: SimHandle) -> std::io::Result<()> {
    let mut pty = SimPty::spawn(handle)?;
    if link.symlink_metadata().is_ok() {
        std::fs::remove_file(link)?;
    }
    std::os::unix::fs::symlink(pty.path(), link)?;
    struct Unlink<'a>(&'a Path);
    impl Drop for Unlink<'_> {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(self.0);
        }
    }
    let _unlink = Unlink(link);
    tracing::info!(link = %link.display(), pty = %pty.path().display(), "door simulator serving Modbus RTU");
    match (&mut pty.task).await {
        Ok(r) => r,
        Err(e) => Err(std::io::Error::other(e)),
    }
}

/// Serves the module as Modbus TCP on `listener` (one session per connection) until the future is dropped.
pub async fn serve_tcp(listener: TcpListener, handle: SimHandle) -> std::io::Result<()> {
    let server = TcpServer::new(listener);
    let on_connected = |stream, addr: SocketAddr| {
        let handle = handle.clone();
        async move { accept_tcp_connection(stream, addr, move |_| Ok(Some(SimService(handle.clone())))) }
    };
    server
        .serve(
            &on_connected,
            |e| tracing::debug!(error = %e, "door simulator TCP session ended"),
        )
        .await
}
