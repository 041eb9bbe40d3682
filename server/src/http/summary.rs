//! `GET /summary`: the overview's figures for a unit and period, against a year before, by child unit.

use super::{ApiContext, Error, Query, answers, date};
use crate::auth::Caller;
use crate::db::scoped;
use crate::rollup;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use domain::summary::{Figures, Period, Summary, UnitFigures};
use domain::{CaseKind, KindFamily, Sector};
use serde::Deserialize;
use sqlx::PgConnection;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/summary", get(summary))
}

/// Filters of `GET /summary`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// First day (YYYY-MM-DD); default the first of January of `to`'s year.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default today.
    pub to: Option<String>,
    /// The unit whose figures to give (default the caller's scope unit).
    pub unit: Option<String>,
    /// Only cases of this kind.
    pub kind: Option<String>,
    /// Only cases of this sector.
    pub sector: Option<String>,
}

/// The validated form of a summary request.
#[derive(Debug, Clone)]
pub struct SummaryFilter {
    pub period: Period,
    pub kind: Option<CaseKind>,
    pub sector: Option<Sector>,
}

impl SummaryQuery {
    fn validate(&self, today: NaiveDate) -> Result<SummaryFilter, Error> {
        let to = date("to", self.to.as_deref())?.unwrap_or(today);
        let from =
            date("from", self.from.as_deref())?.unwrap_or_else(|| Period::year_to_date(to).from);
        if from > to {
            return Err(Error::invalid("from", "must not be after 'to'"));
        }
        if (to - from).num_days() > 366 * 20 {
            return Err(Error::invalid(
                "from",
                "the period may span at most 20 years",
            ));
        }
        let kind = match self.kind.as_deref().filter(|s| !s.is_empty()) {
            Some(k) => Some(
                k.parse()
                    .map_err(|e: domain::UnknownWord| Error::invalid("kind", e.to_string()))?,
            ),
            None => None,
        };
        let sector = match self.sector.as_deref().filter(|s| !s.is_empty()) {
            Some(k) => Some(
                k.parse()
                    .map_err(|e: domain::UnknownWord| Error::invalid("sector", e.to_string()))?,
            ),
            None => None,
        };
        Ok(SummaryFilter {
            period: Period { from, to },
            kind,
            sector,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/summary", tag = "overview", params(SummaryQuery),
    responses((status = 200, body = Summary), (status = 400, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn summary(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, Error> {
    let filter = q.validate(chrono::Local::now().date_naive())?;
    // The question, normalized (the default dates written out), from the caller's scope.
    let key = format!(
        "summary\n{}\n{}\n{}\n{}\n{}\n{}",
        caller.scope.path(),
        q.unit.as_deref().unwrap_or(""),
        filter.period.from,
        filter.period.to,
        filter.kind.map_or("", |k| k.as_str()),
        filter.sector.map_or("", |s| s.as_str()),
    );
    let make = async {
        let unit = caller
            .scope
            .unit_within(&ctx.db, "unit", q.unit.as_deref())
            .await?;
        // Read in the caller's scoped read: PostgreSQL itself refuses rows outside the scope.
        let mut tx = caller.scope.read(&ctx.db).await?;
        let summary = compute(&mut tx, &unit, &filter).await?;
        scoped::finish(tx).await?;
        Ok(summary)
    };
    let json = ctx.answers.get_or_make(&ctx.events, key, make).await?;
    Ok(answers::json_response(json))
}

type FigRow = (Option<String>, i64, i64, i64, i64, i64, i64, i64, i64);

/// The summary of `unit` (already checked against the caller's scope): from the day rollup when
/// the unit and its children have day rows and no kind or sector is asked, else from the cases;
/// every read through `db` (a scoped read, see [`crate::db::scoped`]).
pub async fn compute(
    db: &mut PgConnection,
    unit: &crate::scope::ScopedUnit,
    f: &SummaryFilter,
) -> Result<Summary, Error> {
    if f.kind.is_none() && f.sector.is_none() && rollup::depth(&unit.path) < rollup::DAY_DEPTH {
        from_rollup(db, unit, f).await
    } else {
        compute_raw(db, unit, f).await
    }
}

/// [`compute`] from the day rollup: the unit and its children must have day rows.
async fn from_rollup(
    db: &mut PgConnection,
    unit: &crate::scope::ScopedUnit,
    f: &SummaryFilter,
) -> Result<Summary, Error> {
    let prev = f.period.a_year_before();
    let children: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM unit WHERE parent = $1 ORDER BY code")
            .bind(&unit.code)
            .fetch_all(&mut *db)
            .await?;
    let mut areas: Vec<String> = children.iter().map(|c| c.0.clone()).collect();
    areas.push(unit.code.clone());
    let now = rollup::by_day(&mut *db, &areas, f.period).await?;
    let before = rollup::by_day(&mut *db, &areas, prev).await?;
    let figures = |m: &std::collections::HashMap<String, rollup::Counts>, code: &str| {
        m.get(code).map(|c| c.figures).unwrap_or_default()
    };
    Ok(Summary {
        unit: unit.code.clone(),
        unit_name: unit.name.clone(),
        period: f.period,
        previous_period: prev,
        current: figures(&now, &unit.code),
        previous: figures(&before, &unit.code),
        children: children
            .into_iter()
            .map(|(code, name)| UnitFigures {
                current: figures(&now, &code),
                previous: figures(&before, &code),
                code,
                name,
            })
            .collect(),
        data_as_of: rollup::written_at(&mut *db, &unit.code)
            .await?
            .map(|t| t.to_rfc3339()),
    })
}

/// [`compute`] from the cases.
pub async fn compute_raw(
    db: &mut PgConnection,
    unit: &crate::scope::ScopedUnit,
    f: &SummaryFilter,
) -> Result<Summary, Error> {
    let prev = f.period.a_year_before();
    let mut current = Figures::default();
    let mut previous = Figures::default();
    let mut by_child: std::collections::BTreeMap<String, (Figures, Figures)> = Default::default();
    // The kinds of each KPI family, from the one rule in `domain` (`CaseKind::family`).
    let family = CaseKind::of_family;
    let families = [
        family(KindFamily::Inspection),
        family(KindFamily::Supervision),
        family(KindFamily::Settlement),
    ];
    for (period, is_current) in [(f.period, true), (prev, false)] {
        let rows: Vec<FigRow> = sqlx::query_as(FIGURES_SQL)
            .bind(&unit.path)
            .bind(period.from)
            .bind(period.to)
            .bind(f.kind.map(|k| k.as_str()))
            .bind(f.sector.map(|s| s.as_str()))
            .bind(&families[0])
            .bind(&families[1])
            .bind(&families[2])
            .fetch_all(&mut *db)
            .await?;
        for (child, cases, insp, sup, settle, concluded, viol, disc, amount) in rows {
            let fig = Figures {
                cases,
                inspections: insp,
                supervisions: sup,
                settlements: settle,
                concluded,
                violations: viol,
                disciplines: disc,
                amount_vnd: amount,
            };
            let total = if is_current {
                &mut current
            } else {
                &mut previous
            };
            add(total, &fig);
            if let Some(child) = child {
                let e = by_child.entry(child).or_default();
                add(if is_current { &mut e.0 } else { &mut e.1 }, &fig);
            }
        }
    }
    let children: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, path::text FROM unit WHERE parent = $1 ORDER BY code")
            .bind(&unit.code)
            .fetch_all(&mut *db)
            .await?;
    let children = children
        .into_iter()
        .map(|(code, name, path)| {
            let (c, p) = by_child.get(&path).copied().unwrap_or_default();
            UnitFigures {
                code,
                name,
                current: c,
                previous: p,
            }
        })
        .collect();
    let data_as_of: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT max(updated_at) FROM cases WHERE path <@ $1::ltree")
            .bind(&unit.path)
            .fetch_one(&mut *db)
            .await?;
    Ok(Summary {
        unit: unit.code.clone(),
        unit_name: unit.name.clone(),
        period: f.period,
        previous_period: prev,
        current,
        previous,
        children,
        data_as_of: data_as_of.map(|t| t.to_rfc3339()),
    })
}

fn add(total: &mut Figures, f: &Figures) {
    total.cases += f.cases;
    total.inspections += f.inspections;
    total.supervisions += f.supervisions;
    total.settlements += f.settlements;
    total.concluded += f.concluded;
    total.violations += f.violations;
    total.disciplines += f.disciplines;
    total.amount_vnd += f.amount_vnd;
}

/// Figures per child of the unit at `$1` (NULL child: cases about the unit itself), for the days
/// `$2..=$3`, optionally one kind `$4` and one sector `$5`; `$6`, `$7`, `$8` are the kinds of the
/// inspection, supervision and settlement families.
const FIGURES_SQL: &str = "
SELECT CASE WHEN nlevel(path) > nlevel($1::ltree)
            THEN subpath(path, 0, nlevel($1::ltree) + 1)::text END AS child,
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3
                          AND kind = ANY($6)),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3
                          AND kind = ANY($7)),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3
                          AND kind = ANY($8)),
       count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'),
       count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded' AND violation),
       count(*) FILTER (WHERE discipline_decided_on BETWEEN $2 AND $3),
       coalesce(sum(amount_vnd) FILTER (WHERE concluded_on BETWEEN $2 AND $3
                                          AND status = 'concluded' AND violation), 0)::bigint
FROM cases
WHERE path <@ $1::ltree
  AND ($4::text IS NULL OR kind = $4)
  AND ($5::text IS NULL OR sector = $5)
  AND (opened_on BETWEEN $2 AND $3 OR concluded_on BETWEEN $2 AND $3
       OR discipline_decided_on BETWEEN $2 AND $3)
GROUP BY 1";
