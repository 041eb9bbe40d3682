//! Planted anomalies: positions (unit, measure, sector, month) where the generator really changed
//! a monthly series, by adding cases, removing cases, or turning findings of existing cases.
//!
//! Each anomaly is large enough to be found by a sound detector at the data set's size: the
//! change is at least max(6, 5·√expected) (a drop: max(6, 4·√expected)), and the nominal factor
//! (a tripling in a commune, a 30 % rise in a province, ...) is raised to that when the series is
//! too thin for the nominal one to show. Where a commune's series is too thin for any plausible
//! factor (as in the tiny and demo sizes), the anomaly goes to the province.

use super::generate::{Case, Plan, Scope, StreamGen};
use super::model;
use super::{rng_for, tag};
use chrono::{Duration, NaiveDate};
use domain::{CaseStatus, Sector, ViolationCategory};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The series an anomaly is planted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Cases opened (by `opened_on`).
    CasesOpened,
    /// Concluded cases with a violation (by `concluded_on`).
    Violations,
    /// Disciplines decided (by `discipline_decided_on`).
    Disciplines,
    /// Money involved in violations (by `concluded_on`).
    AmountVnd,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::CasesOpened,
        Measure::Violations,
        Measure::Disciplines,
        Measure::AmountVnd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::CasesOpened => "cases_opened",
            Measure::Violations => "violations",
            Measure::Disciplines => "disciplines",
            Measure::AmountVnd => "amount_vnd",
        }
    }

    /// The date that places a case in this measure's monthly series, and its contribution.
    pub fn of(self, c: &Case) -> Option<(NaiveDate, f64)> {
        match self {
            Measure::CasesOpened => Some((c.opened_on, 1.0)),
            Measure::Violations => (c.violation == Some(true))
                .then_some(c.concluded_on)
                .flatten()
                .map(|d| (d, 1.0)),
            Measure::Disciplines => c.discipline.map(|(_, d)| (d, 1.0)),
            Measure::AmountVnd => (c.violation == Some(true))
                .then_some(c.concluded_on)
                .flatten()
                .and_then(|d| c.amount_vnd.map(|a| (d, a as f64))),
        }
    }
}

/// What kind of anomaly a slot plants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Template {
    /// A burst of cases in a commune (a wave of denunciations, say), optionally in one sector.
    CommuneSpike(Option<Sector>),
    /// A rise of the cases opened in a province.
    ProvinceSpike,
    /// A drop of the cases opened in a province (a system that stopped reporting part of them).
    ProvinceDrop,
    /// A month where a province's conclusions find far more violations.
    Violations,
    /// A wave of disciplines in a province.
    Disciplines,
    /// One very large violation in a province.
    Amount,
}

const ORDER: [Template; 20] = [
    Template::CommuneSpike(None),
    Template::Violations,
    Template::ProvinceSpike,
    Template::Amount,
    Template::ProvinceDrop,
    Template::Disciplines,
    Template::CommuneSpike(Some(Sector::Land)),
    Template::ProvinceSpike,
    Template::CommuneSpike(None),
    Template::Violations,
    Template::ProvinceDrop,
    Template::CommuneSpike(Some(Sector::NaturalResources)),
    Template::Disciplines,
    Template::ProvinceSpike,
    Template::CommuneSpike(None),
    Template::Amount,
    Template::CommuneSpike(None),
    Template::ProvinceSpike,
    Template::ProvinceDrop,
    Template::CommuneSpike(None),
];

/// Where and what to plant, decided before any case exists.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The province (stream) it is planted in.
    pub stream: usize,
    pub template: Template,
    /// Index into `Plan::months`.
    pub month: usize,
    pub nominal: f64,
    key: u64,
}

/// A planted anomaly, as it goes into `planted_anomaly`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlantedAnomaly {
    pub unit: u32,
    pub measure: Measure,
    pub sector: Option<Sector>,
    /// First day of the month.
    pub month: NaiveDate,
    /// Observed value over expected value.
    pub factor: f64,
    pub expected: f64,
    pub observed: f64,
    pub note: String,
}

