//! `GET /facts`: the caller's scoped cases as a compact columnar payload for the analyst
//! workspace's client-side filter engine (`domain::facts`; gzip/brotli on the wire).

use super::{ApiContext, Error};
use crate::auth::Caller;
use anyhow::anyhow;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::NaiveDate;
use domain::facts::{CaseFact, FactsBuilder, encode};
use domain::{UnitCode, ViolationCategory};
use futures::TryStreamExt;
use sqlx::Row;

/// The media type of the payload.
pub const CONTENT_TYPE: &str = "application/vnd.oversight.facts";

pub fn router() -> Router<ApiContext> {
    Router::new().route("/facts", get(facts))
}

fn word<T: std::str::FromStr>(column: &str, s: &str) -> Result<T, Error> {
    s.parse()
        .map_err(|_| Error::Internal(anyhow!("cases.{column} holds an unknown word '{s}'")))
}

/// The caller's cases, one row each, ordered by id (`domain::facts::decode` reads them).
#[utoipa::path(get, path = "/api/v1/facts", tag = "facts",
    responses(
        (status = 200, content_type = "application/vnd.oversight.facts", body = Vec<u8>,
         description = "The scoped cases as columns: see `domain::facts::encode` for the layout."),
        (status = 401, body = domain::api::ApiError)))]
pub async fn facts(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<impl IntoResponse, Error> {
    let categories: Vec<&str> = ViolationCategory::ALL.iter().map(|c| c.as_str()).collect();
    let mut tx = caller.scope.read(&ctx.db).await?;
    // The categories become their bitmask in SQL (bit i = ViolationCategory::ALL[i]), so no
    // array is allocated per row; every other column is read borrowed from the row.
    let mut rows = sqlx::query(
        "SELECT id, opened_on, kind, sector, status, subject_type, discipline_form,
                (SELECT coalesce(sum(1 << (array_position($2::text[], v) - 1)), 0)::int
                   FROM unnest(violation_categories) v) AS categories,
                province, subject_unit, lat, lon, amount_vnd
         FROM cases WHERE path <@ $1::ltree ORDER BY id",
    )
    .bind(caller.scope.path())
    .bind(&categories)
    .fetch(&mut *tx);
    let mut b = FactsBuilder::with_capacity(0);
    while let Some(row) = rows.try_next().await? {
        let subject_unit: &str = row.try_get(9)?;
        let unit = UnitCode::parse(subject_unit).ok();
        let discipline: Option<&str> = row.try_get(6)?;
        b.push(&CaseFact {
            id: row.try_get(0)?,
            opened_on: row.try_get::<NaiveDate, _>(1)?,
            kind: word("kind", row.try_get(2)?)?,
            sector: word("sector", row.try_get(3)?)?,
            status: word("status", row.try_get(4)?)?,
            subject: word("subject_type", row.try_get(5)?)?,
            discipline: discipline.map(|d| word("discipline_form", d)).transpose()?,
            categories: row.try_get::<i32, _>(7)? as u16,
            province: row.try_get(8)?,
            commune: unit.as_ref().and_then(|u| u.commune()),
            lat: row.try_get(10)?,
            lon: row.try_get(11)?,
            amount_vnd: row.try_get(12)?,
        });
    }
    drop(rows);
    crate::db::scoped::finish(tx).await?;
    let body = encode(&b.finish());
    Ok((
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    ))
}
