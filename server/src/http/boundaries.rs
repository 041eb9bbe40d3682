//! `GET /boundaries?level=province|commune`: GeoJSON of the caller's visible areas.

use super::{ApiContext, Error, Query};
use crate::auth::Caller;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/boundaries", get(boundaries))
}

/// Parameters of `GET /boundaries`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BoundariesQuery {
    /// `province` or `commune`.
    pub level: String,
    /// Level of detail: 0 full, 1 medium (default), 2 coarse.
    pub lod: Option<i16>,
    /// Only the areas within this unit (for instance one province's communes).
    pub within: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/boundaries", tag = "map", params(BoundariesQuery),
    responses((status = 200, content_type = "application/geo+json",
               description = "a FeatureCollection; each feature has `id` and properties `code`, `name`, `level`, `parent`, `synthetic`"),
              (status = 400, body = domain::api::ApiError)))]
pub async fn boundaries(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<BoundariesQuery>,
) -> Result<Response, Error> {
    let level = match q.level.as_str() {
        "province" | "commune" => q.level.as_str(),
        other => {
            return Err(Error::invalid(
                "level",
                format!("'{other}' is not one of: province, commune"),
            ));
        }
    };
    let lod = q.lod.unwrap_or(1);
    if !(0..=2).contains(&lod) {
        return Err(Error::invalid("lod", "must be 0, 1 or 2"));
    }
    let within = caller
        .scope
        .unit_within(&ctx.db, "within", q.within.as_deref())
        .await?;
    // The coarsest stored level at or below the one asked for (communes may lack lod 2).
    let mut tx = caller.scope.read(&ctx.db).await?;
    let body: String = sqlx::query_scalar(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                    json_build_object('type', 'Feature', 'id', u.code,
                        'properties', json_build_object('code', u.code, 'name', u.name,
                            'level', u.level, 'parent', u.parent, 'synthetic', g.synthetic),
                        'geometry', g.geometry) ORDER BY u.code), '[]'::json))::text
         FROM unit u
         JOIN LATERAL (SELECT geometry, synthetic FROM unit_geometry
                       WHERE unit = u.code AND lod <= $3 ORDER BY lod DESC LIMIT 1) g ON true
         WHERE u.path <@ $1::ltree AND u.level = $2",
    )
    .bind(&within.path)
    .bind(level)
    .bind(lod)
    .fetch_one(&mut *tx)
    .await?;
    crate::db::scoped::finish(tx).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/geo+json"),
            (CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