/// Chooses the slots: distinct provinces (larger ones likelier), months among the last 24 that
/// are over at least 10 days before `as_of`.
pub fn choose_slots(plan: &Plan) -> Vec<Slot> {
    let mut rng = rng_for(plan.seed, tag::SLOTS, 0);
    let n_months = plan.months.len();
    let eligible: Vec<usize> = (13..n_months)
        .filter(|&m| {
            let first = plan.months[m].first;
            let end = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first)
                - Duration::days(1);
            end + Duration::days(10) <= plan.as_of && m + 25 >= n_months
        })
        .collect();
    if eligible.is_empty() {
        return Vec::new();
    }
    let base: Vec<f64> = plan
        .h
        .provinces
        .iter()
        .map(|p| (p.members as f64).powf(1.5))
        .collect();
    let mut weights = base.clone();
    let mut slots = Vec::new();
    for i in 0..plan.params.anomalies {
        if weights.iter().all(|w| *w <= 0.0) {
            weights = base.clone();
        }
        let stream = model::pick_index(&mut rng, &weights);
        weights[stream] = 0.0;
        let template = ORDER[i % ORDER.len()];
        let month = eligible[rng.gen_range(0..eligible.len())];
        let nominal = match template {
            Template::CommuneSpike(_) => rng.gen_range(2.5..4.0),
            Template::ProvinceSpike => rng.gen_range(1.3..1.6),
            Template::ProvinceDrop => rng.gen_range(0.35..0.6),
            Template::Violations => rng.gen_range(1.8..2.6),
            Template::Disciplines => rng.gen_range(2.0..3.0),
            Template::Amount => rng.gen_range(6.0..15.0),
        };
        slots.push(Slot {
            stream,
            template,
            month,
            nominal,
            key: rng.r#gen(),
        });
    }
    slots
}

/// Whether a case's subject lies in the scope.
pub fn in_scope(plan: &Plan, c: &Case, scope: Scope) -> bool {
    match scope {
        Scope::Stream => true,
        Scope::Commune(ci) => plan.h.units[c.subject_unit as usize].commune == Some(ci),
    }
}

/// The monthly series of a measure over the cases in a scope (and sector).
pub fn series(
    plan: &Plan,
    cases: &[Case],
    scope: Scope,
    sector: Option<Sector>,
    measure: Measure,
) -> Vec<f64> {
    let mut out = vec![0.0; plan.months.len()];
    for c in cases {
        if sector.is_some_and(|s| s != c.sector) || !in_scope(plan, c, scope) {
            continue;
        }
        if let Some((d, v)) = measure.of(c)
            && let Some(m) = plan.month_index(d)
        {
            out[m] += v;
        }
    }
    out
}

/// The value a month is expected to have, from the 12 months before it: the seasonally adjusted
/// mean for counts, the median for amounts.
pub fn expected(plan: &Plan, stream: usize, series: &[f64], month: usize, measure: Measure) -> f64 {
    let from = month.saturating_sub(12);
    if measure == Measure::AmountVnd {
        let mut prior: Vec<f64> = series[from..month].to_vec();
        prior.sort_by(f64::total_cmp);
        let median = prior.get(prior.len() / 2).copied().unwrap_or(0.0);
        if median > 0.0 {
            return median;
        }
        let mean = prior.iter().sum::<f64>() / prior.len().max(1) as f64;
        return if mean > 0.0 { mean } else { 5e8 };
    }
    let w = &plan.stream_weights[stream];
    let x: f64 = series[from..month].iter().sum();
    let ws: f64 = w[from..month].iter().sum();
    if ws <= 0.0 { 0.0 } else { x / ws * w[month] }
}

/// How far above an expected count `b` a planted month must lie to be as unlikely by chance as
/// 5 standard deviations of a normal distribution (one-sided tail 2.87e-7), by the exact Poisson
/// tail: about 5·√b for large counts, much more than that for small ones (10 where 2 are usual,
/// not 7); at least 6.
fn signal(b: f64) -> f64 {
    (poisson_quantile(b, FIVE_SD_TAIL) - b).max(6.0)
}

/// P(Z ≥ 5) for a standard normal variable.
const FIVE_SD_TAIL: f64 = 2.87e-7;

