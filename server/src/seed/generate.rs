//! The pure generator: the plan (hierarchy, months, rates, data sources, themes, anomaly slots),
//! members, cases with their steps, and targets. No I/O; everything is a function of
//! (size, seed, as_of).

use super::anomalies::{self, PlantedAnomaly, Slot};
use super::model::{self, SEASON, WEEKDAY};
use super::units::Hierarchy;
use super::{Size, SizeParams, rng_for, tag};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use domain::{
    CaseKind, CaseStatus, DisciplineForm, Sector, SourceKind, SubjectType, TargetMeasure,
    UnitLevel, ViolationCategory,
};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson};

/// A calendar month of the data set.
#[derive(Clone, Debug)]
pub struct Month {
    pub first: NaiveDate,
    /// The last day with data (the month's last day, or the horizon in the current month).
    pub last: NaiveDate,
    /// The month's expected share of cases: seasonality times the weekday-weighted days.
    pub weight: f64,
    /// Cumulative weekday weights of the days `first..=last`, for picking a day.
    day_cum: Vec<f64>,
}

impl Month {
    /// Picks a day of the month, weekdays much more often than weekends.
    pub fn pick_day<R: Rng>(&self, rng: &mut R) -> NaiveDate {
        let total = self.day_cum.last().copied().unwrap_or(0.0);
        let x = rng.r#gen::<f64>() * total;
        let i = self
            .day_cum
            .partition_point(|c| *c <= x)
            .min(self.day_cum.len().saturating_sub(1));
        self.first + Duration::days(i as i64)
    }

    /// Whether the month has days with data.
    pub fn has_days(&self) -> bool {
        !self.day_cum.is_empty()
    }
}

/// A connected information system or upload channel.
#[derive(Clone, Debug)]
pub struct Source {
    pub code: String,
    pub name: String,
    pub owner: u32,
    pub kind: SourceKind,
    pub cadence_hours: i32,
    /// Local time (UTC+7).
    pub created_at: NaiveDateTime,
    /// Local time (UTC+7).
    pub last_arrival: NaiveDateTime,
    /// The newest day whose records this source has delivered.
    pub horizon: NaiveDate,
    /// Share of rows it sent that were rejected.
    pub rejected_share: f64,
}

/// One step of a case under its procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseStep {
    pub ord: i16,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// One case, as it goes into `cases` (codes are unit indices of the plan's hierarchy).
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: i64,
    pub source: u16,
    pub external_id: String,
    pub kind: CaseKind,
    /// Index into [`Plan::themes`].
    pub theme: Option<u16>,
    pub conducting: u32,
    pub subject_type: SubjectType,
    pub subject_unit: u32,
    pub subject_ref: Option<String>,
    pub sector: Sector,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub due_on: NaiveDate,
    pub concluded_on: Option<NaiveDate>,
    pub violation: Option<bool>,
    /// Bit i set: `ViolationCategory::ALL[i]`.
    pub categories: u16,
    pub amount_vnd: Option<i64>,
    pub discipline: Option<(DisciplineForm, NaiveDate)>,
    pub lat: f64,
    pub lon: f64,
    /// Local time (UTC+7).
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub steps: Vec<CaseStep>,
    /// Random key that orders cases opened on the same day.
    pub(crate) order: u64,
}

impl Case {
    /// The violation categories, in canonical order.
    pub fn category_list(&self) -> impl Iterator<Item = ViolationCategory> + '_ {
        ViolationCategory::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.categories & (1 << i) != 0)
            .map(|(_, c)| *c)
    }

    /// The procedure code the case follows.
    pub fn procedure(&self) -> &'static str {
        model::procedure_for(self.kind).code
    }
}

/// A thematic supervision topic of one year.
#[derive(Clone, Debug)]
pub struct Theme {
    pub year: i32,
    pub text: String,
    pub sector: Sector,
}

/// One row of `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub unit: u32,
    pub year: i32,
    pub measure: TargetMeasure,
    pub sector: Option<Sector>,
    pub planned: i32,
    pub source: u16,
}

/// One row of `member`.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub reference: String,
    pub unit: u32,
    pub born_year: i16,
    pub gender: char,
    pub joined_year: i16,
    pub position: &'static str,
}

/// Everything the generator decided before producing rows.
pub struct Plan {
    pub size: Size,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub params: SizeParams,
    pub start: NaiveDate,
    /// The newest day with data from sources that are up to date (the day before `as_of`).
    pub horizon: NaiveDate,
    pub months: Vec<Month>,
    pub h: Hierarchy,
    pub sources: Vec<Source>,
    pub themes: Vec<Theme>,
    /// Expected cases per stream (provinces, then the centre) and month.
    pub rates: Vec<Vec<f64>>,
    /// Each stream's relative monthly weights (seasonality and trend), for expectations.
    pub stream_weights: Vec<Vec<f64>>,
    pub slots: Vec<Slot>,
}

/// Index of the central stream's source and of the other central sources (after the provinces').
pub struct CentralSources {
    pub ubkt: u16,
    pub discipline: u16,
    pub assets: u16,
    pub upload: u16,
}

fn local(d: NaiveDate, minutes: i64) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN) + Duration::minutes(minutes)
}

