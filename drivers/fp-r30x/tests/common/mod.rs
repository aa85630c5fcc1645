//! Shared set-up: a simulator with generated fingers and a client connected to it.

use std::time::Duration;

use fp_r30x::protocol::ImageGeometry;
use fp_r30x::sim::{self, images};
use fp_r30x::{ClientConfig, R30x, SimConfig, SimHandle, Simulator};
use tokio::io::DuplexStream;

/// A simulator with `fingers` generated images.
pub fn simulator(config: SimConfig, fingers: u32) -> SimHandle {
    let g = config.geometry;
    SimHandle::new(Simulator::new(
        config,
        (0..fingers).map(|i| images::generate(i, g)).collect(),
    ))
}

/// Client settings matching a simulator.
pub fn client_config(geometry: ImageGeometry) -> ClientConfig {
    ClientConfig {
        geometry,
        timeout: Duration::from_millis(200),
        retries: 2,
        ..ClientConfig::default()
    }
}

/// An in-memory link: returns the client and spawns the simulator.
pub fn pair(handle: &SimHandle, config: ClientConfig) -> R30x<DuplexStream> {
    let (host, device) = tokio::io::duplex(4096);
    tokio::spawn(sim::serve(device, handle.clone()));
    R30x::new(host, config)
}
