//! `GET /overview`: a leader's overview of one unit, from the rollups (see [`crate::rollup`]):
//! the year so far against the unit's targets (achieved, expected pro rata, projected), against
//! the same days last year, the last 24 months, the children's attainment and the open alerts;
//! each target line carries its year-end forecast ([`crate::forecast`]).

use super::{ApiContext, Error, Query, answers};
use crate::auth::Caller;
use crate::db::scoped;
use crate::forecast;
use crate::rollup::{self, Counts, DAY_DEPTH, MONTH_DEPTH};
use crate::scope::ScopedUnit;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use domain::overview::{AlertCounts, ChildAttainment, Crumb, MonthFigures, Overview, TargetLine};
use domain::summary::Period;
use domain::targets::{Attainment, calendar_share, seasonal_share};
use sqlx::PgConnection;
use std::collections::HashMap;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/overview", get(overview))
}

/// Filters of `GET /overview`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    /// The unit to show (default the caller's scope unit; outside the scope is 403).
    pub unit: Option<String>,
}

/// The months of the trend.
const TREND_MONTHS: u32 = 24;

/// The measures targets are set for, in the order of [`domain::TargetMeasure::ALL`].
const MEASURES: [&str; 3] = ["inspections", "supervisions", "settled_on_time"];

/// The usual seasonal share of a measure's events by today (see [`rollup::season`]).
fn season_of(season: &[f64; 3], measure: &str) -> f64 {
    MEASURES
        .iter()
        .position(|m| *m == measure)
        .map_or(1.0, |i| season[i])
}

fn measure_of(c: &Counts, measure: &str) -> i64 {
    match measure {
        "inspections" => c.figures.inspections,
        "supervisions" => c.figures.supervisions,
        _ => c.on_time,
    }
}