impl Plan {
    /// Decides the whole data set's frame.
    pub fn new(size: Size, seed: u64, as_of: NaiveDate) -> Plan {
        let params = SizeParams::of(size);
        let h = Hierarchy::build(&params, seed);
        let start = NaiveDate::from_ymd_opt(as_of.year() - 4, 1, 1).unwrap_or(as_of);
        let horizon = as_of.pred_opt().unwrap_or(as_of);

        let mut months = Vec::new();
        let mut first = start;
        while first <= horizon {
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(horizon);
            let last = (next - Duration::days(1)).min(horizon);
            let mut day_cum = Vec::new();
            let mut acc = 0.0;
            let mut d = first;
            while d <= last {
                acc += WEEKDAY[d.weekday().num_days_from_monday() as usize];
                day_cum.push(acc);
                d += Duration::days(1);
            }
            months.push(Month {
                first,
                last,
                weight: SEASON[first.month0() as usize] * acc,
                day_cum,
            });
            first = next;
        }

        let sources = make_sources(&h, seed, as_of, start);
        let themes = make_themes(seed, start.year(), as_of.year());

        // Rates: each province's share follows its members, its region and a little noise; the
        // centre's stream (committees under it) takes 3 %. Each stream grows at its own pace.
        let n_streams = h.provinces.len() + 1;
        let mut shares = Vec::with_capacity(n_streams);
        let mut growth = Vec::with_capacity(n_streams);
        for (pi, p) in h.provinces.iter().enumerate() {
            let mut rng = rng_for(seed, tag::RATES, pi as u64);
            let noise = LogNormal::new(0.0, 0.12)
                .map(|d| d.sample(&mut rng))
                .unwrap_or(1.0);
            shares.push(p.members as f64 * model::volume_factor(&p.code) * noise);
            growth.push(rng.gen_range(0.02..0.10));
        }
        let province_total: f64 = shares.iter().sum();
        for s in shares.iter_mut() {
            *s *= 0.97 / province_total;
        }
        shares.push(0.03);
        growth.push(0.05);
        let mut rates = Vec::with_capacity(n_streams);
        let mut stream_weights = Vec::with_capacity(n_streams);
        for s in 0..n_streams {
            let w: Vec<f64> = months
                .iter()
                .enumerate()
                .map(|(m, month)| month.weight * (1.0 + growth[s] * m as f64 / 12.0))
                .collect();
            let total: f64 = w.iter().sum();
            rates.push(
                w.iter()
                    .map(|x| params.cases * shares[s] * x / total)
                    .collect(),
            );
            stream_weights.push(w);
        }

        let mut plan = Plan {
            size,
            seed,
            as_of,
            params,
            start,
            horizon,
            months,
            h,
            sources,
            themes,
            rates,
            stream_weights,
            slots: Vec::new(),
        };
        plan.slots = anomalies::choose_slots(&plan);
        plan
    }

    /// The streams of cases: one per province, then the centre's.
    pub fn streams(&self) -> usize {
        self.h.provinces.len() + 1
    }

    /// The central stream's index.
    pub fn central_stream(&self) -> usize {
        self.h.provinces.len()
    }

    /// Indices of the central sources.
    pub fn central_sources(&self) -> CentralSources {
        let n = self.h.provinces.len() as u16;
        CentralSources {
            ubkt: n,
            discipline: n + 1,
            assets: n + 2,
            upload: n + 3,
        }
    }

    /// Index of the month a date falls in.
    pub fn month_index(&self, d: NaiveDate) -> Option<usize> {
        if d < self.start {
            return None;
        }
        let i = (d.year() - self.start.year()) * 12 + d.month0() as i32;
        usize::try_from(i).ok().filter(|i| *i < self.months.len())
    }

