//! The progress of the tasks that resolutions, directives and conclusions assign: each task's
//! state on a day, and the counts by state that the directive screens show at every level.
//!
//! The rule (docs/ARCHITECTURE.md quotes it): a task is **done** when its status says so; else
//! **overdue** once its due day has passed; else **at risk** when its progress trails the share of
//! its time that has gone by (pro rata from the day it was assigned to its due day) by more than
//! [`AT_RISK_GAP`] points; else **on track**. Every task counts as **assigned**.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Points of progress a task may trail its pro-rata expectation before it is at risk.
pub const AT_RISK_GAP: f64 = 15.0;

crate::vocab::vocabulary! {
    /// Where a task stands on a day.
    TaskState {
        OnTrack = "on_track",
        AtRisk = "at_risk",
        Overdue = "overdue",
        Done = "done",
    }
}

/// The progress a task should have reached on `today`, pro rata between the day it was assigned
/// (0%) and its due day (100%).
pub fn expected_progress(assigned_on: NaiveDate, due_on: NaiveDate, today: NaiveDate) -> f64 {
    let span = (due_on - assigned_on).num_days();
    if span <= 0 {
        return if today >= due_on { 100.0 } else { 0.0 };
    }
    let gone = (today - assigned_on).num_days().clamp(0, span);
    gone as f64 * 100.0 / span as f64
}

impl TaskState {
    /// The state on `today` of a task assigned on `assigned_on`, due on `due_on`, at `progress`
    /// percent, `done` or not.
    pub fn of(
        assigned_on: NaiveDate,
        due_on: NaiveDate,
        progress: u8,
        done: bool,
        today: NaiveDate,
    ) -> TaskState {
        if done {
            TaskState::Done
        } else if today > due_on {
            TaskState::Overdue
        } else if f64::from(progress) + AT_RISK_GAP < expected_progress(assigned_on, due_on, today)
        {
            TaskState::AtRisk
        } else {
            TaskState::OnTrack
        }
    }
}

/// Tasks by state; `assigned` counts them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskCounts {
    pub assigned: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub overdue: u64,
    pub done: u64,
}

impl TaskCounts {
    /// Counts one more task in `state`.
    pub fn add(&mut self, state: TaskState) {
        self.assigned += 1;
        match state {
            TaskState::OnTrack => self.on_track += 1,
            TaskState::AtRisk => self.at_risk += 1,
            TaskState::Overdue => self.overdue += 1,
            TaskState::Done => self.done += 1,
        }
    }

    /// The share done, from 0 to 1 (`None` with no task).
    pub fn completion(&self) -> Option<f64> {
        (self.assigned > 0).then(|| self.done as f64 / self.assigned as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_expectation_grows_pro_rata_from_assignment_to_the_due_day() {
        let (a, due) = (d("2026-01-01"), d("2026-12-31"));
        assert_eq!(expected_progress(a, due, d("2025-12-01")), 0.0);
        assert_eq!(expected_progress(a, due, a), 0.0);
        assert!((expected_progress(a, due, d("2026-07-02")) - 50.0).abs() < 0.2);
        assert_eq!(expected_progress(a, due, due), 100.0);
        assert_eq!(expected_progress(a, due, d("2027-06-01")), 100.0);
        // Due the day it was assigned.
        assert_eq!(expected_progress(a, a, a), 100.0);
    }

    #[test]
    fn a_task_is_done_overdue_at_risk_or_on_track() {
        let (a, due) = (d("2026-01-01"), d("2026-12-31"));
        let mid = d("2026-07-02");
        assert_eq!(TaskState::of(a, due, 10, true, mid), TaskState::Done);
        assert_eq!(
            TaskState::of(a, due, 90, false, d("2027-01-01")),
            TaskState::Overdue
        );
        // Half the time gone, 50% expected: 36% trails by 14 points (on track), 34% by 16 (at risk).
        assert_eq!(TaskState::of(a, due, 36, false, mid), TaskState::OnTrack);
        assert_eq!(TaskState::of(a, due, 34, false, mid), TaskState::AtRisk);
        assert_eq!(TaskState::of(a, due, 0, false, a), TaskState::OnTrack);
        // The due day itself is not overdue yet.
        assert_eq!(TaskState::of(a, due, 90, false, due), TaskState::OnTrack);
    }

    #[test]
    fn counts_add_up_and_completion_is_the_share_done() {
        let mut c = TaskCounts::default();
        for s in [
            TaskState::Done,
            TaskState::Done,
            TaskState::AtRisk,
            TaskState::Overdue,
        ] {
            c.add(s);
        }
        assert_eq!(
            c,
            TaskCounts {
                assigned: 4,
                on_track: 0,
                at_risk: 1,
                overdue: 1,
                done: 2
            }
        );
        assert_eq!(c.completion(), Some(0.5));
        assert_eq!(TaskCounts::default().completion(), None);
    }
}
