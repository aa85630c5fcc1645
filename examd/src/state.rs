//! What every request handler can reach.

use std::sync::Arc;

use model::UnixMs;
use store::{LogWriter, Store};

use crate::config::Runtime;

/// The wall clock, injected so tests can hold time still (the log writer's own clock type).
pub use store::writer::{Clock, system_clock};

/// Shared state of the HTTP layer (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// Validated configuration.
    pub rt: Arc<Runtime>,
    /// The database.
    pub store: Arc<dyn Store>,
    /// The only way events enter the log.
    pub log: LogWriter,
    /// The site's checkpoint-signing public key.
    pub public_key: audit::PublicKey,
    /// The clock.
    pub clock: Clock,
    /// Every area's live state.
    pub areas: crate::areas::Areas,
    /// People, enrolled templates and rosters (1:1, 1:N) for every area.
    pub identity: Arc<crate::identity::Registry>,
    /// The log shipper to central, when one is configured.
    pub uplink: Option<Arc<uplink::site::ShipperHandle>>,
}

impl AppState {
    /// Now, by the injected clock.
    pub fn now(&self) -> UnixMs {
        (self.clock)()
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("rt", &self.rt)
            .field("store", &self.store)
            .finish()
    }
}