    /// The years the data set covers.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.start.year()..=self.as_of.year()
    }

    /// The unit code of a unit index.
    pub fn code(&self, unit: u32) -> &str {
        &self.h.units[unit as usize].code
    }

    /// The rows of `member` for a stream (a province, or the committees for the central stream).
    pub fn members(&self, stream: usize) -> Vec<Member> {
        let mut rng = rng_for(self.seed, tag::MEMBERS, stream as u64);
        let year = self.as_of.year();
        let mut out = Vec::new();
        let mut push = |rng: &mut ChaCha8Rng, unit: u32, seq: u32| {
            let age: i32 = match rng.r#gen::<f64>() {
                x if x < 0.18 => rng.gen_range(22..=30),
                x if x < 0.48 => rng.gen_range(31..=45),
                x if x < 0.75 => rng.gen_range(46..=60),
                _ => rng.gen_range(61..=88),
            };
            let female = rng.r#gen::<f64>() < if age < 45 { 0.42 } else { 0.33 };
            let span = (age.min(60) - 18).max(0) as f64;
            let join_age = 18 + (rng.r#gen::<f64>().powf(1.8) * span) as i32;
            let position = model::pick(
                rng,
                &[
                    ("Đảng viên", 0.84),
                    ("Bí thư chi bộ", 0.04),
                    ("Phó Bí thư chi bộ", 0.03),
                    ("Chi ủy viên", 0.05),
                    ("Đảng ủy viên", 0.03),
                    ("Ủy viên Ủy ban kiểm tra", 0.01),
                ],
            );
            out.push(Member {
                reference: self.h.member_ref(unit, seq),
                unit,
                born_year: (year - age) as i16,
                gender: if female { 'f' } else { 'm' },
                joined_year: (year - age + join_age).min(year) as i16,
                position,
            });
        };
        if stream == self.central_stream() {
            for &ui in &self.h.committees {
                let u = &self.h.units[ui as usize];
                for k in 0..u.sampled {
                    push(&mut rng, ui, u.first_seq + k);
                }
            }
        } else {
            for &(ui, seq) in &self.h.provinces[stream].sample {
                push(&mut rng, ui, seq);
            }
        }
        out
    }

    /// The targets, from what the cases realized (most units on track, some behind).
    pub fn targets(&self, stats: &Stats) -> Vec<Target> {
        let years: Vec<i32> = self.years().collect();
        let current = self.as_of.year();
        let elapsed = self.year_fraction_elapsed();
        let mut out = Vec::new();
        let measures = TargetMeasure::ALL;
        for (pi, p) in self.h.provinces.iter().enumerate() {
            let mut rng = rng_for(self.seed, tag::TARGETS, pi as u64);
            let source = pi as u16;
            let slow = rng.r#gen::<f64>() < 0.2;
            let sectors = province_target_sectors(&p.code);
            for (yi, &year) in years.iter().enumerate() {
                let frac = if year == current { elapsed } else { 1.0 };
                for (mi, measure) in measures.iter().enumerate() {
                    let value = f64::from(stats.province[pi * years.len() + yi][mi]);
                    let planned = planned_figure(&mut rng, value / frac, year == current, slow);
                    out.push(Target {
                        unit: p.unit,
                        year,
                        measure: *measure,
                        sector: None,
                        planned,
                        source,
                    });
                }
                for s in sectors {
                    let value = f64::from(stats.province_sector[pi * years.len() + yi][s.index()]);
                    let planned = planned_figure(&mut rng, value / frac, year == current, slow);
                    out.push(Target {
                        unit: p.unit,
                        year,
                        measure: TargetMeasure::Inspections,
                        sector: Some(s),
                        planned,
                        source,
                    });
                }
            }
            let first_year = match self.params.commune_target_years {
                Some(n) => years.len().saturating_sub(n),
                None => 0,
            };
            for ci in p.communes.clone() {
                let c = &self.h.communes[ci as usize];
                for (yi, &year) in years.iter().enumerate().skip(first_year) {
                    let frac = if year == current { elapsed } else { 1.0 };
                    for (mi, measure) in measures.iter().enumerate() {
                        let value = f64::from(stats.commune[ci as usize * years.len() + yi][mi]);
                        let planned =
                            planned_figure(&mut rng, value / frac, year == current, false);
                        out.push(Target {
                            unit: c.unit,
                            year,
                            measure: *measure,
                            sector: None,
                            planned,
                            source,
                        });
                    }
                }
            }
        }
        out
    }

    /// Share of the current year's expected cases that fall on or before the horizon.
    pub fn year_fraction_elapsed(&self) -> f64 {
        let year = self.as_of.year();
        let (mut done, mut all) = (0.0, 0.0);
        let mut d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(self.as_of);
        while d.year() == year {
            let w =
                SEASON[d.month0() as usize] * WEEKDAY[d.weekday().num_days_from_monday() as usize];
            all += w;
            if d <= self.horizon {
                done += w;
            }
            d += Duration::days(1);
        }
        // Whichever is larger of the seasonal and the plain share of days, so that targets are
        // not set too high for a unit that checks its pace by the calendar.
        let days = f64::from(self.horizon.ordinal())
            / f64::from(if self.horizon.leap_year() { 366 } else { 365 });
        let calendar = if self.horizon.year() == year {
            days
        } else {
            0.0
        };
        (done / all).max(calendar).clamp(0.02, 1.0)
    }
}

fn province_target_sectors(code: &str) -> [Sector; 3] {
    let third = match model::region_of(code) {
        _ if model::is_big_city(code) => Sector::Investment,
        model::Region::Southeast => Sector::Investment,
        model::Region::Mekong
        | model::Region::CentralHighlands
        | model::Region::NorthernMountains => Sector::NaturalResources,
        _ => Sector::Construction,
    };
    [Sector::Land, Sector::FinanceBudget, third]
}

/// A planned figure from what a unit does (or is on course to do) in a year: on track most of
/// the time, set too high for the units that fall behind.
fn planned_figure<R: Rng>(rng: &mut R, projected: f64, current: bool, slow_unit: bool) -> i32 {
    let behind_share = match (current, slow_unit) {
        (_, true) => 0.6,
        (true, false) => 0.18,
        (false, false) => 0.12,
    };
    let behind = rng.r#gen::<f64>() < behind_share;
    let planned = if behind {
        (projected * rng.gen_range(1.15..1.5)).ceil() + 1.0
    } else {
        let p = (projected * rng.gen_range(0.78..0.97)).round();
        if projected >= 1.0 { p.max(1.0) } else { p }
    };
    planned.clamp(0.0, 1e9) as i32
}

