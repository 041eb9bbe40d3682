//! `POST /auth/login`, `POST /auth/logout`, `GET /me`, and a person's own account: the password,
//! the authenticator app and the recovery codes.

use super::{ApiContext, Error};
use crate::audit;
use crate::auth::second_factor::{self, Outcome};
use crate::auth::{Caller, SESSION_COOKIE, password, session, totp};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::api::{
    Account, CodeRequest, LoginRequest, Me, PasswordChange, Reauthenticate, RecoveryCodes,
    TotpSetup,
};
use serde::de::DeserializeOwned;
use serde_json::json;

/// Failed logins after which an account is locked for a while.
const MAX_FAILED_LOGINS: i32 = 5;
const LOCK_MINUTES: i32 = 15;
/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The name of the anti-forgery cookie our scripts read ([`session::csrf_of`]).
pub const CSRF_COOKIE: &str = "oversight_csrf";

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/totp", post(start_totp))
        .route("/account/totp/confirm", post(confirm_totp))
        .route("/account/recovery-codes", post(renew_recovery_codes))
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

/// A JSON body, or a refusal naming what it should have been.
fn body<T: DeserializeOwned>(bytes: &[u8], shape: &str) -> Result<T, Error> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid("body", format!("expected {shape}: {e}")))
}

type UserRow = (i64, String, String, String, String, bool, bool);

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "logged in; the session cookie is set"),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError,
               description = "wrong username or password; or, with `field` = `totp`, the second factor is needed or wrong"),
              (status = 429, body = domain::api::ApiError, description = "locked after failed logins")))]
pub async fn login(
    State(ctx): State<ApiContext>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Response, Error> {
    let req: LoginRequest = body(&bytes, "{\"username\", \"password\", \"totp\"?}")?;
    if req.username.is_empty() || req.username.len() > 64 {
        return Err(Error::invalid("username", "must be 1 to 64 characters"));
    }
    if req.password.is_empty() || req.password.len() > 1024 {
        return Err(Error::invalid("password", "must be 1 to 1024 characters"));
    }
    if req.totp.as_ref().is_some_and(|t| t.len() > 64) {
        return Err(Error::invalid("totp", "must be at most 64 characters"));
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
    let ok = verify(&req.password, hash).await?;
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
        let reason = if disabled {
            "disabled"
        } else {
            "wrong password"
        };
        failed(&ctx, id, &username, reason).await?;
        return Err(Error::Unauthorized("wrong username or password".into()));
    }
    let role: domain::Role = role.parse().unwrap_or(domain::Role::Display);
    let mut conn = ctx.db.acquire().await?;
    let outcome = second_factor::check(
        &mut conn,
        id,
        role.needs_second_factor(),
        req.totp.as_deref(),
    )
    .await?;
    drop(conn);
    match outcome {
        Outcome::NotNeeded | Outcome::Passed => {}
        Outcome::Recovered { left } => {
            audit::append(
                &ctx.db,
                &username,
                "recovery_code_used",
                "",
                json!({ "left": left }),
            )
            .await?;
        }
        Outcome::Missing => {
            return Err(Error::SecondFactor(
                "enter the six-digit code of your authenticator app, or a recovery code".into(),
            ));
        }
        Outcome::NotEnrolled => {
            audit::append(
                &ctx.db,
                &username,
                "login_refused",
                "",
                json!({"reason": "no second factor set up"}),
            )
            .await?;
            return Err(Error::SecondFactor(format!(
                "the role {role} logs in with a second factor and none is set up for this account; \
                 an administrator sets one up (oversight user totp --username {username})"
            )));
        }
        Outcome::Wrong => {
            failed(&ctx, id, &username, "wrong second factor").await?;
            return Err(Error::SecondFactor(
                "the code is not right, or was used already; wait for the next one".into(),
            ));
        }
    }
    sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&ctx.db)
        .await?;
    // Rotated at login: a session the browser still carried ends, a new one begins.
    if let Some(old) = crate::auth::session_cookie_of(&headers) {
        session::revoke(&ctx.db, &old).await?;
    }
    let token = session::create(&ctx.db, id).await?;
    audit::append(&ctx.db, &username, "login", "", json!({})).await?;
    let caller = Caller {
        username,
        role,
        scope: crate::scope::Scope::of_unit(&ctx.db, &scope).await?,
        session: Some(token.clone()),
        source: None,
        token_id: None,
    };
    Ok((StatusCode::OK, cookies(&ctx, &token)?, Json(me_of(&caller))).into_response())
}

/// Verifies a password off the async runtime's threads (argon2id is slow on purpose).
async fn verify(password: &str, hash: String) -> Result<bool, Error> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || password::verify_password(&pw, &hash))
        .await
        .map_err(|e| Error::Internal(e.into()))
}

