//! Configured sensors and simulators: discovery, live status, capture and enrolment.
//!
//! Wired by `crate::areas`. Each `[[sensor]]` of the configuration ([`spec`]) gets a task ([`monitor`]) that
//! opens it with its driver (`fp-r30x`, `fp-usb`), polls for a finger, serves captures, and reopens it after an
//! unplug (the hot-plug watcher of `hw` over [`open::ConfiguredSensors`]). [`DevicesArea`] holds the tasks'
//! live status for `GET /api/v1/devices` ([`api`]) and the console page ([`page`]); [`cli`] has
//! `examd sensor capture|enroll` and `examd sim`; [`enroll`] is desk enrolment into the identity registry
//! (`POST /api/v1/devices/{id}/enroll`); [`demo`] is the demo's gate reader.

pub mod api;
pub mod cli;
pub mod demo;
pub mod enroll;
pub mod monitor;
pub mod open;
pub mod page;
pub mod spec;
pub mod status;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hw::FingerImage;
use hw::hotplug::HotplugEvent;
use model::{EventKind, SubjectKind, SubjectRef};
use serde_json::json;
use store::{Draft, LogWriter};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::site::Site;
use crate::state::{AppState, Clock};
pub use monitor::{CaptureError, MonitorConfig};
use monitor::{Request, SensorHandle};
use open::ConfiguredSensors;
pub use spec::{DeviceId, RawSensor, SensorKind, SensorRole, SensorSpec};
use status::SensorStatus;

/// Live state of the configured devices (设备).
pub struct DevicesArea {
    log: LogWriter,
    clock: Clock,
    cfg: MonitorConfig,
    factory: Arc<ConfiguredSensors>,
    sensors: Arc<Mutex<Vec<SensorHandle>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for DevicesArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevicesArea")
            .field("sensors", &self.snapshot().len())
            .finish_non_exhaustive()
    }
}

/// One sensor as the API shows it.
#[derive(Debug, Clone)]
pub struct SensorView {
    /// Its configuration.
    pub spec: SensorSpec,
    /// Its live status.
    pub status: SensorStatus,
}

/// An image captured through the area, with what the extractor made of it.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The image at the sensor's true resolution.
    pub image: FingerImage,
    /// The sensor's resolution.
    pub ppi: u32,
    /// The extracted template, or why there is none (an unusable image is not an error of the sensor).
    pub template: Result<scoring::Template, String>,
}

impl DevicesArea {
    /// Starts a task for every sensor of the site's configuration.
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<DevicesArea>> {
        Ok(Self::start_with(
            site.rt.sensors.clone(),
            site.log.clone(),
            clock,
            MonitorConfig::default(),
        ))
    }

