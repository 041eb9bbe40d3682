//! Tests of the pure generator (no database).

use super::anomalies::{self, Measure};
use super::directives;
use super::encode::{self, CopyBuf};
use super::generate::{Case, CaseGenerator, Plan, Scope};
use super::{Size, SizeParams};
use chrono::{Datelike, NaiveDate};
use domain::{CaseKind, CaseStatus, SubjectType, TaskStatus, UnitLevel};
use std::collections::{BTreeMap, BTreeSet};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

struct Generated {
    plan: Plan,
    cases: Vec<Case>,
    anomalies: Vec<anomalies::PlantedAnomaly>,
    bytes: Vec<u8>,
}

/// Generates everything and encodes it as the loader would.
fn generate(size: Size, seed: u64) -> Generated {
    generate_on(size, seed, as_of())
}

fn generate_on(size: Size, seed: u64, as_of: NaiveDate) -> Generated {
    let plan = Plan::new(size, seed, as_of);
    let mut buf = CopyBuf::new();
    for u in &plan.h.units {
        encode::unit(&mut buf, &plan, u);
    }
    for s in 0..plan.streams() {
        for m in plan.members(s) {
            encode::member(&mut buf, &plan, &m);
        }
    }
    let mut generator = CaseGenerator::new(&plan);
    let mut cases = Vec::new();
    while let Some(stream) = generator.next_stream() {
        for c in &stream {
            encode::case(&mut buf, &plan, c);
            encode::case_steps(&mut buf, c);
        }
        cases.extend(stream);
    }
    let d = directives::generate(&plan);
    for t in &d.tasks {
        encode::task(&mut buf, &plan, &d.directives[t.directive].code, t);
    }
    for r in &d.reports {
        encode::task_report(&mut buf, r);
    }
    for t in plan.targets(&generator.stats) {
        encode::target(&mut buf, &plan, &t);
    }
    for a in &generator.anomalies {
        buf.text(&encode::anomaly_line(&plan, a));
        buf.end();
    }
    let anomalies = generator.anomalies;
    Generated {
        bytes: buf.bytes,
        cases,
        anomalies,
        plan,
    }
}

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let a = generate(Size::Tiny, 42);
    let b = generate(Size::Tiny, 42);
    assert_eq!(a.bytes.len(), b.bytes.len());
    assert!(
        a.bytes == b.bytes,
        "same seed must give byte-identical rows"
    );
    let c = generate(Size::Tiny, 43);
    assert!(a.bytes != c.bytes);
    assert_ne!(a.cases.len(), 0);
}

#[test]
fn tiny_counts_are_in_range() {
    let g = generate(Size::Tiny, 1);
    let n = g.cases.len();
    assert!((1_500..=3_000).contains(&n), "{n} cases");
    let members = g.plan.h.total_sampled();
    assert!((4_000..=6_500).contains(&members), "{members} member rows");
    assert_eq!(g.plan.h.provinces.len(), 34);
    assert_eq!(g.plan.h.communes.len(), 3321);
    assert!(
        (2..=6).contains(&g.anomalies.len()),
        "{} anomalies",
        g.anomalies.len()
    );
}

