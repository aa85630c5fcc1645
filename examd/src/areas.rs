//! The functional areas of a site (gate, theory, …): each owns a folder, and this wires them.

use std::sync::Arc;

use axum::Router;

use crate::site::Site;
use crate::state::{AppState, Clock};
use crate::{gate, theory};

/// Every area's live state.
#[derive(Debug, Clone)]
pub struct Areas {
    /// Configured sensors and their live status.
    pub devices: Arc<crate::devices::DevicesArea>,
    /// The dual-door gate.
    pub gate: Arc<gate::GateArea>,
    /// The theory hall.
    pub theory: Arc<theory::TheoryArea>,
    /// Online booking and the same-day draw.
    pub booking: Arc<crate::booking::BookingArea>,
    /// Subject 2/3 judging: the cars' live sessions.
    pub driving: Arc<crate::driving::DrivingArea>,
    /// The watch-list (黑名单): gate and enrolment checks.
    pub watchlist: Arc<crate::watchlist::WatchlistArea>,
    /// Candidate photos: the cameras and the photo store.
    pub photos: Arc<crate::photos::PhotosArea>,
}

impl Areas {
    /// Starts every area.
    pub async fn start(site: &Site, clock: &Clock) -> anyhow::Result<Areas> {
        Ok(Areas {
            devices: crate::devices::DevicesArea::start(site, clock.clone()).await?,
            gate: gate::GateArea::start(site, clock.clone()).await?,
            theory: theory::TheoryArea::start(site, clock.clone()).await?,
            booking: crate::booking::BookingArea::start(site, clock.clone()).await?,
            driving: crate::driving::DrivingArea::start(site, clock.clone()).await?,
            watchlist: crate::watchlist::WatchlistArea::start(site, clock.clone()).await?,
            photos: crate::photos::PhotosArea::start(site, clock.clone()).await?,
        })
    }

    /// Stops every area's background work.
    pub async fn shutdown(&self) {
        self.devices.shutdown().await;
        self.gate.shutdown().await;
        self.theory.shutdown().await;
        self.booking.shutdown().await;
        self.driving.shutdown().await;
        self.watchlist.shutdown().await;
        self.photos.shutdown().await;
    }
}

/// Every area's API routes (under `/api/v1/<area>`) and console pages.
pub fn routes() -> (Router<AppState>, Router<AppState>) {
    let api = Router::new()
        .nest("/gate", gate::api_routes())
        .nest("/theory", theory::api_routes())
        .nest("/booking", crate::booking::api_routes())
        .nest("/identity", crate::identity::api_routes());
    let pages = gate::pages().merge(theory::pages());
    let api = api.nest("/driving", crate::driving::api_routes());
    let pages = pages.merge(crate::driving::pages());
    let pages = pages.merge(crate::booking::pages());
    let api = api.nest("/devices", crate::devices::api_routes());
    let pages = pages.merge(crate::devices::pages());
    let api = api.nest("/watchlist", crate::watchlist::api_routes());
    let pages = pages.merge(crate::watchlist::pages());
    let api = api.nest("/photos", crate::photos::api_routes());
    (api, pages)
}

/// Runs every area's demo against the running daemon.
pub async fn demo(state: AppState, base_url: String) {
    // Every camera the demo's cars and seats ask for is simulated.
    state.areas.photos.simulate_cameras();
    // Booking first: it books and draws the day and imports the drawn rosters into the identity
    // registry (Subject 1 last: the gallery the gate admits against); the other demos work from them.
    if let Err(e) = crate::booking::demo(state.clone(), base_url.clone()).await {
        tracing::error!(area = "booking", error = %format!("{e:#}"), "demo stopped");
    }
    let (st, url) = (state.clone(), base_url.clone());
    tokio::spawn(async move {
        if let Err(e) = crate::driving::demo(st, url).await {
            tracing::error!(area = "driving", error = %format!("{e:#}"), "demo stopped");
        }
    });
    let (st, url) = (state.clone(), base_url.clone());
    tokio::spawn(async move {
        if let Err(e) = crate::devices::demo(st, url).await {
            tracing::error!(area = "devices", error = %format!("{e:#}"), "demo stopped");
        }
    });
    let (g, t) = tokio::join!(
        gate::demo(state.clone(), base_url.clone()),
        theory::demo(state, base_url)
    );
    for (area, r) in [("gate", g), ("theory", t)] {
        if let Err(e) = r {
            tracing::error!(area, error = %format!("{e:#}"), "demo stopped");
        }
    }
}