#[utoipa::path(get, path = "/api/v1/overview", tag = "overview", params(OverviewQuery),
    responses((status = 200, body = Overview), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn overview(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, Error> {
    // The same unit seen from the same scope on the same day is the same answer until the data
    // changes (the trail runs from the scope down).
    let key = format!(
        "overview\n{}\n{}\n{}",
        caller.scope.path(),
        q.unit.as_deref().unwrap_or(""),
        chrono::Local::now().date_naive()
    );
    let json = ctx
        .answers
        .get_or_make(&ctx.events, key, compute(&ctx, &caller, &q))
        .await?;
    Ok(answers::json_response(json))
}

/// The overview of the unit `q` names, within the caller's scope: its reads run in the caller's
/// scoped read, so PostgreSQL itself refuses every row outside the scope.
async fn compute(ctx: &ApiContext, caller: &Caller, q: &OverviewQuery) -> Result<Overview, Error> {
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(&ctx.db)
        .await?;
    // The usual share of a year's events by today is the whole organization's (shares of a
    // year, the same for every caller, no unit's figures): read as the tables' owner.
    let season = rollup::season(&ctx.db, today).await?;
    let mut tx = caller.scope.read(&ctx.db).await?;
    let overview = of_unit(&mut tx, &unit, caller.scope.path(), today, &season).await?;
    scoped::finish(tx).await?;
    Ok(overview)
}

/// The overview of `unit` on `today`, every read through `db` (a scoped read, see
/// [`crate::db::scoped`]); the trail runs from `scope` (the caller's scope path) down, and
/// `season` is [`rollup::season`]'s answer for `today`.
pub async fn of_unit(
    db: &mut PgConnection,
    unit: &ScopedUnit,
    scope: &str,
    today: NaiveDate,
    season: &[Vec<(i64, i64)>; 3],
) -> Result<Overview, Error> {
    let depth = rollup::depth(&unit.path);
    let year = Period::year_to_date(today);
    let last = year.a_year_before();

    // The year so far and the same days last year.
    let (now, before, written) = if depth <= DAY_DEPTH {
        let areas = [unit.code.clone()];
        let now = rollup::by_day(&mut *db, &areas, year).await?;
        let before = rollup::by_day(&mut *db, &areas, last).await?;
        (
            now.get(&unit.code).copied().unwrap_or_default(),
            before.get(&unit.code).copied().unwrap_or_default(),
            rollup::written_at(&mut *db, &unit.code).await?,
        )
    } else {
        let written =
            sqlx::query_scalar("SELECT max(updated_at) FROM cases WHERE path <@ $1::ltree")
                .bind(&unit.path)
                .fetch_one(&mut *db)
                .await?;
        (
            rollup::raw(&mut *db, &unit.path, year).await?,
            rollup::raw(&mut *db, &unit.path, last).await?,
            written,
        )
    };

    let share = calendar_share(today);
    let season = season
        .clone()
        .map(|years| seasonal_share(&years).unwrap_or(share));

    // The unit's own targets, and its children's (the children's sum stands for a target the
    // unit was not given itself, as the country's for the centre).
    let year_no = today.year();
    let own = if depth <= MONTH_DEPTH {
        planned_of(&mut *db, "unit = $1", &unit.code, year_no).await?
    } else {
        Vec::new()
    };
    let below = if depth <= DAY_DEPTH {
        planned_of(
            &mut *db,
            "unit IN (SELECT code FROM unit WHERE parent = $1)",
            &unit.code,
            year_no,
        )
        .await?
    } else {
        Vec::new()
    };
    let mut areas: Vec<String> = below.iter().map(|p| p.unit.clone()).collect();
    areas.sort();
    areas.dedup();
    areas.push(unit.code.clone());
    let achieved = rollup::by_year(&mut *db, &areas, year_no).await?;
    let got = |p: &Planned| {
        achieved
            .get(&(p.unit.clone(), p.sector.clone().unwrap_or_default()))
            .map(|c| measure_of(c, &p.measure))
            .unwrap_or(0)
    };
    let attain = |planned: i64, got: i64, measure: &str| {
        Attainment::of(planned, got, share, season_of(&season, measure))
    };
    let mut targets: Vec<TargetLine> = own
        .iter()
        .map(|p| TargetLine {
            attainment: attain(p.planned, got(p), &p.measure),
            measure: p.measure.clone(),
            sector: p.sector.clone(),
            last_year: p.sector.is_none().then(|| measure_of(&before, &p.measure)),
            from_children: None,
            forecast: None,
        })
        .collect();
    // What each line counts, to forecast it: the unit itself, or the children summed.
    let mut counted: Vec<Vec<String>> = own.iter().map(|_| vec![unit.code.clone()]).collect();
    // (measure, sector) -> (planned, achieved, children)
    type Sum = ((String, Option<String>), (i64, i64, Vec<String>));
    let mut summed: Vec<Sum> = Vec::new();
    for p in &below {
        let key = (p.measure.clone(), p.sector.clone());
        if own
            .iter()
            .any(|o| (&o.measure, &o.sector) == (&key.0, &key.1))
        {
            continue;
        }
        match summed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, (planned, got_, units))) => {
                *planned += p.planned;
                *got_ += got(p);
                units.push(p.unit.clone());
            }
            None => summed.push((key, (p.planned, got(p), vec![p.unit.clone()]))),
        }
    }
    for ((measure, sector), (planned, got_, units)) in summed {
        targets.push(TargetLine {
            attainment: attain(planned, got_, &measure),
            last_year: None,
            from_children: Some(units.len() as u32),
            forecast: None,
            measure,
            sector,
        });
        counted.push(units);
    }
    let lines: Vec<forecast::Line> = targets
        .iter()
        .zip(counted)
        .map(|(t, areas)| forecast::Line {
            areas,
            sector: t.sector.clone(),
            measure: t.measure.clone(),
            planned: Some(t.attainment.planned),
        })
        .collect();
    for (t, f) in targets
        .iter_mut()
        .zip(forecast::of_lines(&mut *db, &lines, today).await?)
    {
        t.forecast = f;
    }
    targets.sort_by_key(|t| {
        (
            MEASURES.iter().position(|m| *m == t.measure),
            t.sector.clone(),
        )
    });
    let children = children(&below, &achieved, &|p, g, m| attain(p, g, m));

    let trend = if depth <= MONTH_DEPTH {
        rollup::months(&mut *db, &unit.code, today, TREND_MONTHS)
            .await?
            .into_iter()
            .map(|(month, c)| MonthFigures {
                month,
                figures: c.figures,
                on_time: c.on_time,
            })
            .collect()
    } else {
        Vec::new()
    };

    let trail: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM unit WHERE path @> $1::ltree AND path <@ $2::ltree
         ORDER BY nlevel(path)",
    )
    .bind(&unit.path)
    .bind(scope)
    .fetch_all(&mut *db)
    .await?;

    let mut alerts = AlertCounts::default();
    let open: Vec<(String, i64)> = sqlx::query_as(
        "SELECT severity, count(*) FROM alert
         WHERE path <@ $1::ltree AND state <> 'resolved' GROUP BY severity",
    )
    .bind(&unit.path)
    .fetch_all(&mut *db)
    .await?;
    for (severity, n) in open {
        match severity.as_str() {
            "critical" => alerts.critical = n,
            "warning" => alerts.warning = n,
            _ => alerts.info += n,
        }
    }

    Ok(Overview {
        unit: unit.code.clone(),
        unit_name: unit.name.clone(),
        level: unit.level.as_str().to_string(),
        trail: trail
            .into_iter()
            .map(|(code, name)| Crumb { code, name })
            .collect(),
        today,
        calendar_share: share,
        figures: now.figures,
        on_time: now.on_time,
        last_year: before.figures,
        last_year_on_time: before.on_time,
        targets,
        trend,
        children_open: !children.is_empty(),
        children,
        alerts,
        data_as_of: written.map(|t| t.to_rfc3339()),
    })
}