fn check_contract(g: &Generated) {
    let plan = &g.plan;
    let h = &plan.h;
    let mut external = BTreeSet::new();
    let mut last_id = 0;
    for c in &g.cases {
        assert_eq!(c.id, last_id + 1, "ids are sequential");
        last_id = c.id;
        assert!(
            external.insert((c.source, c.external_id.clone())),
            "duplicate {}",
            c.external_id
        );
        assert!(c.opened_on <= plan.as_of && c.opened_on >= plan.start);
        assert!(c.due_on >= c.opened_on);
        let span = (c.due_on - c.opened_on).num_days();
        assert!((30..=90).contains(&span), "due {span} days after opening");
        match c.status {
            CaseStatus::Concluded => {
                let done = c.concluded_on.expect("concluded cases have concluded_on");
                assert!(done >= c.opened_on && done <= plan.as_of);
                assert!(c.violation.is_some());
            }
            _ => {
                assert!(c.concluded_on.is_none());
                assert!(c.violation.is_none());
            }
        }
        if c.violation != Some(true) {
            assert_eq!(c.categories, 0);
            assert!(c.amount_vnd.is_none());
            assert!(c.discipline.is_none());
        } else {
            assert_ne!(c.categories, 0);
        }
        if let Some((form, decided)) = c.discipline {
            assert!(
                form.fits(c.subject_type),
                "{form:?} for {:?}",
                c.subject_type
            );
            assert!(decided > c.concluded_on.unwrap() && decided <= plan.as_of);
        }
        assert_eq!(c.theme.is_some(), c.kind == CaseKind::SupervisionThematic);
        if let Some(t) = c.theme {
            assert!(plan.themes[t as usize].text.chars().count() <= 200);
            assert_eq!(plan.themes[t as usize].year, c.opened_on.year());
        }
        assert!((8.0..=24.0).contains(&c.lat) && (102.0..=118.0).contains(&c.lon));
        assert!(c.subject_ref.as_ref().is_none_or(|r| r.len() <= 64));
        assert_eq!(
            c.subject_ref.is_some(),
            c.subject_type == SubjectType::Member
        );
        // The conducting unit is the subject's unit or one of its ancestors.
        let subject = &h.units[c.subject_unit as usize];
        let conducting = &h.units[c.conducting as usize];
        assert!(
            subject.path == conducting.path
                || subject.path.starts_with(&format!("{}.", conducting.path)),
            "{} conducts a case about {}",
            conducting.code,
            subject.code
        );
        assert!(matches!(
            conducting.level,
            UnitLevel::Central | UnitLevel::Committee | UnitLevel::Province | UnitLevel::Commune
        ));
        assert!(c.created_at <= c.updated_at);
        for (i, s) in c.steps.iter().enumerate() {
            assert_eq!(s.ord as usize, i + 1);
            assert!(s.started_on <= plan.as_of && s.due_on > s.started_on);
            if let Some(done) = s.done_on {
                assert!(done > s.started_on && done <= plan.as_of);
            } else {
                assert_eq!(i + 1, c.steps.len(), "only the last step may be open");
            }
        }
        if c.status != CaseStatus::Cancelled {
            assert!(!c.steps.is_empty());
        }
    }
}

#[test]
fn tiny_cases_follow_the_contract() {
    check_contract(&generate(Size::Tiny, 5));
}

