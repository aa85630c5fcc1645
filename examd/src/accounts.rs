//! Creating accounts, shared by `examd user add` and `POST /api/v1/users`.

use std::sync::Arc;

use model::{EventKind, Role, SubjectKind, SubjectRef, UnixMs, UserName};
use serde_json::json;
use store::{Draft, LogWriter, NewUser, Store, StoreError};

use crate::auth;
use crate::error::ApiError;
use crate::wire::UserV1;

/// The shortest password accepted for a person.
pub const MIN_PASSWORD: usize = 8;

/// Creates a person (with a password) or a device (with a generated token, returned once).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    store: &Arc<dyn Store>,
    log: &LogWriter,
    name: UserName,
    role: Role,
    display_name: String,
    password: Option<String>,
    now: UnixMs,
    by: &UserName,
) -> Result<UserV1, ApiError> {
    let (secret_hash, token) = if role.is_person() {
        let pw =
            password.ok_or_else(|| ApiError::BadRequest("a person needs a password".into()))?;
        if pw.chars().count() < MIN_PASSWORD {
            return Err(ApiError::BadRequest(format!(
                "password must have at least {MIN_PASSWORD} characters"
            )));
        }
        let phc = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
            .await
            .map_err(anyhow::Error::from)??;
        (phc, None)
    } else {
        if password.is_some() {
            return Err(ApiError::BadRequest(
                "devices get a generated token, not a password".into(),
            ));
        }
        let token = format!("{name}.{}", auth::new_secret());
        (auth::token_hash(&token).to_hex(), Some(token))
    };
    let display_name = if display_name.is_empty() {
        name.to_string()
    } else {
        display_name
    };
    let row = NewUser {
        name: name.clone(),
        role,
        display_name: display_name.clone(),
        secret_hash,
        created: now,
    };
    match store.create_user(&row).await {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            return Err(ApiError::Conflict(format!("account {name} exists")));
        }
        Err(e) => return Err(e.into()),
    }
    log.append(Draft {
        kind: EventKind::UserCreated,
        subjects: vec![SubjectRef::new(SubjectKind::User, name.as_str())],
        payload: serde_json::to_vec(&json!({ "role": role.as_str(), "by": by.as_str() }))
            .expect("json"),
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(UserV1 {
        name: name.to_string(),
        role: role.to_string(),
        display_name,
        enabled: true,
        token,
    })
}