/// The smallest k with P(X ≥ k) ≤ `tail` for X ~ Poisson(`mean`).
fn poisson_quantile(mean: f64, tail: f64) -> f64 {
    if mean <= 0.0 {
        return 1.0;
    }
    let top = (mean + 12.0 * mean.sqrt() + 40.0).ceil() as usize;
    // ln P(X = k), from k = 0 up.
    let mut ln_pmf = Vec::with_capacity(top + 1);
    ln_pmf.push(-mean);
    for k in 1..=top {
        ln_pmf.push(ln_pmf[k - 1] + mean.ln() - (k as f64).ln());
    }
    // P(X >= k) summed from the top down; the first k (going down) where it passes `tail`
    // means k + 1 is the answer.
    let mut upper = 0.0;
    for k in (0..=top).rev() {
        upper += ln_pmf[k].exp();
        if upper > tail {
            return (k + 1) as f64;
        }
    }
    0.0
}

/// The last day of a month that has data.
fn month_end(plan: &Plan, m: usize) -> NaiveDate {
    plan.months[m].last
}

fn random_day(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.gen_range(0..=span))
}

/// Plants a slot's anomaly in a province's cases, if the series allows one.
pub(crate) fn plant(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
) -> Option<PlantedAnomaly> {
    let mut rng = rng_for(g.plan.seed, tag::ANOMALY, slot.key);
    // When a slot's own kind does not fit the series, a province-wide rise of 30 to 60 % takes
    // its place.
    let fallback = 1.3 + 0.3 * ((slot.key >> 11) as f64 / (1u64 << 53) as f64);
    match slot.template {
        Template::CommuneSpike(sector) => commune_spike(g, cases, slot, &mut rng, sector)
            .or_else(|| province_spike(g, cases, slot, fallback)),
        Template::ProvinceSpike => province_spike(g, cases, slot, slot.nominal),
        Template::ProvinceDrop => province_drop(g, cases, slot, &mut rng)
            .or_else(|| province_spike(g, cases, slot, fallback)),
        Template::Violations => violations(g, cases, slot, &mut rng),
        Template::Disciplines => disciplines(g, cases, slot, &mut rng),
        Template::Amount => amount(g, cases, slot, &mut rng),
    }
}

fn fmt_num(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.0}", x)
    } else {
        format!("{:.1}", x)
    }
}

fn add_cases(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    scope: Scope,
    sector: Option<Sector>,
    month: usize,
    count: usize,
) {
    let plan = g.plan;
    for _ in 0..count {
        for _attempt in 0..50 {
            let day = plan.months[month].pick_day(&mut g.rng);
            if let Some(c) = g.case(scope, sector, day) {
                cases.push(c);
                break;
            }
        }
    }
}

fn commune_spike(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    rng: &mut ChaCha8Rng,
    sector: Option<Sector>,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let p = &plan.h.provinces[slot.stream];
    let m = slot.month;
    // Counts per commune and month, in one pass.
    let first = p.communes.start;
    let n = p.communes.len();
    let mut counts = vec![vec![0.0; plan.months.len()]; n];
    for c in cases.iter() {
        if sector.is_some_and(|s| s != c.sector) {
            continue;
        }
        if let Some(ci) = plan.h.units[c.subject_unit as usize].commune
            && let Some(k) = plan.month_index(c.opened_on)
        {
            counts[(ci - first) as usize][k] += 1.0;
        }
    }
    let mut bases: Vec<(f64, u32)> = (0..n)
        .map(|i| {
            (
                expected(plan, slot.stream, &counts[i], m, Measure::CasesOpened),
                first + i as u32,
            )
        })
        .collect();
    bases.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut top: Vec<(f64, u32)> = bases.into_iter().take((n / 3).max(5)).collect();
    top.shuffle(rng);
    for (b, ci) in top {
        // A commune's series is thin: the burst must be at least 7 cases to stand out.
        let f = slot.nominal.max(1.0 + signal(b).max(7.0) / b);
        if b < 0.4 || f > 16.0 {
            continue;
        }
        let x = counts[(ci - first) as usize][m];
        let extra = ((f * b).round() - x).max(3.0) as usize;
        add_cases(g, cases, Scope::Commune(ci), sector, m, extra);
        let observed = x + extra as f64;
        let unit = plan.h.communes[ci as usize].unit;
        let what = sector
            .map(|s| format!(" (lĩnh vực {})", model::sector_name(s)))
            .unwrap_or_default();
        return Some(PlantedAnomaly {
            unit,
            measure: Measure::CasesOpened,
            sector,
            month: plan.months[m].first,
            factor: observed / b,
            expected: b,
            observed,
            note: format!(
                "Đơn thư, vụ việc dồn dập ở {}{what}: {} vụ việc mở trong tháng so với khoảng {} thường lệ",
                plan.h.units[unit as usize].name,
                observed,
                fmt_num(b)
            ),
        });
    }
    None
}

