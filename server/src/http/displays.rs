//! `GET /display`: a wall's own setup, read with its display token. `GET /displays`,
//! `POST /displays`, `PUT /displays/{id}`, `POST /displays/{id}/revoke`: an administrator's
//! displays within their scope ([`crate::display`]).

use super::query::Path;
use super::{ApiContext, Error};
use crate::auth::Caller;
use crate::display;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::display::{DisplayCreated, DisplayEdit, DisplayRecord, DisplaySetup, wall_url};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/display", get(setup))
        .route("/displays", get(list).post(create))
        .route("/displays/{id}", put(edit))
        .route("/displays/{id}/revoke", post(revoke))
}

#[utoipa::path(get, path = "/api/v1/display", tag = "displays",
    description = "The calling wall display's setup: its scope, scenes, interval and language. Only a display's token (Authorization: Bearer) reads it.",
    responses((status = 200, body = DisplaySetup), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn setup(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<DisplaySetup>, Error> {
    let token = caller
        .token_id
        .filter(|_| caller.role == domain::Role::Display)
        .ok_or_else(|| Error::Forbidden("only a display's token reads its setup".into()))?;
    Ok(Json(display::setup(&ctx.db, token).await?))
}

/// Only an administrator, in person, manages displays.
fn admin(caller: &Caller) -> Result<(), Error> {
    if caller.role != domain::Role::Admin || caller.session.is_none() {
        return Err(Error::Forbidden(
            "only an administrator manages displays".into(),
        ));
    }
    Ok(())
}

fn display_id(id: &str) -> Result<i64, Error> {
    id.parse()
        .ok()
        .filter(|n: &i64| *n > 0)
        .ok_or_else(|| Error::invalid("id", "must be a display's id, a positive whole number"))
}

fn edit_of(body: &[u8]) -> Result<DisplayEdit, Error> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid(
            "body",
            format!(
                "expected {{\"name\", \"unit\"?, \"scenes\": [{{\"kind\": \"overview\"}}, ...], \"interval_seconds\"?, \"lang\"?}}: {e}"
            ),
        )
    })
}

#[utoipa::path(get, path = "/api/v1/displays", tag = "displays",
    responses((status = 200, body = Vec<DisplayRecord>), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<Vec<DisplayRecord>>, Error> {
    admin(&caller)?;
    Ok(Json(display::list(&ctx.db, &caller.scope).await?))
}

#[utoipa::path(post, path = "/api/v1/displays", tag = "displays",
    description = "Creates a display with a read-only token scoped to `unit` (default the administrator's scope unit). The token is in the answer once and never again.",
    request_body = DisplayEdit,
    responses((status = 201, body = DisplayCreated), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn create(
    State(ctx): State<ApiContext>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<DisplayCreated>), Error> {
    admin(&caller)?;
    let edit = edit_of(&body)?;
    edit.check()
        .map_err(|r| Error::invalid(r.field, r.reason))?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", edit.unit.as_deref())
        .await?;
    let scope = crate::scope::Scope::of_unit(&ctx.db, &unit.code).await?;
    let (display, token) = display::create(&ctx.db, &edit, &scope, &caller.username).await?;
    let url = wall_url(&token);
    Ok((
        StatusCode::CREATED,
        Json(DisplayCreated {
            display,
            token,
            url,
        }),
    ))
}

#[utoipa::path(put, path = "/api/v1/displays/{id}", tag = "displays",
    params(("id" = i64, Path, description = "The display's id")),
    request_body = DisplayEdit,
    responses((status = 200, body = DisplayRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn edit(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<DisplayRecord>, Error> {
    admin(&caller)?;
    let id = display_id(&id)?;
    let edit = edit_of(&body)?;
    Ok(Json(
        display::edit(&ctx.db, id, &edit, &caller.scope, &caller.username).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/displays/{id}/revoke", tag = "displays",
    params(("id" = i64, Path, description = "The display's id")),
    responses((status = 200, body = DisplayRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn revoke(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DisplayRecord>, Error> {
    admin(&caller)?;
    let id = display_id(&id)?;
    Ok(Json(
        display::revoke(&ctx.db, id, &caller.scope, &caller.username).await?,
    ))
}
