//! The anomaly detector run over the rollups: every province (against the other provinces) and
//! every commune (against its province's other communes), for cases opened, the violation
//! rate, disciplines and money, all sectors and (provinces) each sector, in the last
//! [`WATCHED_MONTHS`] complete months. The settings are the evaluated ones
//! (docs/benchmarks/anomalies.md): a budget of false alarms per tier of series.

use super::Draft;
use chrono::{Datelike, Months, NaiveDate};
use domain::Severity;
use domain::anomaly::{Group, Settings, Watched};
use serde_json::json;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};

pub const FAMILY: &str = "anomaly:";
/// The months checked: the last complete ones (an older anomaly drops out of the alerts).
pub const WATCHED_MONTHS: usize = 3;
/// The history read before them (the baselines reach back up to 36 months).
const HISTORY: usize = 40;
/// The months drawn with the band in an alert's view.
const SHOWN: usize = 24;
/// False alarms a month allowed per tier of series.
const BUDGET: f64 = 0.01;
/// More than this many standard deviations out: critical.
const CRITICAL_SCORE: f64 = 7.0;

#[derive(Default)]
struct Rows {
    cases: Vec<f64>,
    violations: Vec<f64>,
    concluded: Vec<f64>,
    disciplines: Vec<f64>,
    amount: Vec<f64>,
}

struct Unit {
    code: String,
    name: String,
    path: String,
    province: Option<String>,
    parent: String,
}

