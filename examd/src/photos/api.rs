//! `GET /api/v1/photos/{sha256}`: one photo from the store, as `image/jpeg`.
//!
//! Admins, examiners and auditors read any photo; a device account only photos its own camera
//! took (a car's terminal its car's, a seat's its seat's), as the logged events say (read back at
//! start by `super::owners`, so a restart changes nothing).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use model::Role;
use uplink::photo::PhotoError;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/{sha256}", get(photo))
}

async fn photo(
    State(st): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin, Role::Examiner, Role::Auditor, Role::Device])?;
    photo_name(&sha)?;
    let photos = st.areas.photos.clone();
    if caller.role == Role::Device && !photos.taken_for(&sha, caller.name.as_str()) {
        return Err(ApiError::Forbidden);
    }
    jpeg(photos.store().clone(), sha).await
}

/// Refuses a name that is not a SHA-256 in lowercase hex (the only names a photo store has).
pub fn photo_name(sha: &str) -> Result<(), ApiError> {
    if super::store::is_sha256(sha) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "a photo is named by its SHA-256 in lowercase hex, got {sha:?}"
        )))
    }
}

/// The photo `sha` (a checked name) from `store` as an `image/jpeg` response; one not held is
/// 404 `photo not found`. The site's route and central's share it.
pub async fn jpeg(store: super::PhotoStore, sha: String) -> Result<Response, ApiError> {
    let read = tokio::task::spawn_blocking(move || store.get(&sha))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match read {
        Ok(jpeg) => Ok((
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            jpeg,
        )
            .into_response()),
        Err(PhotoError::Missing { .. }) => Err(ApiError::NotFound("photo")),
        Err(e) => Err(ApiError::Internal(anyhow::anyhow!(e))),
    }
}
