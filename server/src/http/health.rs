//! `GET /health`: whether the server and its database are working. No login needed.

use super::ApiContext;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use domain::api::Health;
use std::time::Duration;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/health", get(health))
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health, description = "degraded")))]
pub async fn health(State(ctx): State<ApiContext>) -> (StatusCode, Json<Health>) {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&ctx.db);
    let up = matches!(
        tokio::time::timeout(Duration::from_secs(2), ping).await,
        Ok(Ok(1))
    );
    let body = Health {
        status: if up { "ok" } else { "degraded" }.into(),
        database: if up { "ok" } else { "down" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (
        if up {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}
