//! `GET /cases`: the case records within the caller's scope, filtered and paged, newest opening
//! first. The spatial extensions (`near`, `polygon`) apply the client filter engine's own rule
//! (`domain::facts::space`): SQL narrows to a box, Rust tests each location exactly, then pages.

use super::{ApiContext, Error, Query, date};
use crate::audit;
use crate::auth::Caller;
use crate::db::scoped;
use anyhow::anyhow;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::api::{
    CaseDiscipline, CaseHistory, CasePage, CaseRecord, CaseSubject, CaseVersion, Location,
};
use domain::facts::space::{self, Bounds, MAX_POLYGON_VERTICES};
use domain::{CaseKind, CaseStatus, Sector};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Records a page when the client does not say.
pub const DEFAULT_PER_PAGE: u32 = 100;
/// Most records a page.
pub const MAX_PER_PAGE: u32 = 1000;
/// Largest radius of `near`, in kilometres (half the Earth's circumference).
pub const MAX_NEAR_KM: f64 = 20_000.0;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/cases", get(cases))
        .route("/cases/{id}/history", get(case_history))
}

/// Filters of `GET /cases`; all optional. Lists are comma-separated contract words.
#[derive(Debug, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    /// A unit code: the cases of that unit and its subtree (default the caller's scope unit;
    /// outside the scope is 403).
    pub unit: Option<String>,
    /// Case kinds, comma-separated (e.g. `complaint,denunciation`).
    pub kind: Option<String>,
    /// Sectors, comma-separated.
    pub sector: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Opened on or after this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Opened on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Code of the data source that sent the cases.
    pub source: Option<String>,
    /// The record's id in its source system.
    pub external_id: Option<String>,
    /// Page number, from 1 (default 1).
    pub page: Option<String>,
    /// Records a page, 1 to 1000 (default 100).
    pub per_page: Option<String>,
    /// Extension: `lat,lon,km`, the cases within `km` of the point (great circle, on the
    /// location quantized as `GET /facts` carries it, so that the answer equals the analyst
    /// map's radius selection).
    pub near: Option<String>,
    /// Extension: `lat,lon;lat,lon;...`, 3 to 500 vertices, the cases inside the polygon
    /// (even-odd rule, edges straight in degrees, on the quantized location like `near`).
    pub polygon: Option<String>,
}

/// A spatial selection.
#[derive(Debug, Clone, PartialEq)]
enum Area {
    Near { lat: f64, lon: f64, km: f64 },
    Polygon(Vec<(f64, f64)>),
}

impl Area {
    fn contains(&self, lat: f64, lon: f64) -> bool {
        match self {
            Area::Near { lat: a, lon: o, km } => space::within_radius(lat, lon, *a, *o, *km),
            Area::Polygon(p) => space::within_polygon(lat, lon, p),
        }
    }

    /// The box that holds every location the area may select, within the stored range.
    fn bounds(&self) -> Option<Bounds> {
        match self {
            Area::Near { lat, lon, km } => Bounds::of_radius(*lat, *lon, *km),
            Area::Polygon(p) => Bounds::of_polygon(p),
        }
        .and_then(Bounds::within_quantization_box)
    }
}

/// The validated form of a request (the unit is resolved against the scope apart).
#[derive(Debug, Clone, PartialEq)]
struct CaseFilter {
    kinds: Vec<CaseKind>,
    sectors: Vec<Sector>,
    statuses: Vec<CaseStatus>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    source: Option<String>,
    external_id: Option<String>,
    page: u32,
    per_page: u32,
    area: Option<Area>,
}

impl CaseFilter {
    fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page)
    }
}

/// A parameter's value, if given and not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A comma-separated list of vocabulary words (empty: no filter).
fn words<T: FromStr<Err = domain::UnknownWord>>(
    field: &'static str,
    v: &Option<String>,
) -> Result<Vec<T>, Error> {
    let Some(s) = given(v) else {
        return Ok(Vec::new());
    };
    s.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.parse()
                .map_err(|e: domain::UnknownWord| Error::invalid(field, e.to_string()))
        })
        .collect()
}

fn count(field: &'static str, v: &Option<String>, default: u32, max: u32) -> Result<u32, Error> {
    let Some(s) = given(v) else {
        return Ok(default);
    };
    match s.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(Error::invalid(
            field,
            format!("'{}' is not a whole number from 1 to {max}", clip(s)),
        )),
    }
}

