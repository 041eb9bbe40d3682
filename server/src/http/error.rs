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
        let lost = match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
            sqlx::Error::Database(d) => d.code().is_some_and(|c| unavailable(&c)),
            _ => false,
        };
        if lost {
            tracing::warn!("database unavailable: {e}");
            Error::Unavailable
        } else {
            Error::Internal(e.into())
        }
    }
}

/// Whether a SQLSTATE says the database cannot answer now, rather than that the request or the
/// code is wrong: a connection lost (class 08), the server shutting down or starting up, or a
/// statement cancelled by its timeout (class 57), too many connections (53300).
fn unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || sqlstate.starts_with("57") || sqlstate == "53300"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_or_stopping_database_is_unavailable_and_a_wrong_query_is_not() {
        assert!(unavailable("57P01")); // terminating connection due to administrator command
        assert!(unavailable("57P03")); // the database system is starting up
        assert!(unavailable("57014")); // canceling statement due to statement timeout
        assert!(unavailable("08006"));
        assert!(unavailable("53300"));
        assert!(!unavailable("42501")); // permission denied: a bug, not an outage
        assert!(!unavailable("23505"));
        assert!(matches!(
            Error::from(sqlx::Error::PoolTimedOut),
            Error::Unavailable
        ));
    }
}
