//! Central's own accounts: platform staff, by bearer token (or the page's cookie holding it).
//!
//! Roles: `platform-admin` (everything) and `platform-auditor` (read the flow, ask for proofs
//! and exports). Sites are not accounts: a site uploads with batches signed by its registered
//! Ed25519 key (see `uplink::central`). Only the SHA-256 of a token is stored.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use store::CentralStore;

use crate::auth::{new_secret, token_hash};
use crate::error::ApiError;

/// The cookie the platform page keeps the token in.
pub const TOKEN_COOKIE: &str = "examd_central_token";

/// What a platform account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformRole {
    /// Runs the platform: everything.
    Admin,
    /// Reads results and asks for proofs and exports.
    Auditor,
}

impl PlatformRole {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            PlatformRole::Admin => "platform-admin",
            PlatformRole::Auditor => "platform-auditor",
        }
    }
}

impl fmt::Display for PlatformRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlatformRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "platform-admin" => Ok(PlatformRole::Admin),
            "platform-auditor" => Ok(PlatformRole::Auditor),
            other => Err(format!(
                "unknown platform role {other:?} (platform-admin or platform-auditor)"
            )),
        }
    }
}

/// A platform caller.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Account name.
    pub name: String,
    /// Its role.
    pub role: PlatformRole,
}

/// Creates an account and returns its token (shown once). `name:role` as on the command line.
pub async fn create(
    store: &dyn CentralStore,
    entry: &str,
    at: model::UnixMs,
) -> anyhow::Result<(String, PlatformRole, String)> {
    let (name, role) = entry
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("--account {entry:?}: expected <name>:<role>"))?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        anyhow::bail!("--account {entry:?}: the name must be [a-z0-9._-]+");
    }
    let role: PlatformRole = role
        .parse()
        .map_err(|e| anyhow::anyhow!("--account {entry:?}: {e}"))?;
    let token = format!("central.{}", new_secret());
    match store
        .create_account(name, role.name(), &token_hash(&token).0, at)
        .await
    {
        Ok(()) => Ok((name.to_owned(), role, token)),
        Err(store::StoreError::Conflict { .. }) => {
            anyhow::bail!("--account {entry:?}: an account of that name exists")
        }
        Err(e) => Err(e.into()),
    }
}

/// The store, for the extractor.
pub trait HasCentralStore {
    /// Central's store.
    fn central_store(&self) -> &Arc<dyn CentralStore>;
}

impl<S: HasCentralStore + Send + Sync> FromRequestParts<S> for Platform {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let token = match parts.headers.get(axum::http::header::AUTHORIZATION) {
            Some(value) => value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError::Unauthorized)?
                .trim()
                .to_owned(),
            None => CookieJar::from_headers(&parts.headers)
                .get(TOKEN_COOKIE)
                .ok_or(ApiError::Unauthorized)?
                .value()
                .to_owned(),
        };
        let account = state
            .central_store()
            .account_by_token(&token_hash(&token).0)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let role = account
            .role
            .parse()
            .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?;
        Ok(Platform {
            name: account.name,
            role,
        })
    }
}

impl Platform {
    /// Refuses with 403 unless the caller holds one of `roles`.
    pub fn require(&self, roles: &[PlatformRole]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_refuse_others() {
        for r in [PlatformRole::Admin, PlatformRole::Auditor] {
            assert_eq!(r.name().parse::<PlatformRole>(), Ok(r));
        }
        let e = "admin".parse::<PlatformRole>().unwrap_err();
        assert!(e.contains("platform-admin"), "{e}");
    }

    #[tokio::test]
    async fn an_account_is_found_by_its_token_only() {
        let store = store::open_central("sqlite::memory:").await.unwrap();
        let (name, role, token) =
            create(store.as_ref(), "li.ming:platform-auditor", model::UnixMs(1))
                .await
                .unwrap();
        assert_eq!((name.as_str(), role), ("li.ming", PlatformRole::Auditor));
        let found = store
            .account_by_token(&token_hash(&token).0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.role, "platform-auditor");
        assert!(
            store
                .account_by_token(&token_hash("central.x").0)
                .await
                .unwrap()
                .is_none()
        );
        let again = create(store.as_ref(), "li.ming:platform-admin", model::UnixMs(2)).await;
        assert!(again.unwrap_err().to_string().contains("exists"));
        for bad in ["nobody", "Bad:platform-admin", "x:admin"] {
            assert!(
                create(store.as_ref(), bad, model::UnixMs(3)).await.is_err(),
                "{bad}"
            );
        }
    }
}
