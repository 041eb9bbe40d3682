//! Reports: one unit's report for a month, quarter or year, assembled from PostgreSQL
//! ([`assemble`]), and its files ([`pdf`], [`xlsx`], [`csv`]), kept in `report_file` and made on a
//! schedule ([`schedule`]). The report's types, words and tables are `domain::report`'s.
//!
//! Every count comes from the cases of the unit's subtree (`path <@ unit.path`), so that it equals
//! `GET /summary` for the same days; states (tasks, open alerts) and forecasts are taken on the
//! report's `as_of` day, the period's last day or today if that is earlier.

pub mod csv;
pub mod pdf;
pub mod schedule;
pub mod xlsx;

use crate::forecast;
use crate::http::Error;
use crate::scope::ScopedUnit;
use chrono::NaiveDate;
use domain::directives::{TaskCounts, TaskState};
use domain::format::Lang;
use domain::report::{
    AlertCount, AlertSection, ChildRow, Compared, DirectiveRow, FileFormat, Headline, KindRow,
    Labels, MonthRow, OpenAlert, Report, ReportPeriod, SectorRow, TargetRow,
};
use domain::{CaseKind, KindFamily, Sector, Severity};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// The most open alerts a report lists.
pub const TOP_OPEN_ALERTS: i64 = 10;

/// The labels of the contract's vocabularies, the app's (one place for them).
pub fn labels() -> Labels {
    Labels {
        kind: app::labels::kind,
        sector: app::labels::sector,
        alert_kind: app::labels::alert_kind,
    }
}

/// The file of `report` in `format` and `lang`.
pub fn render(report: &Report, format: FileFormat, lang: Lang) -> Result<Vec<u8>, Error> {
    match format {
        FileFormat::Pdf => pdf::render(report, lang),
        FileFormat::Xlsx => xlsx::render(report, lang),
        FileFormat::Csv => Ok(csv::render(report, lang)),
    }
}

/// Per child (None: the unit itself) the figures of a period: cases, inspections, supervisions,
/// settlements, concluded, violations, on time, disciplines, of organizations, of members, amount.
type FigRow = (
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// `$1` path, `$2..=$3` the days, `$4..$6` the kinds of the inspection, supervision and
/// settlement families. The same definitions as `GET /summary` (http/summary.rs) and the rollups.
const FIGURES_SQL: &str = "
SELECT CASE WHEN nlevel(path) > nlevel($1::ltree)
            THEN subpath(path, 0, nlevel($1::ltree) + 1)::text END AS child,
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($4)),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($5)),
       count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3 AND kind = ANY($6)),
       count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'),
       count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded' AND violation),
       count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'
                          AND concluded_on <= due_on),
       count(*) FILTER (WHERE discipline_decided_on BETWEEN $2 AND $3),
       count(*) FILTER (WHERE discipline_decided_on BETWEEN $2 AND $3
                          AND subject_type = 'organization'),
       count(*) FILTER (WHERE discipline_decided_on BETWEEN $2 AND $3 AND subject_type = 'member'),
       coalesce(sum(amount_vnd) FILTER (WHERE concluded_on BETWEEN $2 AND $3
                                          AND status = 'concluded' AND violation), 0)::bigint
FROM cases
WHERE path <@ $1::ltree
  AND (opened_on BETWEEN $2 AND $3 OR concluded_on BETWEEN $2 AND $3
       OR discipline_decided_on BETWEEN $2 AND $3)
GROUP BY 1";

/// The figures of one period: the unit's total and each child's.
#[derive(Default)]
struct PeriodFigures {
    total: [i64; 11],
    by_child: HashMap<String, [i64; 11]>,
}

