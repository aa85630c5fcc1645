//! The simulated camera's HTTP side: `GET /ISAPI/Streaming/channels/<n>01/picture` behind digest or basic
//! authentication, as a Hikvision camera answers it, with faults a test can switch on.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use digest_auth::{AuthContext, AuthorizationHeader};

use super::{Scene, encode_jpeg, render_scene};
use crate::{Auth, AuthScheme};

/// The realm the simulator's challenges name.
pub const REALM: &str = "IP Camera(SIM)";

/// How many issued nonces are remembered.
const NONCES: usize = 64;

/// A misbehaviour the simulated camera can be told to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Answers correctly.
    #[default]
    None,
    /// Answers `text/html` (as a camera's login page would).
    WrongType,
    /// Sends only the first half of the JPEG.
    Truncated,
    /// Never answers.
    Hang,
    /// Answers 500.
    ServerError,
}

#[derive(Debug, Default)]
struct Live {
    subject: Option<u64>,
    fault: Fault,
    time_ms: Option<u64>,
    nonces: VecDeque<String>,
    served: u64,
}

#[derive(Debug)]
struct Shared {
    auth: Auth,
    channels: u16,
    live: Mutex<Live>,
}

/// A simulated camera: a handle to set who stands in front of it and what fault it shows, and an axum router
/// serving its picture resource.
#[derive(Debug, Clone)]
pub struct SimCamera {
    shared: Arc<Shared>,
}

impl SimCamera {
    /// A camera with `channels` channels (1 for a single camera), accepting `auth` with its scheme.
    pub fn new(auth: Auth, channels: u16) -> Self {
        Self {
            shared: Arc::new(Shared {
                auth,
                channels: channels.max(1),
                live: Mutex::default(),
            }),
        }
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.shared.live.lock().expect("simulated camera lock")
    }

    /// Puts a person (a seed) in front of the camera, or nobody.
    pub fn set_subject(&self, subject: Option<u64>) {
        self.live().subject = subject;
    }

    /// Who is in front of the camera.
    pub fn subject(&self) -> Option<u64> {
        self.live().subject
    }

    /// Switches a fault on (or off with [`Fault::None`]).
    pub fn set_fault(&self, fault: Fault) {
        self.live().fault = fault;
    }

    /// Stamps pictures with this time instead of the system clock (tests), or back to the clock with `None`.
    pub fn set_time(&self, time_ms: Option<u64>) {
        self.live().time_ms = time_ms;
    }

    /// How many pictures were served.
    pub fn served(&self) -> u64 {
        self.live().served
    }

    /// The scene a picture taken now shows.
    pub fn scene(&self) -> Scene {
        let live = self.live();
        let now = || {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0)
        };
        Scene {
            subject: live.subject,
            time_ms: live.time_ms.unwrap_or_else(now),
        }
    }

    /// The router: the picture resource and nothing else.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/ISAPI/Streaming/channels/{stream}/picture", get(picture))
            .with_state(self.clone())
    }

    /// Serves on `addr` (port 0 for any) in a spawned task; returns the address bound.
    pub async fn spawn(
        &self,
        addr: SocketAddr,
    ) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let router = self.router();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!(error = %e, "simulated camera stopped");
            }
        });
        Ok((bound, task))
    }

    fn new_nonce(&self) -> String {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(self.live().served);
        let nonce = format!(
            "{:016x}{:016x}",
            h.finish(),
            std::collections::hash_map::RandomState::new().hash_one(1u8)
        );
        let mut live = self.live();
        if live.nonces.len() == NONCES {
            live.nonces.pop_front();
        }
        live.nonces.push_back(nonce.clone());
        nonce
    }

    fn challenge(&self) -> Response {
        let value = match self.shared.auth.scheme {
            AuthScheme::Digest => {
                format!(
                    r#"Digest qop="auth", realm="{REALM}", nonce="{}", stale="FALSE""#,
                    self.new_nonce()
                )
            }
            AuthScheme::Basic => format!(r#"Basic realm="{REALM}""#),
        };
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, value)],
            "Unauthorized",
        )
            .into_response()
    }

    /// Whether the request's `Authorization` answers this camera's account for `path`.
    fn authorised(&self, headers: &HeaderMap, path: &str) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let auth = &self.shared.auth;
        match auth.scheme {
            AuthScheme::Basic => {
                let Some(encoded) = value.strip_prefix("Basic ") else {
                    return false;
                };
                let expected = format!("{}:{}", auth.user, auth.password);
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .is_ok_and(|d| d == expected.as_bytes())
            }
            AuthScheme::Digest => {
                let Some(rest) = value.strip_prefix("Digest ") else {
                    return false;
                };
                let Ok(sent) = AuthorizationHeader::parse(rest) else {
                    return false;
                };
                if sent.username != auth.user
                    || sent.uri != path
                    || !self.live().nonces.contains(&sent.nonce)
                {
                    return false;
                }
                let mut expected = sent.clone();
                expected.digest(&AuthContext::new(
                    auth.user.as_str(),
                    auth.password.as_str(),
                    path,
                ));
                expected.response == sent.response
            }
        }
    }
}

async fn picture(
    State(camera): State<SimCamera>,
    Path(stream): Path<String>,
    headers: HeaderMap,
) -> Response {
    let channel = stream
        .parse::<u32>()
        .ok()
        .filter(|s| s % 100 == 1)
        .map(|s| s / 100);
    if !channel.is_some_and(|c| (1..=u32::from(camera.shared.channels)).contains(&c)) {
        return (StatusCode::NOT_FOUND, "no such stream").into_response();
    }
    let path = format!("/ISAPI/Streaming/channels/{stream}/picture");
    if !camera.authorised(&headers, &path) {
        return camera.challenge();
    }
    let fault = camera.live().fault;
    match fault {
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        Fault::ServerError => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "device busy").into_response();
        }
        Fault::WrongType => {
            return (
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>login</body></html>",
            )
                .into_response();
        }
        Fault::None | Fault::Truncated => {}
    }
    let mut jpeg = encode_jpeg(&render_scene(&camera.scene()));
    if fault == Fault::Truncated {
        jpeg.truncate(jpeg.len() / 2);
    }
    camera.live().served += 1;
    ([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response()
}
