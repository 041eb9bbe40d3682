//! The rules' findings as alert drafts, measured in the database ([`domain::rules`] decides).

use super::Draft;
use crate::rollup;
use chrono::{Datelike, NaiveDate};
use domain::Severity;
use domain::rules::{self, Finding, StepState, kind};
use domain::targets::{Attainment, calendar_share, seasonal_share};
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;

/// Every family's drafts: `(key prefix, drafts)`.
pub async fn all(
    pool: &PgPool,
    today: NaiveDate,
) -> anyhow::Result<Vec<(&'static str, Vec<Draft>)>> {
    Ok(vec![
        ("target:", targets(pool, today).await?),
        ("overdue:", overdue(pool, today).await?),
        ("step:", steps(pool, today).await?),
    ])
}

const MEASURES: [&str; 3] = ["inspections", "supervisions", "settled_on_time"];

fn achieved(c: &rollup::Counts, measure: &str) -> i64 {
    match measure {
        "inspections" => c.figures.inspections,
        "supervisions" => c.figures.supervisions,
        _ => c.on_time,
    }
}

fn draft(f: Finding, unit: &str, path: &str, province: Option<&String>) -> Draft {
    Draft {
        kind: f.kind,
        severity: f.severity,
        unit: unit.to_string(),
        path: path.to_string(),
        province: province.cloned(),
        measure: String::new(),
        sector: None,
        expected: Some(f.expected),
        observed: Some(f.observed),
        explanation: String::new(),
        link: None,
        key: String::new(),
        detail: None,
    }
}

/// This year's targets: provinces', committees' and the centre's one by one, communes' counted
/// by province.
async fn targets(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Vec<Draft>> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        i32,
    );
    let year = today.year();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.unit, u.name, u.path::text, u.province, u.parent, t.measure, t.sector, t.planned
         FROM target t JOIN unit u ON u.code = t.unit
         WHERE t.year = $1 AND nlevel(u.path) <= $2",
    )
    .bind(year as i16)
    .bind(rollup::MONTH_DEPTH as i32)
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut areas: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    areas.sort();
    areas.dedup();
    let got = rollup::by_year(pool, &areas, year).await?;
    let share = calendar_share(today);
    let season = rollup::season(pool, today).await?;
    let season = season.map(|years| seasonal_share(&years).unwrap_or(share));
    let season_of = |m: &str| season[MEASURES.iter().position(|x| *x == m).unwrap_or(2)];
    let attain = |r: &Row| {
        let c = got
            .get(&(r.0.clone(), r.6.clone().unwrap_or_default()))
            .copied()
            .unwrap_or_default();
        Attainment::of(i64::from(r.7), achieved(&c, &r.5), share, season_of(&r.5))
    };
    let province_paths: HashMap<String, (String, String)> =
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT code, path::text, name FROM unit WHERE level = 'province'",
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(c, p, n)| (c, (p, n)))
        .collect();

    let mut out = Vec::new();
    // (province, measure) -> (at risk, of)
    let mut communes: HashMap<(String, String), (i64, i64)> = HashMap::new();
    for r in &rows {
        let a = attain(r);
        let depth = rollup::depth(&r.2);
        if depth == rollup::MONTH_DEPTH {
            if let Some(parent) = &r.4 {
                let e = communes.entry((parent.clone(), r.5.clone())).or_default();
                e.1 += 1;
                if rules::commune_at_risk(&a) {
                    e.0 += 1;
                }
            }
            continue;
        }
        let Some(f) = rules::target(&a) else { continue };
        let sector = r.6.clone();
        let mut d = draft(f, &r.0, &r.2, r.3.as_ref());
        d.measure = r.5.clone();
        d.key = format!(
            "target:{year}:{}:{}:{}",
            r.0,
            r.5,
            sector.as_deref().unwrap_or("all")
        );
        d.explanation = match f.kind {
            kind::TARGET_AT_RISK => format!(
                "{}: {} of {year} heads for {:.0} of the {} planned ({} so far)",
                r.1, r.5, a.projected, a.planned, a.achieved
            ),
            _ => format!(
                "{}: {} so far {} of the {:.0} due pro rata ({} planned for {year})",
                r.1, r.5, a.achieved, a.expected, a.planned
            ),
        } + &sector
            .as_deref()
            .map(|s| format!(", sector {s}"))
            .unwrap_or_default();
        d.sector = sector;
        d.link = Some(format!("/overview/{}", r.0));
        d.detail = Some(json!({"planned": a.planned, "achieved": a.achieved,
                               "expected": a.expected, "projected": a.projected, "year": year}));
        out.push(d);
    }
    let mut keys: Vec<_> = communes.into_iter().collect();
    keys.sort();
    for ((province, measure), (at_risk, of)) in keys {
        let Some(f) = rules::communes(at_risk, of) else {
            continue;
        };
        let Some((path, name)) = province_paths.get(&province) else {
            continue;
        };
        let mut d = draft(f, &province, path, Some(&province));
        d.measure = measure.clone();
        d.key = format!("target:{year}:communes:{province}:{measure}");
        d.explanation = format!(
            "{name}: {at_risk} of {of} communes head for under {:.0}% of their {measure} target",
            rules::AT_RISK_CRITICAL * 100.0
        );
        d.link = Some(format!("/overview/{province}"));
        d.detail = Some(json!({"communes": of, "at_risk": at_risk, "year": year}));
        out.push(d);
    }
    Ok(out)
}

