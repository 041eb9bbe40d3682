//! Early warning by rules: when a figure needs a person (docs/ARCHITECTURE.md, "Early warning").
//! Each rule turns what the server measured into a [`Finding`]: the alert's kind, severity and
//! the expected and observed values it shows; `None` when all is well.
//!
//! - **Targets** of provinces, committees and the centre (each measure, all sectors and each
//!   sector): *at risk* when the year-end projection at the usual seasonal pace falls short of
//!   the plan (critical below [`AT_RISK_CRITICAL`] of it); *behind* when the projection makes the
//!   plan but the year so far is more than [`BEHIND_TOLERANCE`] under the plan pro rata of the
//!   calendar (information: the season says it will catch up).
//! - **Communes' targets**, counted by province and measure: the communes at risk (projected
//!   under [`AT_RISK_CRITICAL`] of their plan); a warning from a quarter of the communes.
//! - **Cases and tasks past their deadline**, counted by the unit responsible: a warning, critical
//!   when the oldest is more than [`LONG_OVERDUE_DAYS`] late or [`MANY_OVERDUE`] are.
//! - **Steps of a standard procedure** ([`step_state`]): a reminder to the unit doing the case
//!   when a step is past its deadline; an escalation to the level above when it is late by more
//!   than the step's `escalate_after` days.

use crate::Severity;
use crate::targets::Attainment;
use chrono::NaiveDate;

/// Projected under this share of the plan: critical.
pub const AT_RISK_CRITICAL: f64 = 0.85;
/// The year so far under this share of the plan pro rata: behind.
pub const BEHIND_TOLERANCE: f64 = 0.9;
/// A case or task late by more than this many days makes its unit's alert critical.
pub const LONG_OVERDUE_DAYS: i64 = 90;
/// This many cases or tasks late make their unit's alert critical.
pub const MANY_OVERDUE: i64 = 10;

/// The kinds of alerts the rules raise (the source watch's are `source_late`, `source_stale`,
/// `source_failing`; the detector's `anomaly`).
pub mod kind {
    pub const TARGET_AT_RISK: &str = "target_at_risk";
    pub const TARGET_BEHIND: &str = "target_behind";
    pub const COMMUNES_AT_RISK: &str = "communes_at_risk";
    pub const CASES_OVERDUE: &str = "cases_overdue";
    pub const TASKS_OVERDUE: &str = "tasks_overdue";
    pub const STEP_LATE: &str = "step_late";
    pub const STEP_ESCALATED: &str = "step_escalated";
    pub const ANOMALY: &str = "anomaly";
}

/// What a rule found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    pub kind: &'static str,
    pub severity: Severity,
    pub expected: f64,
    pub observed: f64,
}

/// A target's finding (see the module documentation).
pub fn target(a: &Attainment) -> Option<Finding> {
    if a.planned <= 0 || a.achieved >= a.planned {
        return None;
    }
    let planned = a.planned as f64;
    if a.projected < planned {
        let severity = if a.projected < AT_RISK_CRITICAL * planned {
            Severity::Critical
        } else {
            Severity::Warning
        };
        return Some(Finding {
            kind: kind::TARGET_AT_RISK,
            severity,
            expected: planned,
            observed: a.projected,
        });
    }
    (a.expected > 0.0 && (a.achieved as f64) < BEHIND_TOLERANCE * a.expected).then_some(Finding {
        kind: kind::TARGET_BEHIND,
        severity: Severity::Info,
        expected: a.expected,
        observed: a.achieved as f64,
    })
}

/// Whether a commune's target is at risk (counted by [`communes`]).
pub fn commune_at_risk(a: &Attainment) -> bool {
    a.planned > 0 && a.achieved < a.planned && a.projected < AT_RISK_CRITICAL * a.planned as f64
}

/// A province's finding on its communes: `at_risk` of `of` communes with the target.
pub fn communes(at_risk: i64, of: i64) -> Option<Finding> {
    if at_risk <= 0 || of <= 0 {
        return None;
    }
    let severity = if at_risk as f64 >= 0.25 * of as f64 {
        Severity::Warning
    } else {
        Severity::Info
    };
    Some(Finding {
        kind: kind::COMMUNES_AT_RISK,
        severity,
        expected: 0.0,
        observed: at_risk as f64,
    })
}

/// A unit's finding on `count` cases (or tasks) past their deadline, the oldest `oldest_days`
/// late; `kind` is [`kind::CASES_OVERDUE`] or [`kind::TASKS_OVERDUE`].
pub fn overdue(kind: &'static str, count: i64, oldest_days: i64) -> Option<Finding> {
    if count <= 0 {
        return None;
    }
    let severity = if oldest_days > LONG_OVERDUE_DAYS || count >= MANY_OVERDUE {
        Severity::Critical
    } else {
        Severity::Warning
    };
    Some(Finding {
        kind,
        severity,
        expected: 0.0,
        observed: count as f64,
    })
}

