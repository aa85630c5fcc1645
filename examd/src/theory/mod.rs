//! The theory area of the daemon: its live state, API routes, console pages, commands and demo.
//!
//! Wired by `crate::areas`; everything theory-specific in examd lives under this folder.

use std::sync::Arc;

use axum::Router;

use crate::site::Site;
use crate::state::{AppState, Clock};

/// Live state of the theory area (理论考试).
#[derive(Debug, Default)]
pub struct TheoryArea {}

impl TheoryArea {
    /// Starts the area for an open site.
    pub async fn start(_site: &Site, _clock: Clock) -> anyhow::Result<Arc<TheoryArea>> {
        Ok(Arc::new(TheoryArea::default()))
    }

    /// Stops the area's background work.
    pub async fn shutdown(&self) {}
}

/// Routes under `/api/v1/theory`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    Router::new().route("/theory", axum::routing::get(crate::console::area_page_theory))
}

/// What `examd demo` runs in this area, given the running daemon.
pub async fn demo(_state: AppState, _base_url: String) -> anyhow::Result<()> {
    Ok(())
}
