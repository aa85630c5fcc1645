//! `examd central`: the central platform's receiver, and the one the demo runs beside its site.

use std::sync::Arc;

use anyhow::Context;
use audit::PublicKey;
use axum::Json;
use axum::extract::State;
use axum::routing::get;
use model::SiteId;
use serde_json::{Value, json};
use store::CentralStore;

use crate::state::Clock;

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

/// The receiver (`POST /central/v1/batches`) and a status view (`GET /central/v1/sites`).
pub fn router(store: Arc<dyn CentralStore>, clock: Clock) -> axum::Router {
    let status = axum::Router::new()
        .route("/central/v1/sites", get(sites))
        .with_state(store.clone());
    uplink::central::router(uplink::central::CentralState { store, clock }).merge(status)
}

/// `GET /central/v1/sites`: every registered site with what central holds of its log.
async fn sites(
    State(store): State<Arc<dyn CentralStore>>,
) -> Result<Json<Value>, crate::error::ApiError> {
    let mut out = Vec::new();
    for site in store.sites().await? {
        let (seq, head) = store.head(&site).await?;
        let alarms = store.alarms(Some(&site)).await?.len();
        out.push(json!({ "site": site.as_str(), "last_seq": seq.0, "head": head.to_hex(), "alarms": alarms }));
    }
    Ok(Json(json!({ "sites": out })))
}

/// Serves central until Ctrl-C.
pub async fn serve(
    listen: std::net::SocketAddr,
    url: &str,
    sites: &[String],
    clock: Clock,
) -> anyhow::Result<()> {
    let store = open(url, sites, &clock).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!(
        "examd central listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, router(store, clock))
        .with_graceful_shutdown(crate::app::shutdown_signal())
        .await?;
    Ok(())
}