/// Cases and directives' tasks past their deadline, counted by the unit responsible.
async fn overdue(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Vec<Draft>> {
    type Row = (String, String, String, Option<String>, i64, NaiveDate);
    let cases: Vec<Row> = sqlx::query_as(
        "SELECT u.code, u.name, u.path::text, u.province, count(*), min(c.due_on)
         FROM cases c JOIN unit u ON u.code = c.conducting_unit
         WHERE c.status IN ('planned', 'in_progress') AND c.due_on < $1
         GROUP BY u.code ORDER BY u.code",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    let tasks: Vec<Row> = sqlx::query_as(
        "SELECT u.code, u.name, u.path::text, u.province, count(*), min(t.due_on)
         FROM task t JOIN unit u ON u.code = t.unit
         WHERE t.status <> 'done' AND t.due_on < $1
         GROUP BY u.code ORDER BY u.code",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for (which, rows) in [(kind::CASES_OVERDUE, cases), (kind::TASKS_OVERDUE, tasks)] {
        for (code, name, path, province, count, oldest) in rows {
            let late = (today - oldest).num_days();
            let Some(f) = rules::overdue(which, count, late) else {
                continue;
            };
            let mut d = draft(f, &code, &path, province.as_ref());
            d.measure = which.to_string();
            d.key = format!("overdue:{which}:{code}");
            let what = if which == kind::CASES_OVERDUE {
                "cases"
            } else {
                "directives' tasks"
            };
            d.explanation = format!(
                "{name}: {count} {what} past their deadline, the oldest {late} days late (due {oldest})"
            );
            d.link = Some(if which == kind::CASES_OVERDUE {
                format!("/analysis?unit={code}&status=in_progress")
            } else {
                format!("/workload/{code}")
            });
            d.detail = Some(json!({"count": count, "oldest_due": oldest, "oldest_days": late}));
            out.push(d);
        }
    }
    Ok(out)
}

/// Open steps of standard procedures past their deadline: a reminder to the unit doing the case,
/// and an escalation to the level above it once late by more than the step allows.
async fn steps(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Vec<Draft>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        case_id: i64,
        source: String,
        external_id: String,
        ord: i16,
        due_on: NaiveDate,
        step: String,
        step_name: String,
        role: String,
        escalate_after: i32,
        days: i32,
        procedure: String,
        unit: String,
        unit_name: String,
        path: String,
        province: Option<String>,
        parent: Option<String>,
        parent_path: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id AS case_id, c.source, c.external_id, s.ord, s.due_on, ps.code AS step,
                ps.name AS step_name, ps.role, ps.escalate_after, ps.days, p.code AS procedure,
                cu.code AS unit, cu.name AS unit_name, cu.path::text AS path, cu.province,
                pu.code AS parent, pu.path::text AS parent_path
         FROM case_step s
         JOIN cases c ON c.id = s.case_id
         JOIN procedure p ON p.code = c.procedure
         JOIN procedure_step ps ON ps.procedure = p.code AND ps.ord = s.ord
         JOIN unit cu ON cu.code = c.conducting_unit
         LEFT JOIN unit pu ON pu.code = cu.parent
         WHERE s.done_on IS NULL AND s.due_on < $1 AND c.status <> 'cancelled'
         ORDER BY c.id, s.ord",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let (case, source, external, ord, due, step, step_name, role, after, days, procedure) = (
            r.case_id,
            &r.source,
            &r.external_id,
            r.ord,
            r.due_on,
            &r.step,
            &r.step_name,
            &r.role,
            i64::from(r.escalate_after),
            r.days,
            &r.procedure,
        );
        let (unit, path, province) = (&r.unit, &r.path, r.province.as_ref());
        let state = rules::step_state(due, today, after);
        let Some(severity) = rules::step_severity(state, after) else {
            continue;
        };
        let late = match state {
            StepState::Late(d) | StepState::Escalated(d) => d,
            StepState::OnTime => 0,
        };
        let detail = json!({"case": case, "source": source, "external_id": external,
            "procedure": procedure, "step": step, "step_name": step_name, "ord": ord,
            "role": role, "due_on": due, "days": days, "escalate_after": after,
            "days_late": late, "unit": unit, "unit_name": r.unit_name});
        let finding = Finding {
            kind: kind::STEP_LATE,
            severity: Severity::Info,
            expected: 0.0,
            observed: late as f64,
        };
        let mut d = draft(finding, unit, path, province);
        d.measure = "days_late".into();
        d.key = format!("step:late:{case}:{ord}");
        d.explanation = format!(
            "Case {source}/{external}: step '{step}' of {procedure} is {late} days past its deadline ({due}); role {role}"
        );
        let link = Some(format!("/procedures#{procedure}"));
        d.link = link.clone();
        d.detail = Some(detail.clone());
        out.push(d);
        if let StepState::Escalated(_) = state {
            // To the level above; the centre's own cases stay with the centre.
            let (up, up_path) = match (&r.parent, &r.parent_path) {
                (Some(c), Some(p)) => (c, p),
                _ => (unit, path),
            };
            let finding = Finding {
                kind: kind::STEP_ESCALATED,
                severity,
                expected: after as f64,
                observed: late as f64,
            };
            let mut e = draft(finding, up, up_path, province);
            e.measure = "days_late".into();
            e.key = format!("step:escalated:{case}:{ord}");
            e.explanation = format!(
                "Escalated from {unit}: case {source}/{external}, step '{step}' of {procedure} is {late} days late (escalates after {after})"
            );
            e.link = link;
            e.detail = Some(detail);
            out.push(e);
        }
    }
    Ok(out)
}