/// Where an open step of a procedure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    OnTime,
    /// Past its deadline by this many days: a reminder to the unit.
    Late(i64),
    /// Late by more than the step allows: also an escalation to the level above.
    Escalated(i64),
}

/// The state on `today` of a step due on `due` that escalates when late by more than
/// `escalate_after` days.
pub fn step_state(due: NaiveDate, today: NaiveDate, escalate_after: i64) -> StepState {
    let late = (today - due).num_days();
    if late <= 0 {
        StepState::OnTime
    } else if late > escalate_after {
        StepState::Escalated(late)
    } else {
        StepState::Late(late)
    }
}

/// The severity of a reminder (late by `late` days) or an escalation.
pub fn step_severity(state: StepState, escalate_after: i64) -> Option<Severity> {
    match state {
        StepState::OnTime => None,
        StepState::Late(_) => Some(Severity::Info),
        StepState::Escalated(late) if late > 3 * escalate_after.max(5) => Some(Severity::Critical),
        StepState::Escalated(_) => Some(Severity::Warning),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_target_is_at_risk_when_its_projection_falls_short() {
        // 40 of 100 by mid-year, when half a year's events usually come by then: 80 projected.
        let a = Attainment::of(100, 40, 0.5, 0.5);
        let f = target(&a).unwrap();
        assert_eq!(f.kind, kind::TARGET_AT_RISK);
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!((f.expected, f.observed), (100.0, 80.0));
        // 45: 90 projected, under the plan but within 15 %: a warning.
        let f = target(&Attainment::of(100, 45, 0.5, 0.5)).unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (kind::TARGET_AT_RISK, Severity::Warning)
        );
    }

    #[test]
    fn behind_the_calendar_but_ahead_of_the_season_is_information() {
        // 40 of 100 at mid-year, but only 35 % of a year's events usually come by then.
        let f = target(&Attainment::of(100, 40, 0.5, 0.35)).unwrap();
        assert_eq!(f.kind, kind::TARGET_BEHIND);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!((f.expected, f.observed), (50.0, 40.0));
        // 46 of the 50 expected is within the tolerance.
        assert_eq!(target(&Attainment::of(100, 46, 0.5, 0.35)), None);
    }

    #[test]
    fn a_met_or_empty_target_raises_nothing() {
        assert_eq!(target(&Attainment::of(100, 100, 0.5, 0.5)), None);
        assert_eq!(target(&Attainment::of(0, 0, 0.5, 0.5)), None);
        assert_eq!(target(&Attainment::of(100, 60, 0.5, 0.5)), None);
    }

    #[test]
    fn communes_at_risk_warn_from_a_quarter() {
        assert!(commune_at_risk(&Attainment::of(10, 2, 0.5, 0.5)));
        assert!(!commune_at_risk(&Attainment::of(10, 5, 0.5, 0.5)));
        assert_eq!(communes(0, 100), None);
        assert_eq!(communes(24, 100).unwrap().severity, Severity::Info);
        let f = communes(25, 100).unwrap();
        assert_eq!((f.severity, f.observed), (Severity::Warning, 25.0));
    }

    #[test]
    fn overdue_work_is_critical_when_old_or_many() {
        assert_eq!(overdue(kind::CASES_OVERDUE, 0, 0), None);
        assert_eq!(
            overdue(kind::CASES_OVERDUE, 3, 20).unwrap().severity,
            Severity::Warning
        );
        assert_eq!(
            overdue(kind::TASKS_OVERDUE, 3, 91).unwrap().severity,
            Severity::Critical
        );
        let f = overdue(kind::CASES_OVERDUE, 10, 5).unwrap();
        assert_eq!((f.severity, f.observed), (Severity::Critical, 10.0));
    }

    #[test]
    fn a_late_step_reminds_then_escalates() {
        let due = day("2026-03-10");
        assert_eq!(step_state(due, day("2026-03-10"), 5), StepState::OnTime);
        assert_eq!(step_state(due, day("2026-03-11"), 5), StepState::Late(1));
        assert_eq!(step_state(due, day("2026-03-15"), 5), StepState::Late(5));
        assert_eq!(
            step_state(due, day("2026-03-16"), 5),
            StepState::Escalated(6)
        );
        // Escalating at once: any lateness goes up.
        assert_eq!(
            step_state(due, day("2026-03-11"), 0),
            StepState::Escalated(1)
        );
        assert_eq!(step_severity(StepState::Late(3), 5), Some(Severity::Info));
        assert_eq!(
            step_severity(StepState::Escalated(6), 5),
            Some(Severity::Warning)
        );
        assert_eq!(
            step_severity(StepState::Escalated(16), 5),
            Some(Severity::Critical)
        );
        assert_eq!(step_severity(StepState::OnTime, 5), None);
    }
}
