//! `GET /units?level=&parent=`: the units visible to the caller.

use super::{ApiContext, Error, Query};
use crate::auth::Caller;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::UnitLevel;
use domain::api::Unit;
use serde::Deserialize;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/units", get(units))
}

/// Filters of `GET /units`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitsQuery {
    /// Only units of this level.
    pub level: Option<String>,
    /// Only the children of this unit (which must be within the caller's scope).
    pub parent: Option<String>,
}

type UnitRow = (
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitsQuery),
    responses((status = 200, body = Vec<Unit>), (status = 400, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn units(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<UnitsQuery>,
) -> Result<Json<Vec<Unit>>, Error> {
    let level = match q.level.as_deref().filter(|s| !s.is_empty()) {
        Some(l) => Some(
            l.parse::<UnitLevel>()
                .map_err(|e| Error::invalid("level", e.to_string()))?,
        ),
        None => None,
    };
    let parent = match q.parent.as_deref() {
        Some(p) => Some(
            caller
                .scope
                .unit_within(&ctx.db, "parent", Some(p))
                .await?
                .code,
        ),
        None => None,
    };
    let mut tx = caller.scope.read(&ctx.db).await?;
    let rows: Vec<UnitRow> = sqlx::query_as(
        "SELECT code, name, level, parent, lat, lon FROM unit
         WHERE path <@ $1::ltree
           AND ($2::text IS NULL OR level = $2)
           AND ($3::text IS NULL OR parent = $3)
         ORDER BY path",
    )
    .bind(caller.scope.path())
    .bind(level.map(|l| l.as_str()))
    .bind(parent)
    .fetch_all(&mut *tx)
    .await?;
    crate::db::scoped::finish(tx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(code, name, level, parent, lat, lon)| Unit {
                code,
                name,
                level: level.parse().unwrap_or(UnitLevel::Cell),
                parent,
                lat,
                lon,
            })
            .collect(),
    ))
}