/// A value cut short enough to quote in an error.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Free text matched exactly as a record holds it: not trimmed (ingest keeps a source's blanks);
/// blank is no filter.
fn text(
    field: &'static str,
    v: &Option<String>,
    max_chars: usize,
) -> Result<Option<String>, Error> {
    match v.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) if s.chars().count() > max_chars => Err(Error::invalid(
            field,
            format!("is longer than {max_chars} characters"),
        )),
        other => Ok(other.map(str::to_string)),
    }
}

/// A `lat,lon` pair in degrees.
fn point(field: &'static str, s: &str) -> Result<(f64, f64), Error> {
    let bad = || {
        Error::invalid(
            field,
            format!("'{}' is not a point 'lat,lon' in degrees", clip(s)),
        )
    };
    let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

fn near(v: &Option<String>) -> Result<Option<Area>, Error> {
    let Some(s) = given(v) else {
        return Ok(None);
    };
    let bad = |why: &str| Error::invalid("near", format!("'{}' {why}", clip(s)));
    let (at, km) = s
        .rsplit_once(',')
        .ok_or_else(|| bad("is not 'lat,lon,km'"))?;
    let (lat, lon) = point("near", at)?;
    let km: f64 = km
        .trim()
        .parse()
        .map_err(|_| bad("does not end in a distance in km"))?;
    if !(km > 0.0 && km <= MAX_NEAR_KM) {
        return Err(bad(&format!(
            "has a distance outside 0 (excluded) to {MAX_NEAR_KM} km"
        )));
    }
    Ok(Some(Area::Near { lat, lon, km }))
}

fn polygon(v: &Option<String>) -> Result<Option<Area>, Error> {
    let Some(s) = given(v) else {
        return Ok(None);
    };
    let vertices = s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| point("polygon", p))
        .collect::<Result<Vec<_>, _>>()?;
    if !(3..=MAX_POLYGON_VERTICES).contains(&vertices.len()) {
        return Err(Error::invalid(
            "polygon",
            format!(
                "has {} vertices; give 3 to {MAX_POLYGON_VERTICES} as 'lat,lon;lat,lon;...'",
                vertices.len()
            ),
        ));
    }
    Ok(Some(Area::Polygon(vertices)))
}

impl CasesQuery {
    fn validate(&self) -> Result<CaseFilter, Error> {
        let from = date("from", self.from.as_deref())?;
        let to = date("to", self.to.as_deref())?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Error::invalid("from", "must not be after 'to'"));
        }
        let area = match (near(&self.near)?, polygon(&self.polygon)?) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "polygon",
                    "give either 'near' or 'polygon', not both",
                ));
            }
            (a, b) => a.or(b),
        };
        Ok(CaseFilter {
            kinds: words("kind", &self.kind)?,
            sectors: words("sector", &self.sector)?,
            statuses: words("status", &self.status)?,
            from,
            to,
            source: text("source", &self.source, 64)?,
            external_id: text("external_id", &self.external_id, 128)?,
            page: count("page", &self.page, 1, u32::MAX)?,
            per_page: count("per_page", &self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)?,
            area,
        })
    }
}

/// Cases within the caller's scope, filtered, a page at a time.
///
/// Sorted by opening day, newest first, then by id, newest first. `total` counts every
/// matching record. `near` and `polygon` are extensions of the contract for the analyst map.
/// Each read is written to the audit trail.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    responses((status = 200, body = CasePage), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn cases(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<CasesQuery>,
) -> Result<Json<CasePage>, Error> {
    let filter = q.validate()?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    // Whether the code exists is a check of the input, not data: any source may have sent cases
    // about the caller's units, so it is asked of the whole registry (on the pool).
    if let Some(code) = &filter.source {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM data_source WHERE code = $1)")
                .bind(code)
                .fetch_one(&ctx.db)
                .await?;
        if !known {
            return Err(Error::invalid(
                "source",
                format!("no data source has the code '{}'", clip(code)),
            ));
        }
    }
    let mut tx = caller.scope.read(&ctx.db).await?;
    let page = page_of(&mut tx, &unit.path, &filter).await?;
    scoped::finish(tx).await?;
    let mut detail = serde_json::to_value(&q).map_err(|e| Error::Internal(e.into()))?;
    if let Some(fields) = detail.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
        fields.insert("total".into(), page.total.into());
    }
    audit::append(&ctx.db, &caller.username, "cases_read", &unit.code, detail).await?;
    Ok(Json(page))
}

