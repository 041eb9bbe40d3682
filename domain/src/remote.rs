//! Remote supervision (`GET /units/{code}/remote`): what the center already holds about one unit,
//! in one answer, so that a supervisor works without travelling: its cases (by kind, the open
//! ones, the latest), its directive tasks and their state, the freshness of the sources that send
//! its data, its open alerts, and the programmes that supervise it.

use crate::alerts::AlertRecord;
use crate::directives::TaskCounts;
use crate::quality::SourceState;
use crate::workload::{UnitRef, WorkloadTask};
use crate::{CaseKind, CaseStatus, DisciplineForm, Sector, UnitLevel};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many open cases and latest cases the view lists (the counts count them all).
pub const LISTED_CASES: usize = 12;

/// One case, briefly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseBrief {
    pub id: i64,
    pub kind: CaseKind,
    pub theme: Option<String>,
    pub sector: Sector,
    pub status: CaseStatus,
    pub subject_unit: String,
    pub subject_name: String,
    pub conducting_unit: String,
    pub opened_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub violation: Option<bool>,
    pub discipline: Option<DisciplineForm>,
}

impl CaseBrief {
    /// Open past its due day on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        matches!(self.status, CaseStatus::Planned | CaseStatus::InProgress)
            && self.due_on.is_some_and(|d| d < today)
    }
}

/// Cases of one kind about the unit (or below it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindCount {
    pub kind: CaseKind,
    pub total: u32,
    /// Planned or in progress.
    pub open: u32,
    /// Concluded with a violation found.
    pub violations: u32,
}

/// The unit's cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteCases {
    pub total: u32,
    pub open: u32,
    /// Open past their due day.
    pub overdue: u32,
    /// Opened in the last 12 months.
    pub last_12_months: u32,
    /// By kind, in the vocabulary's order; kinds with none left out.
    pub by_kind: Vec<KindCount>,
    /// Open ones, the most overdue (earliest due) first; at most [`LISTED_CASES`].
    pub open_list: Vec<CaseBrief>,
    /// The latest opened, newest first; at most [`LISTED_CASES`].
    pub recent: Vec<CaseBrief>,
}

/// A source that sends the unit's data (owned within it, or holding cases about it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteSource {
    pub code: String,
    pub name: String,
    pub owner_unit: String,
    pub cadence_hours: u32,
    /// Its last arrival (RFC 3339), if any.
    pub last_arrival: Option<String>,
    pub hours_since: Option<f64>,
    pub state: SourceState,
    /// The cases about the unit it holds.
    pub records: u32,
}

/// A programme that supervises the unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub theme: String,
    pub period_to: NaiveDate,
    /// The unit has at least one of the programme's cases.
    pub supervised: bool,
    /// The stage of its most advanced case of the programme's theme.
    pub stage: Option<crate::programmes::Stage>,
}

/// `GET /units/{code}/remote`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteView {
    pub as_of: NaiveDate,
    pub unit: String,
    pub name: String,
    pub level: UnitLevel,
    /// Its parent, when within the caller's scope.
    pub parent: Option<UnitRef>,
    pub cases: RemoteCases,
    /// The unit's own directive tasks by state, and the tasks, most urgent first.
    pub task_counts: TaskCounts,
    pub tasks: Vec<WorkloadTask>,
    pub sources: Vec<RemoteSource>,
    /// Open alerts (not resolved) about the unit or below it, most severe first.
    pub alerts: Vec<AlertRecord>,
    pub programmes: Vec<ProgrammeRef>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_case_past_its_due_day_is_overdue_and_a_concluded_one_never() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let mut c = CaseBrief {
            id: 1,
            kind: CaseKind::SupervisionThematic,
            theme: None,
            sector: Sector::Land,
            status: CaseStatus::InProgress,
            subject_unit: "01".into(),
            subject_name: "Hà Nội".into(),
            conducting_unit: "VN".into(),
            opened_on: day(1),
            due_on: Some(day(10)),
            concluded_on: None,
            violation: None,
            discipline: None,
        };
        assert!(c.overdue(day(11)));
        assert!(!c.overdue(day(10)));
        c.status = CaseStatus::Concluded;
        assert!(!c.overdue(day(20)));
    }
}
