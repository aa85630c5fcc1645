//! Photos of candidates (the platform's 照片: 17C51 subject start, 17C54 process photo, 17C56
//! subject end; the theory hall's seat and in-exam photos): IP cameras over HTTP
//! (`camera_http`), a content-addressed store on disk ([`store::PhotoStore`]), and the route
//! that serves them (`GET /api/v1/photos/{sha256}`).
//!
//! * `cameras`: `[[camera]]` in the configuration: each camera looks at a car, a seat or the hall.
//! * `store`: `<data_dir>/photos/<sha256>.jpg`, atomic writes, verified reads.
//! * `api`: the photo route (admin, examiner, auditor; a device account only for photos its own
//!   camera took).
//! * `owners`: which device each photo was taken for, read from the logged events at start.
//!
//! A photo never enters the log: events carry a [`PhotoV1`] with its SHA-256 and size, or, when
//! the camera failed, `unavailable: "photo unavailable: <reason>"` — a camera failure never stops
//! an exam and never goes unrecorded. `examd demo` simulates every camera it is asked for
//! (`camera_http::sim`, over real HTTP with digest authentication).

mod api;
pub mod cameras;
pub mod owners;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use camera_http::sim::SimCamera;
use camera_http::{Auth, CameraClient, CameraConfig, Channel};
use serde::{Deserialize, Serialize};

use crate::site::Site;
use crate::state::Clock;
pub use api::{jpeg, photo_name};
pub use cameras::{CameraRole, CameraSpec, RawCamera};
pub use store::PhotoStore;

/// A photo as events name it: taken (SHA-256, size, pixels) or unavailable (why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoV1 {
    /// The camera's id (empty when no camera looks there).
    pub camera: String,
    /// When it was asked for (server clock, ms).
    pub taken_at: i64,
    /// SHA-256 of the JPEG in the photo store, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// `photo unavailable: <reason>` when there is no photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

impl PhotoV1 {
    fn unavailable(camera: &str, at: i64, why: impl std::fmt::Display) -> PhotoV1 {
        PhotoV1 {
            camera: camera.to_owned(),
            taken_at: at,
            sha256: None,
            bytes: None,
            width: None,
            height: None,
            unavailable: Some(format!("photo unavailable: {why}")),
        }
    }
}

struct Camera {
    id: String,
    client: Arc<CameraClient>,
    /// The simulated camera behind `client`, in the demo: who stands in front of it is set
    /// before each picture.
    sim: Option<SimCamera>,
}

/// The photo area's live state: the store and the cameras by role.
pub struct PhotosArea {
    store: PhotoStore,
    cameras: Mutex<BTreeMap<CameraRole, Arc<Camera>>>,
    /// Which device's camera took each photo (read by that device's account).
    owners: Mutex<HashMap<String, String>>,
    simulate: AtomicBool,
    clock: Clock,
}

impl std::fmt::Debug for PhotosArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotosArea")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The seed the simulator draws a person from: the first 8 bytes of SHA-256 of their id.
pub fn seed_of(person: &str) -> u64 {
    let d = ring::digest::digest(&ring::digest::SHA256, person.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d.as_ref()[..8]);
    u64::from_be_bytes(b)
}

impl PhotosArea {
    /// Opens `<data_dir>/photos` and the configured cameras.
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<PhotosArea>> {
        let store = PhotoStore::open(site.rt.data_dir.join("photos"))?;
        let area = PhotosArea {
            store,
            cameras: Mutex::new(BTreeMap::new()),
            owners: Mutex::new(HashMap::new()),
            simulate: AtomicBool::new(false),
            clock,
        };
        for spec in &site.rt.cameras {
            let client = CameraClient::new(spec.config.clone())?;
            area.attach(spec.role.clone(), &spec.id, client, None);
        }
        let owners = read_owners(&*site.store)
            .await
            .context("reading the photos' devices from the log")?;
        tracing::info!(photos = owners.len(), "photo owners read from the log");
        *area.owners.lock().unwrap_or_else(|p| p.into_inner()) = owners;
        Ok(Arc::new(area))
    }

    /// Nothing runs in the background.
    pub async fn shutdown(&self) {}

    /// The store.
    pub fn store(&self) -> &PhotoStore {
        &self.store
    }

    /// Puts a camera at `role` (replacing one there).
    pub fn attach(&self, role: CameraRole, id: &str, client: CameraClient, sim: Option<SimCamera>) {
        let camera = Arc::new(Camera {
            id: id.to_owned(),
            client: Arc::new(client),
            sim,
        });
        self.cameras
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(role, camera);
    }

    /// From now on a role without a camera gets a simulated one (`examd demo`).
    pub fn simulate_cameras(&self) {
        self.simulate.store(true, Ordering::SeqCst);
    }

