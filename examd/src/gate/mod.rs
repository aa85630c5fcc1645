//! The gate area of the daemon: its live state, API routes, console pages, commands and demo.
//!
//! Wired by `crate::areas`; everything gate-specific in examd lives under this folder.
//! The roster and templates are the identity registry's ([`crate::identity::Registry`]): each scan is searched
//! against today's open Subject 1 sittings and the latest hand-imported roster ([`day_roster`]); the service
//! follows the registry's current gallery (names, seats, examiners) through every import or enrolment. [`GateArea`] holds, once a door module is attached,
//! the channel to the gate service task ([`service`]) that owns the interlock and the door driver.

pub mod api;
pub mod day_roster;
pub mod demo;
pub mod events;
pub mod page;
pub mod sensor;
pub mod service;
pub mod synth;
pub mod views;

use std::sync::{Arc, Mutex};

use axum::Router;
use door_modbus::DoorDriver;
use door_modbus::sim::{DoorModule, SimConfig, SimHandle, SimPty};
use store::LogWriter;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::identity::{Gallery, Registry};
use crate::site::Site;
use crate::state::{AppState, Clock};
use service::{Request, Service, ServiceConfig};

/// Live state of the gate area (门禁).
pub struct GateArea {
    log: LogWriter,
    clock: Clock,
    identity: Arc<Registry>,
    /// Sensors the daemon drives itself at the doors (`POST /api/v1/gate/capture`).
    pub sensors: sensor::DoorSensors,
    service: Mutex<Option<mpsc::Sender<Request>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for GateArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateArea")
            .field("running", &self.running())
            .finish_non_exhaustive()
    }
}

/// The gate cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum GateUnavailable {
    /// No door module is attached.
    #[error("the gate service is not running (no door module attached)")]
    NotRunning,
}

impl GateArea {
    /// Starts the area for an open site. The gate service itself runs once a door module is attached
    /// ([`GateArea::attach`], [`GateArea::attach_simulated`]).
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<GateArea>> {
        Ok(Arc::new(GateArea {
            log: site.log.clone(),
            clock,
            identity: site.identity.clone(),
            sensors: sensor::DoorSensors::default(),
            service: Mutex::new(None),
            tasks: Mutex::new(Vec::new()),
        }))
    }

    /// Whether a door module is attached and the service runs.
    pub fn running(&self) -> bool {
        self.service
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// The day's gallery: the identity registry's current one.
    pub fn gallery(&self) -> Arc<Gallery> {
        self.identity.current()
    }

    fn sender(&self) -> Option<mpsc::Sender<Request>> {
        self.service
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sends a request to the service.
    pub async fn request(&self, r: Request) -> Result<(), GateUnavailable> {
        let tx = self.sender().ok_or(GateUnavailable::NotRunning)?;
        tx.send(r).await.map_err(|_| GateUnavailable::NotRunning)
    }

    /// The gate's state now.
    pub async fn status(&self) -> Result<service::StatusView, GateUnavailable> {
        let (tx, rx) = oneshot::channel();
        self.request(Request::Status(tx)).await?;
        rx.await.map_err(|_| GateUnavailable::NotRunning)
    }

    /// Runs the gate service over an opened door driver (replacing any running one).
    pub fn attach(&self, driver: DoorDriver, cfg: ServiceConfig) -> anyhow::Result<()> {
        let (log_tx, log_rx) = mpsc::unbounded_channel();
        let svc = Service::new(cfg, driver, self.gallery(), log_tx, self.clock.clone())?;
        let (tx, rx) = mpsc::channel(64);
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        for t in tasks.drain(..) {
            t.abort();
        }
        tasks.push(tokio::spawn(events::run_logger(self.log.clone(), log_rx)));
        tasks.push(tokio::spawn(svc.run(rx)));
        // Follow the registry: every import or enrolment reloads the service's gallery.
        let mut galleries = self.identity.subscribe();
        galleries.mark_unchanged();
        let reload = tx.clone();
        tasks.push(tokio::spawn(async move {
            while galleries.changed().await.is_ok() {
                let g = galleries.borrow_and_update().clone();
                if reload.send(Request::Reload(g)).await.is_err() {
                    break;
                }
            }
        }));
        *self.service.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        Ok(())
    }

    /// Runs the gate service over a simulated door module on a new pty (tests and the demo). The returned
    /// [`SimPty`] serves the module until dropped; its handle pushes and forces the simulated doors.
    pub async fn attach_simulated(
        &self,
        sim: SimConfig,
        cfg: ServiceConfig,
    ) -> anyhow::Result<SimPty> {
        let map = door_modbus::IoMap::two_door_default();
        let pty = SimPty::spawn(SimHandle::new(DoorModule::new(map.clone(), sim)))?;
        let endpoint: door_modbus::Endpoint =
            format!("modbus-rtu:{}/{}", pty.path().display(), map.unit.get())
                .parse()
                .map_err(|e| anyhow::anyhow!("simulated module endpoint: {e}"))?;
        self.attach_endpoint(&endpoint, map, cfg).await?;
        Ok(pty)
    }

    /// Runs the gate service over the door module at `endpoint`, wired as `map` (20 ms polls).
    pub async fn attach_endpoint(
        &self,
        endpoint: &door_modbus::Endpoint,
        map: door_modbus::IoMap,
        cfg: ServiceConfig,
    ) -> anyhow::Result<()> {
        let ctx = endpoint.connect().await?;
        let driver_cfg = door_modbus::DriverConfig {
            poll_ms: 20,
            timeout_ms: 250,
            ..Default::default()
        };
        let driver =
            DoorDriver::new(ctx, map, driver_cfg).map_err(|e| anyhow::anyhow!("door map: {e}"))?;
        let cfg = ServiceConfig {
            module: endpoint.to_string(),
            poll: std::time::Duration::from_millis(20),
            ..cfg
        };
        self.attach(driver, cfg)
    }

    /// Stops the area's background work (the service relocks both doors as it ends).
    pub async fn shutdown(&self) {
        self.service
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let tasks: Vec<_> = self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for t in tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), t).await;
        }
    }
}

/// Routes under `/api/v1/gate`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/gate", axum::routing::get(page::gate_page))
        .route("/static/gate.js", axum::routing::get(page::gate_js))
}

/// What `examd demo` runs in this area, given the running daemon.
pub async fn demo(state: AppState, base_url: String) -> anyhow::Result<()> {
    demo::run(state, base_url).await
}