#[test]
fn demo_counts_mix_and_contract() {
    let g = generate(Size::Demo, 20_260_101);
    let plan = &g.plan;
    let n = g.cases.len();
    assert!((40_000..=60_000).contains(&n), "{n} cases");
    let grassroots = plan
        .h
        .units
        .iter()
        .filter(|u| u.level == UnitLevel::Grassroots)
        .count();
    assert!(
        (48_000..=56_000).contains(&grassroots),
        "{grassroots} grassroots organizations"
    );
    let members = plan.h.total_members();
    assert!(
        (5_300_000..=5_900_000).contains(&members),
        "{members} members"
    );
    let sampled = plan.h.total_sampled();
    assert!(
        (90_000..=110_000).contains(&sampled),
        "{sampled} member rows"
    );
    assert!((10..=20).contains(&g.anomalies.len()));
    check_contract(&g);

    // Subjects: mostly communes and grassroots organizations.
    let mut by_level = BTreeMap::new();
    for c in &g.cases {
        *by_level
            .entry(plan.h.units[c.subject_unit as usize].level.as_str())
            .or_insert(0usize) += 1;
    }
    let low = by_level.get("commune").unwrap_or(&0) + by_level.get("grassroots").unwrap_or(&0);
    assert!(low * 100 / n >= 75, "{by_level:?}");
    assert!(by_level.get("province").copied().unwrap_or(0) > 0);
    assert!(by_level.get("committee").copied().unwrap_or(0) > 0);

    // Status by age: old cases are settled, recent ones still open.
    let old: Vec<&Case> = g
        .cases
        .iter()
        .filter(|c| c.opened_on.year() <= 2024)
        .collect();
    let settled = old
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Concluded | CaseStatus::Cancelled))
        .count();
    assert_eq!(settled, old.len());
    let recent: Vec<&Case> = g
        .cases
        .iter()
        .filter(|c| (plan.as_of - c.opened_on).num_days() < 30)
        .collect();
    let open = recent
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Planned | CaseStatus::InProgress))
        .count();
    assert!(
        open * 10 >= recent.len() * 8,
        "{open} of {} recent cases open",
        recent.len()
    );
    let overdue = g
        .cases
        .iter()
        .filter(|c| c.status == CaseStatus::InProgress && c.due_on < plan.as_of)
        .count();
    assert!(overdue > 50, "{overdue} overdue");
    let concluded: Vec<&Case> = g
        .cases
        .iter()
        .filter(|c| c.status == CaseStatus::Concluded)
        .collect();
    let late = concluded
        .iter()
        .filter(|c| c.concluded_on.unwrap() > c.due_on)
        .count();
    let late_share = late as f64 / concluded.len() as f64;
    assert!(
        (0.05..0.35).contains(&late_share),
        "{late_share} concluded late"
    );

    // Violations more often in inspections on signs of violation than in regular supervision.
    let rate = |k: CaseKind| {
        let of: Vec<&&Case> = concluded.iter().filter(|c| c.kind == k).collect();
        of.iter().filter(|c| c.violation == Some(true)).count() as f64 / of.len() as f64
    };
    assert!(rate(CaseKind::InspectionViolationSigns) > 2.0 * rate(CaseKind::SupervisionRegular));
    assert!(rate(CaseKind::Denunciation) > rate(CaseKind::SupervisionRegular));
    let disciplines = g.cases.iter().filter(|c| c.discipline.is_some()).count();
    assert!(disciplines > 1_000, "{disciplines} disciplines");

    // Seasonality: fewer cases a day in January and February than in October to December.
    let per_day = |months: &[u32]| {
        let mut days = 0i64;
        let mut count = 0usize;
        for y in 2022..=2025 {
            for &m in months {
                let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
                let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
                days += (next - first).num_days();
                count += g
                    .cases
                    .iter()
                    .filter(|c| c.opened_on >= first && c.opened_on < next)
                    .count();
            }
        }
        count as f64 / days as f64
    };
    let tet = per_day(&[1, 2]);
    let year_end = per_day(&[10, 11, 12]);
    assert!(
        tet < 0.8 * year_end,
        "Jan-Feb {tet:.1}/day, Oct-Dec {year_end:.1}/day"
    );

    // Regional sector mix: land weighs more in the Mekong than in Hà Nội, investment the other way.
    let share = |province: &str, s: domain::Sector| {
        let of: Vec<&Case> = g
            .cases
            .iter()
            .filter(|c| {
                plan.h.units[c.subject_unit as usize]
                    .province
                    .map(|p| plan.h.provinces[p as usize].code.as_str())
                    == Some(province)
            })
            .collect();
        of.iter().filter(|c| c.sector == s).count() as f64 / of.len() as f64
    };
    assert!(share("91", domain::Sector::Land) > 1.3 * share("01", domain::Sector::Land));
    assert!(
        share("01", domain::Sector::Investment) > 1.5 * share("91", domain::Sector::Investment)
    );

    // Tasks: a share overdue, most on time, progress consistent with status.
    let d = directives::generate(plan);
    assert_eq!(d.directives.len(), 12);
    assert!(d.tasks.len() > 2_000);
    let overdue = d
        .tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Done && t.due_on < plan.as_of)
        .count();
    let share = overdue as f64 / d.tasks.len() as f64;
    assert!((0.02..0.3).contains(&share), "{share} of tasks overdue");
    for t in &d.tasks {
        assert_eq!(t.status == TaskStatus::Done, t.done_on.is_some());
        assert_eq!(t.status == TaskStatus::Done, t.progress == 100);
        assert!(t.assigned_on <= plan.as_of && t.due_on >= t.assigned_on);
        if let Some(parent) = t.parent {
            let p = &d.tasks[parent as usize - 1];
            assert_eq!(p.id, parent);
            if let Some(done) = p.done_on {
                assert!(t.done_on.is_some_and(|c| c <= done));
            }
        }
    }
    assert!(
        d.reports
            .iter()
            .all(|r| r.reported_on <= plan.as_of && (0..=100).contains(&r.progress))
    );

    // Planted anomalies show in the generated monthly series.
    for a in &g.anomalies {
        check_anomaly(&g, a);
    }
}

