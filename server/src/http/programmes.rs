//! `GET /programmes`, `GET /programmes/{id}`, `GET /programmes/compare?ids=`, `POST /programmes`:
//! thematic supervision programmes owned within the caller's scope and their figures — coverage
//! of the planned units, pace against the milestones, findings by category, the disciplines that
//! followed — computed on every read from `cases` by [`domain::programmes`]'s rules.
//!
//! A programme's cases: kind `supervision_thematic`, its theme, not cancelled, subject within a
//! planned unit's subtree. The queries below are the one place that says so in SQL.

use super::directives::today;
use super::query::Path;
use super::{ApiContext, Error, Query};
use crate::audit;
use crate::auth::Caller;
use crate::db::scoped;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::UnitLevel;
use domain::programmes::{
    CategoryCount, DisciplineCount, Milestone, ProgrammeComparison, ProgrammeCreate,
    ProgrammeDetail, ProgrammeHeader, ProgrammeList, ProgrammeSummary, Stage, UnitProgress, nested,
    summarize,
};
use sqlx::PgConnection;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/programmes", get(list).post(create))
        .route("/programmes/compare", get(compare))
        .route("/programmes/{id}", get(detail))
}

/// The most programmes compared at once.
pub const MAX_COMPARED: usize = 8;

/// The condition that makes case `c` one of the programme's within planned unit `pu` (theme `$2`).
const PROGRAMME_CASE: &str = "c.kind = 'supervision_thematic' AND c.theme = $2
     AND c.status <> 'cancelled' AND c.path <@ pu.path";

type HeaderRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
);

/// The programmes owned within `scope` (those of `ids` only, when given), newest period first.
async fn headers(
    tx: &mut PgConnection,
    scope: &str,
    ids: Option<&[i64]>,
) -> Result<Vec<(ProgrammeHeader, String)>, Error> {
    let rows: Vec<HeaderRow> = sqlx::query_as(
        "SELECT p.id, p.code, p.name, p.theme, p.owner_unit, o.name, p.period_from, p.period_to,
                p.created_by
         FROM programme p JOIN unit o ON o.code = p.owner_unit
         WHERE p.path <@ $1::ltree AND ($2::bigint[] IS NULL OR p.id = ANY($2))
         ORDER BY p.period_from DESC, nlevel(p.path), p.code",
    )
    .bind(scope)
    .bind(ids)
    .fetch_all(tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                ProgrammeHeader {
                    id: r.0,
                    code: r.1,
                    name: r.2,
                    theme: r.3,
                    owner_unit: r.4,
                    owner_name: r.5,
                    period_from: r.6,
                    period_to: r.7,
                },
                r.8,
            )
        })
        .collect())
}

