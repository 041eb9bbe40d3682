//! `GET /directives` and `GET /directives/{code}`: resolutions, directives and conclusions of the
//! centre, and the progress of the tasks they assign, within the caller's scope. A task's state is
//! [`domain::directives::TaskState`]'s rule on the database's today.

use super::query::Path;
use super::{ApiContext, Error, Query};
use crate::auth::Caller;
use crate::db::scoped;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::UnitLevel;
use domain::api::{
    DirectiveDetail, DirectiveList, DirectiveSummary, LevelTasks, TaskRecord, TaskReport, UnitTasks,
};
use domain::directives::{TaskCounts, TaskState, expected_progress};
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashMap};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/directives", get(directives))
        .route("/directives/{code}", get(directive))
}

pub(crate) type DirectiveRow = (String, String, String, String, NaiveDate, String, String);

/// A task as stored, with the level of its unit and its latest report.
pub(crate) struct TaskRow {
    pub(crate) id: i64,
    pub(crate) directive: String,
    pub(crate) unit: String,
    pub(crate) level: UnitLevel,
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) assigned_on: NaiveDate,
    pub(crate) due_on: NaiveDate,
    pub(crate) progress: u8,
    pub(crate) done_on: Option<NaiveDate>,
    pub(crate) report: Option<TaskReport>,
}

impl TaskRow {
    pub(crate) fn state(&self, today: NaiveDate) -> TaskState {
        TaskState::of(
            self.assigned_on,
            self.due_on,
            self.progress,
            self.done_on.is_some(),
            today,
        )
    }
}

pub(crate) async fn today(db: &mut PgConnection) -> Result<NaiveDate, Error> {
    Ok(sqlx::query_scalar("SELECT current_date")
        .fetch_one(db)
        .await?)
}

/// The tasks within `path` (of one directive, or all; of the units at one depth of the tree,
/// `nlevel` of their path, or at any).
pub(crate) async fn tasks(
    db: &mut PgConnection,
    path: &str,
    directive: Option<&str>,
    depth: Option<usize>,
) -> Result<Vec<TaskRow>, Error> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        NaiveDate,
        i16,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<i16>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.directive, t.unit, u.level, t.path::text, t.title, t.assigned_on, t.due_on,
                t.progress, t.done_on, r.reported_on, r.progress, r.note
         FROM task t
         JOIN unit u ON u.code = t.unit
         LEFT JOIN LATERAL (
             SELECT reported_on, progress, note FROM task_report
             WHERE task = t.id ORDER BY reported_on DESC, id DESC LIMIT 1
         ) r ON true
         WHERE t.path <@ $1::ltree AND ($2::text IS NULL OR t.directive = $2)
           AND ($3::int IS NULL OR nlevel(t.path) = $3)
         ORDER BY t.id",
    )
    .bind(path)
    .bind(directive)
    .bind(depth.map(|d| d as i32))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TaskRow {
            id: r.0,
            directive: r.1,
            unit: r.2,
            level: r.3.parse().unwrap_or(UnitLevel::Cell),
            path: r.4,
            title: r.5,
            assigned_on: r.6,
            due_on: r.7,
            progress: r.8.clamp(0, 100) as u8,
            done_on: r.9,
            report: match (r.10, r.11) {
                (Some(on), Some(p)) => Some(TaskReport {
                    reported_on: on,
                    progress: p.clamp(0, 100) as u8,
                    note: r.12.unwrap_or_default(),
                }),
                _ => None,
            },
        })
        .collect())
}

fn summary(d: DirectiveRow, tasks: TaskCounts) -> DirectiveSummary {
    DirectiveSummary {
        code: d.0,
        kind: d.1,
        number: d.2,
        title: d.3,
        issued_on: d.4,
        issuer: d.5,
        status: d.6,
        tasks,
    }
}

pub(crate) const DIRECTIVE: &str =
    "SELECT code, kind, number, title, issued_on, issuer, status FROM directive";

/// The resolutions, directives and conclusions, newest first, each with its tasks within the
/// caller's scope by state: assigned (all), on track, at risk (progress more than 15 points behind
/// its pro-rata expectation), overdue (past its due day), done.
#[utoipa::path(get, path = "/api/v1/directives", tag = "directives",
    responses((status = 200, body = DirectiveList), (status = 401, body = domain::api::ApiError)))]