/// Counts a failed login (locking the account after [`MAX_FAILED_LOGINS`]) and audits it.
async fn failed(ctx: &ApiContext, id: i64, username: &str, reason: &str) -> Result<(), Error> {
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
    audit::append(
        &ctx.db,
        username,
        "login_failed",
        "",
        json!({ "reason": reason }),
    )
    .await?;
    Ok(())
}

/// The session cookie (HttpOnly) and its anti-forgery companion (readable by our scripts).
fn cookies(ctx: &ApiContext, token: &str) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    headers.append(SET_COOKIE, cookie(ctx, SESSION_COOKIE, token, true, false)?);
    headers.append(
        SET_COOKIE,
        cookie(ctx, CSRF_COOKIE, &session::csrf_of(token), false, false)?,
    );
    Ok(headers)
}

fn cleared_cookies(ctx: &ApiContext) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    headers.append(SET_COOKIE, cookie(ctx, SESSION_COOKIE, "", true, true)?);
    headers.append(SET_COOKIE, cookie(ctx, CSRF_COOKIE, "", false, true)?);
    Ok(headers)
}

fn cookie(
    ctx: &ApiContext,
    name: &'static str,
    value: &str,
    http_only: bool,
    clear: bool,
) -> Result<HeaderValue, Error> {
    let mut c = cookie::Cookie::build((name, value.to_string()))
        .http_only(http_only)
        .same_site(cookie::SameSite::Strict)
        .secure(ctx.config.secure_cookies)
        .path("/");
    if clear {
        c = c.max_age(cookie::time::Duration::ZERO);
    }
    HeaderValue::from_str(&c.build().to_string()).map_err(|e| Error::Internal(e.into()))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "the session is ended and its cookies cleared")))]
pub async fn logout(State(ctx): State<ApiContext>, caller: Caller) -> Result<Response, Error> {
    if let Some(token) = &caller.session {
        session::revoke(&ctx.db, token).await?;
    }
    audit::append(&ctx.db, &caller.username, "logout", "", json!({})).await?;
    Ok((StatusCode::NO_CONTENT, cleared_cookies(&ctx)?).into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = domain::api::ApiError)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(me_of(&caller))
}

/// The person behind a session (machine clients have no account to manage).
async fn person(ctx: &ApiContext, caller: &Caller) -> Result<(i64, String), Error> {
    if caller.session.is_none() {
        return Err(Error::Forbidden(
            "a machine client's token has no account to manage".into(),
        ));
    }
    let row: (i64, String) =
        sqlx::query_as("SELECT id, password_hash FROM app_user WHERE username = $1")
            .bind(&caller.username)
            .fetch_one(&ctx.db)
            .await?;
    Ok(row)
}

/// The person's id, once `password` (in `field`) proved to be theirs again; a wrong one counts as a
/// failed login (`during` says when, in the audit trail).
async fn reauthenticate(
    ctx: &ApiContext,
    caller: &Caller,
    password: &str,
    field: &'static str,
    during: &str,
) -> Result<i64, Error> {
    let (id, hash) = person(ctx, caller).await?;
    if password.len() > 1024 || !verify(password, hash).await? {
        failed(
            ctx,
            id,
            &caller.username,
            &format!("wrong password at {during}"),
        )
        .await?;
        return Err(Error::invalid(field, "is not the current password"));
    }
    Ok(id)
}

#[utoipa::path(get, path = "/api/v1/account", tag = "auth",
    responses((status = 200, body = Account), (status = 401, body = domain::api::ApiError)))]
pub async fn account(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<Account>, Error> {
    let (id, _) = person(&ctx, &caller).await?;
    let (enrolled, changed): (bool, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT totp_secret IS NOT NULL, password_changed_at FROM app_user WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&ctx.db)
    .await?;
    let mut conn = ctx.db.acquire().await?;
    Ok(Json(Account {
        username: caller.username.clone(),
        role: caller.role,
        scope_name: caller.scope.name.clone(),
        second_factor_required: caller.role.needs_second_factor(),
        second_factor_enrolled: enrolled,
        recovery_codes_left: second_factor::recovery_left(&mut conn, id).await?,
        password_changed_at: changed.to_rfc3339(),
    }))
}

#[utoipa::path(post, path = "/api/v1/account/password", tag = "auth", request_body = PasswordChange,
    responses((status = 200, body = Me, description = "changed; every session of the account ended and a new one begins"),
              (status = 400, body = domain::api::ApiError)))]
pub async fn change_password(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, Error> {
    let req: PasswordChange = body(&bytes, "{\"current\", \"new\"}")?;
    let id = reauthenticate(&ctx, &caller, &req.current, "current", "a password change").await?;
    let chars = req.new.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&chars) {
        return Err(Error::invalid(
            "new",
            format!("must have {MIN_PASSWORD_CHARS} to 1024 characters"),
        ));
    }
    if req.new == req.current {
        return Err(Error::invalid(
            "new",
            "must differ from the current password",
        ));
    }
    if req
        .new
        .to_lowercase()
        .contains(&caller.username.to_lowercase())
    {
        return Err(Error::invalid("new", "must not contain the username"));
    }
    let new = req.new.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&new))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "UPDATE app_user SET password_hash = $2, password_changed_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    let ended = session::revoke_all(&mut tx, id).await?;
    tx.commit().await?;
    crate::auth::session_cache::forget_user(&caller.username);
    let token = session::create(&ctx.db, id).await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "password_changed",
        &caller.username,
        json!({ "sessions_ended": ended }),
    )
    .await?;
    Ok((StatusCode::OK, cookies(&ctx, &token)?, Json(me_of(&caller))).into_response())
}