type UnitRow = (
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    i64,
    Option<NaiveDate>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// Each planned unit (within `scope`) with the programme's cases in its subtree.
pub(crate) async fn unit_progress(
    tx: &mut PgConnection,
    id: i64,
    theme: &str,
    scope: &str,
) -> Result<Vec<UnitProgress>, Error> {
    let rows: Vec<UnitRow> = sqlx::query_as(&format!(
        "SELECT pu.unit, u.name, u.level, u.lat, u.lon, count(c.id), min(c.opened_on),
                count(c.id) FILTER (WHERE c.status = 'planned'),
                count(c.id) FILTER (WHERE c.status = 'in_progress'),
                count(c.id) FILTER (WHERE c.status = 'concluded'),
                count(c.id) FILTER (WHERE c.status = 'concluded' AND c.violation IS TRUE),
                coalesce(sum(c.amount_vnd) FILTER (WHERE c.status = 'concluded'
                                                   AND c.violation IS TRUE), 0)::bigint,
                count(c.id) FILTER (WHERE c.discipline_form IS NOT NULL)
         FROM programme_unit pu
         JOIN unit u ON u.code = pu.unit
         LEFT JOIN cases c ON {PROGRAMME_CASE} AND c.path <@ $3::ltree
         WHERE pu.programme = $1 AND pu.path <@ $3::ltree
         GROUP BY pu.unit, u.name, u.level, u.lat, u.lon
         ORDER BY pu.unit"
    ))
    .bind(id)
    .bind(theme)
    .bind(scope)
    .fetch_all(tx)
    .await?;
    let n = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    let mut units: Vec<UnitProgress> = rows
        .into_iter()
        .map(|r| UnitProgress {
            stage: Stage::of(n(r.7), n(r.8), n(r.9)),
            unit: r.0,
            name: r.1,
            level: r.2.parse().unwrap_or(UnitLevel::Cell),
            lat: r.3,
            lon: r.4,
            cases: n(r.5),
            first_opened: r.6,
            planned: n(r.7),
            in_progress: n(r.8),
            concluded: n(r.9),
            violations: n(r.10),
            amount_vnd: r.11,
            disciplines: n(r.12),
        })
        .collect();
    units.sort_by(|a, b| {
        a.stage
            .is_some()
            .cmp(&b.stage.is_some())
            .then(a.unit.cmp(&b.unit))
    });
    Ok(units)
}

/// A programme's figures, and its planned units'.
async fn figures(
    tx: &mut PgConnection,
    header: ProgrammeHeader,
    scope: &str,
    today: NaiveDate,
) -> Result<(ProgrammeSummary, Vec<UnitProgress>), Error> {
    let id = header.id;
    let theme = header.theme.clone();
    let milestones: Vec<Milestone> = sqlx::query_as::<_, (String, NaiveDate, i32)>(
        "SELECT name, due_on, planned_units FROM programme_milestone
         WHERE programme = $1 ORDER BY ord",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(name, due_on, planned)| Milestone {
        name,
        due_on,
        planned_units: planned.max(0) as u32,
    })
    .collect();
    let units = unit_progress(&mut *tx, id, &theme, scope).await?;
    let by_category: Vec<CategoryCount> = sqlx::query_as::<_, (String, i64, i64)>(&format!(
        "SELECT cat, count(*), coalesce(sum(c.amount_vnd), 0)::bigint
         FROM programme_unit pu
         JOIN cases c ON {PROGRAMME_CASE} AND c.path <@ $3::ltree
         CROSS JOIN LATERAL unnest(c.violation_categories) AS cat
         WHERE pu.programme = $1 AND pu.path <@ $3::ltree
           AND c.status = 'concluded' AND c.violation IS TRUE
         GROUP BY cat"
    ))
    .bind(id)
    .bind(&theme)
    .bind(scope)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .filter_map(|(cat, n, amount)| {
        Some(CategoryCount {
            category: cat.parse().ok()?,
            cases: n.max(0) as u32,
            amount_vnd: amount,
        })
    })
    .collect();
    let disciplines: Vec<DisciplineCount> = sqlx::query_as::<_, (String, i64)>(&format!(
        "SELECT c.discipline_form, count(*)
         FROM programme_unit pu
         JOIN cases c ON {PROGRAMME_CASE} AND c.path <@ $3::ltree
         WHERE pu.programme = $1 AND pu.path <@ $3::ltree AND c.discipline_form IS NOT NULL
         GROUP BY c.discipline_form"
    ))
    .bind(id)
    .bind(&theme)
    .bind(scope)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .filter_map(|(form, n)| {
        Some(DisciplineCount {
            form: form.parse().ok()?,
            cases: n.max(0) as u32,
        })
    })
    .collect();
    let summary = summarize(header, &milestones, &units, by_category, disciplines, today);
    Ok((summary, units))
}

/// The thematic supervision programmes owned within the caller's scope, newest period first, each
/// with its coverage, pace against its milestones, findings and disciplines.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes",
    responses((status = 200, body = ProgrammeList), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<ProgrammeList>, Error> {
    let scope = caller.scope.path();
    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let mut programmes = Vec::new();
    for (h, _) in headers(&mut tx, scope, None).await? {
        programmes.push(figures(&mut tx, h, scope, today).await?.0);
    }
    scoped::finish(tx).await?;
    Ok(Json(ProgrammeList {
        as_of: today,
        programmes,
    }))
}

fn programme_id(field: &str, text: &str) -> Result<i64, Error> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "'{}' is not a programme id",
                    text.chars().take(40).collect::<String>()
                ),
            )
        })
}

