//! Year-end forecasts of a targeted measure: where a unit's year is heading, with a prediction
//! interval, the chance of reaching the plan, and how well the same method did on past years.
//!
//! The method (docs/ARCHITECTURE.md quotes it), on a measure's monthly counts:
//! - **Cut-off.** A forecast is made on `today`; every year is cut on the same calendar day
//!   (29 February counts as the end of February in a common year). Events by the cut-off in a
//!   year are its whole months before it plus its month pro rata of the days gone (the rollups
//!   keep months; the current year's count is exact).
//! - **Season.** Each past year with events has a share `s_y` of its year's `T_y` events by the
//!   cut-off, started from the calendar's share `c_y` with the weight of [`PRIOR_EVENTS`] events,
//!   `s_y = (A_y + 10·c_y) / (T_y + 10)`, so a year of two events does not claim that nothing
//!   ever happens after November while a year of hundreds keeps its own season; the seasonal
//!   share `s` is their mean (the rule of [`crate::targets::seasonal_share`], on this unit's own
//!   years), kept to at least 2 %.
//! - **Point.** Year end = achieved so far `A` + the usual remainder `A·(1 − s)/s`, that is
//!   `A / s`: the year's level is read from what is achieved, so a unit growing or shrinking
//!   from year to year is followed, and a December rush is expected.
//! - **Interval** (80 %, normal approximation, never below what is achieved), from two sources:
//!   *count noise*: the events still to come and those already counted are Poisson counts,
//!   overdispersed by `φ` (the Pearson χ² of the past years' months around their average monthly
//!   profile over its degrees of freedom, at least 1), giving `φ·λ·(1 − s)/s` with `λ = max(A, 1)/s`
//!   (so a unit with nothing yet still gets an interval); *the season's own uncertainty*: the
//!   spread of the past shares beyond what count noise explains
//!   (`var(s_y) − mean φ·s_y(1 − s_y)·T_y/(T_y + 10)²`,
//!   not below 0) plus the error of their mean (`var(s_y)/n`), carried to the year end by
//!   `(point/s)²`. With a single past year the season's spread is unknown: the point is given,
//!   the interval and the chance are not.
//! - **Chance of meeting the plan**: `P(total ≥ plan)` under the same normal law (continuity
//!   corrected), kept between 0.1 % and 99.9 %; 1 once the plan is achieved.
//! - **Backtest.** Each past year with at least one year of events before it is forecast from the
//!   same cut-off with only those earlier years and its own months by the cut-off; the report
//!   gives each run, the mean absolute percentage error of the points and the coverage (the share
//!   of runs with an interval whose actual fell inside it).
//!
//! Years without any event are left out (as a unit that did not exist yet); a unit without a
//! past year with events has no forecast. Everything is deterministic: same counts, same figures.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// One year's events of a measure, January to December.
pub type Months = [i64; 12];

/// The level of the prediction interval.
pub const LEVEL: f64 = 0.8;
/// The standard normal quantile of `(1 + LEVEL) / 2`.
const Z: f64 = 1.281_551_565_544_600_5;
/// The events' worth of the calendar each past year's share starts from: a year of a handful of
/// events says little about the season, one of hundreds nearly all.
pub const PRIOR_EVENTS: f64 = 10.0;
/// The least seasonal share a projection divides by (as [`crate::targets::Attainment::of`]).
const MIN_SHARE: f64 = 0.02;

/// The calendar day every year is cut on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutOff {
    /// 1..=12.
    month: u32,
    day: u32,
}

impl CutOff {
    /// The cut-off of a forecast made at the end of `today`.
    pub fn of(today: NaiveDate) -> CutOff {
        CutOff {
            month: today.month(),
            day: today.day(),
        }
    }

    /// The events of `months` (of `year`) by the cut-off: the months before it and its own
    /// month pro rata of the days gone.
    pub fn to_date(self, year: i32, months: &Months) -> f64 {
        let m = (self.month as usize).clamp(1, 12) - 1;
        let days = days_in_month(year, self.month);
        let part = f64::from(self.day.min(days)) / f64::from(days);
        months[..m].iter().sum::<i64>() as f64 + months[m] as f64 * part
    }