#[utoipa::path(post, path = "/api/v1/account/totp", tag = "auth", request_body = Reauthenticate,
    responses((status = 200, body = TotpSetup, description = "a new secret, active once its first code is confirmed"),
              (status = 400, body = domain::api::ApiError)))]
pub async fn start_totp(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Json<TotpSetup>, Error> {
    let req: Reauthenticate = body(&bytes, "{\"password\"}")?;
    let id = reauthenticate(
        &ctx,
        &caller,
        &req.password,
        "password",
        "a second factor setup",
    )
    .await?;
    let secret = totp::new_secret();
    sqlx::query("UPDATE app_user SET totp_pending = $2 WHERE id = $1")
        .bind(id)
        .bind(crate::auth::secret_key::seal_secret(&secret)?)
        .execute(&ctx.db)
        .await?;
    let uri = totp::otpauth_uri(&caller.username, &secret);
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| Error::Internal(anyhow::anyhow!("a QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    audit::append(
        &ctx.db,
        &caller.username,
        "second_factor_setup_started",
        &caller.username,
        json!({}),
    )
    .await?;
    Ok(Json(TotpSetup {
        secret: totp::secret_text(&secret),
        uri,
        qr_svg,
    }))
}

#[utoipa::path(post, path = "/api/v1/account/totp/confirm", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes, description = "the new app is active; new recovery codes, shown once; other sessions ended"),
              (status = 400, body = domain::api::ApiError)))]
pub async fn confirm_totp(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Response, Error> {
    let req: CodeRequest = body(&bytes, "{\"code\"}")?;
    let (id, _) = person(&ctx, &caller).await?;
    let pending: Option<String> =
        sqlx::query_scalar("SELECT totp_pending FROM app_user WHERE id = $1")
            .bind(id)
            .fetch_one(&ctx.db)
            .await?;
    let pending = match pending.as_deref() {
        Some(stored) => crate::auth::secret_key::open_secret(stored)?,
        None => None,
    };
    let Some(secret) = pending else {
        return Err(Error::invalid(
            "code",
            "no setup is waiting: start one with POST /account/totp",
        ));
    };
    let now = totp::step_of(chrono::Utc::now().timestamp());
    let Some(step) = totp::accept(&secret, &req.code, now, None) else {
        return Err(Error::invalid(
            "code",
            "is not the new app's current six-digit code",
        ));
    };
    let mut tx = ctx.db.begin().await?;
    let enrolment = second_factor::enrol_now(&mut tx, id, &caller.username, &secret).await?;
    sqlx::query("UPDATE app_user SET totp_last_step = $2 WHERE id = $1")
        .bind(id)
        .bind(step)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    crate::auth::session_cache::forget_user(&caller.username);
    // Every session ended with the old factor; this one goes on, as a new session.
    let token = session::create(&ctx.db, id).await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "second_factor_enrolled",
        &caller.username,
        json!({}),
    )
    .await?;
    Ok((
        StatusCode::OK,
        cookies(&ctx, &token)?,
        Json(RecoveryCodes {
            codes: enrolment.recovery_codes,
        }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/account/recovery-codes", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes, description = "new recovery codes, shown once; the old ones no longer pass"),
              (status = 400, body = domain::api::ApiError)))]
pub async fn renew_recovery_codes(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<Json<RecoveryCodes>, Error> {
    let req: CodeRequest = body(&bytes, "{\"code\"}")?;
    let (id, _) = person(&ctx, &caller).await?;
    if !totp::looks_like_code(&req.code) {
        return Err(Error::invalid(
            "code",
            "must be the six-digit code of your authenticator app",
        ));
    }
    let mut tx = ctx.db.begin().await?;
    match second_factor::check(&mut tx, id, true, Some(&req.code)).await? {
        Outcome::Passed => {}
        Outcome::NotEnrolled | Outcome::NotNeeded => {
            return Err(Error::invalid("code", "set up an authenticator app first"));
        }
        _ => {
            return Err(Error::invalid(
                "code",
                "is not right, or was used already; wait for the next one",
            ));
        }
    }
    let codes = second_factor::new_recovery_codes(&mut tx, id).await?;
    tx.commit().await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "recovery_codes_renewed",
        &caller.username,
        json!({}),
    )
    .await?;
    Ok(Json(RecoveryCodes { codes }))
}
