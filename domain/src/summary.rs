//! The overview's figures (`GET /summary`) and the arithmetic on them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Counts for one unit (or the whole scope) over one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Cases opened in the period, all kinds.
    pub cases: i64,
    /// Inspections opened (the three inspection kinds).
    pub inspections: i64,
    /// Supervisions opened (regular and thematic).
    pub supervisions: i64,
    /// Complaints, denunciations and asset declarations opened.
    pub settlements: i64,
    /// Cases concluded in the period.
    pub concluded: i64,
    /// Concluded cases in the period where a violation was found.
    pub violations: i64,
    /// Disciplines decided in the period.
    pub disciplines: i64,
    /// Money involved in violations concluded in the period, in đồng.
    pub amount_vnd: i64,
}

impl Figures {
    /// Share of concluded cases that found a violation, if any were concluded.
    pub fn violation_rate(&self) -> Option<f64> {
        (self.concluded > 0).then(|| self.violations as f64 / self.concluded as f64)
    }
}

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// From the first of January of `today`'s year to `today`.
    pub fn year_to_date(today: NaiveDate) -> Period {
        let from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        Period { from, to: today }
    }

    /// The same days one year earlier (29 February falls back to the 28th).
    pub fn a_year_before(&self) -> Period {
        let back = |d: NaiveDate| {
            NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day())
                .or_else(|| NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day() - 1))
                .unwrap_or(d)
        };
        Period {
            from: back(self.from),
            to: back(self.to),
        }
    }
}

/// One unit's figures in the overview, for the map and the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub current: Figures,
    pub previous: Figures,
}

/// `GET /summary`: the figures of a unit over a period, against the same period a year before,
/// and broken down by the unit's children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub unit: String,
    pub unit_name: String,
    pub period: Period,
    pub previous_period: Period,
    pub current: Figures,
    pub previous: Figures,
    pub children: Vec<UnitFigures>,
    /// When the newest record in the scope was written (RFC 3339), if any.
    pub data_as_of: Option<String>,
}

/// Change from `previous` to `current` in percent, if `previous` is not zero.
pub fn change_pct(current: i64, previous: i64) -> Option<f64> {
    (previous != 0).then(|| (current - previous) as f64 * 100.0 / previous as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn year_to_date_starts_on_the_first_of_january() {
        let p = Period::year_to_date(d(2026, 11, 25));
        assert_eq!(
            p,
            Period {
                from: d(2026, 1, 1),
                to: d(2026, 11, 25)
            }
        );
        assert_eq!(
            p.a_year_before(),
            Period {
                from: d(2025, 1, 1),
                to: d(2025, 11, 25)
            }
        );
    }

    #[test]
    fn leap_day_falls_back_to_the_28th() {
        let p = Period {
            from: d(2028, 2, 29),
            to: d(2028, 2, 29),
        };
        assert_eq!(p.a_year_before().from, d(2027, 2, 28));
    }

    #[test]
    fn change_is_relative_to_the_previous_figure() {
        assert_eq!(change_pct(150, 100), Some(50.0));
        assert_eq!(change_pct(75, 100), Some(-25.0));
        assert_eq!(change_pct(3, 0), None);
    }

    #[test]
    fn violation_rate_needs_concluded_cases() {
        let f = Figures {
            concluded: 40,
            violations: 10,
            ..Default::default()
        };
        assert_eq!(f.violation_rate(), Some(0.25));
        assert_eq!(Figures::default().violation_rate(), None);
    }
}