/// One programme: its figures, and each planned unit's (cases by status, violations, disciplines,
/// the day it was first supervised), units not yet supervised first. Outside the caller's scope
/// it is 404, as one that does not exist.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes",
    params(("id" = i64, Path, description = "The programme's id (`id` in `GET /programmes`)")),
    responses((status = 200, body = ProgrammeDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn detail(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeDetail>, Error> {
    let id = programme_id("id", &id)?;
    let scope = caller.scope.path();
    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let Some((header, created_by)) = headers(&mut tx, scope, Some(&[id])).await?.pop() else {
        return Err(Error::NotFound("programme"));
    };
    let (programme, units) = figures(&mut tx, header, scope, today).await?;
    scoped::finish(tx).await?;
    Ok(Json(ProgrammeDetail {
        as_of: today,
        programme,
        created_by,
        units,
    }))
}

/// Query of `GET /programmes/compare`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Two to eight programme ids, separated by commas.
    pub ids: Option<String>,
}

/// Programmes side by side, in the order asked: coverage, pace against their milestones,
/// violation rate, findings by category and disciplines. One outside the caller's scope is 404.
#[utoipa::path(get, path = "/api/v1/programmes/compare", tag = "programmes", params(CompareQuery),
    responses((status = 200, body = ProgrammeComparison),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn compare(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<CompareQuery>,
) -> Result<Json<ProgrammeComparison>, Error> {
    let text = q.ids.unwrap_or_default();
    let mut ids: Vec<i64> = Vec::new();
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let id = programme_id("ids", part)?;
        if ids.contains(&id) {
            return Err(Error::invalid("ids", format!("{id} is named twice")));
        }
        ids.push(id);
    }
    if !(2..=MAX_COMPARED).contains(&ids.len()) {
        return Err(Error::invalid(
            "ids",
            format!("name 2 to {MAX_COMPARED} programme ids, separated by commas"),
        ));
    }
    let scope = caller.scope.path();
    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let found = headers(&mut tx, scope, Some(&ids)).await?;
    let mut programmes = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some((h, _)) = found.iter().find(|(h, _)| h.id == *id) else {
            return Err(Error::NotFound("programme"));
        };
        programmes.push(figures(&mut tx, h.clone(), scope, today).await?.0);
    }
    scoped::finish(tx).await?;
    Ok(Json(ProgrammeComparison {
        as_of: today,
        programmes,
    }))
}

/// Creates a programme (administrators and leaders, in person): the owner within the caller's
/// scope, the units under supervision below the owner and none within another, milestones within
/// the period in order and never planning fewer units than the one before. Each refusal names
/// the field (`units[3]`, `milestones[1].due_on`) and the reason. Written to the audit trail.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes",
    request_body = ProgrammeCreate,
    responses((status = 200, body = ProgrammeDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn create(
    State(ctx): State<ApiContext>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<ProgrammeDetail>, Error> {
    let req: ProgrammeCreate = serde_json::from_slice(&body).map_err(|e| {
        Error::invalid(
            "body",
            format!(
                "expected {{\"code\", \"name\", \"theme\", \"owner_unit\", \"period_from\", \"period_to\", \"units\": [...], \"milestones\": [...]}}: {e}"
            ),
        )
    })?;
    let milestones = req.check().map_err(|r| Error::invalid(r.field, r.reason))?;
    let owner = caller
        .scope
        .unit_within(&ctx.db, "owner_unit", Some(&req.owner_unit))
        .await?;
    // The planned units: each a unit below the owner (so within the caller's scope too).
    let mut units: Vec<(String, String)> = Vec::with_capacity(req.units.len());
    for (i, code) in req.units.iter().enumerate() {
        let field = format!("units[{i}]");
        let code = domain::UnitCode::parse(code.trim())
            .map_err(|e| Error::invalid(field.clone(), e.to_string()))?;
        let path: Option<String> =
            sqlx::query_scalar("SELECT path::text FROM unit WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(&ctx.db)
                .await?;
        let Some(path) = path.filter(|p| caller.scope.contains_path(p)) else {
            // A unit outside the scope is answered as one that does not exist: nothing about it.
            return Err(Error::invalid(
                field,
                format!("no unit with the code '{code}' lies within your scope"),
            ));
        };
        if path == owner.path || !path.starts_with(&format!("{}.", owner.path)) {
            return Err(Error::invalid(
                field,
                format!(
                    "'{code}' is not below the owner unit {}: a programme supervises units below its owner",
                    owner.code
                ),
            ));
        }
        units.push((code.as_str().to_string(), path));
    }
    let paths: Vec<&str> = units.iter().map(|(_, p)| p.as_str()).collect();
    if let Some((outer, inner)) = nested(&paths) {
        return Err(Error::invalid(
            format!("units[{inner}]"),
            format!(
                "'{}' lies within units[{outer}] ('{}'): its cases would count twice",
                units[inner].0, units[outer].0
            ),
        ));
    }
    let mut tx = ctx.db.begin().await?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM programme WHERE code = $1)")
        .bind(req.code.trim())
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        return Err(Error::invalid(
            "code",
            format!("'{}' is the code of another programme", req.code.trim()),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO programme (code, name, theme, owner_unit, path, province, period_from,
             period_to, created_by)
         SELECT $1, $2, $3, u.code, u.path, u.province, $5, $6, $7 FROM unit u WHERE u.code = $4
         RETURNING id",
    )
    .bind(req.code.trim())
    .bind(req.name.trim())
    .bind(req.theme.trim())
    .bind(&owner.code)
    .bind(req.period_from)
    .bind(req.period_to)
    .bind(&caller.username)
    .fetch_one(&mut *tx)
    .await?;
    let codes: Vec<&str> = units.iter().map(|(c, _)| c.as_str()).collect();
    sqlx::query(
        "INSERT INTO programme_unit (programme, unit, path, province)
         SELECT $1, u.code, u.path, u.province FROM unit u WHERE u.code = ANY($2)",
    )
    .bind(id)
    .bind(&codes)
    .execute(&mut *tx)
    .await?;
    for (i, m) in milestones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO programme_milestone (programme, ord, name, due_on, planned_units)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i as i16 + 1)
        .bind(&m.name)
        .bind(m.due_on)
        .bind(m.planned_units as i32)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "programme_create",
        &format!("programme:{id}"),
        serde_json::to_value(&req).unwrap_or_default(),
    )
    .await?;
    detail(State(ctx), caller, Path(id.to_string())).await
}