fn province_spike(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    nominal: f64,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let m = slot.month;
    let s = series(plan, cases, Scope::Stream, None, Measure::CasesOpened);
    let b = expected(plan, slot.stream, &s, m, Measure::CasesOpened).max(0.2);
    let f = nominal.max(1.0 + signal(b) / b);
    let x = s[m];
    let extra = ((f * b).round() - x).max(3.0) as usize;
    add_cases(g, cases, Scope::Stream, None, m, extra);
    let observed = x + extra as f64;
    let unit = plan.h.provinces[slot.stream].unit;
    Some(PlantedAnomaly {
        unit,
        measure: Measure::CasesOpened,
        sector: None,
        month: plan.months[m].first,
        factor: observed / b,
        expected: b,
        observed,
        note: format!(
            "Số vụ việc mở tăng đột biến ở {}: {} vụ trong tháng so với khoảng {} thường lệ",
            plan.h.units[unit as usize].name,
            observed,
            fmt_num(b)
        ),
    })
}

fn province_drop(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    rng: &mut ChaCha8Rng,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let m = slot.month;
    let s = series(plan, cases, Scope::Stream, None, Measure::CasesOpened);
    let b = expected(plan, slot.stream, &s, m, Measure::CasesOpened);
    if b <= 0.0 {
        return None;
    }
    let need = (4.0 * b.sqrt()).max(6.0);
    let f = slot.nominal.min(1.0 - need / b);
    if f < 0.25 {
        return None;
    }
    let target = (f * b).round();
    let x = s[m];
    if x - target < 3.0 {
        return None;
    }
    let mut matching: Vec<usize> = (0..cases.len())
        .filter(|&i| plan.month_index(cases[i].opened_on) == Some(m))
        .collect();
    matching.shuffle(rng);
    let mut remove = vec![false; cases.len()];
    for &i in matching.iter().take((x - target) as usize) {
        remove[i] = true;
    }
    let mut k = 0;
    cases.retain(|_| {
        let keep = !remove[k];
        k += 1;
        keep
    });
    let unit = plan.h.provinces[slot.stream].unit;
    Some(PlantedAnomaly {
        unit,
        measure: Measure::CasesOpened,
        sector: None,
        month: plan.months[m].first,
        factor: target / b,
        expected: b,
        observed: target,
        note: format!(
            "Số vụ việc mở giảm bất thường ở {}: {} vụ trong tháng so với khoảng {} thường lệ",
            plan.h.units[unit as usize].name,
            target,
            fmt_num(b)
        ),
    })
}

/// A case of the scope concluded on a day of month `m`, added to `cases`; its index.
fn add_concluded(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    m: usize,
    rng: &mut ChaCha8Rng,
) -> Option<usize> {
    let plan = g.plan;
    for _attempt in 0..50 {
        let day = random_day(rng, plan.months[m].first, month_end(plan, m));
        if let Some(c) = g.case_concluded_on(Scope::Stream, None, day) {
            cases.push(c);
            return Some(cases.len() - 1);
        }
    }
    None
}

