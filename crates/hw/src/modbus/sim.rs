//! A simulated Modbus slave served over a pseudo-terminal (RTU) or TCP, whatever answers its requests.

use std::net::SocketAddr;
use std::path::Path;

use serialport::TTYPort;
use tokio::net::TcpListener;
use tokio_modbus::server::Service;
use tokio_modbus::server::rtu::Server as RtuServer;
use tokio_modbus::server::tcp::{Server as TcpServer, accept_tcp_connection};
use tokio_modbus::{ExceptionCode, Response, SlaveRequest};
use tokio_serial::SerialStream;

use crate::pty::PtyTask;

/// A simulator's controls, from which a tokio-modbus service answering for it is made.
pub trait ModbusSim: Clone + Send + Sync + 'static {
    /// What the logs call the device (`"door"`, `"vehicle"`).
    const NAME: &'static str;
    /// The service answering requests.
    type Service: Service<
            Request = SlaveRequest<'static>,
            Response = Option<Response>,
            Exception = ExceptionCode,
            Future: Send,
        > + Send
        + Sync
        + 'static;
    /// A service answering for this simulator.
    fn service(&self) -> Self::Service;
}

/// Serves RTU on the pty master until a read or write fails. tokio-modbus ends a server on a request it cannot
/// decode, so the loop starts a new one on a fresh duplicate of the master, as a real device keeps listening.
async fn serve_rtu_master<H: ModbusSim>(master: TTYPort, handle: H) -> std::io::Result<()> {
    loop {
        let stream =
            SerialStream::try_from(master.try_clone_native()?).map_err(std::io::Error::from)?;
        match RtuServer::new(stream).serve_forever(handle.service()).await {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                tracing::debug!(error = %e, "{} simulator dropped an undecodable request", H::NAME);
            }
            Err(e) => return Err(e),
        }
    }
}

/// A simulator serving Modbus RTU on a new pty; clients open [`SimPty::path`].
#[derive(Debug)]
pub struct SimPty<H> {
    pty: PtyTask,
    handle: H,
}

impl<H: ModbusSim> SimPty<H> {
    /// Creates a pty pair and serves the simulator on its master side in a background task.
    pub fn spawn(handle: H) -> std::io::Result<SimPty<H>> {
        let serving = handle.clone();
        let pty = PtyTask::spawn(move |master| serve_rtu_master(master, serving))?;
        Ok(SimPty { pty, handle })
    }

    /// The pty slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        self.pty.path()
    }

    /// The simulator's controls.
    pub fn handle(&self) -> &H {
        &self.handle
    }
}

/// Serves the simulator on a new pty linked at `link` until the future is dropped (the link is removed then) or
/// serving fails. This is what `examd sim door|vehicle --link <path>` runs.
pub async fn run_simulator_on_pty<H: ModbusSim>(link: &Path, handle: H) -> std::io::Result<()> {
    let mut pty = SimPty::spawn(handle)?;
    pty.pty.serve_linked(link, H::NAME).await
}

/// Serves the simulator as Modbus TCP on `listener` (one session per connection) until the future is dropped.
pub async fn serve_tcp<H: ModbusSim>(listener: TcpListener, handle: H) -> std::io::Result<()> {
    let on_connected = |stream, addr: SocketAddr| {
        let handle = handle.clone();
        async move { accept_tcp_connection(stream, addr, move |_| Ok(Some(handle.service()))) }
    };
    TcpServer::new(listener)
        .serve(
            &on_connected,
            |e| tracing::debug!(error = %e, "{} simulator TCP session ended", H::NAME),
        )
        .await
}