/// The page of records under the unit at `path` (already checked against the scope), counted
/// and read in one snapshot (a scoped read is one).
async fn page_of(
    tx: &mut sqlx::PgConnection,
    path: &str,
    f: &CaseFilter,
) -> Result<CasePage, Error> {
    let (total, rows) = match &f.area {
        None => {
            let mut count = QueryBuilder::new("SELECT count(*) FROM cases WHERE ");
            push_filter(&mut count, path, f);
            let total: i64 = count.build_query_scalar().fetch_one(&mut *tx).await?;
            let mut select =
                QueryBuilder::new(format!("SELECT {RECORD_COLUMNS} FROM cases WHERE "));
            push_filter(&mut select, path, f);
            select.push(" ORDER BY opened_on DESC, id DESC LIMIT ");
            select.push_bind(i64::from(f.per_page));
            select.push(" OFFSET ");
            select.push_bind(f.offset());
            let rows = select.build().fetch_all(&mut *tx).await?;
            (total, rows)
        }
        Some(area) => {
            let Some(b) = area.bounds() else {
                return Ok(empty_page(f));
            };
            // Candidates in the box, in the answer's order; only the page's ids are kept.
            let mut candidates = QueryBuilder::new("SELECT id, lat, lon FROM cases WHERE ");
            push_filter(&mut candidates, path, f);
            candidates.push(" AND lat BETWEEN ");
            candidates.push_bind(b.lat_min);
            candidates.push(" AND ");
            candidates.push_bind(b.lat_max);
            candidates.push(" AND lon BETWEEN ");
            candidates.push_bind(b.lon_min);
            candidates.push(" AND ");
            candidates.push_bind(b.lon_max);
            candidates.push(" ORDER BY opened_on DESC, id DESC");
            let window = f.offset()..f.offset() + i64::from(f.per_page);
            let mut total = 0i64;
            let mut ids: Vec<i64> = Vec::new();
            {
                let mut stream = candidates
                    .build_query_as::<(i64, f64, f64)>()
                    .fetch(&mut *tx);
                while let Some((id, lat, lon)) = stream.try_next().await? {
                    if area.contains(lat, lon) {
                        if window.contains(&total) {
                            ids.push(id);
                        }
                        total += 1;
                    }
                }
            }
            let rows = sqlx::query(&format!(
                "SELECT {RECORD_COLUMNS} FROM cases WHERE id = ANY($1) AND path <@ $2::ltree
                 ORDER BY opened_on DESC, id DESC"
            ))
            .bind(&ids)
            .bind(path)
            .fetch_all(&mut *tx)
            .await?;
            (total, rows)
        }
    };
    Ok(CasePage {
        total,
        page: f.page,
        per_page: f.per_page,
        cases: rows.iter().map(record).collect::<Result<_, _>>()?,
    })
}

fn empty_page(f: &CaseFilter) -> CasePage {
    CasePage {
        total: 0,
        page: f.page,
        per_page: f.per_page,
        cases: Vec::new(),
    }
}

/// Appends the conditions of the scope path and the filter (everything but the area).
fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, path: &str, f: &CaseFilter) {
    qb.push("path <@ ");
    qb.push_bind(path.to_string());
    qb.push("::ltree");
    for (column, list) in [
        ("kind", words_of(&f.kinds, CaseKind::as_str)),
        ("sector", words_of(&f.sectors, Sector::as_str)),
        ("status", words_of(&f.statuses, CaseStatus::as_str)),
    ] {
        if !list.is_empty() {
            qb.push(format!(" AND {column} = ANY("));
            qb.push_bind(list);
            qb.push(")");
        }
    }
    if let Some(from) = f.from {
        qb.push(" AND opened_on >= ");
        qb.push_bind(from);
    }
    if let Some(to) = f.to {
        qb.push(" AND opened_on <= ");
        qb.push_bind(to);
    }
    if let Some(source) = &f.source {
        qb.push(" AND source = ");
        qb.push_bind(source.clone());
    }
    if let Some(external_id) = &f.external_id {
        qb.push(" AND external_id = ");
        qb.push_bind(external_id.clone());
    }
}