async fn figures(
    db: &mut PgConnection,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PeriodFigures, Error> {
    let fam = CaseKind::of_family;
    let rows: Vec<FigRow> = sqlx::query_as(FIGURES_SQL)
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(fam(KindFamily::Inspection))
        .bind(fam(KindFamily::Supervision))
        .bind(fam(KindFamily::Settlement))
        .fetch_all(&mut *db)
        .await?;
    let mut out = PeriodFigures::default();
    for r in rows {
        let v = [r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11];
        for (t, x) in out.total.iter_mut().zip(v) {
            *t += x;
        }
        if let Some(child) = r.0 {
            let e = out.by_child.entry(child).or_insert([0; 11]);
            for (t, x) in e.iter_mut().zip(v) {
                *t += x;
            }
        }
    }
    Ok(out)
}

fn headline(now: &[i64; 11], before: &[i64; 11]) -> Headline {
    let c = |i: usize| Compared {
        current: now[i],
        previous: before[i],
    };
    Headline {
        cases: c(0),
        inspections: c(1),
        supervisions: c(2),
        settlements: c(3),
        concluded: c(4),
        violations: c(5),
        settled_on_time: c(6),
        disciplines: c(7),
        disciplines_organizations: c(8),
        disciplines_members: c(9),
        amount_vnd: c(10),
    }
}

/// The report of `unit` (already checked against the caller's scope: a [`ScopedUnit`] comes only
/// from `Scope::unit_within`, or from a schedule made within its creator's scope) for `period`.
pub async fn assemble(
    db: &mut PgConnection,
    unit: &ScopedUnit,
    period: ReportPeriod,
) -> Result<Report, Error> {
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(&mut *db)
        .await?;
    let (from, to) = (period.first_day(), period.last_day());
    let prev = period.a_year_before();
    let (pfrom, pto) = (prev.first_day(), prev.last_day());
    let as_of = to.min(today);

    let now = figures(&mut *db, &unit.path, from, to).await?;
    let before = figures(&mut *db, &unit.path, pfrom, pto).await?;
    let children: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, path::text FROM unit WHERE parent = $1 ORDER BY code")
            .bind(&unit.code)
            .fetch_all(&mut *db)
            .await?;
    let by_child = children
        .into_iter()
        .map(|(code, name, path)| {
            let n = now.by_child.get(&path).copied().unwrap_or([0; 11]);
            let b = before.by_child.get(&path).copied().unwrap_or([0; 11]);
            ChildRow {
                code,
                name,
                cases: Compared {
                    current: n[0],
                    previous: b[0],
                },
                inspections: n[1],
                supervisions: n[2],
                violations: n[5],
                disciplines: n[7],
            }
        })
        .collect();

    let kinds: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3),
                count(*) FILTER (WHERE opened_on BETWEEN $4 AND $5)
         FROM cases WHERE path <@ $1::ltree
           AND (opened_on BETWEEN $2 AND $3 OR opened_on BETWEEN $4 AND $5)
         GROUP BY kind",
    )
    .bind(&unit.path)
    .bind(from)
    .bind(to)
    .bind(pfrom)
    .bind(pto)
    .fetch_all(&mut *db)
    .await?;
    let by_kind = CaseKind::ALL
        .iter()
        .map(|k| {
            let (current, previous) = kinds
                .iter()
                .find(|r| r.0 == k.as_str())
                .map_or((0, 0), |r| (r.1, r.2));
            KindRow {
                kind: *k,
                opened: Compared { current, previous },
            }
        })
        .collect();

    let sectors: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT sector, count(*) FILTER (WHERE opened_on BETWEEN $2 AND $3),
                count(*) FILTER (WHERE opened_on BETWEEN $4 AND $5),
                count(*) FILTER (WHERE concluded_on BETWEEN $2 AND $3 AND status = 'concluded'
                                   AND violation)
         FROM cases WHERE path <@ $1::ltree
           AND (opened_on BETWEEN $2 AND $3 OR opened_on BETWEEN $4 AND $5
                OR concluded_on BETWEEN $2 AND $3)
         GROUP BY sector",
    )
    .bind(&unit.path)
    .bind(from)
    .bind(to)
    .bind(pfrom)
    .bind(pto)
    .fetch_all(&mut *db)
    .await?;
    let by_sector = Sector::ALL
        .iter()
        .map(|s| {
            let (current, previous, violations) = sectors
                .iter()
                .find(|r| r.0 == s.as_str())
                .map_or((0, 0, 0), |r| (r.1, r.2, r.3));
            SectorRow {
                sector: *s,
                opened: Compared { current, previous },
                violations,
            }
        })
        .collect();

    let months: Vec<(NaiveDate, i64, i64, i64, i64, i64)> = sqlx::query_as(MONTHS_SQL)
        .bind(&unit.path)
        .bind(from)
        .bind(to)
        .bind(pfrom)
        .bind(pto)
        .fetch_all(&mut *db)
        .await?;
    let by_month = period
        .months()
        .into_iter()
        .map(|m| {
            let r = months.iter().find(|r| r.0 == m);
            MonthRow {
                month: m,
                opened: r.map_or(0, |r| r.1),
                opened_last_year: r.map_or(0, |r| r.2),
                concluded: r.map_or(0, |r| r.3),
                violations: r.map_or(0, |r| r.4),
                disciplines: r.map_or(0, |r| r.5),
            }
        })
        .collect();

    let directives = directives(&mut *db, &unit.path, as_of, today).await?;
    let alerts = alerts(&mut *db, &unit.path, from, to).await?;
    let targets = forecast::for_unit(&mut *db, &unit.code, as_of)
        .await?
        .into_iter()
        .map(|f| TargetRow {
            measure: f.measure,
            sector: f.sector,
            planned: f.planned,
            achieved: f.forecast.as_ref().map(|x| x.achieved),
            point: f.forecast.as_ref().map(|x| x.point),
            low: f.forecast.as_ref().and_then(|x| x.low),
            high: f.forecast.as_ref().and_then(|x| x.high),
            chance: f.forecast.as_ref().and_then(|x| x.chance_of_meeting),
        })
        .collect();

    Ok(Report {
        unit: unit.code.clone(),
        unit_name: unit.name.clone(),
        level: unit.level.as_str().to_string(),
        period,
        from,
        to,
        previous_from: pfrom,
        previous_to: pto,
        as_of,
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        headline: headline(&now.total, &before.total),
        by_kind,
        by_sector,
        by_child,
        by_month,
        directives,
        alerts,
        targets,
    })
}

