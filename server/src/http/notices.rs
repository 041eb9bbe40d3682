//! `GET /notices`, `GET /notices/{id}`, `POST /notices`, `POST /notices/{id}/close`,
//! `POST /notices/{id}/ack`, `GET /notices/active`: urgent notices to the sites under a unit
//! ([`crate::notices`]). Who may do which is the matrix's (`domain::access`); what they see is
//! their scope's.

use super::query::Path;
use super::{ApiContext, Error};
use crate::auth::Caller;
use crate::db::scoped;
use crate::notices;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::notices::{ActiveNotices, NoticeDraft, NoticeList, NoticeRecord};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/notices", get(list).post(send))
        .route("/notices/active", get(active))
        .route("/notices/{id}", get(one))
        .route("/notices/{id}/ack", post(ack))
        .route("/notices/{id}/close", post(close))
}

fn notice_id(id: &str) -> Result<i64, Error> {
    id.parse()
        .ok()
        .filter(|n: &i64| *n > 0)
        .ok_or_else(|| Error::invalid("id", "must be a notice's id, a positive whole number"))
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "notices",
    description = "The notices sent from the caller's unit or below it (every site's state within the scope), the notices the caller's own site received (its own row), and the sites the caller may send to.",
    responses((status = 200, body = NoticeList), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<NoticeList>, Error> {
    let mut read = caller.scope.read(&ctx.db).await?;
    let list = notices::list(&mut read, &caller).await?;
    scoped::finish(read).await?;
    Ok(Json(list))
}

#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "notices",
    params(("id" = i64, Path, description = "The notice's id")),
    responses((status = 200, body = NoticeRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn one(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NoticeRecord>, Error> {
    let id = notice_id(&id)?;
    notices::get(&ctx.db, &caller, id)
        .await?
        .map(Json)
        .ok_or(Error::NotFound("notice"))
}

#[utoipa::path(post, path = "/api/v1/notices", tag = "notices",
    description = "Sends an urgent notice to sites directly under the caller's unit (a leader or an administrator, in person). It appears at once on the sites' walls and tablets (event `notice`); the sites that have not acknowledged it after `remind_after_seconds` are reminded.",
    request_body = NoticeDraft,
    responses((status = 201, body = NoticeRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn send(
    State(ctx): State<ApiContext>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<NoticeRecord>), Error> {
    let draft: NoticeDraft = serde_json::from_slice(&body).map_err(|e| {
        Error::invalid(
            "body",
            format!("expected {{\"text\", \"severity\", \"sites\": [\"01\", ...], \"link\"?, \"unit\"?, \"alert\"?, \"remind_after_seconds\"?, \"expires_after_hours\"?}}: {e}"),
        )
    })?;
    let checked = draft
        .check()
        .map_err(|r| Error::invalid(r.field, r.reason))?;
    let record = notices::send(&ctx.db, &caller, &checked).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(post, path = "/api/v1/notices/{id}/ack", tag = "notices",
    description = "The caller's site acknowledges the notice (a person whose scope is the site). Acknowledging again changes nothing.",
    params(("id" = i64, Path, description = "The notice's id")),
    responses((status = 200, body = NoticeRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn ack(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NoticeRecord>, Error> {
    let id = notice_id(&id)?;
    Ok(Json(notices::acknowledge(&ctx.db, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/notices/{id}/close", tag = "notices",
    description = "The sender's side takes the notice down from every site's screens.",
    params(("id" = i64, Path, description = "The notice's id")),
    responses((status = 200, body = NoticeRecord), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn close(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NoticeRecord>, Error> {
    let id = notice_id(&id)?;
    Ok(Json(notices::close(&ctx.db, &caller, id).await?))
}

#[utoipa::path(get, path = "/api/v1/notices/active", tag = "notices",
    description = "The notices sent to the caller's site that are still up, most severe first: what its walls and tablets show. The first read of each is recorded as the site having seen it.",
    responses((status = 200, body = ActiveNotices), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn active(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<ActiveNotices>, Error> {
    Ok(Json(notices::active(&ctx.db, &caller).await?))
}