fn make_sources(h: &Hierarchy, seed: u64, as_of: NaiveDate, start: NaiveDate) -> Vec<Source> {
    let mut rng = rng_for(seed, tag::SOURCES, 0);
    let created_at = local(start - Duration::days(30), 9 * 60);
    let arrival = |rng: &mut ChaCha8Rng, days_late: i64| {
        local(as_of - Duration::days(days_late), rng.gen_range(60..360))
    };
    // Two provincial systems are late by a few days (chosen among all but the two big cities).
    let mut candidates: Vec<usize> = (0..h.provinces.len())
        .filter(|&i| !matches!(h.provinces[i].code.as_str(), "01" | "79"))
        .collect();
    candidates.shuffle(&mut rng);
    let late: Vec<usize> = candidates.into_iter().take(2).collect();
    let mut out = Vec::new();
    for (pi, p) in h.provinces.iter().enumerate() {
        let days_late = if late.contains(&pi) {
            rng.gen_range(3..=6)
        } else {
            0
        };
        let last_arrival = arrival(&mut rng, days_late);
        let rejected_share = if pi == late.first().copied().unwrap_or(usize::MAX) {
            0.06
        } else {
            rng.gen_range(0.001..0.02)
        };
        out.push(Source {
            code: format!("HT-UBKT-{}", p.code),
            name: format!("Hệ thống UBKT {}", p.name),
            owner: p.unit,
            kind: SourceKind::Push,
            cadence_hours: 24,
            created_at,
            last_arrival,
            horizon: last_arrival.date() - Duration::days(1),
            rejected_share,
        });
    }
    let central = [
        (
            "HT-UBKT-TW",
            "Hệ thống thông tin Ủy ban Kiểm tra Trung ương",
            SourceKind::Push,
            24,
            0,
        ),
        (
            "HT-KLD-TW",
            "Cơ sở dữ liệu kỷ luật đảng",
            SourceKind::Push,
            24,
            0,
        ),
        (
            "HT-KSTS-TW",
            "Hệ thống kiểm soát tài sản, thu nhập",
            SourceKind::Push,
            24,
            0,
        ),
        (
            "UPLOAD-TW",
            "Kênh tải lên tệp dữ liệu định kỳ",
            SourceKind::Upload,
            168,
            12,
        ),
    ];
    for (code, name, kind, cadence_hours, late) in central {
        let days_late = if late > 0 {
            late + rng.gen_range(0..=4)
        } else {
            0
        };
        let last_arrival = arrival(&mut rng, days_late);
        out.push(Source {
            code: code.into(),
            name: name.into(),
            owner: 0,
            kind,
            cadence_hours,
            created_at,
            last_arrival,
            horizon: last_arrival.date() - Duration::days(1),
            rejected_share: rng.gen_range(0.001..0.01),
        });
    }
    out
}

fn make_themes(seed: u64, first_year: i32, last_year: i32) -> Vec<Theme> {
    let mut out = Vec::new();
    for year in first_year..=last_year {
        let mut rng = rng_for(seed, tag::THEMES, year as u64);
        let mut topics: Vec<usize> = (0..model::THEME_TOPICS.len()).collect();
        topics.shuffle(&mut rng);
        for t in topics.into_iter().take(model::THEMES_PER_YEAR) {
            let (topic, sector) = model::THEME_TOPICS[t];
            out.push(Theme {
                year,
                text: format!("{topic} {year}"),
                sector,
            });
        }
    }
    out
}

/// Counts per unit and year that targets are set against: inspections opened, supervisions
/// opened, cases settled (concluded) on time, for provinces and communes (subject in the subtree).
pub struct Stats {
    pub years: usize,
    /// `[province * years + year] -> [inspections, supervisions, settled_on_time]`.
    pub province: Vec<[u32; 3]>,
    /// `[province * years + year] -> inspections by sector`.
    pub province_sector: Vec<[u32; 12]>,
    /// `[commune * years + year] -> [inspections, supervisions, settled_on_time]`.
    pub commune: Vec<[u32; 3]>,
}

impl Stats {
    fn new(plan: &Plan) -> Stats {
        let years = plan.years().count();
        Stats {
            years,
            province: vec![[0; 3]; plan.h.provinces.len() * years],
            province_sector: vec![[0; 12]; plan.h.provinces.len() * years],
            commune: vec![[0; 3]; plan.h.communes.len() * years],
        }
    }

    fn add(&mut self, plan: &Plan, c: &Case) {
        let u = &plan.h.units[c.subject_unit as usize];
        let Some(p) = u.province else { return };
        let first = plan.start.year();
        let family = c.kind.family();
        let mut bump = |year: i32, measure: usize, sector: Option<Sector>| {
            let Ok(y) = usize::try_from(year - first) else {
                return;
            };
            if y >= self.years {
                return;
            }
            self.province[p as usize * self.years + y][measure] += 1;
            if let Some(s) = sector {
                self.province_sector[p as usize * self.years + y][s.index()] += 1;
            }
            if let Some(ci) = u.commune {
                self.commune[ci as usize * self.years + y][measure] += 1;
            }
        };
        match family {
            domain::KindFamily::Inspection => bump(c.opened_on.year(), 0, Some(c.sector)),
            domain::KindFamily::Supervision => bump(c.opened_on.year(), 1, None),
            domain::KindFamily::Settlement => {}
        }
        if let Some(done) = c.concluded_on
            && done <= c.due_on
        {
            bump(done.year(), 2, None);
        }
    }
}

/// Produces the cases stream by stream, with ids, external ids and planted anomalies, and keeps
/// the counts that sources and targets need.
pub struct CaseGenerator<'a> {
    plan: &'a Plan,
    next_stream: usize,
    next_id: i64,
    /// Cases written per source (index as in [`Plan::sources`]).
    pub source_rows: Vec<u64>,
    pub stats: Stats,
    pub anomalies: Vec<PlantedAnomaly>,
}

