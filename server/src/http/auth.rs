//! `POST /auth/login`, `POST /auth/logout`, `GET /me`.

use super::{ApiContext, Error};
use crate::audit;
use crate::auth::{Caller, SESSION_COOKIE, password, session};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::api::{LoginRequest, Me};
use serde_json::json;

/// Failed logins after which an account is locked for a while.
const MAX_FAILED_LOGINS: i32 = 5;
const LOCK_MINUTES: i32 = 15;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

fn me_of(caller: &Caller) -> Me {
    Me {
        username: caller.username.clone(),
        role: caller.role,
        scope: caller.scope.unit.clone(),
        scope_name: caller.scope.name.clone(),
        scope_level: caller.scope.level,
    }
}

type UserRow = (i64, String, String, String, String, bool, bool);

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "logged in; the session cookie is set"),
              (status = 400, body = domain::api::ApiError), (status = 401, body = domain::api::ApiError),
              (status = 429, body = domain::api::ApiError, description = "locked after failed logins")))]
pub async fn login(
    State(ctx): State<ApiContext>,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let req: LoginRequest = serde_json::from_slice(&body).map_err(|e| {
        Error::invalid(
            "body",
            format!("expected {{\"username\", \"password\"}}: {e}"),
        )
    })?;
    if req.username.is_empty() || req.username.len() > 64 {
        return Err(Error::invalid("username", "must be 1 to 64 characters"));
    }
    if req.password.is_empty() || req.password.len() > 1024 {
        return Err(Error::invalid("password", "must be 1 to 1024 characters"));
    }
    let row: Option<UserRow> = sqlx::query_as(
        "SELECT id, username, password_hash, role, scope, disabled,
                coalesce(locked_until > now(), false)
         FROM app_user WHERE username = $1",
    )
    .bind(&req.username)
    .fetch_optional(&ctx.db)
    .await?;
    // Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    let hash = row
        .as_ref()
        .map(|r| r.2.clone())
        .unwrap_or_else(|| password::dummy_hash().into());
    let pw = req.password.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify_password(&pw, &hash))
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    let Some((id, username, _, role, scope, disabled, locked)) = row else {
        audit::append(
            &ctx.db,
            &req.username,
            "login_failed",
            "",
            json!({"reason": "unknown user"}),
        )
        .await?;
        return Err(Error::Unauthorized("wrong username or password".into()));
    };
    if locked {
        audit::append(
            &ctx.db,
            &username,
            "login_refused",
            "",
            json!({"reason": "locked"}),
        )
        .await?;
        return Err(Error::TooManyRequests(format!(
            "too many failed logins: the account is locked for up to {LOCK_MINUTES} minutes"
        )));
    }
    if !ok || disabled {
        sqlx::query(
            "UPDATE app_user SET failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= $2
                    THEN now() + make_interval(mins => $3) ELSE locked_until END
             WHERE id = $1",
        )
        .bind(id)
        .bind(MAX_FAILED_LOGINS)
        .bind(LOCK_MINUTES)
        .execute(&ctx.db)
        .await?;
        let reason = if disabled {
            "disabled"
        } else {
            "wrong password"
        };
        audit::append(
            &ctx.db,
            &username,
            "login_failed",
            "",
            json!({ "reason": reason }),
        )
        .await?;
        return Err(Error::Unauthorized("wrong username or password".into()));
    }
    sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&ctx.db)
        .await?;
    let token = session::create(&ctx.db, id).await?;
    audit::append(&ctx.db, &username, "login", "", json!({})).await?;
    let caller = Caller {
        username,
        role: role.parse().unwrap_or(domain::Role::Display),
        scope: crate::scope::Scope::of_unit(&ctx.db, &scope).await?,
        session: Some(token.clone()),
        source: None,
        token_id: None,
    };
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, session_cookie(&ctx, &token, false)?);
    Ok((StatusCode::OK, headers, Json(me_of(&caller))).into_response())
}

fn session_cookie(ctx: &ApiContext, token: &str, clear: bool) -> Result<HeaderValue, Error> {
    let mut c = cookie::Cookie::build((SESSION_COOKIE, token.to_string()))
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(ctx.config.secure_cookies)
        .path("/");
    if clear {
        c = c.max_age(cookie::time::Duration::ZERO);
    }
    HeaderValue::from_str(&c.build().to_string()).map_err(|e| Error::Internal(e.into()))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "the session is ended and its cookie cleared")))]
pub async fn logout(State(ctx): State<ApiContext>, caller: Caller) -> Result<Response, Error> {
    if let Some(token) = &caller.session {
        session::revoke(&ctx.db, token).await?;
    }
    audit::append(&ctx.db, &caller.username, "logout", "", json!({})).await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, session_cookie(&ctx, "", true)?);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = domain::api::ApiError)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(me_of(&caller))
}
