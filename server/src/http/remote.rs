//! `GET /units/{code}/remote`: remote supervision — what the center already holds about one unit
//! in one answer ([`domain::remote::RemoteView`]): its cases (all kinds, open ones, the latest),
//! its directive tasks and their state, the freshness of the sources that send its data, its open
//! alerts and the programmes that supervise it. Within the caller's scope; the read is written to
//! the audit trail, as every read of case lists is.

use super::alerts::{RECORD, RecordRow, record};
use super::directives::{tasks, today};
use super::query::Path;
use super::workload::{directive_refs, workload_task};
use super::{ApiContext, Error};
use crate::audit;
use crate::auth::Caller;
use crate::db::scoped;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::directives::TaskCounts;
use domain::programmes::Stage;
use domain::remote::{CaseBrief, KindCount, LISTED_CASES, ProgrammeRef, RemoteCases, RemoteView};
use domain::workload::sort_by_urgency;
use domain::{CaseKind, CaseStatus, Sector};
use sqlx::PgConnection;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/units/{code}/remote", get(remote))
}

const BRIEF: &str = "SELECT c.id, c.kind, c.theme, c.sector, c.status, c.subject_unit, s.name,
        c.conducting_unit, c.opened_on, c.due_on, c.concluded_on, c.violation, c.discipline_form
    FROM cases c JOIN unit s ON s.code = c.subject_unit
    WHERE c.path <@ $1::ltree";

/// A programme planning the unit, with its cases about the unit by status.
type ProgrammeRow = (i64, String, String, String, NaiveDate, i64, i64, i64);

type BriefRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<bool>,
    Option<String>,
);

async fn briefs(tx: &mut PgConnection, path: &str, tail: &str) -> Result<Vec<CaseBrief>, Error> {
    let rows: Vec<BriefRow> = sqlx::query_as(&format!("{BRIEF} {tail} LIMIT $2"))
        .bind(path)
        .bind(LISTED_CASES as i64)
        .fetch_all(tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| CaseBrief {
            id: r.0,
            kind: r.1.parse().unwrap_or(CaseKind::SupervisionRegular),
            theme: r.2,
            sector: r.3.parse().unwrap_or(Sector::Other),
            status: r.4.parse().unwrap_or(CaseStatus::Planned),
            subject_unit: r.5,
            subject_name: r.6,
            conducting_unit: r.7,
            opened_on: r.8,
            due_on: r.9,
            concluded_on: r.10,
            violation: r.11,
            discipline: r.12.and_then(|f| f.parse().ok()),
        })
        .collect())
}

async fn cases(tx: &mut PgConnection, path: &str) -> Result<RemoteCases, Error> {
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, count(*),
                count(*) FILTER (WHERE status IN ('planned', 'in_progress')),
                count(*) FILTER (WHERE status = 'concluded' AND violation IS TRUE),
                count(*) FILTER (WHERE status IN ('planned', 'in_progress')
                                 AND due_on < current_date),
                count(*) FILTER (WHERE opened_on > current_date - interval '12 months')
         FROM cases WHERE path <@ $1::ltree GROUP BY kind",
    )
    .bind(path)
    .fetch_all(&mut *tx)
    .await?;
    let n = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    let mut by_kind: Vec<KindCount> = Vec::new();
    let (mut total, mut open, mut overdue, mut last_12_months) = (0, 0, 0, 0);
    for (kind, t, o, v, late, recent) in rows {
        total += n(t);
        open += n(o);
        overdue += n(late);
        last_12_months += n(recent);
        if let Ok(kind) = kind.parse::<CaseKind>() {
            by_kind.push(KindCount {
                kind,
                total: n(t),
                open: n(o),
                violations: n(v),
            });
        }
    }
    by_kind.sort_by_key(|k| k.kind);
    let open_list = briefs(
        &mut *tx,
        path,
        "AND c.status IN ('planned', 'in_progress') ORDER BY c.due_on NULLS LAST, c.opened_on, c.id",
    )
    .await?;
    let recent = briefs(&mut *tx, path, "ORDER BY c.opened_on DESC, c.id DESC").await?;
    Ok(RemoteCases {
        total,
        open,
        overdue,
        last_12_months,
        by_kind,
        open_list,
        recent,
    })
}