impl<'a> CaseGenerator<'a> {
    pub fn new(plan: &'a Plan) -> CaseGenerator<'a> {
        CaseGenerator {
            plan,
            next_stream: 0,
            next_id: 1,
            source_rows: vec![0; plan.sources.len()],
            stats: Stats::new(plan),
            anomalies: Vec::new(),
        }
    }

    /// The next stream's cases (a province's, then the centre's), sorted by opening day.
    pub fn next_stream(&mut self) -> Option<Vec<Case>> {
        let plan = self.plan;
        let stream = self.next_stream;
        if stream >= plan.streams() {
            return None;
        }
        self.next_stream += 1;
        let mut g = StreamGen::new(plan, stream);
        let mut cases = Vec::new();
        let mut rng = rng_for(plan.seed, tag::CASES, 1_000 + stream as u64);
        for (m, month) in plan.months.iter().enumerate() {
            let lambda = plan.rates[stream][m];
            if lambda <= 0.0 || !month.has_days() {
                continue;
            }
            let n = Poisson::new(lambda)
                .map(|d| d.sample(&mut rng) as u64)
                .unwrap_or(0);
            for _ in 0..n {
                let day = month.pick_day(&mut g.rng);
                if let Some(c) = g.case(Scope::Stream, None, day) {
                    cases.push(c);
                }
            }
        }
        for slot in plan.slots.iter().filter(|s| s.stream == stream) {
            if let Some(a) = anomalies::plant(&mut g, &mut cases, slot) {
                self.anomalies.push(a);
            }
        }
        cases.sort_by_key(|c| (c.opened_on, c.order));
        let label = if stream == plan.central_stream() {
            "TW".to_string()
        } else {
            plan.h.provinces[stream].code.clone()
        };
        for (seq, c) in cases.iter_mut().enumerate() {
            c.id = self.next_id;
            self.next_id += 1;
            c.external_id = format!("{label}-{}-{:07}", c.opened_on.year(), seq + 1);
            self.source_rows[c.source as usize] += 1;
            self.stats.add(plan, c);
        }
        Some(cases)
    }
}

/// Where a case's subject is drawn from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scope {
    /// Anywhere in the stream (the province, or the committees for the central stream).
    Stream,
    /// Within one commune (index into `Hierarchy::communes`).
    Commune(u32),
}

/// The step durations a case will take, drawn before its dates are known.
pub(crate) struct Durations {
    planned: Vec<u32>,
    actual: Vec<u32>,
    cancel_after: Option<usize>,
    stays_planned: bool,
}

/// The dates of a case seen on a day.
pub(crate) struct Timeline {
    pub status: CaseStatus,
    pub due_on: NaiveDate,
    pub concluded_on: Option<NaiveDate>,
    pub decided: Option<NaiveDate>,
    pub steps: Vec<CaseStep>,
    pub last_event: NaiveDate,
}

/// Generates the cases of one stream.
pub struct StreamGen<'a> {
    pub plan: &'a Plan,
    pub stream: usize,
    pub rng: ChaCha8Rng,
    sector_weights: [f64; 12],
}

/// The subject of a case before its dates are known.
pub(crate) struct Draft {
    pub subject_type: SubjectType,
    pub subject_unit: u32,
    pub subject_ref: Option<String>,
    pub kind: CaseKind,
    pub conducting: u32,
    pub source: u16,
}

impl<'a> StreamGen<'a> {
    pub fn new(plan: &'a Plan, stream: usize) -> StreamGen<'a> {
        let sector_weights = if stream == plan.central_stream() {
            model::committee_sector_weights("TW1")
        } else {
            model::province_sector_weights(&plan.h.provinces[stream].code)
        };
        StreamGen {
            plan,
            stream,
            rng: rng_for(plan.seed, tag::CASES, stream as u64),
            sector_weights,
        }
    }

    fn is_central(&self) -> bool {
        self.stream == self.plan.central_stream()
    }

    /// A whole case opened on `opened`, or `None` when its source has not delivered that day yet.
    pub fn case(
        &mut self,
        scope: Scope,
        sector: Option<Sector>,
        opened: NaiveDate,
    ) -> Option<Case> {
        let draft = self.draft(scope);
        let durations = self.durations(draft.kind);
        self.finish(draft, sector, opened, &durations)
    }

    /// A case in `scope` that was concluded on `concluded` (its opening is worked out backwards).
    pub(crate) fn case_concluded_on(
        &mut self,
        scope: Scope,
        sector: Option<Sector>,
        concluded: NaiveDate,
    ) -> Option<Case> {
        let draft = self.draft(scope);
        let mut d = self.durations(draft.kind);
        d.cancel_after = None;
        d.stays_planned = false;
        let proc = model::procedure_for(draft.kind);
        let to_conclusion: u32 = d.actual[..=proc.conclude_step()].iter().sum();
        let opened = concluded - Duration::days(i64::from(to_conclusion));
        let c = self.finish(draft, sector, opened, &d)?;
        (c.concluded_on == Some(concluded)).then_some(c)
    }

    pub(crate) fn draft(&mut self, scope: Scope) -> Draft {
        let (subject_type, subject_unit, subject_ref) = if self.is_central() {
            self.committee_subject()
        } else {
            self.province_subject(scope)
        };
        let kind = model::pick(&mut self.rng, model::kinds_for(subject_type));
        let conducting = self.conducting(subject_unit, subject_type);
        let source = self.source(kind, conducting);
        Draft {
            subject_type,
            subject_unit,
            subject_ref,
            kind,
            conducting,
            source,
        }
    }

    fn committee_subject(&mut self) -> (SubjectType, u32, Option<String>) {
        let h = &self.plan.h;
        let weights: Vec<f64> = h
            .committees
            .iter()
            .map(|&u| f64::from(h.units[u as usize].members))
            .collect();
        let ui = h.committees[model::pick_index(&mut self.rng, &weights)];
        let u = &h.units[ui as usize];
        if u.sampled > 0 && self.rng.r#gen::<f64>() < 0.6 {
            let seq = u.first_seq + self.rng.gen_range(0..u.sampled);
            (SubjectType::Member, ui, Some(h.member_ref(ui, seq)))
        } else {
            (SubjectType::Organization, ui, None)
        }
    }

