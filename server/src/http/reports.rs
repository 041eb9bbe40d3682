//! Reports (`/reports…`): a unit's report for a month, quarter or year as JSON (preview) or as a
//! PDF, XLSX or CSV file; reports kept in the database with their files; schedules that keep one
//! after each period closes. Assembly and files are `crate::report`'s.
//!
//! Who: admin, leader and analyst preview, download and keep reports within their scope; admin and
//! leader add and delete schedules; data officers and wall displays (`display`) get 403 on every
//! route. A unit outside the scope is 403; a kept report or schedule outside it is 404, so that
//! nothing of another scope is revealed. Every file made or downloaded is in the audit log.

use super::query::Path;
use super::{ApiContext, Error, Query};
use crate::audit;
use crate::auth::Caller;
use crate::db::scoped;
use crate::report;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use domain::Role;
use domain::format::Lang;
use domain::report::{
    Cadence, FileFormat, KeptReport, Report, ReportInputError, ReportPeriod, Schedule, file_name,
    parse_lang,
};
use serde::Deserialize;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/reports", get(list).post(generate))
        .route("/reports/preview", get(preview))
        .route("/reports/file", get(file))
        .route("/reports/schedules", get(schedules).post(add_schedule))
        .route("/reports/schedules/{id}", delete(delete_schedule))
        .route("/reports/{id}/{format}", get(download))
}

/// The most kept reports a list gives.
const LIST_LIMIT: i64 = 200;

impl From<ReportInputError> for Error {
    fn from(e: ReportInputError) -> Error {
        Error::invalid(e.field, e.reason)
    }
}

/// Reports are for admins, leaders and analysts; never for data officers or wall displays.
fn may_read(caller: &Caller) -> Result<(), Error> {
    match caller.role {
        Role::Admin | Role::Leader | Role::Analyst => Ok(()),
        other => Err(Error::Forbidden(format!(
            "reports are not open to the role '{other}'"
        ))),
    }
}

/// Schedules are added and deleted by admins and leaders.
fn may_schedule(caller: &Caller) -> Result<(), Error> {
    match caller.role {
        Role::Admin | Role::Leader => Ok(()),
        other => Err(Error::Forbidden(format!(
            "scheduling reports is not open to the role '{other}'"
        ))),
    }
}

fn period_of(v: Option<&str>) -> Result<ReportPeriod, Error> {
    Ok(v.unwrap_or_default().parse::<ReportPeriod>()?)
}

/// `GET /reports/preview`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// The unit (default the caller's scope unit; outside the scope is 403).
    pub unit: Option<String>,
    /// `2026-07` (a month), `2026-Q3` (a quarter) or `2026` (a year).
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/preview", tag = "reports", params(PreviewQuery),
    responses((status = 200, body = Report), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn preview(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<Report>, Error> {
    may_read(&caller)?;
    let period = period_of(q.period.as_deref())?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let r = report::assemble(&mut tx, &unit, period).await?;
    scoped::finish(tx).await?;
    Ok(Json(r))
}

/// `GET /reports/file`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FileQuery {
    /// The unit (default the caller's scope unit; outside the scope is 403).
    pub unit: Option<String>,
    /// `2026-07`, `2026-Q3` or `2026`.
    pub period: Option<String>,
    /// `pdf`, `xlsx` or `csv`.
    pub format: Option<String>,
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
}

/// A file as an attachment with a good name; never kept by a cache (it is the caller's scope's).
fn attachment(bytes: Vec<u8>, format: FileFormat, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/reports/file", tag = "reports", params(FileQuery),
    responses((status = 200, description = "The report as a PDF, XLSX or CSV (UTF-8 with BOM) attachment"),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn file(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<FileQuery>,
) -> Result<Response, Error> {
    may_read(&caller)?;
    let period = period_of(q.period.as_deref())?;
    let format: FileFormat = q.format.as_deref().unwrap_or_default().parse()?;
    let lang = parse_lang("lang", q.lang.as_deref())?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let r = report::assemble(&mut tx, &unit, period).await?;
    scoped::finish(tx).await?;
    let bytes = tokio::task::spawn_blocking(move || report::render(&r, format, lang))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("drawing a report: {e}")))??;
    audit::append(
        &ctx.db,
        &caller.username,
        "report_download",
        &format!("report:{}:{period}", unit.code),
        serde_json::json!({"unit": unit.code, "period": period.to_string(),
                           "format": format.as_str(), "lang": lang.tag(), "kept": null}),
    )
    .await?;
    let name = file_name(&unit.code, &period, format, lang);
    Ok(attachment(bytes, format, &name))
}

/// `POST /reports`: make and keep a report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// The unit (default the caller's scope unit).
    pub unit: Option<String>,
    /// `2026-07`, `2026-Q3` or `2026`.
    pub period: String,
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
}