/// The detector's findings as alert drafts.
pub async fn find(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Vec<Draft>> {
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month - Months::new(HISTORY as u32);
    let months: Vec<NaiveDate> = (0..HISTORY as u32)
        .map(|i| first + Months::new(i))
        .collect();
    let index: HashMap<NaiveDate, usize> =
        months.iter().enumerate().map(|(i, m)| (*m, i)).collect();

    let units: Vec<(String, String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT code, name, path::text, province, parent, level FROM unit
         WHERE level IN ('province', 'commune') ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    let unit_index: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.0.as_str(), i))
        .collect();
    type Row = (String, String, NaiveDate, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.area, r.sector, r.month, sum(r.cases)::bigint, sum(r.violations)::bigint,
                sum(r.concluded)::bigint, sum(r.disciplines)::bigint, sum(r.amount_vnd)::bigint
         FROM rollup_month_all r JOIN unit u ON u.code = r.area
         WHERE u.level IN ('province', 'commune') AND r.month >= $1 AND r.month < $2
         GROUP BY 1, 2, 3",
    )
    .bind(first)
    .bind(this_month)
    .fetch_all(pool)
    .await?;
    // (unit, sector) -> series
    let mut series: HashMap<(usize, String), Rows> = HashMap::new();
    for (area, sector, month, cases, violations, concluded, disciplines, amount) in rows {
        let (Some(&u), Some(&m)) = (unit_index.get(area.as_str()), index.get(&month)) else {
            continue;
        };
        let s = series.entry((u, sector)).or_insert_with(|| Rows {
            cases: vec![0.0; HISTORY],
            violations: vec![0.0; HISTORY],
            concluded: vec![0.0; HISTORY],
            disciplines: vec![0.0; HISTORY],
            amount: vec![0.0; HISTORY],
        });
        s.cases[m] += cases as f64;
        s.violations[m] += violations as f64;
        s.concluded[m] += concluded as f64;
        s.disciplines[m] += disciplines as f64;
        s.amount[m] += amount as f64;
    }
    let units: Vec<Unit> = units
        .into_iter()
        .map(|(code, name, path, province, parent, _)| Unit {
            code,
            name,
            path,
            province,
            parent,
        })
        .collect();
    let is_province = |u: &Unit| u.path.split('.').count() == 2;
    let provinces = units.iter().filter(|u| is_province(u)).count();
    let communes = units.len() - provinces;

    // Peer groups: the provinces; each province's communes. (members, sector, tier size)
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for ((u, sector), _) in series.iter() {
        let unit = &units[*u];
        let key = if is_province(unit) {
            "VN".to_string()
        } else {
            unit.parent.clone()
        };
        if !is_province(unit) && !sector.is_empty() {
            continue;
        }
        groups.entry((key, sector.clone())).or_default().push(*u);
    }
    let empty = Rows::default();
    let mut out = Vec::new();
    for ((_, sector), mut members) in groups {
        members.sort();
        let provinces_group = is_province(&units[members[0]]);
        let tier = if provinces_group {
            provinces
                * if sector.is_empty() {
                    1
                } else {
                    domain::Sector::ALL.len()
                }
        } else {
            communes
        };
        let settings = Settings::for_tier(BUDGET, tier);
        let of = |u: usize| series.get(&(u, sector.clone())).unwrap_or(&empty);
        for watched in Watched::ALL {
            let values: Vec<&[f64]> = members
                .iter()
                .map(|&u| {
                    let r = of(u);
                    match watched {
                        Watched::CasesOpened => r.cases.as_slice(),
                        Watched::ViolationRate => r.violations.as_slice(),
                        Watched::Disciplines => r.disciplines.as_slice(),
                        Watched::AmountVnd => r.amount.as_slice(),
                    }
                })
                .collect();
            let totals: Vec<&[f64]> = if watched == Watched::ViolationRate {
                members
                    .iter()
                    .map(|&u| of(u).concluded.as_slice())
                    .collect()
            } else {
                Vec::new()
            };
            let group = Group::new(watched, values.clone(), totals, &settings);
            for (i, &u) in members.iter().enumerate() {
                if values[i].iter().all(|v| *v == 0.0) {
                    continue;
                }
                for m in HISTORY - WATCHED_MONTHS..HISTORY {
                    let c = group.check(i, m, &settings);
                    let Some(direction) = c.verdict.anomaly() else {
                        continue;
                    };
                    let unit = &units[u];
                    let shown: Vec<_> = (HISTORY - SHOWN..HISTORY)
                        .map(|k| {
                            let b = group.check(i, k, &settings);
                            let num = |x: f64| if x.is_finite() { json!(x) } else { json!(null) };
                            json!({"month": months[k], "observed": num(b.observed),
                                   "expected": num(b.expected), "low": num(b.low),
                                   "high": num(b.high), "flagged": b.verdict.anomaly().is_some()})
                        })
                        .collect();
                    let month = months[m];
                    let label = if sector.is_empty() {
                        "all"
                    } else {
                        sector.as_str()
                    };
                    let rise = matches!(direction, domain::anomaly::Direction::Rise);
                    out.push(Draft {
                        kind: domain::rules::kind::ANOMALY,
                        severity: if c.score.abs() > CRITICAL_SCORE {
                            Severity::Critical
                        } else {
                            Severity::Warning
                        },
                        unit: unit.code.clone(),
                        path: unit.path.clone(),
                        province: unit.province.clone(),
                        measure: watched.as_str().to_string(),
                        sector: (!sector.is_empty()).then(|| sector.clone()),
                        expected: Some(c.expected),
                        observed: Some(c.observed),
                        explanation: format!(
                            "{}: {} in {} {} its expected band ({:.2} observed, {:.2} expected, band {:.2} to {:.2}){}",
                            unit.name,
                            watched.as_str(),
                            month.format("%Y-%m"),
                            if rise { "rose above" } else { "fell below" },
                            c.observed,
                            c.expected,
                            c.low,
                            c.high,
                            if sector.is_empty() { String::new() } else { format!(", sector {sector}") }
                        ),
                        link: Some(format!("/overview/{}", unit.code)),
                        key: format!("{FAMILY}{}:{}:{label}:{}", unit.code, watched.as_str(), month.format("%Y-%m")),
                        detail: Some(json!({"month": month, "direction": if rise { "rise" } else { "drop" },
                                            "score": c.score, "p_value": c.p_value,
                                            "low": c.low, "high": c.high, "series": shown})),
                    });
                }
            }
        }
    }
    Ok(out)
}