    /// Starts the tasks for `specs` with the given polling.
    pub fn start_with(
        specs: Vec<SensorSpec>,
        log: LogWriter,
        clock: Clock,
        cfg: MonitorConfig,
    ) -> Arc<DevicesArea> {
        let area = Arc::new(DevicesArea {
            log,
            clock,
            cfg,
            factory: ConfiguredSensors::new(Vec::new()),
            sensors: Arc::new(Mutex::new(Vec::new())),
            tasks: Mutex::new(Vec::new()),
        });
        for spec in specs {
            if let Err(e) = area.add(spec) {
                tracing::error!(error = %e, "sensor not started");
            }
        }
        let (tx, rx) = mpsc::channel(16);
        let watcher = tokio::spawn(hw::hotplug::watch(
            area.factory.clone(),
            cfg.hotplug_every,
            tx,
        ));
        let dispatch = tokio::spawn(dispatch_presence(area.sensors.clone(), rx));
        area.lock_tasks().extend([watcher, dispatch]);
        area
    }

    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a sensor at runtime and starts its task (the demo's simulated reader). Refused if its id or device
    /// is already configured.
    pub fn add(&self, spec: SensorSpec) -> Result<(), String> {
        let mut sensors = self.sensors.lock().unwrap_or_else(|p| p.into_inner());
        if sensors
            .iter()
            .any(|s| s.spec.id == spec.id || s.spec.selector == spec.selector)
        {
            return Err(format!("sensor {} is already configured", spec.id));
        }
        self.factory.add(spec.clone());
        let (handle, task) = monitor::spawn(
            spec,
            self.factory.clone(),
            self.log.clone(),
            self.clock.clone(),
            self.cfg,
        );
        sensors.push(handle);
        self.lock_tasks().push(task);
        Ok(())
    }

    fn snapshot(&self) -> Vec<SensorHandle> {
        self.sensors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every sensor with its live status, in configuration order.
    pub fn list(&self) -> Vec<SensorView> {
        self.snapshot()
            .into_iter()
            .map(|h| SensorView {
                status: h.status.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                spec: h.spec,
            })
            .collect()
    }

    /// Waits up to `wait` for a finger on sensor `id`, captures it, extracts a template at the sensor's
    /// resolution, and logs `device.capture` (never the image).
    pub async fn capture(&self, id: &DeviceId, wait: Duration) -> Result<Capture, CaptureError> {
        let handle = self
            .snapshot()
            .into_iter()
            .find(|h| &h.spec.id == id)
            .ok_or_else(|| CaptureError::NotConnected(id.to_string()))?;
        let (tx, rx) = oneshot::channel();
        handle
            .requests
            .send(Request::Capture { wait, reply: tx })
            .await
            .map_err(|_| CaptureError::NotConnected(id.to_string()))?;
        let image = rx
            .await
            .map_err(|_| CaptureError::NotConnected(id.to_string()))??;
        let ppi = handle
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ppi
            .unwrap_or(500);
        let img = image.clone();
        let template = tokio::task::spawn_blocking(move || extract(&img, ppi))
            .await
            .unwrap_or_else(|e| Err(format!("extraction panicked: {e}")));
        let payload = json!({
            "device": id.as_str(),
            "role": handle.spec.role.to_string(),
            "width": image.width(),
            "height": image.height(),
            "ppi": ppi,
            "quality": template.as_ref().ok().map(|t| t.quality),
            "minutiae": template.as_ref().ok().map(|t| t.minutiae.len()),
            "unusable": template.as_ref().err(),
        });
        let draft = Draft {
            kind: EventKind::DeviceCapture,
            subjects: vec![SubjectRef::new(SubjectKind::Device, id.as_str())],
            payload: serde_json::to_vec(&payload).expect("JSON values serialise"),
        };
        if let Err(e) = self.log.append(draft).await {
            tracing::error!(sensor = %id, error = %e, "device.capture not logged");
        }
        Ok(Capture {
            image,
            ppi,
            template,
        })
    }

    /// Stops every sensor task.
    pub async fn shutdown(&self) {
        self.sensors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        let tasks: Vec<_> = self.lock_tasks().drain(..).collect();
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
    }
}

/// Extracts a template from a sensor image at its true resolution; the error says why the image is unusable.
pub fn extract(image: &FingerImage, ppi: u32) -> Result<scoring::Template, String> {
    scoring::extract_raw(
        image.pixels(),
        image.width() as usize,
        image.height() as usize,
        ppi,
    )
    .map_err(|e| e.to_string())
}

/// Hands the hot-plug watcher's arrivals and departures to the sensor tasks.
async fn dispatch_presence(
    sensors: Arc<Mutex<Vec<SensorHandle>>>,
    mut rx: mpsc::Receiver<HotplugEvent>,
) {
    while let Some(ev) = rx.recv().await {
        let (info, present) = match ev {
            HotplugEvent::Arrived(d) => (d, true),
            HotplugEvent::Left(d) => (d, false),
        };
        let handles = sensors.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for h in handles.iter().filter(|h| h.spec.selector == info.selector) {
            tracing::debug!(sensor = %h.spec.id, present, "hot-plug");
            h.presence.send_replace(present);
        }
    }
}

/// Routes under `/api/v1/devices`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/devices", axum::routing::get(page::devices_page))
        .route("/static/devices.js", axum::routing::get(page::devices_js))
}

/// What `examd demo` runs in this area: the gate's door-A reader as an R30x simulator on a pty.
pub async fn demo(state: AppState, base_url: String) -> anyhow::Result<()> {
    demo::run(state, base_url).await
}
