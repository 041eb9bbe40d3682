//! Year-end forecasts of targets from the month rollup; `domain::forecast` does the arithmetic
//! (method in its module doc and docs/ARCHITECTURE.md). The overview forecasts its target lines
//! with [`of_lines`]; a report calls [`for_unit`].
//!
//! Each forecast reads the targeted measures' months of the [`HISTORY_YEARS`] years before
//! today's and of today's year, summed over the line's areas, all lines in one query.

use crate::http::Error;
use crate::rollup::{self, MONTH_DEPTH};
use chrono::{Datelike, NaiveDate};
use domain::forecast::{Forecast, Months, forecast};
use std::collections::HashMap;

/// The past years a forecast rests on (and is backtested on).
pub const HISTORY_YEARS: i32 = 4;

/// The measures targets are set for, in the order of the month series.
const MEASURES: [&str; 3] = ["inspections", "supervisions", "settled_on_time"];

/// One thing to forecast: a measure's events summed over `areas` (each of depth
/// [`MONTH_DEPTH`] or less), for one sector or all.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub areas: Vec<String>,
    /// None: all sectors.
    pub sector: Option<String>,
    /// `inspections`, `supervisions` or `settled_on_time`.
    pub measure: String,
    /// The plan, for the chance of meeting it.
    pub planned: Option<i64>,
}

/// A year of the three measures' months.
type YearSeries = [Months; 3];

/// The forecasts of `lines` made on `today`, in their order (none where no past year had events
/// or the measure is unknown), from one query on the month rollup.
pub async fn of_lines<'e>(
    db: impl sqlx::PgExecutor<'e>,
    lines: &[Line],
    today: NaiveDate,
) -> Result<Vec<Option<Forecast>>, Error> {
    // Lines over the same areas and sector share one series.
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    let mut group_of = Vec::with_capacity(lines.len());
    for l in lines {
        let mut areas = l.areas.clone();
        areas.sort();
        areas.dedup();
        let key = (areas, l.sector.clone().unwrap_or_default());
        let i = match groups.iter().position(|g| *g == key) {
            Some(i) => i,
            None => {
                groups.push(key);
                groups.len() - 1
            }
        };
        group_of.push(i);
    }
    let (mut g_ids, mut g_areas, mut g_sectors) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (areas, sector)) in groups.iter().enumerate() {
        for a in areas {
            g_ids.push(i as i32);
            g_areas.push(a.clone());
            g_sectors.push(sector.clone());
        }
    }
    let year = today.year();
    let from = NaiveDate::from_ymd_opt(year - HISTORY_YEARS, 1, 1)
        .ok_or(Error::invalid("year", "out of range"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 1).ok_or(Error::invalid("year", "out of range"))?;
    // One short index range per (area, sector) pair (migration 0008), summed per group.
    let rows: Vec<(i32, NaiveDate, i64, i64, i64)> = if g_ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT g.grp, r.month, sum(r.inspections)::bigint, sum(r.supervisions)::bigint,
                    sum(r.on_time)::bigint
             FROM unnest($1::int[], $2::text[], $3::text[]) AS g(grp, area, sector)
             CROSS JOIN LATERAL (
                 SELECT month, inspections, supervisions, on_time FROM rollup_month_all r
                 WHERE r.area = g.area AND r.sector = g.sector AND r.month BETWEEN $4 AND $5
             ) r
             GROUP BY 1, 2",
        )
        .bind(&g_ids)
        .bind(&g_areas)
        .bind(&g_sectors)
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?
    };
    let mut series: Vec<HashMap<i32, YearSeries>> = vec![HashMap::new(); groups.len()];
    for (grp, month, inspections, supervisions, on_time) in rows {
        let Some(s) = usize::try_from(grp).ok().and_then(|g| series.get_mut(g)) else {
            continue;
        };
        let y = s.entry(month.year()).or_insert([[0; 12]; 3]);
        let m = month.month0() as usize;
        y[0][m] += inspections;
        y[1][m] += supervisions;
        y[2][m] += on_time;
    }
    Ok(lines
        .iter()
        .zip(group_of)
        .map(|(l, g)| {
            let k = MEASURES.iter().position(|m| *m == l.measure)?;
            let of_year = |y: i32| series[g].get(&y).map(|s| s[k]).unwrap_or([0; 12]);
            let past: Vec<(i32, Months)> = (year - HISTORY_YEARS..year)
                .map(|y| (y, of_year(y)))
                .collect();
            forecast(&past, &of_year(year), today, l.planned)
        })
        .collect())
}

/// One forecast of a unit's year.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitForecast {
    pub measure: String,
    /// None: all sectors.
    pub sector: Option<String>,
    /// The unit's own target, if it was given one.
    pub planned: Option<i64>,
    /// None where no past year had events.
    pub forecast: Option<Forecast>,
}

/// The year-end forecasts of the unit `code` made on `today` (the year is `today`'s): one for
/// each of its own targets of the year (per sector too), and one for each measure it was given no
/// all-sector target for (its own events, no chance of meeting). Empty for a unit below the
/// communes (no month rollup). The caller checks the scope (`Scope::unit_within`).
pub async fn for_unit(
    db: &mut sqlx::PgConnection,
    code: &str,
    today: NaiveDate,
) -> Result<Vec<UnitForecast>, Error> {
    let path: Option<String> = sqlx::query_scalar("SELECT path::text FROM unit WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *db)
        .await?;
    let Some(path) = path else {
        return Err(Error::invalid("unit", "no such unit"));
    };
    if rollup::depth(&path) > MONTH_DEPTH {
        return Ok(Vec::new());
    }
    let targets: Vec<(String, Option<String>, i32)> = sqlx::query_as(
        "SELECT measure, sector, planned FROM target WHERE unit = $1 AND year = $2
         ORDER BY measure, sector NULLS FIRST",
    )
    .bind(code)
    .bind(today.year() as i16)
    .fetch_all(&mut *db)
    .await?;
    let mut wanted: Vec<(String, Option<String>, Option<i64>)> = targets
        .into_iter()
        .map(|(m, s, p)| (m, s, Some(i64::from(p))))
        .collect();
    for m in MEASURES {
        if !wanted.iter().any(|(w, s, _)| w == m && s.is_none()) {
            wanted.push((m.to_string(), None, None));
        }
    }
    wanted.sort_by_key(|(m, s, _)| (MEASURES.iter().position(|x| x == m), s.clone()));
    let lines: Vec<Line> = wanted
        .iter()
        .map(|(measure, sector, planned)| Line {
            areas: vec![code.to_string()],
            sector: sector.clone(),
            measure: measure.clone(),
            planned: *planned,
        })
        .collect();
    let forecasts = of_lines(&mut *db, &lines, today).await?;
    Ok(wanted
        .into_iter()
        .zip(forecasts)
        .map(|((measure, sector, planned), forecast)| UnitForecast {
            measure,
            sector,
            planned,
            forecast,
        })
        .collect())
}
