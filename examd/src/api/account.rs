//! Login, logout, and account management.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use model::{EventKind, Role, SubjectKind, SubjectRef, UserName};
use serde_json::json;
use store::Draft;

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{LoginV1, MeV1, NewUserV1, UserV1};

fn user_subject(name: &str) -> Vec<SubjectRef> {
    vec![SubjectRef::new(SubjectKind::User, name)]
}

/// `POST /api/v1/login` — public. Sets the session cookie.
pub async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    Json(req): Json<LoginV1>,
) -> Result<(CookieJar, Json<MeV1>), ApiError> {
    let refused = |reason: &'static str| Draft {
        kind: EventKind::UserLoginRefused,
        subjects: user_subject(&req.name),
        payload: serde_json::to_vec(&json!({ "reason": reason })).expect("json"),
    };
    let Ok(name) = req.name.parse::<UserName>() else {
        return Err(ApiError::Unauthorized);
    };
    let user = match st.store.user(&name).await {
        Ok(u) => u,
        Err(store::StoreError::NotFound) => {
            st.log
                .append(refused("unknown_user"))
                .await
                .map_err(anyhow::Error::from)?;
            return Err(ApiError::Unauthorized);
        }
        Err(e) => return Err(e.into()),
    };
    let phc = user.secret_hash.clone();
    let password = req.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &phc))
        .await
        .map_err(anyhow::Error::from)?;
    if !ok || !user.enabled || !user.role.is_person() {
        let reason = if !user.enabled {
            "disabled"
        } else {
            "bad_password"
        };
        st.log
            .append(refused(reason))
            .await
            .map_err(anyhow::Error::from)?;
        return Err(ApiError::Unauthorized);
    }
    let (token, row) = auth::new_session(&user, st.now(), st.rt.session_ms);
    st.store.create_session(&row).await?;
    st.log
        .append(Draft {
            kind: EventKind::UserLogin,
            subjects: user_subject(user.name.as_str()),
            payload: serde_json::to_vec(&json!({ "role": user.role.as_str() })).expect("json"),
        })
        .await
        .map_err(anyhow::Error::from)?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    Ok((
        jar.add(cookie),
        Json(MeV1 {
            name: user.name.to_string(),
            role: user.role.to_string(),
        }),
    ))
}

/// `POST /api/v1/logout` — ends the session (idempotent).
pub async fn logout(
    State(st): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        let h = auth::token_hash(c.value());
        if let Ok(s) = st.store.session(&h).await {
            st.store.delete_session(&h).await?;
            st.log
                .append(Draft {
                    kind: EventKind::UserLogout,
                    subjects: user_subject(s.user.as_str()),
                    payload: b"{}".to_vec(),
                })
                .await
                .map_err(anyhow::Error::from)?;
        }
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

/// `GET /api/v1/me` — who is calling.
pub async fn me(caller: Caller) -> Json<MeV1> {
    Json(MeV1 {
        name: caller.name.to_string(),
        role: caller.role.to_string(),
    })
}

/// `GET /api/v1/users` — admin only.
pub async fn list_users(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserV1>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let users = st.store.users().await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserV1 {
                name: u.name.to_string(),
                role: u.role.to_string(),
                display_name: u.display_name,
                enabled: u.enabled,
                token: None,
            })
            .collect(),
    ))
}

/// `POST /api/v1/users` — admin only. A device gets its bearer token in the reply, once.
pub async fn create_user(
    State(st): State<AppState>,
    caller: Caller,
    Json(req): Json<NewUserV1>,
) -> Result<(StatusCode, Json<UserV1>), ApiError> {
    caller.require(&[Role::Admin])?;
    let name: UserName = req
        .name
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("name: {e}")))?;
    let role: Role = req
        .role
        .parse()
        .map_err(|e| ApiError::BadRequest(format!("role: {e}")))?;
    let created = crate::accounts::create(
        &st.store,
        &st.log,
        name,
        role,
        req.display_name,
        req.password,
        st.now(),
        &caller.name,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