fn violations(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    rng: &mut ChaCha8Rng,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let m = slot.month;
    let s = series(plan, cases, Scope::Stream, None, Measure::Violations);
    // Violations are dated by conclusion, months after the cases opened: the season of cases
    // opened misplaces their expectation (after the year-end rush, January's is about twice
    // what it says). The month's own natural value bounds it from below.
    let x = s[m];
    let b = expected(plan, slot.stream, &s, m, Measure::Violations)
        .max(x)
        .max(0.2);
    let target = (slot.nominal * b).max(b + signal(b)).round();
    let need = (target - x).max(3.0) as usize;
    let mut flippable: Vec<usize> = (0..cases.len())
        .filter(|&i| {
            let c = &cases[i];
            c.violation == Some(false)
                && c.concluded_on.and_then(|d| plan.month_index(d)) == Some(m)
        })
        .collect();
    flippable.shuffle(rng);
    let mut done = 0;
    for &i in flippable.iter().take(need) {
        let mut c = cases[i].clone();
        g.set_violation(&mut c);
        cases[i] = c;
        done += 1;
    }
    while done < need {
        let Some(i) = add_concluded(g, cases, m, rng) else {
            break;
        };
        let mut c = cases[i].clone();
        if c.violation != Some(true) {
            g.set_violation(&mut c);
        }
        cases[i] = c;
        done += 1;
    }
    let observed = x + done as f64;
    let unit = plan.h.provinces[slot.stream].unit;
    Some(PlantedAnomaly {
        unit,
        measure: Measure::Violations,
        sector: None,
        month: plan.months[m].first,
        factor: observed / b,
        expected: b,
        observed,
        note: format!(
            "Số vụ việc kết luận có vi phạm tăng đột biến ở {}: {} so với khoảng {} thường lệ",
            plan.h.units[unit as usize].name,
            observed,
            fmt_num(b)
        ),
    })
}

fn set_discipline(g: &mut StreamGen, c: &mut Case, day: NaiveDate) {
    let form = g.discipline_form(c);
    c.discipline = Some((form, day));
    let decide = model::procedure_for(c.kind).decide_step();
    if let Some(step) = decide.and_then(|i| c.steps.get_mut(i))
        && step.done_on.is_some()
        && step.started_on <= day
    {
        step.done_on = Some(day);
    }
    let last = c
        .steps
        .iter()
        .filter_map(|s| s.done_on)
        .max()
        .unwrap_or(c.opened_on)
        .max(day);
    g.stamp(c, last);
}

fn disciplines(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    rng: &mut ChaCha8Rng,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let m = slot.month;
    let first = plan.months[m].first;
    let end = month_end(plan, m);
    let s = series(plan, cases, Scope::Stream, None, Measure::Disciplines);
    // Dated by decision, like violations by conclusion (see `violations`).
    let x = s[m];
    let b = expected(plan, slot.stream, &s, m, Measure::Disciplines)
        .max(x)
        .max(0.2);
    let target = (slot.nominal * b).max(b + signal(b)).round();
    let need = (target - x).max(3.0) as usize;
    let window = |c: &Case| {
        c.status == CaseStatus::Concluded
            && c.discipline.is_none()
            && c.concluded_on
                .is_some_and(|d| d >= first - Duration::days(40) && d < end)
    };
    let mut with_violation: Vec<usize> = (0..cases.len())
        .filter(|&i| window(&cases[i]) && cases[i].violation == Some(true))
        .collect();
    let mut without: Vec<usize> = (0..cases.len())
        .filter(|&i| window(&cases[i]) && cases[i].violation == Some(false))
        .collect();
    with_violation.shuffle(rng);
    without.shuffle(rng);
    let mut done = 0;
    for &i in with_violation.iter().chain(without.iter()) {
        if done >= need {
            break;
        }
        let mut c = cases[i].clone();
        if c.violation != Some(true) {
            g.set_violation(&mut c);
        }
        let concluded = c.concluded_on.unwrap_or(first);
        let day = random_day(rng, first.max(concluded + Duration::days(1)), end);
        set_discipline(g, &mut c, day);
        cases[i] = c;
        done += 1;
    }
    while done < need {
        let Some(i) = add_concluded(g, cases, m, rng) else {
            break;
        };
        let mut c = cases[i].clone();
        let concluded = c.concluded_on.unwrap_or(first);
        if concluded >= end {
            cases.pop();
            continue;
        }
        if c.violation != Some(true) {
            g.set_violation(&mut c);
        }
        let had = c
            .discipline
            .is_some_and(|(_, d)| plan.month_index(d) == Some(m));
        let day = random_day(rng, concluded + Duration::days(1), end);
        set_discipline(g, &mut c, day);
        cases[i] = c;
        if !had {
            done += 1;
        }
    }
    // Extra cases may carry disciplines of their own: count what is there.
    let observed = series(plan, cases, Scope::Stream, None, Measure::Disciplines)[m];
    let unit = plan.h.provinces[slot.stream].unit;
    Some(PlantedAnomaly {
        unit,
        measure: Measure::Disciplines,
        sector: None,
        month: first,
        factor: observed / b,
        expected: b,
        observed,
        note: format!(
            "Số quyết định kỷ luật tăng đột biến ở {}: {} so với khoảng {} thường lệ",
            plan.h.units[unit as usize].name,
            observed,
            fmt_num(b)
        ),
    })
}

