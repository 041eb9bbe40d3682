//! `GET /overview`: everything a leader's overview of one unit shows, aggregated by the server
//! so that the tablet loads one small document (its size is measured in
//! docs/benchmarks/overview.md).

use crate::forecast::Forecast;
use crate::summary::Figures;
use crate::targets::Attainment;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One step of the breadcrumb.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Crumb {
    pub code: String,
    pub name: String,
}

/// One of the unit's own targets for the year and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetLine {
    /// `inspections`, `supervisions` or `settled_on_time`.
    pub measure: String,
    /// The sector the target is for; none: all sectors.
    pub sector: Option<String>,
    pub attainment: Attainment,
    /// Achieved in the same days of last year, when the server keeps them for this unit.
    pub last_year: Option<i64>,
    /// Set when the unit was given no such target itself: the sum of this many children's
    /// targets (and of what they achieved) stands for it.
    #[serde(default)]
    pub from_children: Option<u32>,
    /// Where the year is heading, with an interval and the method's error on past years (none
    /// when no past year had events).
    #[serde(default)]
    pub forecast: Option<Forecast>,
}

/// A child unit's attainment of its targets (those it has) this year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildAttainment {
    pub code: String,
    pub name: String,
    /// Cases opened this year in its subtree.
    pub cases: i64,
    pub inspections: Option<Attainment>,
    pub supervisions: Option<Attainment>,
    pub settled_on_time: Option<Attainment>,
}

impl ChildAttainment {
    /// Its attainment of one measure's target.
    pub fn measure(&self, measure: &str) -> Option<&Attainment> {
        match measure {
            "inspections" => self.inspections.as_ref(),
            "supervisions" => self.supervisions.as_ref(),
            "settled_on_time" => self.settled_on_time.as_ref(),
            _ => None,
        }
    }
}

/// One month of the trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// The first day of the month.
    pub month: NaiveDate,
    pub figures: Figures,
    /// Cases concluded in the month on or before their due day.
    pub on_time: i64,
}

/// Open (not resolved) alerts in the unit's subtree by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertCounts {
    pub critical: i64,
    pub warning: i64,
    pub info: i64,
}

/// `GET /overview`: a unit's year so far against its targets, its trends, its children's
/// attainment and its open alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub unit: String,
    pub unit_name: String,
    /// `central`, `committee`, `province`, `commune`, ...
    pub level: String,
    /// From the caller's scope unit down to this unit.
    pub trail: Vec<Crumb>,
    /// The server's today; the year so far runs from 1 January to it.
    pub today: NaiveDate,
    /// Share of the calendar year gone (the pro-rata expectation's factor).
    pub calendar_share: f64,
    /// The year so far.
    pub figures: Figures,
    /// Cases concluded on time in the year so far.
    pub on_time: i64,
    /// The same days a year before.
    pub last_year: Figures,
    pub last_year_on_time: i64,
    /// The unit's own targets for this year, each measure for all sectors first, then by sector.
    pub targets: Vec<TargetLine>,
    /// The last 24 months, oldest first (the current month so far last).
    pub trend: Vec<MonthFigures>,
    /// The children that have targets (provinces for the centre, communes for a province).
    pub children: Vec<ChildAttainment>,
    /// Whether the children can be opened in their own overview (have a level below them with
    /// targets or figures).
    pub children_open: bool,
    pub alerts: AlertCounts,
    /// When the newest record in the subtree was written (RFC 3339), if any.
    pub data_as_of: Option<String>,
}
