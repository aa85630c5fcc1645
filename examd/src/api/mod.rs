//! The HTTP API under `/api/v1`. Every route names the roles it admits.

mod account;
mod audit_routes;
mod events;

pub use events::LOG_READERS;
pub use site::upload_json;
mod site;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(site::health))
        .route("/site", get(site::site))
        .route("/upload/status", get(site::upload_status))
        .route("/login", post(account::login))
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route(
            "/users",
            get(account::list_users).post(account::create_user),
        )
        .route("/events", get(events::list).post(events::append))
        .route("/events/stream", get(events::stream))
        .route("/checkpoints", get(audit_routes::checkpoints))
        .route("/audit/verify", get(audit_routes::verify))
        .route("/audit/export", get(audit_routes::export))
        .route("/audit/proof", get(audit_routes::proof))
}