fn check_anomaly(g: &Generated, a: &anomalies::PlantedAnomaly) {
    let plan = &g.plan;
    let u = &plan.h.units[a.unit as usize];
    let stream = u.province.expect("anomalies are in provinces") as usize;
    let scope = match u.level {
        UnitLevel::Commune => Scope::Commune(u.commune.unwrap()),
        _ => Scope::Stream,
    };
    let cases: Vec<Case> = g
        .cases
        .iter()
        .filter(|c| plan.h.units[c.subject_unit as usize].province == Some(stream as u16))
        .cloned()
        .collect();
    let m = plan.month_index(a.month).unwrap();
    let series = anomalies::series(plan, &cases, scope, a.sector, a.measure);
    let expected = anomalies::expected(plan, stream, &series, m, a.measure);
    let observed = series[m];
    if matches!(
        a.measure,
        anomalies::Measure::Violations | anomalies::Measure::Disciplines
    ) {
        // Sized against the month's natural value when that is above the season's expectation.
        assert!(
            a.expected + 1e-6 >= expected.max(0.2) && a.expected < a.observed,
            "{a:?}: expected {expected}"
        );
    } else {
        assert!(
            (expected - a.expected).abs() <= 1e-6 * a.expected.max(1.0),
            "{a:?}: expected {expected}"
        );
    }
    assert!(
        (observed - a.observed).abs() <= 1e-6 * a.observed.max(1.0),
        "{a:?}: observed {observed}"
    );
    if a.factor > 1.0 {
        assert!(a.factor >= 1.3, "{a:?}");
        if a.measure != Measure::AmountVnd {
            assert!(observed - expected >= 5.0, "{a:?}");
        }
    } else {
        assert!(a.factor <= 0.7 && expected - observed >= 5.0, "{a:?}");
    }
    // Recent months only.
    assert!((plan.as_of - a.month).num_days() <= 25 * 31);
}

#[test]
fn tiny_anomalies_show_in_the_series() {
    let g = generate(Size::Tiny, 9);
    for a in &g.anomalies {
        check_anomaly(&g, a);
    }
}

#[test]
fn tiny_works_on_any_day() {
    for (i, day) in [
        "2024-02-29",
        "2025-01-01",
        "2026-07-01",
        "2027-12-31",
        "2030-03-15",
    ]
    .iter()
    .enumerate()
    {
        let as_of = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let g = generate_on(Size::Tiny, i as u64, as_of);
        check_contract(&g);
        assert!(!g.anomalies.is_empty(), "{day}");
        for a in &g.anomalies {
            check_anomaly(&g, a);
        }
    }
}

#[test]
fn sizes_differ() {
    assert!(SizeParams::of(Size::Tiny).cases < SizeParams::of(Size::Demo).cases);
    assert_eq!("demo".parse::<Size>().unwrap(), Size::Demo);
    assert!("huge".parse::<Size>().is_err());
    assert_eq!(Size::Large.as_str(), "large");
}