/// A target as planned.
struct Planned {
    unit: String,
    name: String,
    measure: String,
    sector: Option<String>,
    planned: i64,
}

/// This year's targets of the units `filter` picks (`$1` bound to `code`), by unit.
async fn planned_of(
    db: &mut PgConnection,
    filter: &str,
    code: &str,
    year: i32,
) -> Result<Vec<Planned>, Error> {
    let rows: Vec<(String, String, String, Option<String>, i32)> = sqlx::query_as(&format!(
        "SELECT t.unit, u.name, t.measure, t.sector, t.planned
         FROM target t JOIN unit u ON u.code = t.unit
         WHERE t.{filter} AND t.year = $2
         ORDER BY t.unit, t.measure, t.sector NULLS FIRST"
    ))
    .bind(code)
    .bind(year as i16)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Planned {
            unit: r.0,
            name: r.1,
            measure: r.2,
            sector: r.3,
            planned: i64::from(r.4),
        })
        .collect())
}

/// The children's attainment of their all-sector targets, in code order.
fn children(
    planned: &[Planned],
    achieved: &HashMap<(String, String), Counts>,
    attain: &dyn Fn(i64, i64, &str) -> Attainment,
) -> Vec<ChildAttainment> {
    let mut out: Vec<ChildAttainment> = Vec::new();
    for p in planned.iter().filter(|p| p.sector.is_none()) {
        let counts = achieved.get(&(p.unit.clone(), String::new()));
        if out.last().is_none_or(|c| c.code != p.unit) {
            out.push(ChildAttainment {
                code: p.unit.clone(),
                name: p.name.clone(),
                cases: counts.map(|c| c.figures.cases).unwrap_or(0),
                inspections: None,
                supervisions: None,
                settled_on_time: None,
            });
        }
        let a = attain(
            p.planned,
            counts.map(|c| measure_of(c, &p.measure)).unwrap_or(0),
            &p.measure,
        );
        if let Some(c) = out.last_mut() {
            match p.measure.as_str() {
                "inspections" => c.inspections = Some(a),
                "supervisions" => c.supervisions = Some(a),
                _ => c.settled_on_time = Some(a),
            }
        }
    }
    out
}