/// What the center holds about one unit, for supervising it remotely: its cases (by kind with the
/// open and violating ones, the open ones earliest due first, the latest opened), its own
/// directive tasks most urgent first, the sources that send its data (owned within it or holding
/// cases about it) least fresh first, its open alerts most severe first, and the programmes that
/// plan it with how far its supervision has gone. Written to the audit trail.
#[utoipa::path(get, path = "/api/v1/units/{code}/remote", tag = "programmes",
    params(("code" = String, Path, description = "The unit's code (`code` in `GET /units`)")),
    responses((status = 200, body = RemoteView), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn remote(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<RemoteView>, Error> {
    let (unit, parent) = super::workload::unit_and_parent(&ctx, &caller, &code).await?;
    // The parent is named only when it lies within the caller's scope.
    let parent = parent
        .filter(|(_, path)| caller.scope.contains_path(path))
        .map(|(unit, _)| unit);

    let mut tx = caller.scope.read(&ctx.db).await?;
    let today = today(&mut tx).await?;
    let cases = cases(&mut tx, &unit.path).await?;
    let directives = directive_refs(&mut tx).await?;
    let depth = unit.path.split('.').count();
    let mut task_counts = TaskCounts::default();
    let mut own = Vec::new();
    for t in tasks(&mut tx, &unit.path, None, Some(depth)).await? {
        if t.unit != unit.code {
            continue;
        }
        task_counts.add(t.state(today));
        own.push(workload_task(t, &directives, today));
    }
    sort_by_urgency(&mut own);
    let sources = crate::quality::sending(&mut tx, &unit).await?;
    let alerts: Vec<RecordRow> = sqlx::query_as(&format!(
        "{RECORD} WHERE a.path <@ $1::ltree AND a.state <> 'resolved'
         ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                  a.created_at DESC, a.id DESC
         LIMIT 50"
    ))
    .bind(&unit.path)
    .fetch_all(&mut *tx)
    .await?;
    let programmes: Vec<ProgrammeRow> = sqlx::query_as(
        "SELECT p.id, p.code, p.name, p.theme, p.period_to,
                    count(c.id) FILTER (WHERE c.status = 'planned'),
                    count(c.id) FILTER (WHERE c.status = 'in_progress'),
                    count(c.id) FILTER (WHERE c.status = 'concluded')
             FROM programme_unit pu
             JOIN programme p ON p.id = pu.programme
             LEFT JOIN cases c ON c.kind = 'supervision_thematic' AND c.theme = p.theme
                  AND c.status <> 'cancelled' AND c.path <@ pu.path
             WHERE pu.unit = $1 AND p.path <@ $2::ltree
             GROUP BY p.id, p.code, p.name, p.theme, p.period_to
             ORDER BY p.period_to DESC, p.code",
    )
    .bind(&unit.code)
    .bind(caller.scope.path())
    .fetch_all(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    let n = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    let programmes = programmes
        .into_iter()
        .map(|(id, code, name, theme, period_to, p, i, c)| {
            let stage = Stage::of(n(p), n(i), n(c));
            ProgrammeRef {
                id,
                code,
                name,
                theme,
                period_to,
                supervised: stage.is_some(),
                stage,
            }
        })
        .collect();
    let listed = cases.open_list.len() + cases.recent.len();
    audit::append(
        &ctx.db,
        &caller.username,
        "unit_remote_read",
        &unit.code,
        serde_json::json!({"cases": cases.total, "listed": listed}),
    )
    .await?;
    Ok(Json(RemoteView {
        as_of: today,
        unit: unit.code,
        name: unit.name,
        level: unit.level,
        parent,
        cases,
        task_counts,
        tasks: own,
        sources,
        alerts: alerts.into_iter().map(record).collect(),
        programmes,
    }))
}
