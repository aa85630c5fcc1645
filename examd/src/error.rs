//! One error type for the HTTP layer.
//!
//! 5xx bodies are generic; the full error travels in a response extension and is logged by
//! [`log_errors`], never put in a body.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session or token.
    #[error("not logged in")]
    Unauthorized,
    /// Logged in, but the role may not do this.
    #[error("not allowed for this role")]
    Forbidden,
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is malformed; the message says what was wrong.
    #[error("{0}")]
    BadRequest(String),
    /// A field of the request is invalid: named, with the message in Chinese and English.
    #[error("{en}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What was wrong, in Chinese.
        zh: String,
        /// What was wrong, in English.
        en: String,
    },
    /// The request conflicts with what exists.
    #[error("{0}")]
    Conflict(String),
    /// Something failed inside; details are logged, not returned.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => ApiError::NotFound("record"),
            other => ApiError::Internal(other.into()),
        }
    }
}

/// The logged detail of a 5xx, attached to the response.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub Arc<String>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, zh) = match &self {
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "未登录或凭证无效")
            }
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "当前角色无权执行此操作"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "未找到"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", "请求无效"),
            ApiError::Invalid { zh, .. } => (StatusCode::BAD_REQUEST, "bad_request", zh.as_str()),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "与现有数据冲突"),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
            ),
        };
        let en = match &self {
            ApiError::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        let mut body = json!({ "error": code, "message": zh, "message_en": en });
        if let ApiError::Invalid { field, .. } = &self {
            body["field"] = json!(field);
        }
        let mut resp = (status, Json(body)).into_response();
        if let ApiError::Internal(e) = &self {
            resp.extensions_mut()
                .insert(InternalDetail(Arc::new(format!("{e:#}"))));
        }
        resp
    }
}

/// Middleware: logs the detail of every 5xx response.
pub async fn log_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if let Some(InternalDetail(detail)) = resp.extensions().get::<InternalDetail>() {
        tracing::error!(%path, error = %detail, "request failed");
    }
    resp
}
