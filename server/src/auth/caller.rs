//! The [`Caller`] extractor: a person with a session cookie or a machine with a bearer token.

use super::session::token_hash;
use super::session_cache;
use crate::http::{ApiContext, Error};
use crate::scope::Scope;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::{Role, UnitLevel};

/// Who makes a request, with the role and the scope every query of theirs is limited to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    /// The session token (people) or `None` (machine clients).
    pub session: Option<String>,
    /// For a token bound to a data source, its code.
    pub source: Option<String>,
    /// For a machine client, its token's id (a wall display is told when it is revoked).
    pub token_id: Option<i64>,
}

pub(super) type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
);

impl FromRequestParts<ApiContext> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, Error> {
        // Found already by the API's guard (`http::access`), which also checked the matrix.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        if let Some(token) = bearer(parts) {
            let row: Option<Row> = sqlx::query_as(
                "SELECT t.name, t.role, u.code, u.path::text, u.name, u.level, t.source, t.id
                 FROM api_token t JOIN unit u ON u.code = t.scope
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            )
            .bind(token_hash(token))
            .fetch_optional(&ctx.db)
            .await?;
            let row =
                row.ok_or_else(|| Error::Unauthorized("the bearer token is not valid".into()))?;
            return Ok(caller(row, None));
        }
        let Some(token) = session_cookie(parts) else {
            return Err(Error::Unauthorized("log in first".into()));
        };
        let caller = session_cache::check(&ctx.db, &token, ctx.config.session_recheck).await?;
        caller.ok_or_else(|| Error::Unauthorized("the session has ended; log in again".into()))
    }
}

pub(super) fn caller(row: Row, session: Option<String>) -> Caller {
    let (username, role, code, path, name, level, source, token_id) = row;
    Caller {
        username,
        // The database's CHECK constraints allow only known words; fall back to the least power.
        role: role.parse().unwrap_or(Role::Display),
        scope: Scope {
            unit: code,
            path,
            name,
            level: level.parse().unwrap_or(UnitLevel::Cell),
        },
        session,
        source,
        token_id,
    }
}

/// The bearer token of the request's `Authorization` header, if any.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim()).filter(|t| !t.is_empty())
}

/// The session token from the request's cookies, if any.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    super::session_cookie_of(&parts.headers)
}
