//! Targets and their attainment: what a unit has achieved of its annual plan, what it should
//! have achieved by today, and where it is heading by the end of the year.
//!
//! The rules (docs/ARCHITECTURE.md quotes them):
//! - **expected by today** is the plan pro rata of the calendar: `planned × day of year / days in
//!   the year` (on 25 November 2026, 329/365 of the plan);
//! - **projected by year end** is the achieved figure divided by the share of a year's events
//!   that usually falls on or before today's day of the year (the season: measured on the whole
//!   organization's previous years, so December's rush is expected), or by the calendar share
//!   when no earlier year is known;
//! - the **gap** is achieved minus expected; a unit is **behind** when the gap is negative,
//!   **on track** otherwise, **met** once it has achieved its whole plan.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

crate::vocab::vocabulary! {
    /// Where a unit stands against one target.
    AttainmentState {
        Behind = "behind",
        OnTrack = "on_track",
        Met = "met",
    }
}

/// Share of `today`'s year gone by at the end of `today` (1 January: 1/365).
pub fn calendar_share(today: NaiveDate) -> f64 {
    let days = if today.leap_year() { 366.0 } else { 365.0 };
    f64::from(today.ordinal()) / days
}

/// The share of a year's events that fall on or before the same day of the year, from earlier
/// years given as `(events up to that day, events in the whole year)`; years without events are
/// skipped. `None` when no year had events.
pub fn seasonal_share(years: &[(i64, i64)]) -> Option<f64> {
    let known: Vec<f64> = years
        .iter()
        .filter(|(_, all)| *all > 0)
        .map(|(to_date, all)| *to_date as f64 / *all as f64)
        .collect();
    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
}

/// One target and where the unit stands against it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attainment {
    /// The annual plan.
    pub planned: i64,
    /// Achieved so far this year.
    pub achieved: i64,
    /// The plan pro rata of the calendar by today.
    pub expected: f64,
    /// Where the year is heading at the usual seasonal pace.
    pub projected: f64,
    /// `achieved − expected` (negative: behind).
    pub gap: f64,
    pub state: AttainmentState,
}

impl Attainment {
    /// Where `achieved` of `planned` stands when `share` of the calendar year is gone and
    /// `season` of a year's events usually fall by today.
    /// Expected, projected and gap are kept to two decimals (they are counts of cases).
    pub fn of(planned: i64, achieved: i64, share: f64, season: f64) -> Attainment {
        let cents = |x: f64| (x * 100.0).round() / 100.0;
        let expected = cents(planned as f64 * share.clamp(0.0, 1.0));
        let projected = cents(achieved as f64 / season.clamp(0.02, 1.0));
        let gap = cents(achieved as f64 - expected);
        let state = if achieved >= planned {
            AttainmentState::Met
        } else if gap < 0.0 {
            AttainmentState::Behind
        } else {
            AttainmentState::OnTrack
        };
        Attainment {
            planned,
            achieved,
            expected,
            projected,
            gap,
            state,
        }
    }

    /// Achieved over expected (1.0: exactly on pace); `None` when nothing was expected yet.
    pub fn pace(&self) -> Option<f64> {
        (self.expected > 0.0).then(|| self.achieved as f64 / self.expected)
    }

    /// Projected over planned; `None` without a plan.
    pub fn projected_share(&self) -> Option<f64> {
        (self.planned > 0).then(|| self.projected / self.planned as f64)
    }
}

/// The `n` units furthest behind their pace and the `n` furthest ahead, from `(code, pace)`
/// pairs (units without a pace are left out); ties go by code. A unit appears in at most one
/// list.
pub fn furthest<'a>(units: &[(&'a str, Option<f64>)], n: usize) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut paced: Vec<(&str, f64)> = units
        .iter()
        .filter_map(|(c, p)| p.map(|p| (*c, p)))
        .collect();
    paced.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    let take = n.min(paced.len() / 2 + paced.len() % 2);
    let behind: Vec<&str> = paced.iter().take(take).map(|(c, _)| *c).collect();
    let ahead: Vec<&str> = paced
        .iter()
        .rev()
        .take(n.min(paced.len() - behind.len()))
        .map(|(c, _)| *c)
        .collect();
    (behind, ahead)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_share_counts_today() {
        assert_eq!(calendar_share(d(2026, 1, 1)), 1.0 / 365.0);
        assert_eq!(calendar_share(d(2026, 11, 25)), 329.0 / 365.0);
        assert_eq!(calendar_share(d(2028, 12, 31)), 1.0);
    }

    #[test]
    fn seasonal_share_averages_the_known_years() {
        assert_eq!(seasonal_share(&[(80, 100), (70, 100)]), Some(0.75));
        assert_eq!(seasonal_share(&[(80, 100), (0, 0)]), Some(0.8));
        assert_eq!(seasonal_share(&[(0, 0)]), None);
        assert_eq!(seasonal_share(&[]), None);
    }

    #[test]
    fn a_unit_below_its_pro_rata_expectation_is_behind_by_the_gap() {
        // Plan 120 a year, half the year gone: 60 expected; 45 achieved is 15 behind.
        let a = Attainment::of(120, 45, 0.5, 0.5);
        assert_eq!(a.expected, 60.0);
        assert_eq!(a.gap, -15.0);
        assert_eq!(a.state, AttainmentState::Behind);
        assert_eq!(a.pace(), Some(0.75));
        assert_eq!(a.projected, 90.0);
        assert_eq!(a.projected_share(), Some(0.75));
    }

    #[test]
    fn the_projection_follows_the_season() {
        // 60 achieved when 40% of a year's events usually have happened: heading for 150.
        let a = Attainment::of(120, 60, 0.5, 0.4);
        assert_eq!(a.projected, 150.0);
        assert_eq!(a.state, AttainmentState::OnTrack);
        assert_eq!(a.gap, 0.0);
    }

    #[test]
    fn a_plan_achieved_in_full_is_met() {
        let a = Attainment::of(10, 10, 0.3, 0.3);
        assert_eq!(a.state, AttainmentState::Met);
        // Nothing planned: met by definition, no pace.
        let z = Attainment::of(0, 0, 0.0, 0.0);
        assert_eq!(z.state, AttainmentState::Met);
        assert_eq!(z.pace(), None);
        assert_eq!(z.projected_share(), None);
    }

    #[test]
    fn furthest_behind_and_ahead_do_not_overlap() {
        let units = [
            ("01", Some(0.8)),
            ("02", Some(1.3)),
            ("04", None),
            ("06", Some(0.6)),
            ("08", Some(1.0)),
            ("10", Some(1.3)),
        ];
        let (behind, ahead) = furthest(&units, 2);
        assert_eq!(behind, vec!["06", "01"]);
        assert_eq!(ahead, vec!["10", "02"]);
        let (behind, ahead) = furthest(&units[..2], 5);
        assert_eq!(behind, vec!["01"]);
        assert_eq!(ahead, vec!["02"]);
        let (behind, ahead) = furthest(&units[..1], 5);
        assert_eq!(behind, vec!["01"]);
        assert!(ahead.is_empty());
    }
}
