//! The snapshot client: one GET of the picture resource, answering the camera's authentication challenge.

use std::sync::Mutex;

use base64::Engine as _;
use digest_auth::{AuthContext, WwwAuthenticateHeader};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};

use crate::{AuthScheme, CameraConfig, CameraError, Snapshot, validate_jpeg};

/// A camera's snapshot client. Cheap to share; a digest challenge is remembered and reused (the nonce count
/// rises) until the camera refuses it, when one fresh challenge is answered.
#[derive(Debug)]
pub struct CameraClient {
    config: CameraConfig,
    url: String,
    http: reqwest::Client,
    challenge: Mutex<Option<WwwAuthenticateHeader>>,
}

impl CameraClient {
    /// A client for one camera.
    pub fn new(config: CameraConfig) -> Result<Self, CameraError> {
        let url = config.picture_url();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|source| CameraError::Setup {
                url: url.clone(),
                source,
            })?;
        Ok(Self {
            config,
            url,
            http,
            challenge: Mutex::new(None),
        })
    }

    /// The camera's configuration.
    pub fn config(&self) -> &CameraConfig {
        &self.config
    }

    /// Takes one still: the answer is checked (status, `image/jpeg`, [`validate_jpeg`]) before it is returned.
    pub async fn snapshot(&self) -> Result<Snapshot, CameraError> {
        match tokio::time::timeout(self.config.timeout, self.fetch()).await {
            Ok(result) => result,
            Err(_) => Err(CameraError::Timeout {
                url: self.url.clone(),
                timeout: self.config.timeout,
            }),
        }
    }

    async fn fetch(&self) -> Result<Snapshot, CameraError> {
        let first = self.send(self.authorization()?).await?;
        let response = if first.status() == StatusCode::UNAUTHORIZED {
            self.take_challenge(&first)?;
            let second = self.send(self.authorization()?).await?;
            if second.status() == StatusCode::UNAUTHORIZED {
                *self.challenge.lock().expect("challenge lock") = None;
            }
            second
        } else {
            first
        };
        self.read(response).await
    }

    /// The `Authorization` value for the next request: basic always, digest once a challenge is known.
    fn authorization(&self) -> Result<Option<HeaderValue>, CameraError> {
        let auth = &self.config.auth;
        let value = match auth.scheme {
            AuthScheme::Basic => {
                let pair = format!("{}:{}", auth.user, auth.password);
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            AuthScheme::Digest => {
                let mut guard = self.challenge.lock().expect("challenge lock");
                let Some(challenge) = guard.as_mut() else {
                    return Ok(None);
                };
                let path = self.config.channel.picture_path();
                let context =
                    AuthContext::new(auth.user.as_str(), auth.password.as_str(), path.as_str());
                challenge
                    .respond(&context)
                    .map_err(|e| CameraError::Challenge {
                        url: self.url.clone(),
                        detail: e.to_string(),
                    })?
                    .to_header_string()
            }
        };
        HeaderValue::from_str(&value)
            .map(Some)
            .map_err(|_| CameraError::Challenge {
                url: self.url.clone(),
                detail: "unprintable credentials".into(),
            })
    }

    fn take_challenge(&self, response: &reqwest::Response) -> Result<(), CameraError> {
        if self.config.auth.scheme == AuthScheme::Basic {
            return Err(self.unauthorized(StatusCode::UNAUTHORIZED));
        }
        let digest = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.trim_start().to_ascii_lowercase().starts_with("digest"))
            .ok_or_else(|| CameraError::Challenge {
                url: self.url.clone(),
                detail: "401 without a Digest WWW-Authenticate header".into(),
            })?;
        let parsed = digest_auth::parse(digest).map_err(|e| CameraError::Challenge {
            url: self.url.clone(),
            detail: e.to_string(),
        })?;
        *self.challenge.lock().expect("challenge lock") = Some(parsed);
        Ok(())
    }

    async fn send(
        &self,
        authorization: Option<HeaderValue>,
    ) -> Result<reqwest::Response, CameraError> {
        let mut request = self.http.get(&self.url).header("Accept", "image/jpeg");
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        request.send().await.map_err(|e| self.link_error(e))
    }

    async fn read(&self, mut response: reqwest::Response) -> Result<Snapshot, CameraError> {
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(self.unauthorized(status));
        }
        if !status.is_success() {
            return Err(CameraError::Status {
                url: self.url.clone(),
                status: status.as_u16(),
            });
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "image/jpeg" {
            return Err(CameraError::ContentType {
                url: self.url.clone(),
                content_type,
            });
        }
        let limit = self.config.max_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.link_error(e))? {
            body.extend_from_slice(&chunk);
            if body.len() > limit {
                return Err(CameraError::Picture {
                    url: self.url.clone(),
                    fault: crate::JpegFault::TooLarge {
                        limit,
                        got: body.len(),
                    },
                });
            }
        }
        validate_jpeg(body, limit).map_err(|fault| CameraError::Picture {
            url: self.url.clone(),
            fault,
        })
    }

    fn unauthorized(&self, status: StatusCode) -> CameraError {
        CameraError::Unauthorized {
            url: self.url.clone(),
            user: self.config.auth.user.clone(),
            status: status.as_u16(),
        }
    }

    fn link_error(&self, source: reqwest::Error) -> CameraError {
        if source.is_timeout() {
            CameraError::Timeout {
                url: self.url.clone(),
                timeout: self.config.timeout,
            }
        } else {
            CameraError::Transport {
                url: self.url.clone(),
                source,
            }
        }
    }
}
