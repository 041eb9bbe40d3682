//! `GET /sources`: the registry of connected information systems within the caller's scope, each
//! with its state and quality; `GET /quality`: how trustworthy a unit's figures are. The rules
//! are [`domain::quality`]'s, measured by [`crate::quality`].

use super::{ApiContext, Error, Query};
use crate::auth::Caller;
use crate::quality;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::api::{SourcePage, UnitQuality};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/sources", get(sources))
        .route("/quality", get(unit_quality))
}

/// Filters of `GET /sources` and `GET /quality`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    /// A unit code: the sources it owns (its subtree's) or its quality; default the caller's
    /// scope unit; outside the scope is 403.
    pub unit: Option<String>,
}

/// The connected information systems and upload channels owned within the caller's scope (or
/// within `unit`): owner, kind, cadence, last arrival, volume, error rate, state (`live`, `late`,
/// `stale`, `failing`) and quality counts and scores.
#[utoipa::path(get, path = "/api/v1/sources", tag = "sources", params(UnitQuery),
    responses((status = 200, body = SourcePage), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn sources(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<UnitQuery>,
) -> Result<Json<SourcePage>, Error> {
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let page = quality::sources(&ctx.db, &mut tx, &ctx.quality, &unit).await?;
    crate::db::scoped::finish(tx).await?;
    Ok(Json(page))
}

/// The quality of a unit's figures (default the caller's scope unit): validity, completeness,
/// consistency, uniqueness and freshness with the counts behind each, and its sources by state.
#[utoipa::path(get, path = "/api/v1/quality", tag = "sources", params(UnitQuery),
    responses((status = 200, body = UnitQuality), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn unit_quality(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<UnitQuery>,
) -> Result<Json<UnitQuality>, Error> {
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let quality = quality::unit(&ctx.db, &mut tx, &ctx.quality, &unit).await?;
    crate::db::scoped::finish(tx).await?;
    Ok(Json(quality))
}