    /// The configured cameras, as `(role, id)`.
    pub fn cameras(&self) -> Vec<(String, String)> {
        let cams = self.cameras.lock().unwrap_or_else(|p| p.into_inner());
        cams.iter()
            .map(|(r, c)| (r.to_string(), c.id.clone()))
            .collect()
    }

    async fn camera_for(&self, roles: &[CameraRole]) -> Option<Arc<Camera>> {
        {
            let cams = self.cameras.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = roles.iter().find_map(|r| cams.get(r)) {
                return Some(c.clone());
            }
        }
        if !self.simulate.load(Ordering::SeqCst) {
            return None;
        }
        let role = roles.first()?.clone();
        let id = format!("sim-{}", role.to_string().replace(':', "-"));
        let auth = Auth::digest("admin", format!("{id}-pass"));
        let sim = SimCamera::new(auth.clone(), 1);
        let (addr, _task) = sim.spawn(([127, 0, 0, 1], 0).into()).await.ok()?;
        let channel = Channel::new(1).ok()?;
        let client =
            CameraClient::new(CameraConfig::new(format!("http://{addr}"), channel, auth)).ok()?;
        tracing::info!(camera = %id, %role, %addr, "simulated camera started");
        let mut cams = self.cameras.lock().unwrap_or_else(|p| p.into_inner());
        let camera = cams.entry(role).or_insert_with(|| {
            Arc::new(Camera {
                id,
                client: Arc::new(client),
                sim: Some(sim),
            })
        });
        Some(camera.clone())
    }

    /// Takes a photo with the first of `roles` that has a camera, of `person` (who the demo's
    /// simulated camera shows), for `device` (whose account may read it back), and keeps it.
    /// Never fails: a missing camera, a camera error or a store error gives a [`PhotoV1`] that
    /// says `photo unavailable: <reason>`.
    pub async fn capture(
        &self,
        roles: &[CameraRole],
        person: Option<&str>,
        device: &str,
    ) -> PhotoV1 {
        let at = (self.clock)().0;
        let Some(camera) = self.camera_for(roles).await else {
            let names: Vec<String> = roles.iter().map(ToString::to_string).collect();
            return PhotoV1::unavailable(
                "",
                at,
                format!("no camera configured for {}", names.join(" or ")),
            );
        };
        if let Some(sim) = &camera.sim {
            sim.set_subject(person.map(seed_of));
        }
        let shot = match camera.client.snapshot().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(camera = %camera.id, error = %e, "photo unavailable");
                return PhotoV1::unavailable(&camera.id, at, e);
            }
        };
        let store = self.store.clone();
        let jpeg = shot.jpeg;
        let kept = tokio::task::spawn_blocking(move || store.put(&jpeg)).await;
        match kept {
            Ok(Ok(stored)) => {
                self.owners
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(stored.sha256.clone(), device.to_owned());
                PhotoV1 {
                    camera: camera.id.clone(),
                    taken_at: at,
                    sha256: Some(stored.sha256),
                    bytes: Some(stored.bytes),
                    width: Some(shot.width),
                    height: Some(shot.height),
                    unavailable: None,
                }
            }
            Ok(Err(e)) => PhotoV1::unavailable(&camera.id, at, format!("not stored: {e}")),
            Err(e) => PhotoV1::unavailable(&camera.id, at, format!("not stored: {e}")),
        }
    }

    /// Whether `device`'s camera took the photo `sha256`.
    pub fn taken_for(&self, sha256: &str, device: &str) -> bool {
        self.owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sha256)
            .is_some_and(|d| d == device)
    }
}

/// Which device each logged photo was taken for ([`owners::owner`] over the whole log).
async fn read_owners(store: &dyn ::store::Store) -> anyhow::Result<HashMap<String, String>> {
    let mut owners = HashMap::new();
    let mut from = model::Seq::FIRST;
    loop {
        let page = store.events(from, 2000).await?;
        let Some(last) = page.last() else { break };
        from = last.seq.next();
        for stored in &page {
            let ev = audit::decode(&stored.bytes)
                .with_context(|| format!("event {} does not decode", stored.seq))?;
            if let Some((sha, device)) = owners::owner(ev.kind, &ev.subjects, &ev.payload) {
                owners.insert(sha, device);
            }
        }
    }
    Ok(owners)
}

/// Routes under `/api/v1/photos`.
pub fn api_routes() -> axum::Router<crate::state::AppState> {
    api::routes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_photo_says_why_and_has_no_hash() {
        let p = PhotoV1::unavailable("cam-1", 5, "camera timed out");
        assert_eq!(
            p.unavailable.as_deref(),
            Some("photo unavailable: camera timed out")
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("sha256"), "{json}");
        assert_eq!(
            uplink::photo::photo_ref(format!("{{\"photo\":{json}}}").as_bytes()),
            None
        );
        assert_ne!(seed_of("c1"), seed_of("c2"));
        assert_eq!(seed_of("c1"), seed_of("c1"));
    }
}