    /// The calendar's share of `year` by the cut-off (one event a day).
    pub fn calendar(self, year: i32) -> f64 {
        let mut days = [0; 12];
        for (m, d) in days.iter_mut().enumerate() {
            *d = i64::from(days_in_month(year, m as u32 + 1));
        }
        self.to_date(year, &days) / days.iter().sum::<i64>() as f64
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    match (
        NaiveDate::from_ymd_opt(year, month, 1),
        NaiveDate::from_ymd_opt(ny, nm, 1),
    ) {
        (Some(a), Some(b)) => u32::try_from((b - a).num_days()).unwrap_or(30),
        _ => 30,
    }
}

/// Where a measure's year is heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// The year-end total expected: achieved so far plus the usual remainder.
    pub point: f64,
    /// The prediction interval's low end at `level` (none with fewer than two past years).
    pub low: Option<f64>,
    /// The prediction interval's high end at `level`.
    pub high: Option<f64>,
    /// The interval's probability (0.8).
    pub level: f64,
    /// The probability that the year-end total reaches the plan (none without a plan or an
    /// interval).
    pub chance_of_meeting: Option<f64>,
    /// Achieved so far this year.
    pub achieved: i64,
    /// The share of a year's events usually in by today (the mean of the past years').
    pub share: f64,
    /// The past years (with events) the forecast rests on.
    pub years: u32,
    pub backtest: Backtest,
}

/// How the method did on past years, forecast from the same day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Backtest {
    /// The past years forecast.
    pub years: u32,
    /// Mean absolute percentage error of their points (0.06: 6 %); none without a run.
    pub mape: Option<f64>,
    /// The share of the runs with an interval whose actual fell inside it; none without one.
    pub coverage: Option<f64>,
    /// Each past year's forecast and what it came to, oldest first.
    pub runs: Vec<BacktestRun>,
}

/// One past year forecast from the cut-off with the years before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestRun {
    pub year: i32,
    pub point: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The year's actual total.
    pub actual: i64,
}

/// A backtest run before rounding: year, point, interval, actual.
type Run = (i32, f64, Option<(f64, f64)>, f64);

/// One forecast before rounding.
struct Estimate {
    point: f64,
    /// The standard deviation of the year-end total; none with a single past year.
    sd: Option<f64>,
    share: f64,
}

impl Estimate {
    fn interval(&self, achieved: f64) -> Option<(f64, f64)> {
        self.sd
            .map(|sd| ((self.point - Z * sd).max(achieved), self.point + Z * sd))
    }
}

/// The year-end forecast of `today`'s year from `past` years' months (any order; years at or
/// after today's and years without events are left out) and `current`, this year's months up to
/// today; `planned` gives the chance of meeting it. `None` without a past year with events.
pub fn forecast(
    past: &[(i32, Months)],
    current: &Months,
    today: NaiveDate,
    planned: Option<i64>,
) -> Option<Forecast> {
    let cut = CutOff::of(today);
    let mut history: Vec<(i32, &Months)> = past
        .iter()
        .filter(|(y, m)| *y < today.year() && m.iter().sum::<i64>() > 0)
        .map(|(y, m)| (*y, m))
        .collect();
    history.sort_by_key(|(y, _)| *y);
    let achieved: i64 = current.iter().sum();
    let est = estimate(&history, cut, achieved as f64)?;
    let interval = est.interval(achieved as f64);
    let chance_of_meeting = planned.and_then(|plan| {
        if achieved >= plan {
            return Some(1.0);
        }
        let sd = est.sd?;
        Some(if sd > 0.0 {
            // Kept off 0 and 1: only an achieved plan is certain.
            (1.0 - normal_cdf((plan as f64 - 0.5 - est.point) / sd)).clamp(0.001, 0.999)
        } else if est.point >= plan as f64 {
            1.0
        } else {
            0.0
        })
    });

    // Each past year from the years before it; errors and coverage on the unrounded figures.
    let raw: Vec<Run> = (1..history.len())
        .filter_map(|i| {
            let (year, months) = history[i];
            let a = cut.to_date(year, months);
            let e = estimate(&history[..i], cut, a)?;
            Some((
                year,
                e.point,
                e.interval(a),
                months.iter().sum::<i64>() as f64,
            ))
        })
        .collect();
    let runs: Vec<BacktestRun> = raw
        .iter()
        .map(|(year, point, interval, actual)| BacktestRun {
            year: *year,
            point: cents(*point),
            low: interval.map(|(lo, _)| cents(lo)),
            high: interval.map(|(_, hi)| cents(hi)),
            actual: *actual as i64,
        })
        .collect();
    let mape = (!raw.is_empty()).then(|| {
        raw.iter()
            .map(|(_, p, _, actual)| (p - actual).abs() / actual)
            .sum::<f64>()
            / raw.len() as f64
    });
    let with_interval: Vec<bool> = raw
        .iter()
        .filter_map(|(_, _, i, actual)| i.map(|(lo, hi)| lo <= *actual && *actual <= hi))
        .collect();
    let coverage = (!with_interval.is_empty()).then(|| {
        with_interval.iter().filter(|inside| **inside).count() as f64 / with_interval.len() as f64
    });

    Some(Forecast {
        point: cents(est.point),
        low: interval.map(|(lo, _)| cents(lo)),
        high: interval.map(|(_, hi)| cents(hi)),
        level: LEVEL,
        chance_of_meeting: chance_of_meeting.map(|c| (c * 1000.0).round() / 1000.0),
        achieved,
        share: (est.share * 10_000.0).round() / 10_000.0,
        years: history.len() as u32,
        backtest: Backtest {
            years: runs.len() as u32,
            mape: mape.map(|m| (m * 10_000.0).round() / 10_000.0),
            coverage: coverage.map(|c| (c * 10_000.0).round() / 10_000.0),
            runs,
        },
    })
}

