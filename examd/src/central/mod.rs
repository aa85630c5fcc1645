//! `examd central`: the central platform — the receiver sites ship their signed logs to, the
//! platform's view of the exam flow (queries, live feed, a zh/en page) for its own accounts,
//! inclusion proofs and exports for auditors. The demo runs one beside its site.
//!
//! - [`accounts`]: platform roles and bearer tokens;
//! - [`api`]: candidate results across sites, a site's day, the live feed, proofs, exports and
//!   the photos sites shipped;
//! - [`page`]: the platform page.

pub mod accounts;
pub mod api;
pub mod page;

use std::sync::Arc;

use anyhow::Context;
use audit::PublicKey;
use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use model::SiteId;
use serde_json::{Value, json};
use store::CentralStore;

use crate::state::Clock;

/// What central's own routes need.
#[derive(Clone)]
pub struct CentralApp {
    /// Where the sites' logs and the flow view are kept.
    pub store: Arc<dyn CentralStore>,
    /// Central's clock.
    pub clock: Clock,
    /// The photos sites shipped (`--photos-dir`), if central keeps them.
    pub photos: Option<crate::photos::PhotoStore>,
}

impl std::fmt::Debug for CentralApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralApp")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl accounts::HasCentralStore for CentralApp {
    fn central_store(&self) -> &Arc<dyn CentralStore> {
        &self.store
    }
}

/// Opens the central database and registers `sites` (`<site-id>:<public-key-hex>`, idempotent;
/// a new key for a known site is a key rotation).
pub async fn open(
    url: &str,
    sites: &[String],
    clock: &Clock,
) -> anyhow::Result<Arc<dyn CentralStore>> {
    let store = store::open_central(url).await.with_context(|| {
        format!(
            "opening the central database {}",
            crate::config::redact_url(url)
        )
    })?;
    for entry in sites {
        let (site, key) = entry
            .split_once(':')
            .with_context(|| format!("--register {entry:?}: expected <site-id>:<key-hex>"))?;
        let site: SiteId = site
            .parse()
            .with_context(|| format!("--register {entry:?}"))?;
        let key =
            PublicKey::from_hex(key).map_err(|e| anyhow::anyhow!("--register {entry:?}: {e}"))?;
        store.register_site(&site, &key, clock()).await?;
        tracing::info!(%site, key_id = %key.key_id(), "site registered at central");
    }
    Ok(store)
}

/// Creates platform accounts (`<name>:<role>`) and prints each new token once on stdout as
/// `central account <name> <role> token <token>`.
pub async fn add_accounts(
    store: &dyn CentralStore,
    entries: &[String],
    clock: &Clock,
) -> anyhow::Result<()> {
    for entry in entries {
        let (name, role, token) = accounts::create(store, entry, clock()).await?;
        println!("central account {name} {role} token {token}");
    }
    Ok(())
}

/// Every route of central: the receiver (`POST /central/v1/batches`), the sites' status
/// (`GET /central/v1/sites`, open), the platform API for its accounts (with the shipped photos,
/// `GET /api/v1/photos/{sha256}`) and the page (`/central/`).
pub fn router(store: Arc<dyn CentralStore>, clock: Clock) -> axum::Router {
    router_with_photos(store, clock, None)
}

/// [`router`], keeping the photos sites ship (each checked against the SHA-256 its event names)
/// in `photos`, a content-addressed store like the site's.
pub fn router_with_photos(
    store: Arc<dyn CentralStore>,
    clock: Clock,
    photos: Option<crate::photos::PhotoStore>,
) -> axum::Router {
    let app = CentralApp {
        store: store.clone(),
        clock: clock.clone(),
        photos: photos.clone(),
    };
    let platform = axum::Router::new()
        .route("/central/v1/sites", get(sites))
        .route(
            "/central/v1/candidates/{candidate}/flow",
            get(api::candidate_flow),
        )
        .route("/central/v1/sites/{site}/day", get(api::site_day))
        .route("/central/v1/sites/{site}/proof/{seq}", get(api::proof))
        .route("/central/v1/sites/{site}/export", get(api::export))
        .route("/central/v1/flow/live", get(api::live))
        .route("/api/v1/photos/{sha256}", get(api::photo))
        .route("/central/", get(page::page))
        .route("/central/login", post(page::login))
        .with_state(app);
    let state = uplink::central::CentralState { store, clock };
    let receiver = match photos {
        Some(p) => uplink::central::router_with_photos(state, Arc::new(p)),
        None => uplink::central::router(state),
    };
    receiver.merge(platform)
}

/// `GET /central/v1/sites`: every registered site with what central holds of its log.
async fn sites(State(app): State<CentralApp>) -> Result<Json<Value>, crate::error::ApiError> {
    let mut out = Vec::new();
    for site in app.store.sites().await? {
        let (seq, head) = app.store.head(&site).await?;
        let alarms = app.store.alarms(Some(&site)).await?.len();
        out.push(json!({ "site": site.as_str(), "last_seq": seq.0, "head": head.to_hex(), "alarms": alarms }));
    }
    Ok(Json(json!({ "sites": out })))
}

/// Serves central until Ctrl-C.
pub async fn serve(
    listen: std::net::SocketAddr,
    url: &str,
    sites: &[String],
    accounts: &[String],
    photos_dir: Option<&std::path::Path>,
    clock: Clock,
) -> anyhow::Result<()> {
    let store = open(url, sites, &clock).await?;
    let photos = photos_dir
        .map(crate::photos::PhotoStore::open)
        .transpose()
        .context("opening central's photo folder")?;
    add_accounts(store.as_ref(), accounts, &clock).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!(
        "examd central listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, router_with_photos(store, clock, photos))
        .with_graceful_shutdown(crate::app::shutdown_signal())
        .await?;
    Ok(())
}
