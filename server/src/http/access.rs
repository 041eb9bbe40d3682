//! The guard in front of every API route: the role-by-action matrix ([`domain::access`]) and
//! protection against cross-site request forgery, enforced in this one place before any handler
//! runs. The handler then receives the [`Caller`] the guard found.

use super::{ApiContext, Error};
use crate::auth::{Caller, session};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::access::{Action, action_of, allows};

/// The header in which our scripts send the session's anti-forgery token back.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Checks the request against the matrix; refuses it, or passes it on with its caller.
pub async fn guard(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    match admit(&ctx, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn admit(ctx: &ApiContext, req: Request) -> Result<Request, Error> {
    let routed = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let routed = if routed.starts_with("/api/v1") {
        routed
    } else {
        format!("/api/v1{routed}")
    };
    let action = action_of(req.method().as_str(), &routed).ok_or_else(|| {
        Error::Forbidden(format!(
            "{} {routed} is in no row of the access matrix",
            req.method()
        ))
    })?;
    if changes_state(req.method()) {
        same_origin(req.headers())?;
    }
    if action == Action::Public {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let caller = Caller::from_request_parts(&mut parts, ctx).await?;
    if let Some(token) = &caller.session
        && changes_state(&parts.method)
    {
        csrf(&parts.headers, token)?;
    }
    if !allows(caller.role, action) {
        return Err(Error::Forbidden(format!(
            "the role '{}' may not {}",
            caller.role,
            action.what()
        )));
    }
    if action.in_person() && caller.session.is_none() {
        return Err(Error::Forbidden(format!(
            "only a person, logged in, may {}; a token may not",
            action.what()
        )));
    }
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, body))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request that a browser marks as coming from another origin is refused
/// (browsers send `Origin` with every such request; other clients need not).
fn same_origin(headers: &HeaderMap) -> Result<(), Error> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(Error::Forbidden(
            "Origin: a request from another site may not change anything here".into(),
        )),
    }
}

/// A state-changing request made with a session cookie must carry the session's anti-forgery
/// token in [`CSRF_HEADER`] (the cookie alone, which a browser attaches by itself, is not enough).
fn csrf(headers: &HeaderMap, session_token: &str) -> Result<(), Error> {
    let expected = session::csrf_of(session_token);
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match given {
        Some(g) if constant_time_eq(g.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(Error::Forbidden(format!(
            "{CSRF_HEADER}: does not match this session's token"
        ))),
        None => Err(Error::Forbidden(format!(
            "{CSRF_HEADER}: a change made with a session needs this header, the value of the \
             oversight_csrf cookie"
        ))),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