/// The forecast of a year cut at `cut` with `achieved` events by then, from `history` (earlier
/// years with events, oldest first).
fn estimate(history: &[(i32, &Months)], cut: CutOff, achieved: f64) -> Option<Estimate> {
    let n = history.len();
    if n == 0 {
        return None;
    }
    let totals: Vec<f64> = history
        .iter()
        .map(|(_, m)| m.iter().sum::<i64>() as f64)
        .collect();
    // Each year's share, started from the calendar's with PRIOR_EVENTS events' weight.
    let shares: Vec<f64> = history
        .iter()
        .zip(&totals)
        .map(|((y, m), t)| {
            (cut.to_date(*y, m) + PRIOR_EVENTS * cut.calendar(*y)) / (t + PRIOR_EVENTS)
        })
        .collect();
    let mean_share = shares.iter().sum::<f64>() / n as f64;
    let s = mean_share.clamp(MIN_SHARE, 1.0);
    let point = achieved / s;
    let sd = (n >= 2).then(|| {
        let phi = dispersion(history, &totals);
        let var_s = shares.iter().map(|x| (x - mean_share).powi(2)).sum::<f64>() / (n - 1) as f64;
        let noise = shares
            .iter()
            .zip(&totals)
            .map(|(x, t)| phi * x * (1.0 - x) * t / (t + PRIOR_EVENTS).powi(2))
            .sum::<f64>()
            / n as f64;
        let var_share = (var_s - noise).max(0.0) + var_s / n as f64;
        let level = achieved.max(1.0) / s;
        let var = phi * level * (1.0 - s) / s + (point / s).powi(2) * var_share;
        var.max(0.0).sqrt()
    });
    Some(Estimate {
        point,
        sd,
        share: mean_share,
    })
}

