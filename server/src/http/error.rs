//! The one mapping from errors to HTTP answers. Internal causes are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::api::ApiError;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not fit: names the field and the reason.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Unauthorized(String),
    /// The login's second factor is missing or wrong: 401 naming the field `totp`.
    #[error("{0}")]
    SecondFactor(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    TooManyRequests(String),
    /// The database is unreachable.
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// Invalid input in `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!("database unavailable: {e}");
                Error::Unavailable
            }
            other => Error::Internal(other.into()),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, field) = match &self {
            Error::Invalid { field, .. } => (StatusCode::BAD_REQUEST, Some(field.clone())),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, None),
            Error::SecondFactor(_) => (StatusCode::UNAUTHORIZED, Some("totp".into())),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, None),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, None),
            Error::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, None),
            Error::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
            Error::Internal(cause) => {
                tracing::error!("internal error: {cause:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        (
            status,
            Json(ApiError {
                error: self.to_string(),
                field,
            }),
        )
            .into_response()
    }
}
