//! The gate area of the daemon: its live state, API routes, console pages, commands and demo.
//!
//! Wired by `crate::areas`; everything gate-specific in examd lives under this folder.

use std::sync::Arc;

use axum::Router;

use crate::site::Site;
use crate::state::{AppState, Clock};

/// Live state of the gate area (门禁).
#[derive(Debug, Default)]
pub struct GateArea {}

impl GateArea {
    /// Starts the area for an open site.
    pub async fn start(_site: &Site, _clock: Clock) -> anyhow::Result<Arc<GateArea>> {
        Ok(Arc::new(GateArea::default()))
    }

    /// Stops the area's background work.
    pub async fn shutdown(&self) {}
}

/// Routes under `/api/v1/gate`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    Router::new().route("/gate", axum::routing::get(crate::console::area_page_gate))
}

/// What `examd demo` runs in this area, given the running daemon.
pub async fn demo(_state: AppState, _base_url: String) -> anyhow::Result<()> {
    Ok(())
}
