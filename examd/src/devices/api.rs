//! `/api/v1/devices`: the configured sensors with their live status, and the gate's door module when the gate
//! service runs; `POST /api/v1/devices/{id}/enroll` is desk enrolment ([`super::enroll`]).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use model::Role;
use serde::Serialize;

use super::SensorView;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Roles that see the devices.
pub const WATCHERS: &[Role] = &[Role::Admin, Role::Examiner, Role::Auditor];

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/{id}/enroll", post(super::enroll::enroll))
}

/// `GET /api/v1/devices` body, version 1.
#[derive(Debug, Serialize)]
pub struct DevicesV1 {
    /// Every configured sensor, in configuration order.
    pub sensors: Vec<SensorV1>,
    /// The gate's door module, when the gate service runs.
    pub door_module: Option<DoorModuleV1>,
}

/// One sensor.
#[derive(Debug, Serialize)]
pub struct SensorV1 {
    /// Device id.
    pub id: String,
    /// `r30x`, `nb1010` or `upektc`.
    pub kind: &'static str,
    /// `gate-A`, `seat-…`, `desk`.
    pub role: String,
    /// Where it is (`r30x:/dev/ttyUSB0@57600`, `usb:298d:1010`).
    pub selector: String,
    /// `connecting`, `connected` or `lost`.
    pub link: &'static str,
    /// Since when (Unix ms) the link is in this state.
    pub since_ms: i64,
    /// The driver's model name, once opened.
    pub model: Option<String>,
    /// Image width.
    pub width: Option<u32>,
    /// Image height.
    pub height: Option<u32>,
    /// True resolution, pixels per inch.
    pub ppi: Option<u32>,
    /// Whether a finger is on the sensor.
    pub finger_present: bool,
    /// The last error.
    pub last_error: Option<String>,
    /// When it happened (Unix ms).
    pub last_error_ms: Option<i64>,
    /// When the last image was captured (Unix ms).
    pub last_capture_ms: Option<i64>,
    /// Images captured since the daemon started.
    pub captures: u64,
    /// Times the link came back after being lost.
    pub reconnects: u64,
}

/// The gate's door I/O module.
#[derive(Debug, Serialize)]
pub struct DoorModuleV1 {
    /// Its endpoint (`modbus-rtu:/dev/…/1`).
    pub module: String,
    /// Whether it answers.
    pub comms_up: bool,
}

impl From<SensorView> for SensorV1 {
    fn from(v: SensorView) -> Self {
        let s = v.status;
        SensorV1 {
            id: v.spec.id.to_string(),
            kind: v.spec.kind.name(),
            role: v.spec.role.to_string(),
            selector: v.spec.selector.to_string(),
            link: s.link.name(),
            since_ms: s.since_ms,
            model: s.model,
            width: s.width,
            height: s.height,
            ppi: s.ppi,
            finger_present: s.finger_present,
            last_error: s.last_error,
            last_error_ms: s.last_error_ms,
            last_capture_ms: s.last_capture_ms,
            captures: s.captures,
            reconnects: s.reconnects,
        }
    }
}

/// `GET /api/v1/devices`.
pub async fn list(State(st): State<AppState>, caller: Caller) -> Result<Json<DevicesV1>, ApiError> {
    caller.require(WATCHERS)?;
    let sensors = st
        .areas
        .devices
        .list()
        .into_iter()
        .map(SensorV1::from)
        .collect();
    let door_module = match st.areas.gate.status().await {
        Ok(s) => Some(DoorModuleV1 {
            module: s.module,
            comms_up: s.comms_up,
        }),
        Err(_) => None,
    };
    Ok(Json(DevicesV1 {
        sensors,
        door_module,
    }))
}