pub async fn directives(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Json<DirectiveList>, Error> {
    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let rows: Vec<DirectiveRow> =
        sqlx::query_as(&format!("{DIRECTIVE} ORDER BY issued_on DESC, code"))
            .fetch_all(&mut *tx)
            .await?;
    let all = tasks(&mut tx, caller.scope.path(), None, None).await?;
    scoped::finish(tx).await?;
    let mut counts: HashMap<String, TaskCounts> = HashMap::new();
    for t in all {
        counts
            .entry(t.directive.clone())
            .or_default()
            .add(t.state(today));
    }
    let directives = rows
        .into_iter()
        .map(|d| {
            let c = counts.get(&d.0).copied().unwrap_or_default();
            summary(d, c)
        })
        .collect();
    Ok(Json(DirectiveList {
        as_of: today,
        directives,
    }))
}

/// Filters of `GET /directives/{code}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DirectiveQuery {
    /// The unit whose tasks to give (default the caller's scope unit; outside the scope is 403).
    pub unit: Option<String>,
}

/// Urgency order: overdue, at risk, on track, done.
fn urgency(s: TaskState) -> u8 {
    match s {
        TaskState::Overdue => 0,
        TaskState::AtRisk => 1,
        TaskState::OnTrack => 2,
        TaskState::Done => 3,
    }
}

/// One directive's tasks within a unit: by level, by child unit, and the unit's own tasks with
/// deadlines, progress, state and latest report.
#[utoipa::path(get, path = "/api/v1/directives/{code}", tag = "directives",
    params(("code" = String, Path, description = "The directive's code (`code` in `GET /directives`)"),
           DirectiveQuery),
    responses((status = 200, body = DirectiveDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn directive(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<DirectiveQuery>,
) -> Result<Json<DirectiveDetail>, Error> {
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let row: Option<DirectiveRow> = sqlx::query_as(&format!("{DIRECTIVE} WHERE code = $1"))
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Err(Error::NotFound("directive"));
    };
    let today = today(&mut tx).await?;
    let children: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, level FROM unit WHERE parent = $1 ORDER BY code")
            .bind(&unit.code)
            .fetch_all(&mut *tx)
            .await?;
    let tasks = tasks(&mut tx, &unit.path, Some(&code), None).await?;
    scoped::finish(tx).await?;
    let depth = unit.path.split('.').count();
    let mut total = TaskCounts::default();
    let mut by_level: BTreeMap<usize, (UnitLevel, TaskCounts)> = BTreeMap::new();
    let mut by_child: HashMap<String, TaskCounts> = HashMap::new();
    let mut own = Vec::new();
    for t in tasks {
        let state = t.state(today);
        total.add(state);
        by_level
            .entry(t.level.index())
            .or_insert((t.level, TaskCounts::default()))
            .1
            .add(state);
        if let Some(child) = t.path.split('.').nth(depth) {
            by_child.entry(child.to_string()).or_default().add(state);
        }
        if t.unit == unit.code {
            own.push(TaskRecord {
                id: t.id,
                expected: expected_progress(t.assigned_on, t.due_on, today),
                title: t.title,
                unit: t.unit,
                assigned_on: t.assigned_on,
                due_on: t.due_on,
                progress: t.progress,
                state,
                done_on: t.done_on,
                latest_report: t.report,
            });
        }
    }
    own.sort_by_key(|t| (urgency(t.state), t.due_on, t.id));
    let by_unit = children
        .into_iter()
        .filter(|(_, _, level)| level != "grassroots" && level != "cell")
        .map(|(code, name, level)| UnitTasks {
            tasks: by_child.get(&code).copied().unwrap_or_default(),
            unit: code,
            name,
            level: level.parse().unwrap_or(UnitLevel::Cell),
        })
        .collect();
    Ok(Json(DirectiveDetail {
        as_of: today,
        directive: summary(row, total),
        unit: unit.code,
        unit_name: unit.name,
        by_level: by_level
            .into_values()
            .map(|(level, tasks)| LevelTasks { level, tasks })
            .collect(),
        by_unit,
        tasks: own,
    }))
}