/// Per month of `$2..=$3`: opened, opened in the same month a year before (`$4..=$5`, moved a
/// year on), concluded, concluded with a violation, disciplines decided.
const MONTHS_SQL: &str = "
SELECT m, sum(o)::bigint, sum(ol)::bigint, sum(c)::bigint, sum(v)::bigint, sum(d)::bigint FROM (
    SELECT date_trunc('month', opened_on)::date AS m, 1 AS o, 0 AS ol, 0 AS c, 0 AS v, 0 AS d
    FROM cases WHERE path <@ $1::ltree AND opened_on BETWEEN $2 AND $3
    UNION ALL
    SELECT (date_trunc('month', opened_on) + interval '1 year')::date, 0, 1, 0, 0, 0
    FROM cases WHERE path <@ $1::ltree AND opened_on BETWEEN $4 AND $5
    UNION ALL
    SELECT date_trunc('month', concluded_on)::date, 0, 0, 1, CASE WHEN violation THEN 1 ELSE 0 END, 0
    FROM cases WHERE path <@ $1::ltree AND status = 'concluded' AND concluded_on BETWEEN $2 AND $3
    UNION ALL
    SELECT date_trunc('month', discipline_decided_on)::date, 0, 0, 0, 0, 1
    FROM cases WHERE path <@ $1::ltree AND discipline_decided_on BETWEEN $2 AND $3
) e GROUP BY m";