    fn province_subject(&mut self, scope: Scope) -> (SubjectType, u32, Option<String>) {
        let plan = self.plan;
        let h = &plan.h;
        let p = &h.provinces[self.stream];
        let r = self.rng.r#gen::<f64>();
        let level = match scope {
            Scope::Commune(_) if r < 0.5 => UnitLevel::Grassroots,
            Scope::Commune(_) => UnitLevel::Commune,
            Scope::Stream if r < 0.46 => UnitLevel::Grassroots,
            Scope::Stream if r < 0.88 => UnitLevel::Commune,
            Scope::Stream => UnitLevel::Province,
        };
        let member_share = match level {
            UnitLevel::Commune => 0.5,
            _ => 0.55,
        };
        if self.rng.r#gen::<f64>() < member_share
            && let Some((leaf, seq)) = self.pick_member(scope)
        {
            let reference = Some(h.member_ref(leaf, seq));
            let leaf_unit = &h.units[leaf as usize];
            let unit = match level {
                UnitLevel::Grassroots => {
                    if leaf_unit.level == UnitLevel::Cell && self.rng.r#gen::<f64>() < 0.15 {
                        leaf
                    } else {
                        h.grassroots_of(leaf)
                    }
                }
                UnitLevel::Commune => leaf_unit
                    .commune
                    .map(|c| h.communes[c as usize].unit)
                    .unwrap_or(p.unit),
                _ => p.unit,
            };
            return (SubjectType::Member, unit, reference);
        }
        let unit = match level {
            UnitLevel::Grassroots => {
                let g = self.pick_grassroots(scope);
                let below = &h.communes[h.units[g as usize].commune.unwrap_or(0) as usize].below;
                let has_cell =
                    g + 1 < below.end && h.units[g as usize + 1].level == UnitLevel::Cell;
                if has_cell && self.rng.r#gen::<f64>() < 0.08 {
                    g + 1
                } else {
                    g
                }
            }
            UnitLevel::Commune => match scope {
                Scope::Commune(c) => h.communes[c as usize].unit,
                Scope::Stream => {
                    let x = self.rng.r#gen::<f64>() * p.communes_cum.last().copied().unwrap_or(0.0);
                    let i = p
                        .communes_cum
                        .partition_point(|c| *c <= x)
                        .min(p.communes_cum.len() - 1);
                    h.communes[p.communes.start as usize + i].unit
                }
            },
            _ => p.unit,
        };
        (SubjectType::Organization, unit, None)
    }

    /// A sampled member of the scope, busier communes more often.
    fn pick_member(&mut self, scope: Scope) -> Option<(u32, u32)> {
        let h = &self.plan.h;
        let p = &h.provinces[self.stream];
        let range = match scope {
            Scope::Commune(c) => h.communes[c as usize].sample.clone(),
            Scope::Stream => 0..p.sample.len() as u32,
        };
        if range.is_empty() {
            return None;
        }
        let mut pick = p.sample[self.rng.gen_range(range.clone()) as usize];
        if scope == Scope::Stream {
            for _ in 0..6 {
                let commune = h.units[pick.0 as usize].commune.unwrap_or(0);
                if self.rng.r#gen::<f64>() * 2.5 < h.communes[commune as usize].activity {
                    break;
                }
                pick = p.sample[self.rng.gen_range(range.clone()) as usize];
            }
        }
        Some(pick)
    }

    fn pick_grassroots(&mut self, scope: Scope) -> u32 {
        let h = &self.plan.h;
        match scope {
            Scope::Stream => {
                let cum = &h.provinces[self.stream].grassroots_cum;
                let x = self.rng.r#gen::<f64>() * cum.last().map(|c| c.0).unwrap_or(0.0);
                let i = cum.partition_point(|c| c.0 <= x).min(cum.len() - 1);
                cum[i].1
            }
            Scope::Commune(c) => {
                let below = h.communes[c as usize].below.clone();
                let grassroots: Vec<u32> = below
                    .filter(|&u| h.units[u as usize].level == UnitLevel::Grassroots)
                    .collect();
                let weights: Vec<f64> = grassroots
                    .iter()
                    .map(|&g| {
                        let cells = (g + 1..h.communes[c as usize].below.end)
                            .take_while(|&k| h.units[k as usize].level == UnitLevel::Cell);
                        f64::from(
                            h.units[g as usize].members
                                + cells.map(|k| h.units[k as usize].members).sum::<u32>(),
                        )
                    })
                    .collect();
                grassroots[model::pick_index(&mut self.rng, &weights)]
            }
        }
    }

    fn conducting(&mut self, subject: u32, subject_type: SubjectType) -> u32 {
        let h = &self.plan.h;
        let u = &h.units[subject as usize];
        let r = self.rng.r#gen::<f64>();
        let member = subject_type == SubjectType::Member;
        let province = u
            .province
            .map(|p| h.provinces[p as usize].unit)
            .unwrap_or(0);
        let commune = u
            .commune
            .map(|c| h.communes[c as usize].unit)
            .unwrap_or(province);
        // The nearest conducting committee, the next one up, and how likely each is; the rest of
        // the time the centre conducts.
        let (near, up, p_near, p_up) = match (u.level, member) {
            (UnitLevel::Grassroots | UnitLevel::Cell, _) => (commune, province, 0.84, 0.99),
            (UnitLevel::Commune, true) => (subject, province, 0.58, 0.98),
            (UnitLevel::Commune, false) => (province, province, 0.97, 0.97),
            (UnitLevel::Province, true) => (subject, subject, 0.75, 0.75),
            (UnitLevel::Province, false) => (subject, subject, 0.6, 0.6),
            (UnitLevel::Committee, true) => (subject, subject, 0.7, 0.7),
            _ => (0, 0, 0.0, 0.0),
        };
        if r < p_near {
            near
        } else if r < p_up {
            up
        } else {
            0
        }
    }

    fn source(&mut self, kind: CaseKind, conducting: u32) -> u16 {
        let central = self.plan.central_sources();
        let r = self.rng.r#gen::<f64>();
        if conducting == 0 || self.is_central() {
            if kind == CaseKind::AssetDeclaration && r < 0.65 {
                return central.assets;
            }
            return central.ubkt;
        }
        match kind {
            CaseKind::AssetDeclaration if r < 0.65 => central.assets,
            CaseKind::Complaint if r < 0.3 => central.discipline,
            _ if r > 0.96 => central.upload,
            _ => self.stream as u16,
        }
    }

    pub(crate) fn durations(&mut self, kind: CaseKind) -> Durations {
        let proc = model::procedure_for(kind);
        let rng = &mut self.rng;
        let scale = rng.gen_range(0.9..1.1);
        let pace = match rng.r#gen::<f64>() {
            x if x < 0.74 => rng.gen_range(0.55..1.0),
            x if x < 0.94 => rng.gen_range(1.0..1.7),
            _ => rng.gen_range(1.8..4.5),
        };
        let planned: Vec<u32> = proc
            .steps
            .iter()
            .map(|s| ((f64::from(s.days) * scale).round() as u32).max(1))
            .collect();
        let actual: Vec<u32> = planned
            .iter()
            .map(|&d| ((f64::from(d) * pace * rng.gen_range(0.8..1.25)).round() as u32).max(1))
            .collect();
        let cancel_after =
            (rng.r#gen::<f64>() < 0.025).then(|| rng.gen_range(0..proc.conclude_step().max(1)));
        let stays_planned = rng.r#gen::<f64>() < 0.35;
        Durations {
            planned,
            actual,
            cancel_after,
            stays_planned,
        }
    }

    pub(crate) fn timeline(
        kind: CaseKind,
        opened: NaiveDate,
        d: &Durations,
        view: NaiveDate,
    ) -> Timeline {
        let proc = model::procedure_for(kind);
        let due_on = opened + Duration::days(i64::from(d.planned.iter().sum::<u32>()));
        let mut steps = Vec::new();
        let mut last_event = opened;
        if d.stays_planned && (view - opened).num_days() < 21 {
            steps.push(CaseStep {
                ord: 1,
                started_on: opened,
                due_on: opened + Duration::days(i64::from(d.planned[0])),
                done_on: None,
            });
            return Timeline {
                status: CaseStatus::Planned,
                due_on,
                concluded_on: None,
                decided: None,
                steps,
                last_event,
            };
        }
        let mut status = CaseStatus::InProgress;
        let mut concluded_on = None;
        let mut decided = None;
        let mut t = opened;
        for (i, (&planned, &actual)) in d.planned.iter().zip(&d.actual).enumerate() {
            if t > view {
                break;
            }
            let done = t + Duration::days(i64::from(actual));
            let step = CaseStep {
                ord: i as i16 + 1,
                started_on: t,
                due_on: t + Duration::days(i64::from(planned)),
                done_on: (done <= view).then_some(done),
            };
            steps.push(step);
            if done > view {
                break;
            }
            last_event = done;
            if d.cancel_after == Some(i) {
                status = CaseStatus::Cancelled;
                break;
            }
            if i == proc.conclude_step() {
                concluded_on = Some(done);
                status = CaseStatus::Concluded;
            }
            if Some(i) == proc.decide_step() {
                decided = Some(done);
            }
            t = done;
        }
        Timeline {
            status,
            due_on,
            concluded_on,
            decided,
            steps,
            last_event,
        }
    }

    pub(crate) fn finish(
        &mut self,
        draft: Draft,
        sector: Option<Sector>,
        opened: NaiveDate,
        d: &Durations,
    ) -> Option<Case> {
        let plan = self.plan;
        let source = &plan.sources[draft.source as usize];
        if opened > source.horizon || opened < plan.start {
            return None;
        }
        let subject = &plan.h.units[draft.subject_unit as usize];
        let mut kind = draft.kind;
        if sector.is_some() && kind == CaseKind::SupervisionThematic {
            kind = CaseKind::SupervisionRegular;
        }
        let (theme, sector) = if kind == CaseKind::SupervisionThematic {
            let of_year: Vec<usize> = (0..plan.themes.len())
                .filter(|&i| plan.themes[i].year == opened.year())
                .collect();
            let t = of_year[self.rng.gen_range(0..of_year.len())];
            (Some(t as u16), plan.themes[t].sector)
        } else {
            let s = sector.unwrap_or_else(|| {
                let base = match subject.level {
                    UnitLevel::Committee => model::committee_sector_weights(&subject.code),
                    _ => self.sector_weights,
                };
                let w = model::sector_weights_for_kind(base, kind);
                Sector::ALL[model::pick_index(&mut self.rng, &w)]
            });
            (None, s)
        };
        let tl = Self::timeline(kind, opened, d, source.horizon);
        let jitter = match subject.level {
            UnitLevel::Province => 0.04,
            UnitLevel::Commune => 0.012,
            _ => 0.004,
        };
        let lat = (subject.lat + self.rng.gen_range(-jitter..jitter)).clamp(8.0, 24.0);
        let lon = (subject.lon + self.rng.gen_range(-jitter..jitter)).clamp(102.0, 118.0);
        let mut case = Case {
            id: 0,
            source: draft.source,
            external_id: String::new(),
            kind,
            theme,
            conducting: draft.conducting,
            subject_type: draft.subject_type,
            subject_unit: draft.subject_unit,
            subject_ref: draft.subject_ref,
            sector,
            status: tl.status,
            opened_on: opened,
            due_on: tl.due_on,
            concluded_on: tl.concluded_on,
            violation: None,
            categories: 0,
            amount_vnd: None,
            discipline: None,
            lat,
            lon,
            created_at: NaiveDateTime::MIN,
            updated_at: NaiveDateTime::MIN,
            steps: tl.steps,
            order: self.rng.r#gen(),
        };
        let mut last_event = tl.last_event;
        if let Some(concluded) = tl.concluded_on {
            let violation = self.rng.r#gen::<f64>() < model::violation_probability(kind);
            if violation {
                self.set_violation(&mut case);
                if self.rng.r#gen::<f64>() < model::discipline_probability(kind) {
                    let date = tl
                        .decided
                        .unwrap_or_else(|| concluded + Duration::days(self.rng.gen_range(7..=30)));
                    if date <= source.horizon {
                        case.discipline = Some((self.discipline_form(&case), date));
                        last_event = last_event.max(date);
                    }
                }
            } else {
                case.violation = Some(false);
            }
        }
        self.stamp(&mut case, last_event);
        Some(case)
    }

    /// Sets the arrival times: the night after the record's first and last events, never after
    /// the source's last arrival.
    pub(crate) fn stamp(&mut self, case: &mut Case, last_event: NaiveDate) {
        let limit = self.plan.sources[case.source as usize].last_arrival;
        let created = local(
            case.opened_on + Duration::days(1),
            self.rng.gen_range(60..360),
        )
        .min(limit);
        let updated = local(last_event + Duration::days(1), self.rng.gen_range(60..360)).min(limit);
        case.created_at = created;
        case.updated_at = updated.max(created);
    }

    /// Marks a concluded case as having found a violation, with categories and an amount.
    pub(crate) fn set_violation(&mut self, case: &mut Case) {
        case.violation = Some(true);
        let mut cats = 0u16;
        if case.kind == CaseKind::AssetDeclaration {
            cats |= 1 << ViolationCategory::AssetDeclaration.index();
        }
        let n = match self.rng.r#gen::<f64>() {
            x if x < 0.7 => 1,
            x if x < 0.95 => 2,
            _ => 3,
        };
        let options = model::categories_for(case.sector);
        while (cats.count_ones() as usize) < n.min(options.len()) {
            cats |= 1 << model::pick(&mut self.rng, options).index();
        }
        case.categories = cats;
        let money = case.category_list().any(model::money_related);
        case.amount_vnd = (money && self.rng.r#gen::<f64>() < 0.85).then(|| self.amount(case));
    }

    /// A log-normal amount in đồng, larger for higher subjects and for corruption.
    pub(crate) fn amount(&mut self, case: &Case) -> i64 {
        let level = self.plan.h.units[case.subject_unit as usize].level;
        let median: f64 = match level {
            UnitLevel::Grassroots | UnitLevel::Cell => 1.5e8,
            UnitLevel::Commune => 4e8,
            UnitLevel::Province => 3e9,
            _ => 8e9,
        };
        let corruption = case.categories & (1 << ViolationCategory::Corruption.index()) != 0;
        let median = if corruption { median * 2.0 } else { median };
        let x = LogNormal::new(median.ln(), 1.2)
            .map(|d| d.sample(&mut self.rng))
            .unwrap_or(median);
        ((x.min(5e13) / 1000.0).round() as i64) * 1000
    }

    /// A discipline form that fits the subject, heavier for larger amounts.
    pub(crate) fn discipline_form(&mut self, case: &Case) -> DisciplineForm {
        use DisciplineForm::*;
        match case.subject_type {
            SubjectType::Member => {
                let heavy = if case.amount_vnd.unwrap_or(0) > 10_000_000_000 {
                    2.5
                } else {
                    1.0
                };
                model::pick(
                    &mut self.rng,
                    &[
                        (Reprimand, 0.5),
                        (Warning, 0.3),
                        (Dismissal, 0.1 * heavy),
                        (Expulsion, 0.1 * heavy),
                    ],
                )
            }
            SubjectType::Organization => model::pick(
                &mut self.rng,
                &[(Reprimand, 0.68), (Warning, 0.3), (Dissolution, 0.02)],
            ),
        }
    }
}