fn words_of<T: Copy>(v: &[T], word: fn(T) -> &'static str) -> Vec<String> {
    v.iter().map(|&w| word(w).to_string()).collect()
}

/// The columns [`record`] reads.
const RECORD_COLUMNS: &str = "id, source, external_id, kind, theme, conducting_unit, \
    subject_type, subject_unit, subject_ref, sector, status, opened_on, due_on, concluded_on, \
    violation, violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon";

fn word<T: FromStr>(column: &str, s: &str) -> Result<T, Error> {
    s.parse()
        .map_err(|_| Error::Internal(anyhow!("cases.{column} holds an unknown word '{s}'")))
}

/// A row of [`RECORD_COLUMNS`] as the contract's record.
fn record(row: &PgRow) -> Result<CaseRecord, Error> {
    let discipline = match (
        row.try_get::<Option<&str>, _>("discipline_form")?,
        row.try_get::<Option<NaiveDate>, _>("discipline_decided_on")?,
    ) {
        (Some(form), Some(decided_on)) => Some(CaseDiscipline {
            form: word("discipline_form", form)?,
            decided_on,
        }),
        _ => None,
    };
    Ok(CaseRecord {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        external_id: row.try_get("external_id")?,
        kind: word("kind", row.try_get("kind")?)?,
        theme: row.try_get("theme")?,
        conducting_unit: row.try_get("conducting_unit")?,
        subject: CaseSubject {
            kind: word("subject_type", row.try_get("subject_type")?)?,
            unit: row.try_get("subject_unit")?,
            reference: row.try_get("subject_ref")?,
        },
        sector: word("sector", row.try_get("sector")?)?,
        status: word("status", row.try_get("status")?)?,
        opened_on: row.try_get("opened_on")?,
        due_on: row.try_get("due_on")?,
        concluded_on: row.try_get("concluded_on")?,
        violation: row.try_get("violation")?,
        violation_categories: row
            .try_get::<Vec<String>, _>("violation_categories")?
            .iter()
            .map(|c| word("violation_categories", c))
            .collect::<Result<_, _>>()?,
        amount_vnd: row.try_get("amount_vnd")?,
        discipline,
        location: Some(Location {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> CasesQuery {
        let q = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&q).unwrap()
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("not an input error: {other}"),
        }
    }

    #[test]
    fn no_parameters_mean_the_first_page_of_100_without_filters() {
        let f = query(&[]).validate().unwrap();
        assert_eq!(
            f,
            CaseFilter {
                kinds: vec![],
                sectors: vec![],
                statuses: vec![],
                from: None,
                to: None,
                source: None,
                external_id: None,
                page: 1,
                per_page: 100,
                area: None,
            }
        );
        assert_eq!(f.offset(), 0);
    }

    #[test]
    fn lists_dates_and_areas_are_read() {
        let f = query(&[
            ("kind", "complaint, denunciation"),
            ("status", "concluded"),
            ("from", "2024-01-01"),
            ("to", "2024-12-31"),
            ("page", "3"),
            ("per_page", "50"),
            ("near", "21.03,105.85,12.5"),
        ])
        .validate()
        .unwrap();
        assert_eq!(f.kinds, vec![CaseKind::Complaint, CaseKind::Denunciation]);
        assert_eq!(f.statuses, vec![CaseStatus::Concluded]);
        assert_eq!(f.offset(), 100);
        assert_eq!(
            f.area,
            Some(Area::Near {
                lat: 21.03,
                lon: 105.85,
                km: 12.5
            })
        );
        let f = query(&[("polygon", "10,105; 10,106;11,106;")])
            .validate()
            .unwrap();
        assert_eq!(
            f.area,
            Some(Area::Polygon(vec![
                (10.0, 105.0),
                (10.0, 106.0),
                (11.0, 106.0)
            ]))
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        for (pairs, field) in [
            (&[("kind", "complaint,gossip")][..], "kind"),
            (&[("sector", "space")], "sector"),
            (&[("status", "done")], "status"),
            (&[("from", "2024-13-01")], "from"),
            (&[("to", "yesterday")], "to"),
            (&[("from", "2024-02-01"), ("to", "2024-01-31")], "from"),
            (&[("page", "0")], "page"),
            (&[("page", "-1")], "page"),
            (&[("per_page", "1001")], "per_page"),
            (&[("near", "21,105")], "near"),
            (&[("near", "21,105,0")], "near"),
            (&[("near", "91,105,10")], "near"),
            (&[("near", "21,105,NaN")], "near"),
            (&[("polygon", "10,105;11,106")], "polygon"),
            (&[("polygon", "10,105;11,x;12,107")], "polygon"),
            (
                &[("near", "21,105,5"), ("polygon", "10,105;10,106;11,106")],
                "polygon",
            ),
        ] {
            let e = query(pairs).validate().unwrap_err();
            assert_eq!(field_of(e), field, "{pairs:?}");
        }
        let many = vec!["10,105"; MAX_POLYGON_VERTICES + 1].join(";");
        let e = query(&[("polygon", &many)]).validate().unwrap_err();
        assert_eq!(field_of(e), "polygon");
    }
}

/// A version's fields as text: strings as they are, lists joined with `;`, others as JSON.
fn as_text(fields: serde_json::Value) -> BTreeMap<String, String> {
    let serde_json::Value::Object(map) = fields else {
        return BTreeMap::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(";"),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// The history of one case within the caller's scope: every version, oldest first, the current
/// one last, each with who wrote it, by which batch and when, and the fields it changed. A case
/// outside the scope is 404, like one that does not exist. Each read is written to the audit trail.
#[utoipa::path(get, path = "/api/v1/cases/{id}/history", tag = "cases",
    params(("id" = i64, Path, description = "The case's id (`id` in `GET /cases`)")),
    responses((status = 200, body = CaseHistory), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn case_history(
    State(ctx): State<ApiContext>,
    caller: Caller,
    super::query::Path(id): super::query::Path<String>,
) -> Result<Json<CaseHistory>, Error> {
    let id: i64 = id
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::invalid("id", "must be a case's id, a positive whole number"))?;
    type Current = (
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        serde_json::Value,
    );
    let rfc3339 = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";
    let mut tx = caller.scope.read(&ctx.db).await?;
    let current: Option<Current> = sqlx::query_as(&format!(
        "SELECT source, external_id, to_char(created_at AT TIME ZONE 'UTC', {rfc3339}), \
         to_char(updated_at AT TIME ZONE 'UTC', {rfc3339}), written_by, batch, case_fields(c) \
         FROM cases c WHERE id = $1 AND path <@ $2::ltree"
    ))
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((source, external_id, created_at, updated_at, written_by, batch, fields)) = current
    else {
        return Err(Error::NotFound("case"));
    };
    let earlier: Vec<(String, String, Option<i64>, serde_json::Value)> = sqlx::query_as(&format!(
        "SELECT to_char(written_at AT TIME ZONE 'UTC', {rfc3339}), written_by, batch, fields \
         FROM case_version WHERE case_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    let all = earlier
        .into_iter()
        .map(|(at, by, batch, fields)| (at, by, batch, fields, false))
        .chain(std::iter::once((
            updated_at, written_by, batch, fields, true,
        )));
    let mut versions: Vec<CaseVersion> = Vec::new();
    for (i, (written_at, written_by, batch, fields, current)) in all.enumerate() {
        let fields = as_text(fields);
        let changed = match versions.last() {
            None => fields.keys().cloned().collect(),
            Some(before) => {
                let mut keys: Vec<String> =
                    fields.keys().chain(before.fields.keys()).cloned().collect();
                keys.sort();
                keys.dedup();
                keys.retain(|k| fields.get(k) != before.fields.get(k));
                keys
            }
        };
        versions.push(CaseVersion {
            version: i as u32 + 1,
            written_at,
            written_by,
            batch,
            fields,
            changed,
            current,
        });
    }
    audit::append(
        &ctx.db,
        &caller.username,
        "case_history_read",
        &id.to_string(),
        serde_json::json!({"versions": versions.len()}),
    )
    .await?;
    Ok(Json(CaseHistory {
        id,
        source,
        external_id,
        created_at,
        versions,
    }))
}