/// Each directive's tasks within `path` assigned by `as_of`, by their state on `as_of` (the rule
/// of `domain::directives`): done by then; else its progress then — the latest report on or
/// before `as_of`, or today's progress when `as_of` is today.
async fn directives(
    db: &mut PgConnection,
    path: &str,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<DirectiveRow>, Error> {
    type Row = (
        String,
        String,
        String,
        NaiveDate,
        NaiveDate,
        i16,
        Option<NaiveDate>,
        Option<i16>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.directive, d.number, d.title, t.assigned_on, t.due_on, t.progress, t.done_on,
                (SELECT r.progress FROM task_report r WHERE r.task = t.id AND r.reported_on <= $2
                 ORDER BY r.reported_on DESC, r.id DESC LIMIT 1)
         FROM task t JOIN directive d ON d.code = t.directive
         WHERE t.path <@ $1::ltree AND t.assigned_on <= $2
         ORDER BY d.issued_on, d.code",
    )
    .bind(path)
    .bind(as_of)
    .fetch_all(&mut *db)
    .await?;
    let mut out: Vec<DirectiveRow> = Vec::new();
    for (code, number, title, assigned, due, progress, done_on, reported) in rows {
        let done = done_on.is_some_and(|d| d <= as_of);
        let progress = if as_of >= today {
            progress
        } else {
            reported.unwrap_or(0)
        };
        let state = TaskState::of(assigned, due, progress.clamp(0, 100) as u8, done, as_of);
        match out.iter_mut().find(|d| d.code == code) {
            Some(d) => d.tasks.add(state),
            None => {
                let mut tasks = TaskCounts::default();
                tasks.add(state);
                out.push(DirectiveRow {
                    code,
                    number,
                    title,
                    tasks,
                });
            }
        }
    }
    Ok(out)
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// The alerts within `path`: raised in `from..=to` by kind and severity, and those open at the end
/// of `to`: raised by then and not resolved then (the latest resolve or reopen before the end
/// decides; an alert resolved with no such event counts as resolved from its last update).
async fn alerts(
    db: &mut PgConnection,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<AlertSection, Error> {
    let raised: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, severity, count(*) FROM alert
         WHERE path <@ $1::ltree AND created_at >= $2::date AND created_at < $3::date + 1
         GROUP BY 1, 2",
    )
    .bind(path)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *db)
    .await?;
    let mut raised: Vec<AlertCount> = raised
        .into_iter()
        .map(|(kind, severity, raised)| AlertCount {
            kind,
            severity: severity.parse().unwrap_or(Severity::Info),
            raised,
        })
        .collect();
    raised.sort_by(|a, b| {
        (severity_rank(a.severity), -a.raised, &a.kind).cmp(&(
            severity_rank(b.severity),
            -b.raised,
            &b.kind,
        ))
    });
    type Open = (i64, String, String, String, String, NaiveDate, String, i64);
    let open: Vec<Open> = sqlx::query_as(
        "WITH a AS (
             SELECT a.id, a.kind, a.severity, a.unit, u.name, a.created_at, a.explanation,
                    a.state, a.updated_at,
                    (SELECT e.action FROM alert_event e
                     WHERE e.alert = a.id AND e.at < $2::date + 1
                       AND e.action IN ('resolve', 'resolved', 'reopen', 'reopened')
                     ORDER BY e.at DESC, e.id DESC LIMIT 1) AS last
             FROM alert a JOIN unit u ON u.code = a.unit
             WHERE a.path <@ $1::ltree AND a.created_at < $2::date + 1
         ), o AS (
             SELECT * FROM a
             WHERE CASE WHEN last IS NULL
                        THEN NOT (state = 'resolved' AND updated_at < $2::date + 1)
                        ELSE last NOT IN ('resolve', 'resolved') END
         )
         SELECT id, kind, severity, unit, name, created_at::date, explanation,
                count(*) OVER ()
         FROM o
         ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                  created_at, id
         LIMIT $3",
    )
    .bind(path)
    .bind(to)
    .bind(TOP_OPEN_ALERTS)
    .fetch_all(&mut *db)
    .await?;
    let open_at_end = open.first().map_or(0, |r| r.7);
    Ok(AlertSection {
        raised,
        open_at_end,
        top_open: open
            .into_iter()
            .map(
                |(id, kind, severity, unit, unit_name, raised_on, explanation, _)| OpenAlert {
                    id,
                    kind,
                    severity: severity.parse().unwrap_or(Severity::Info),
                    unit,
                    unit_name,
                    raised_on,
                    explanation,
                },
            )
            .collect(),
    })
}

