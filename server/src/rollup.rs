//! The case rollups (migration 0006): figures per unit and day (the centre, provinces and
//! committees) and per unit, month and sector (down to communes), kept current by a trigger on
//! `cases` that appends deltas, and folded by [`compact`] every [`COMPACT_EVERY`].
//!
//! Readers here always sum the base and the pending deltas, so what they give is current as of
//! the last committed write, compacted or not. They take any executor: people's answers read in
//! their scoped read (the tables' policies, migration 0011, show only the scope's areas), the
//! warning engine on the pool.

use crate::http::Error;
use chrono::{Datelike, NaiveDate};
use domain::summary::{Figures, Period};
use domain::{CaseKind, KindFamily};
use sqlx::{PgExecutor, PgPool};
use std::collections::HashMap;
use std::time::Duration;

/// How often the deltas are folded into the rollups.
pub const COMPACT_EVERY: Duration = Duration::from_secs(5);

/// The deepest unit (in `nlevel(path)`) with day rows: the centre, provinces and committees.
pub const DAY_DEPTH: usize = 2;
/// The deepest unit with month rows: communes.
pub const MONTH_DEPTH: usize = 3;

/// Folds the committed deltas into the rollups; the delta rows folded (0 when another compaction
/// holds the lock).
pub async fn compact(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT rollup_compact()")
        .fetch_one(pool)
        .await
}

/// Runs [`compact`] every [`COMPACT_EVERY`] until the process ends. While the database is away
/// each try fails (after the pool's acquire timeout); the first failure and the recovery are
/// logged, not every try, and the deltas written before are folded at the first try after.
pub fn spawn_compactor(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(COMPACT_EVERY);
        // A try that outlasted the period waits a whole period, not none.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            tick.tick().await;
            match compact(&pool).await {
                Ok(_) if failing => {
                    tracing::info!("folding the rollup deltas works again");
                    failing = false;
                }
                Ok(_) => {}
                Err(e) if !failing => {
                    tracing::warn!("folding the rollup deltas failed: {e}");
                    failing = true;
                }
                Err(_) => {}
            }
            if pool.is_closed() {
                return;
            }
        }
    });
}

/// The depth of a unit's path (`VN` is 1, `VN.01` 2, `VN.01.00004` 3).
pub fn depth(path: &str) -> usize {
    path.split('.').count()
}

/// Figures and on-time conclusions, as the rollups count them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub figures: Figures,
    pub on_time: i64,
}

type CountRow = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn counts(r: &CountRow) -> Counts {
    Counts {
        figures: Figures {
            cases: r.1,
            inspections: r.2,
            supervisions: r.3,
            settlements: r.4,
            concluded: r.5,
            violations: r.6,
            disciplines: r.8,
            amount_vnd: r.9,
        },
        on_time: r.7,
    }
}

const SUMS: &str = "sum(cases)::bigint, sum(inspections)::bigint, sum(supervisions)::bigint,
    sum(settlements)::bigint, sum(concluded)::bigint, sum(violations)::bigint,
    sum(on_time)::bigint, sum(disciplines)::bigint, sum(amount_vnd)::bigint";

/// Each area's counts over `period` from the day rollup; the areas must be of depth
/// [`DAY_DEPTH`] or less. Areas without events are absent.
pub async fn by_day<'e>(
    db: impl PgExecutor<'e>,
    areas: &[String],
    period: Period,
) -> Result<HashMap<String, Counts>, Error> {
    let rows: Vec<CountRow> = sqlx::query_as(&format!(
        "SELECT area, {SUMS} FROM rollup_day_all
         WHERE area = ANY($1) AND day BETWEEN $2 AND $3 GROUP BY area"
    ))
    .bind(areas)
    .bind(period.from)
    .bind(period.to)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| (r.0.clone(), counts(r))).collect())
}

/// Each (area, sector) pair's counts over the months of `year` from the month rollup (sector
/// `""`: all sectors); the areas must be of depth [`MONTH_DEPTH`] or less.
pub async fn by_year<'e>(
    db: impl PgExecutor<'e>,
    areas: &[String],
    year: i32,
) -> Result<HashMap<(String, String), Counts>, Error> {
    type Row = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(Error::invalid("year", "out of range"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 1).ok_or(Error::invalid("year", "out of range"))?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT area, sector, {SUMS} FROM rollup_month_all
         WHERE area = ANY($1) AND month BETWEEN $2 AND $3 GROUP BY area, sector"
    ))
    .bind(areas)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let c = counts(&(r.0.clone(), r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10));
            ((r.0, r.1), c)
        })
        .collect())
}

/// One area's counts per month (all sectors) for the `months` months ending with `last`'s month,
/// oldest first, months without events as zeros.
pub async fn months<'e>(
    db: impl PgExecutor<'e>,
    area: &str,
    last: NaiveDate,
    months: u32,
) -> Result<Vec<(NaiveDate, Counts)>, Error> {
    let end = first_of_month(last);
    let mut firsts = Vec::with_capacity(months as usize);
    let mut m = end;
    for _ in 0..months {
        firsts.push(m);
        m = previous_month(m);
    }
    firsts.reverse();
    type MonthRow = (NaiveDate, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<MonthRow> = sqlx::query_as(&format!(
        "SELECT month, {SUMS} FROM rollup_month_all
             WHERE area = $1 AND sector = '' AND month BETWEEN $2 AND $3 GROUP BY month"
    ))
    .bind(area)
    .bind(firsts.first().copied().unwrap_or(end))
    .bind(end)
    .fetch_all(db)
    .await?;
    let found: HashMap<NaiveDate, Counts> = rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                counts(&(String::new(), r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9)),
            )
        })
        .collect();
    Ok(firsts
        .into_iter()
        .map(|m| (m, found.get(&m).copied().unwrap_or_default()))
        .collect())
}

