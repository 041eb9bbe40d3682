//! `GET /units/{code}/workload`: the tasks a unit received from all resolutions, directives and
//! conclusions, most urgent first, and its peers' figures (the units at its level under the same
//! parent), within the caller's scope. The urgency order and the ranking are
//! [`domain::workload`]'s; a task's state is [`domain::directives::TaskState`]'s rule.

use super::directives::{DIRECTIVE, DirectiveRow, TaskRow, tasks, today};
use super::query::Path;
use super::{ApiContext, Error};
use crate::auth::Caller;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::directives::{TaskCounts, expected_progress};
use domain::workload::{
    DirectiveRef, Peer, UnitRef, Workload, WorkloadTask, rank_peers, sort_by_urgency,
};
use std::collections::HashMap;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/units/{code}/workload", get(workload))
}

/// The directives by code, as a task names them.
pub(crate) async fn directive_refs(
    db: &mut sqlx::PgConnection,
) -> Result<HashMap<String, DirectiveRef>, Error> {
    Ok(sqlx::query_as::<_, DirectiveRow>(DIRECTIVE)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|d| {
            let r = DirectiveRef {
                code: d.0.clone(),
                kind: d.1,
                number: d.2,
                title: d.3,
            };
            (d.0, r)
        })
        .collect())
}

/// A task as a unit's list shows it: its directive, days left, progress against the expected.
pub(crate) fn workload_task(
    t: TaskRow,
    directives: &HashMap<String, DirectiveRef>,
    today: chrono::NaiveDate,
) -> WorkloadTask {
    let state = t.state(today);
    let directive = directives
        .get(&t.directive)
        .cloned()
        .unwrap_or_else(|| DirectiveRef {
            code: t.directive.clone(),
            kind: String::new(),
            number: t.directive.clone(),
            title: String::new(),
        });
    WorkloadTask {
        id: t.id,
        directive,
        title: t.title,
        assigned_on: t.assigned_on,
        due_on: t.due_on,
        days_left: (t.due_on - today).num_days(),
        progress: t.progress,
        expected: expected_progress(t.assigned_on, t.due_on, today),
        state,
        done_on: t.done_on,
        latest_report: t.report,
    }
}

/// A unit's own tasks from every directive, most urgent first (overdue by days late, at risk by
/// the gap to the expected progress, on track by the nearest due day, done last), with counts by
/// state; and its peers (the units at its level under the same parent: provinces with provinces,
/// communes of one province with each other), each with its own tasks by state and completion
/// rate, ranked. Peers outside the caller's scope are not shown (`peers_outside_scope`).
/// The unit a route names (`code`: 400 if malformed, 404 if unknown, 403 outside the scope, in
/// that order) and its parent with the parent's path, if it has one.
pub(super) async fn unit_and_parent(
    ctx: &ApiContext,
    caller: &Caller,
    code: &str,
) -> Result<(crate::scope::ScopedUnit, Option<(UnitRef, String)>), Error> {
    let code = domain::UnitCode::parse(code).map_err(|e| Error::invalid("code", e.to_string()))?;
    // The unit's parent (code, name, path), if the unit exists.
    type ParentRow = (Option<String>, Option<String>, Option<String>);
    let parent: Option<ParentRow> = sqlx::query_as(
        "SELECT p.code, p.name, p.path::text FROM unit u LEFT JOIN unit p ON p.code = u.parent
         WHERE u.code = $1",
    )
    .bind(code.as_str())
    .fetch_optional(&ctx.db)
    .await?;
    let Some(parent) = parent else {
        return Err(Error::NotFound("unit"));
    };
    let unit = caller
        .scope
        .unit_within(&ctx.db, "code", Some(code.as_str()))
        .await?;
    let parent = match parent {
        (Some(code), Some(name), Some(path)) => Some((UnitRef { code, name }, path)),
        _ => None,
    };
    Ok((unit, parent))
}

#[utoipa::path(get, path = "/api/v1/units/{code}/workload", tag = "directives",
    params(("code" = String, Path, description = "The unit's code (`code` in `GET /units`)")),
    responses((status = 200, body = Workload), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn workload(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Workload>, Error> {
    let (unit, parent) = unit_and_parent(&ctx, &caller, &code).await?;

    // The units at the same level under the same parent, the unit itself included, and whether
    // each lies within the caller's scope. Read on the pool, deliberately: whether a peer lies
    // outside the scope decides that no peers are shown, and the scoped read cannot see them.
    // (So is the parent above, shown only when within the scope.)
    let siblings: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT s.code, s.name, s.path <@ $2::ltree FROM unit u
         JOIN unit s ON s.parent = u.parent AND s.level = u.level
         WHERE u.code = $1 ORDER BY s.code",
    )
    .bind(&unit.code)
    .bind(caller.scope.path())
    .fetch_all(&ctx.db)
    .await?;
    let peers_outside_scope = siblings.iter().any(|(_, _, visible)| !visible);
    let compare = parent.is_some() && !peers_outside_scope;

    // The tasks of the units at the unit's depth: under its parent when comparing (the unit's and
    // its peers'), else under the unit itself (its own).
    let depth = unit.path.split('.').count();
    let root = match &parent {
        Some((_, path)) if compare => path.as_str(),
        _ => unit.path.as_str(),
    };
    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let directives = directive_refs(&mut tx).await?;
    let mut counts = TaskCounts::default();
    let mut by_unit: HashMap<String, TaskCounts> = HashMap::new();
    let mut own = Vec::new();
    let tasks = tasks(&mut tx, root, None, Some(depth)).await?;
    crate::db::scoped::finish(tx).await?;
    for t in tasks {
        let state = t.state(today);
        by_unit.entry(t.unit.clone()).or_default().add(state);
        if t.unit != unit.code {
            continue;
        }
        counts.add(state);
        own.push(workload_task(t, &directives, today));
    }
    sort_by_urgency(&mut own);

    let mut peers: Vec<Peer> = if compare {
        siblings
            .into_iter()
            .map(|(code, name, _)| {
                let tasks = by_unit.get(&code).copied().unwrap_or_default();
                let this_unit = code == unit.code;
                Peer::new(code, name, tasks, this_unit)
            })
            .collect()
    } else {
        Vec::new()
    };
    rank_peers(&mut peers);

    Ok(Json(Workload {
        as_of: today,
        parent: parent
            .filter(|(_, path)| caller.scope.contains_path(path))
            .map(|(p, _)| p),
        unit: unit.code,
        unit_name: unit.name,
        level: unit.level,
        counts,
        tasks: own,
        peers,
        peers_outside_scope,
    }))
}
