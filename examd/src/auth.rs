//! Who is calling: people by session cookie, devices by bearer token; and the secrets behind both.
//!
//! Passwords are argon2id PHC strings. Session and device tokens are 32 random bytes (hex);
//! only their SHA-256 is stored. A device token reads `<device-name>.<secret>` so the account
//! can be found without scanning.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use audit::{Hash, sha256};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use model::{Role, UnixMs, UserName};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "examd_session";

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Whether `password` matches the PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 32 random bytes as hex.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    SystemRandom::new()
        .fill(&mut b)
        .expect("the system random source works");
    hex::encode(b)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Hash {
    sha256(&[token.as_bytes()])
}

/// Compares two byte strings in constant time.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Account name.
    pub name: UserName,
    /// Its role.
    pub role: Role,
}

impl Caller {
    /// Refuses with 403 unless the caller holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError::Unauthorized)?;
            return device_from_token(state, token.trim()).await;
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .ok_or(ApiError::Unauthorized)?
            .value()
            .to_owned();
        let session = match state.store.session(&token_hash(&token)).await {
            Ok(s) => s,
            Err(store::StoreError::NotFound) => return Err(ApiError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        if session.expires <= state.now() {
            return Err(ApiError::Unauthorized);
        }
        let user = match state.store.user(&session.user).await {
            Ok(u) if u.enabled => u,
            Ok(_) | Err(store::StoreError::NotFound) => return Err(ApiError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        Ok(Caller {
            name: user.name,
            role: user.role,
        })
    }
}

async fn device_from_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let (name, _) = token.split_once('.').ok_or(ApiError::Unauthorized)?;
    let name: UserName = name.parse().map_err(|_| ApiError::Unauthorized)?;
    let user = match state.store.user(&name).await {
        Ok(u) => u,
        Err(store::StoreError::NotFound) => return Err(ApiError::Unauthorized),
        Err(e) => return Err(e.into()),
    };
    let presented = token_hash(token).to_hex();
    if user.role != Role::Device
        || !user.enabled
        || !same(presented.as_bytes(), user.secret_hash.as_bytes())
    {
        return Err(ApiError::Unauthorized);
    }
    Ok(Caller {
        name: user.name,
        role: Role::Device,
    })
}

/// A fresh session for a person who proved their password.
pub fn new_session(
    user: &store::UserRow,
    now: UnixMs,
    lifetime_ms: i64,
) -> (String, store::SessionRow) {
    let token = new_secret();
    let row = store::SessionRow {
        token_hash: token_hash(&token),
        user: user.name.clone(),
        role: user.role,
        created: now,
        expires: UnixMs(now.0 + lifetime_ms),
    };
    (token, row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify() {
        let phc = hash_password("正确的密码").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码", &phc));
        assert!(!verify_password("wrong", &phc));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn secrets_are_random() {
        assert_ne!(new_secret(), new_secret());
        assert_eq!(new_secret().len(), 64);
    }
}