/// The share of a year's events (per targeted measure: inspections, supervisions, on-time
/// conclusions) that fell on or before `today`'s day of the year in the whole organization's
/// previous three years, as `(to that day, whole year)` pairs per year.
pub async fn season<'e>(
    db: impl PgExecutor<'e>,
    today: NaiveDate,
) -> Result<[Vec<(i64, i64)>; 3], Error> {
    let rows: Vec<(i32, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT extract(year FROM day)::int,
                coalesce(sum(inspections) FILTER (WHERE to_char(day, 'MMDD') <= $2), 0)::bigint,
                coalesce(sum(inspections), 0)::bigint,
                coalesce(sum(supervisions) FILTER (WHERE to_char(day, 'MMDD') <= $2), 0)::bigint,
                coalesce(sum(supervisions), 0)::bigint,
                coalesce(sum(on_time) FILTER (WHERE to_char(day, 'MMDD') <= $2), 0)::bigint,
                coalesce(sum(on_time), 0)::bigint
         FROM rollup_day_all
         WHERE area = (SELECT code FROM unit WHERE parent IS NULL LIMIT 1)
           AND day >= make_date($1 - 3, 1, 1) AND day < make_date($1, 1, 1)
         GROUP BY 1",
    )
    .bind(today.year())
    .bind(today.format("%m%d").to_string())
    .fetch_all(db)
    .await?;
    let mut out: [Vec<(i64, i64)>; 3] = Default::default();
    for r in rows {
        out[0].push((r.1, r.2));
        out[1].push((r.3, r.4));
        out[2].push((r.5, r.6));
    }
    Ok(out)
}

/// When the newest case that changed an area's day figures was written (depth [`DAY_DEPTH`] or
/// less).
pub async fn written_at<'e>(
    db: impl PgExecutor<'e>,
    area: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    Ok(
        sqlx::query_scalar("SELECT max(written_at) FROM rollup_day_all WHERE area = $1")
            .bind(area)
            .fetch_one(db)
            .await?,
    )
}

/// A subtree's counts over `period` straight from `cases` (any depth; the rollups' oracle in
/// tests, and the figures of units below the communes).
pub async fn raw<'e>(db: impl PgExecutor<'e>, path: &str, period: Period) -> Result<Counts, Error> {
    let r: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3),
                count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($4)),
                count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($5)),
                count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($6)),
                count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'),
                count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'
                                   AND violation),
                count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'
                                   AND concluded_on <= due_on),
                count(*) FILTER (WHERE discipline_decided_on BETWEEN $2 AND $3),
                coalesce(sum(amount_vnd) FILTER (WHERE concluded_on BETWEEN $2 AND $3
                                   AND status = 'concluded' AND violation), 0)::bigint
         FROM cases
         WHERE path <@ $1::ltree
           AND (opened_on BETWEEN $2 AND $3 OR concluded_on BETWEEN $2 AND $3
                OR discipline_decided_on BETWEEN $2 AND $3)",
    )
    .bind(path)
    .bind(period.from)
    .bind(period.to)
    .bind(CaseKind::of_family(KindFamily::Inspection))
    .bind(CaseKind::of_family(KindFamily::Supervision))
    .bind(CaseKind::of_family(KindFamily::Settlement))
    .fetch_one(db)
    .await?;
    Ok(counts(&(
        String::new(),
        r.0,
        r.1,
        r.2,
        r.3,
        r.4,
        r.5,
        r.6,
        r.7,
        r.8,
    )))
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d - chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_the_labels() {
        assert_eq!(depth("VN"), 1);
        assert_eq!(depth("VN.01"), 2);
        assert_eq!(depth("VN.01.00004"), 3);
    }

    /// The trigger's SQL (migration 0006) names each family's kinds itself: they must be the
    /// domain's.
    #[test]
    fn the_migrations_kind_families_are_the_domains() {
        let sql = include_str!("../migrations/0006_rollups.sql");
        for (family, column) in [
            (KindFamily::Inspection, "AS inspections"),
            (KindFamily::Supervision, "AS supervisions"),
            (KindFamily::Settlement, "AS settlements"),
        ] {
            let end = sql.find(column).expect("the column");
            let start = sql[..end].rfind("CASE WHEN kind IN (").expect("its CASE");
            let listed: Vec<&str> = sql[start..end].split('\'').skip(1).step_by(2).collect();
            assert_eq!(listed, CaseKind::of_family(family), "{column}");
        }
    }

    #[test]
    fn previous_month_crosses_the_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(previous_month(d(2026, 1, 1)), d(2025, 12, 1));
        assert_eq!(previous_month(d(2026, 3, 1)), d(2026, 2, 1));
        assert_eq!(first_of_month(d(2026, 11, 25)), d(2026, 11, 1));
    }
}