/// The overdispersion of monthly counts: Pearson's χ² of each year's months around the years'
/// average monthly profile scaled to the year's total, over its degrees of freedom; at least 1
/// (Poisson), and 1 when there are too few years to tell.
fn dispersion(history: &[(i32, &Months)], totals: &[f64]) -> f64 {
    let n = history.len();
    let mut profile = [0.0; 12];
    for ((_, months), t) in history.iter().zip(totals) {
        for (p, c) in profile.iter_mut().zip(months.iter()) {
            *p += *c as f64 / t / n as f64;
        }
    }
    let mut chi2 = 0.0;
    for ((_, months), t) in history.iter().zip(totals) {
        for (p, c) in profile.iter().zip(months.iter()) {
            let e = t * p;
            if e > 0.0 {
                chi2 += (*c as f64 - e).powi(2) / e;
            }
        }
    }
    // n yearly totals and 11 free monthly shares are fitted.
    let df = (12 * n) as f64 - n as f64 - 11.0;
    if df < 1.0 { 1.0 } else { (chi2 / df).max(1.0) }
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::seasonal_share;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Months `h1` each in January to June and `h2` each in July to December.
    fn halves(h1: i64, h2: i64) -> Months {
        let mut m = [h2; 12];
        m[..6].fill(h1);
        m
    }

    /// This year's months up to June, `h1` each.
    fn first_half(h1: i64) -> Months {
        halves(h1, 0)
    }

    /// A past year's share by the cut-off, started from the calendar's (`c`) with ten events'
    /// weight.
    fn shrunk(by_cut: f64, total: f64, c: f64) -> f64 {
        (by_cut + 10.0 * c) / (total + 10.0)
    }

    /// The calendar's share by 30 June: 181 days of 365, 182 of 366 in a leap year.
    fn june(year: i32) -> f64 {
        if year % 4 == 0 {
            182.0 / 366.0
        } else {
            181.0 / 365.0
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 0.006, "{a} is not {b}");
    }

    #[test]
    fn the_cut_off_counts_whole_months_and_the_days_gone_of_its_month() {
        let m = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        // One event a day: the count by the cut-off is the day of the year.
        assert_eq!(CutOff::of(d(2025, 1, 10)).to_date(2025, &m), 10.0);
        assert_eq!(CutOff::of(d(2025, 11, 25)).to_date(2025, &m), 329.0);
        assert_eq!(CutOff::of(d(2025, 12, 31)).to_date(2025, &m), 365.0);
    }

    #[test]
    fn the_29th_of_february_ends_february_in_a_common_year() {
        let common = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let leap = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let cut = CutOff::of(d(2028, 2, 29));
        assert_eq!(cut.to_date(2027, &common), 59.0);
        assert_eq!(cut.to_date(2028, &leap), 60.0);
        // The 28th is a day short of a leap February's end.
        assert_eq!(CutOff::of(d(2028, 2, 28)).to_date(2028, &leap), 59.0);
    }

    #[test]
    fn the_calendar_share_is_a_day_a_day() {
        assert_eq!(CutOff::of(d(2025, 6, 30)).calendar(2025), 181.0 / 365.0);
        assert_eq!(CutOff::of(d(2025, 6, 30)).calendar(2024), 182.0 / 366.0);
        assert_eq!(CutOff::of(d(2028, 2, 29)).calendar(2027), 59.0 / 365.0);
        assert_eq!(CutOff::of(d(2026, 12, 31)).calendar(2024), 1.0);
    }

    #[test]
    fn an_even_year_heads_for_about_twice_its_first_half_with_a_poisson_interval() {
        // Two past years of 10 a month; 60 by the end of June this year.
        let past = [(2024, [10; 12]), (2025, [10; 12])];
        let f = forecast(&past, &first_half(10), d(2026, 6, 30), Some(130)).unwrap();
        let s = (shrunk(60.0, 120.0, june(2024)) + shrunk(60.0, 120.0, june(2025))) / 2.0;
        close(s, 0.49985);
        assert_eq!(f.share, (s * 10_000.0).round() / 10_000.0);
        let point = 60.0 / s;
        close(f.point, point);
        assert_eq!(f.achieved, 60);
        assert_eq!(f.years, 2);
        // The shares' tiny spread is all count noise, no overdispersion: count noise alone,
        // var = λ (1 − s)/s with λ = 60/s, about 120.
        let sd = (60.0 / s * (1.0 - s) / s).sqrt();
        close(f.low.unwrap(), point - Z * sd);
        close(f.high.unwrap(), point + Z * sd);
        assert_eq!(f.level, 0.8);
        // P(total ≥ 130) = 1 − Φ((129.5 − 120) / √120) = 1 − Φ(0.867) ≈ 0.193.
        close(f.chance_of_meeting.unwrap(), 0.193);
    }

    #[test]
    fn with_many_events_the_share_is_the_seasonal_share_of_the_past_years() {
        // Cut on a month's end, the counts by the cut-off are whole: the rule of the
        // organization's season in `targets`, the calendar's weight lost among 12,000 events.
        let past = [(2024, halves(400, 1600)), (2025, halves(600, 1400))];
        let f = forecast(&past, &first_half(500), d(2026, 6, 30), None).unwrap();
        let seasonal = seasonal_share(&[(2400, 12_000), (3600, 12_000)]).unwrap();
        assert_eq!(seasonal, 0.25);
        assert!((f.share - seasonal).abs() < 0.0003, "{}", f.share);
        // A December-heavy season: 3,000 achieved when a quarter usually is heads for 12,000.
        assert!((f.point - 12_000.0).abs() < 15.0, "{}", f.point);
        assert_eq!(f.chance_of_meeting, None);
    }

    #[test]
    fn a_year_of_a_few_events_leans_on_the_calendar() {
        // Two events a year, both before the cut-off: the season is not "nothing after
        // November", and nothing achieved yet is not a certain zero.
        let mut spring = [0; 12];
        spring[2] = 2;
        let past = [(2024, spring), (2025, spring)];
        let today = d(2026, 11, 25);
        let f = forecast(&past, &[0; 12], today, Some(1)).unwrap();
        let c = |y| CutOff::of(today).calendar(y);
        let s = (shrunk(2.0, 2.0, c(2024)) + shrunk(2.0, 2.0, c(2025))) / 2.0;
        assert_eq!(f.share, (s * 10_000.0).round() / 10_000.0);
        assert!(f.share < 0.95);
        assert_eq!(f.point, 0.0);
        assert!(f.high.unwrap() > 0.0);
        let chance = f.chance_of_meeting.unwrap();
        assert!(chance > 0.001 && chance < 0.5, "{chance}");
    }

    #[test]
    fn backtest_forecasts_each_past_year_from_the_years_before_it() {
        // 2023 even, 2024 late, 2025 early; each 120 in all.
        let past = [
            (2023, halves(10, 10)),
            (2024, halves(8, 12)),
            (2025, halves(12, 8)),
        ];
        let f = forecast(&past, &first_half(10), d(2026, 6, 30), None).unwrap();
        let b = &f.backtest;
        assert_eq!(b.years, 2);
        let s23 = shrunk(60.0, 120.0, june(2023));
        let s24 = shrunk(48.0, 120.0, june(2024));
        // 2024 from 2023 alone: 48 / s23 (about 96), no interval (a single earlier year).
        let p24 = 48.0 / s23;
        assert_eq!((b.runs[0].year, b.runs[0].actual), (2024, 120));
        close(b.runs[0].point, p24);
        assert_eq!((b.runs[0].low, b.runs[0].high), (None, None));
        // 2025 from 2023 and 2024: 72 / mean(s23, s24) (about 159).
        let s = (s23 + s24) / 2.0;
        let p25 = 72.0 / s;
        close(b.runs[1].point, p25);
        // Monthly profile 9/120 then 11/120: χ² = 2 · (6/9 + 6/11) = 2.42 on 11 df -> φ = 1.
        // The shares' variance, less their count noise, plus the error of their mean.
        let var_s = (s23 - s).powi(2) + (s24 - s).powi(2);
        let noise = (s23 * (1.0 - s23) + s24 * (1.0 - s24)) * 120.0 / 130f64.powi(2) / 2.0;
        let var_share = (var_s - noise) + var_s / 2.0;
        let var = 72.0 / s * (1.0 - s) / s + (p25 / s).powi(2) * var_share;
        close(b.runs[1].low.unwrap(), p25 - Z * var.sqrt());
        close(b.runs[1].high.unwrap(), p25 + Z * var.sqrt());
        // 120 is below 2025's interval.
        assert!(b.runs[1].low.unwrap() > 120.0);
        let mape = ((p24 - 120.0).abs() / 120.0 + (p25 - 120.0).abs() / 120.0) / 2.0;
        assert_eq!(b.mape, Some((mape * 10_000.0).round() / 10_000.0));
        assert_eq!(b.coverage, Some(0.0));
    }

    #[test]
    fn overdispersed_months_widen_the_interval() {
        let even = [(2024, [10; 12]), (2025, [10; 12])];
        let lumpy = [
            (2024, [0, 20, 0, 20, 0, 20, 0, 20, 0, 20, 0, 20]),
            (2025, [20, 0, 20, 0, 20, 0, 20, 0, 20, 0, 20, 0]),
        ];
        let today = d(2026, 6, 30);
        let a = forecast(&even, &first_half(10), today, None).unwrap();
        let b = forecast(&lumpy, &first_half(10), today, None).unwrap();
        assert_eq!(a.point, b.point);
        assert!(b.high.unwrap() - b.low.unwrap() > 2.0 * (a.high.unwrap() - a.low.unwrap()));
    }

    #[test]
    fn a_single_past_year_gives_a_point_and_says_no_interval() {
        let f = forecast(
            &[(2025, [10; 12])],
            &first_half(8),
            d(2026, 6, 30),
            Some(100),
        )
        .unwrap();
        close(f.point, 48.0 / shrunk(60.0, 120.0, june(2025)));
        assert_eq!((f.low, f.high, f.chance_of_meeting), (None, None, None));
        assert_eq!(f.years, 1);
        assert_eq!(f.backtest.years, 0);
        assert_eq!((f.backtest.mape, f.backtest.coverage), (None, None));
    }

    #[test]
    fn no_past_year_with_events_gives_no_forecast() {
        let today = d(2026, 6, 30);
        assert_eq!(forecast(&[], &first_half(3), today, Some(10)), None);
        assert_eq!(
            forecast(&[(2025, [0; 12])], &first_half(3), today, None),
            None
        );
        // This year and later are not history.
        assert_eq!(
            forecast(&[(2026, [5; 12])], &first_half(3), today, None),
            None
        );
    }

    #[test]
    fn nothing_achieved_yet_still_gets_an_interval_above_zero() {
        let past = [(2024, [1; 12]), (2025, [1; 12])];
        let f = forecast(&past, &[0; 12], d(2026, 6, 30), Some(3)).unwrap();
        assert_eq!(f.point, 0.0);
        assert_eq!(f.low, Some(0.0));
        assert!(f.high.unwrap() > 1.0);
        assert!(f.chance_of_meeting.unwrap() < 0.5);
    }

    #[test]
    fn a_chance_is_never_a_certainty_until_the_plan_is_achieved() {
        let past = [(2024, [10; 12]), (2025, [10; 12])];
        let today = d(2026, 6, 30);
        let sure = forecast(&past, &first_half(10), today, Some(61)).unwrap();
        assert_eq!(sure.chance_of_meeting, Some(0.999));
        let hopeless = forecast(&past, &first_half(10), today, Some(500)).unwrap();
        assert_eq!(hopeless.chance_of_meeting, Some(0.001));
    }

    #[test]
    fn a_plan_already_achieved_is_certain_and_the_interval_never_goes_below_it() {
        let past = [(2024, [1; 12]), (2025, [3; 12])];
        let f = forecast(&past, &first_half(4), d(2026, 6, 30), Some(20)).unwrap();
        assert_eq!(f.chance_of_meeting, Some(1.0));
        assert!(f.low.unwrap() >= 24.0);
    }

    #[test]
    fn the_last_day_of_the_year_forecasts_what_is_achieved() {
        let past = [(2023, [9; 12]), (2024, [10; 12]), (2025, [12; 12])];
        let f = forecast(&past, &[11; 12], d(2026, 12, 31), Some(132)).unwrap();
        assert_eq!((f.point, f.low, f.high), (132.0, Some(132.0), Some(132.0)));
        assert_eq!(f.chance_of_meeting, Some(1.0));
        assert_eq!(f.backtest.mape, Some(0.0));
        assert_eq!(f.backtest.coverage, Some(1.0));
    }

    #[test]
    fn the_forecast_is_the_same_whatever_the_order_of_the_years() {
        let a = [
            (2023, halves(3, 9)),
            (2024, halves(5, 7)),
            (2025, halves(4, 4)),
        ];
        let b = [a[2], a[0], a[1]];
        let today = d(2026, 8, 17);
        let current = halves(4, 0);
        assert_eq!(
            forecast(&a, &current, today, Some(90)),
            forecast(&b, &current, today, Some(90))
        );
    }

    #[test]
    fn the_normal_distribution_function_has_its_known_values() {
        close(normal_cdf(0.0), 0.5);
        assert!((normal_cdf(Z) - 0.9).abs() < 1e-6);
        assert!((normal_cdf(-1.959_964) - 0.025).abs() < 1e-6);
    }
}