fn body<T: serde::de::DeserializeOwned>(bytes: &[u8], expected: &str) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde names a missing or unknown field as `field`; lift it out when it does.
        let msg = e.to_string();
        let field = msg
            .split('`')
            .nth(1)
            .filter(|_| msg.contains("field"))
            .unwrap_or("body")
            .to_string();
        Error::invalid(field, format!("expected {expected}: {msg}"))
    })
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = GenerateRequest,
    responses((status = 201, body = KeptReport), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn generate(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<KeptReport>), Error> {
    may_read(&caller)?;
    let req: GenerateRequest = body(&bytes, "{\"unit\", \"period\", \"lang\"}")?;
    let period: ReportPeriod = req.period.parse()?;
    let lang = parse_lang("lang", req.lang.as_deref())?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", req.unit.as_deref())
        .await?;
    let kept = report::keep(&ctx.db, &unit, period, lang, None, &caller.username)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a report made by hand was not kept")))?;
    Ok((StatusCode::CREATED, Json(kept)))
}

/// `GET /reports`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only the reports of this unit's subtree (default the caller's scope; outside it is 403).
    pub unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ListQuery),
    responses((status = 200, body = Vec<KeptReport>), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<KeptReport>>, Error> {
    may_read(&caller)?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let rows: Vec<report::KeptRow> = sqlx::query_as(&format!(
        "SELECT {} FROM report_file r JOIN unit u ON u.code = r.unit
         WHERE r.path <@ $1::ltree ORDER BY r.created_at DESC, r.id DESC LIMIT $2",
        report::KEPT_COLUMNS
    ))
    .bind(&unit.path)
    .bind(LIST_LIMIT)
    .fetch_all(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    Ok(Json(rows.into_iter().filter_map(report::kept).collect()))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/{format}", tag = "reports",
    params(("id" = i64, Path, description = "The kept report's id"),
           ("format" = String, Path, description = "pdf, xlsx or csv")),
    responses((status = 200, description = "The kept file as an attachment"),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn download(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, Error> {
    may_read(&caller)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::invalid("id", "is not a report's number"))?;
    let format: FileFormat = format.parse()?;
    let column = match format {
        FileFormat::Pdf => "pdf",
        FileFormat::Xlsx => "xlsx",
        FileFormat::Csv => "csv",
    };
    let mut tx = caller.scope.read(&ctx.db).await?;
    let row: Option<(String, String, String, Vec<u8>)> = sqlx::query_as(&format!(
        "SELECT unit, period, lang, {column} FROM report_file
         WHERE id = $1 AND path <@ $2::ltree"
    ))
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    // Outside the scope is the same answer as no such report.
    let (unit, period, lang, bytes) = row.ok_or(Error::NotFound("report"))?;
    let period: ReportPeriod = period.parse()?;
    let lang = Lang::from_tag(&lang);
    audit::append(
        &ctx.db,
        &caller.username,
        "report_download",
        &format!("report:{id}"),
        serde_json::json!({"unit": unit, "period": period.to_string(),
                           "format": format.as_str(), "lang": lang.tag(), "kept": id}),
    )
    .await?;
    Ok(attachment(
        bytes,
        format,
        &file_name(&unit, &period, format, lang),
    ))
}

type ScheduleRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
);

const SCHEDULE_SQL: &str = "
SELECT s.id, s.unit, u.name, s.cadence, s.lang, s.created_by, s.created_at,
       (SELECT max(f.period) FROM report_file f WHERE f.schedule = s.id)
FROM report_schedule s JOIN unit u ON u.code = s.unit";

fn schedule_of(r: ScheduleRow) -> Option<Schedule> {
    Some(Schedule {
        id: r.0,
        unit: r.1,
        unit_name: r.2,
        cadence: r.3.parse().ok()?,
        lang: r.4,
        created_by: r.5,
        created_at: r.6.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        last_period: r.7,
    })
}

#[utoipa::path(get, path = "/api/v1/reports/schedules", tag = "reports",
    responses((status = 200, body = Vec<Schedule>), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn schedules(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<Vec<Schedule>>, Error> {
    may_read(&caller)?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let rows: Vec<ScheduleRow> = sqlx::query_as(&format!(
        "{SCHEDULE_SQL} WHERE s.path <@ $1::ltree ORDER BY s.unit, s.cadence, s.lang"
    ))
    .bind(caller.scope.path())
    .fetch_all(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    Ok(Json(rows.into_iter().filter_map(schedule_of).collect()))
}

/// `POST /reports/schedules`: keep a unit's report after each period of a cadence.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// The unit (default the caller's scope unit).
    pub unit: Option<String>,
    /// `month`, `quarter` or `year`.
    pub cadence: String,
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/reports/schedules", tag = "reports",
    request_body = ScheduleRequest,
    responses((status = 201, body = Schedule), (status = 200, body = Schedule, description = "The same schedule already existed"),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn add_schedule(
    State(ctx): State<ApiContext>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Schedule>), Error> {
    may_read(&caller)?;
    may_schedule(&caller)?;
    let req: ScheduleRequest = body(&bytes, "{\"unit\", \"cadence\", \"lang\"}")?;
    let cadence: Cadence = req.cadence.parse()?;
    let lang = parse_lang("lang", req.lang.as_deref())?;
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", req.unit.as_deref())
        .await?;
    let new: Option<i64> = sqlx::query_scalar(
        "INSERT INTO report_schedule (unit, path, cadence, lang, created_by)
         VALUES ($1, $2::ltree, $3, $4, $5)
         ON CONFLICT (unit, cadence, lang) DO NOTHING RETURNING id",
    )
    .bind(&unit.code)
    .bind(&unit.path)
    .bind(cadence.as_str())
    .bind(lang.tag())
    .bind(&caller.username)
    .fetch_optional(&ctx.db)
    .await?;
    if let Some(id) = new {
        audit::append(
            &ctx.db,
            &caller.username,
            "report_schedule_add",
            &format!("report_schedule:{id}"),
            serde_json::json!({"unit": unit.code, "cadence": cadence.as_str(), "lang": lang.tag()}),
        )
        .await?;
    }
    let mut tx = caller.scope.read(&ctx.db).await?;
    let row: Option<ScheduleRow> = sqlx::query_as(&format!(
        "{SCHEDULE_SQL} WHERE s.unit = $1 AND s.cadence = $2 AND s.lang = $3"
    ))
    .bind(&unit.code)
    .bind(cadence.as_str())
    .bind(lang.tag())
    .fetch_optional(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    let schedule = row
        .and_then(schedule_of)
        .ok_or(Error::NotFound("schedule"))?;
    let status = if new.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(schedule)))
}

#[utoipa::path(delete, path = "/api/v1/reports/schedules/{id}", tag = "reports",
    params(("id" = i64, Path, description = "The schedule's id")),
    responses((status = 204, description = "Deleted; the reports it kept stay"),
              (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn delete_schedule(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    may_read(&caller)?;
    may_schedule(&caller)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::invalid("id", "is not a schedule's number"))?;
    let gone: Option<String> = sqlx::query_scalar(
        "DELETE FROM report_schedule WHERE id = $1 AND path <@ $2::ltree RETURNING unit",
    )
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(&ctx.db)
    .await?;
    let unit = gone.ok_or(Error::NotFound("schedule"))?;
    audit::append(
        &ctx.db,
        &caller.username,
        "report_schedule_delete",
        &format!("report_schedule:{id}"),
        serde_json::json!({"unit": unit}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
