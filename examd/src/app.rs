//! The HTTP application: router and server with graceful shutdown.

use std::future::Future;

use axum::Router;
use model::EventKind;
use serde_json::json;
use store::Draft;
use tokio::net::TcpListener;

use crate::site::Site;
use crate::state::{AppState, Clock};

/// The whole HTTP surface: `/api/v1/…` and the console.
pub fn router(state: AppState) -> Router {
    let (area_api, area_pages) = crate::areas::routes();
    Router::new()
        .nest("/api/v1", crate::api::routes().merge(area_api))
        .merge(crate::console::routes())
        .merge(area_pages)
        .layer(axum::middleware::from_fn(crate::error::log_errors))
        .with_state(state)
}

/// The state handlers see, from an open site; starts every area.
pub async fn state_of(site: &Site, clock: Clock) -> anyhow::Result<AppState> {
    let areas = crate::areas::Areas::start(site, &clock).await?;
    let uplink = match &site.rt.central_url {
        None => None,
        Some(url) => {
            // The log writer owns its signer; the shipper signs batches with its own copy of the key.
            let signer = crate::site::load_or_create_key(&site.rt.signing_key_path())?;
            // Photos named by events travel beside them, read from the photo store at send time.
            let photos: std::sync::Arc<dyn uplink::photo::PhotoSource> =
                std::sync::Arc::new(areas.photos.store().clone());
            let handle = uplink::site::Shipper::start_with_photos(
                site.store.clone(),
                site.rt.site.clone(),
                std::sync::Arc::new(signer),
                url,
                uplink::site::ShipperConfig::default(),
                clock.clone(),
                Some(photos),
            );
            tracing::info!(central = %crate::config::redact_url(url), "shipping the log to central");
            Some(std::sync::Arc::new(handle))
        }
    };
    Ok(AppState {
        uplink,
        rt: site.rt.clone(),
        store: site.store.clone(),
        log: site.log.clone(),
        public_key: site.public_key,
        clock,
        areas,
        identity: site.identity.clone(),
    })
}

/// Serves until `shutdown` resolves, then drains requests, logs the stop and flushes the log.
pub async fn serve(
    site: Site,
    listener: TcpListener,
    clock: Clock,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with(site, listener, clock, shutdown, |_| {}).await
}

/// Like [`serve`], calling `started` with the state once the listener is live (the demo uses it).
pub async fn serve_with(
    site: Site,
    listener: TcpListener,
    clock: Clock,
    shutdown: impl Future<Output = ()> + Send + 'static,
    started: impl FnOnce(AppState),
) -> anyhow::Result<()> {
    let state = state_of(&site, clock).await?;
    site.log
        .append(Draft {
            kind: EventKind::SystemStarted,
            subjects: vec![],
            payload: serde_json::to_vec(&json!({
                "version": env!("CARGO_PKG_VERSION"),
                "backend": site.store.backend(),
                "key_id": site.public_key.key_id().to_string(),
            }))?,
        })
        .await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, site = %site.rt.site, "examd listening");
    // One line on stdout for people and scripts: where to point the browser.
    println!("examd listening on http://{addr}");
    let areas = state.areas.clone();
    started(state.clone());
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    areas.shutdown().await;
    site.log
        .append(Draft {
            kind: EventKind::SystemStopped,
            subjects: vec![],
            payload: b"{}".to_vec(),
        })
        .await?;
    site.log.shutdown().await;
    tracing::info!("examd stopped; log flushed");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested");
}