/// The three files of `report` in `lang`, drawn off the async threads (the PDF takes a moment).
pub async fn render_all(report: Report, lang: Lang) -> Result<[Vec<u8>; 3], Error> {
    tokio::task::spawn_blocking(move || {
        Ok([
            render(&report, FileFormat::Pdf, lang)?,
            render(&report, FileFormat::Xlsx, lang)?,
            render(&report, FileFormat::Csv, lang)?,
        ])
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("drawing a report: {e}")))?
}

/// The columns of a kept report's metadata, for [`KeptRow`].
pub const KEPT_COLUMNS: &str = "r.id, r.unit, u.name, r.period, r.lang, r.schedule, r.created_by,
     r.created_at, length(r.pdf)::bigint, length(r.xlsx)::bigint, length(r.csv)::bigint";

/// A kept report's metadata as [`KEPT_COLUMNS`] reads it.
pub type KeptRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    chrono::DateTime<chrono::Utc>,
    i64,
    i64,
    i64,
);

/// The metadata of a row read with [`KEPT_COLUMNS`] (a period the table's CHECK let in parses).
pub fn kept(r: KeptRow) -> Option<domain::report::KeptReport> {
    Some(domain::report::KeptReport {
        id: r.0,
        unit: r.1,
        unit_name: r.2,
        period: r.3.parse().ok()?,
        lang: r.4,
        schedule: r.5,
        created_by: r.6,
        created_at: r.7.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        pdf_bytes: r.8,
        xlsx_bytes: r.9,
        csv_bytes: r.10,
    })
}

/// Makes and keeps `unit`'s report for `period` in `lang` (PDF, XLSX and CSV), by `actor`, for a
/// schedule or not; audited. A schedule keeps one report a period: a second run for the same
/// period keeps nothing and answers `None`.
pub async fn keep(
    pool: &PgPool,
    unit: &ScopedUnit,
    period: ReportPeriod,
    lang: Lang,
    schedule: Option<i64>,
    actor: &str,
) -> Result<Option<domain::report::KeptReport>, Error> {
    // Read through both walls, limited to the unit (within its creator's scope); written as the
    // tables' owner.
    let mut read = unit.read(pool).await?;
    let report = assemble(&mut read, unit, period).await?;
    crate::db::scoped::finish(read).await?;
    let [pdf, xlsx, csv] = render_all(report, lang).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO report_file (unit, path, period, lang, schedule, created_by, pdf, xlsx, csv)
         VALUES ($1, $2::ltree, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (schedule, period) DO NOTHING
         RETURNING id",
    )
    .bind(&unit.code)
    .bind(&unit.path)
    .bind(period.to_string())
    .bind(lang.tag())
    .bind(schedule)
    .bind(actor)
    .bind(&pdf)
    .bind(&xlsx)
    .bind(&csv)
    .fetch_optional(pool)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    crate::audit::append(
        pool,
        actor,
        "report_generate",
        &format!("report:{id}"),
        serde_json::json!({"unit": unit.code, "period": period.to_string(),
                           "lang": lang.tag(), "schedule": schedule}),
    )
    .await?;
    let row: Option<KeptRow> = sqlx::query_as(&format!(
        "SELECT {KEPT_COLUMNS} FROM report_file r JOIN unit u ON u.code = r.unit WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(kept))
}