fn amount(
    g: &mut StreamGen,
    cases: &mut Vec<Case>,
    slot: &Slot,
    rng: &mut ChaCha8Rng,
) -> Option<PlantedAnomaly> {
    let plan = g.plan;
    let m = slot.month;
    let s = series(plan, cases, Scope::Stream, None, Measure::AmountVnd);
    let b = expected(plan, slot.stream, &s, m, Measure::AmountVnd);
    let x = s[m];
    let need = ((slot.nominal * b - x).max((slot.nominal - 1.0) * b) / 1e6).round() * 1e6;
    let in_month = |c: &Case| c.concluded_on.and_then(|d| plan.month_index(d)) == Some(m);
    let mut candidates: Vec<usize> = (0..cases.len())
        .filter(|&i| in_month(&cases[i]) && cases[i].violation == Some(true))
        .collect();
    if candidates.is_empty() {
        candidates = (0..cases.len()).filter(|&i| in_month(&cases[i])).collect();
    }
    candidates.shuffle(rng);
    let i = match candidates.first() {
        Some(&i) => i,
        None => add_concluded(g, cases, m, rng)?,
    };
    let mut c = cases[i].clone();
    let before = if c.violation == Some(true) {
        c.amount_vnd.unwrap_or(0) as f64
    } else {
        0.0
    };
    if c.violation != Some(true) {
        g.set_violation(&mut c);
    }
    c.categories |= 1 << ViolationCategory::Corruption.index();
    let now_counted = c.amount_vnd.unwrap_or(0) as f64;
    c.amount_vnd = Some((now_counted + need) as i64);
    cases[i] = c;
    let observed = x - before + now_counted + need;
    let unit = plan.h.provinces[slot.stream].unit;
    Some(PlantedAnomaly {
        unit,
        measure: Measure::AmountVnd,
        sector: None,
        month: plan.months[m].first,
        factor: observed / b,
        expected: b,
        observed,
        note: format!(
            "Một vụ việc tham nhũng lớn ở {}: tổng số tiền vi phạm {} đồng trong tháng so với khoảng {} đồng thường lệ",
            plan.h.units[unit as usize].name,
            fmt_num(observed),
            fmt_num(b)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_quantile_has_the_tail_it_is_asked_for() {
        // P(X >= 10) for Poisson(2) is 4.65e-5, P(X >= 11) 8.3e-6: a 1e-5 tail starts at 11.
        assert_eq!(poisson_quantile(2.0, 1e-5), 11.0);
        // Poisson(0.7): P(X >= 8) = 7.8e-7, P(X >= 9) = 6.1e-8.
        assert_eq!(poisson_quantile(0.7, FIVE_SD_TAIL), 9.0);
        assert_eq!(poisson_quantile(0.0, FIVE_SD_TAIL), 1.0);
    }

    #[test]
    fn a_planted_rise_is_five_standard_deviations_at_any_size() {
        // Small counts need far more than 5·√b; large ones about that.
        assert!(signal(2.0) > 5.0 * 2.0_f64.sqrt() + 3.0);
        let big = signal(900.0);
        assert!((150.0..175.0).contains(&big), "{big}");
        assert_eq!(signal(0.01), 6.0);
    }
}
