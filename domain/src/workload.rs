//! A unit's workload: every task it received from all resolutions, directives and conclusions,
//! most urgent first, and how it compares with its peers (the units at its level under the same
//! parent: provinces with provinces, the communes of one province with each other).
//!
//! Urgency: **overdue** first, the most days late first; then **at risk**, the widest gap between
//! the expected and the actual progress first; then **on track**, the nearest due day first; then
//! **done**, the most recently done first. Peers are ranked by their completion rate (the share
//! of their own tasks done), then by the smaller share overdue, then by the smaller share at risk;
//! equal figures share a rank; a peer with no task is not ranked.

use crate::UnitLevel;
use crate::api::TaskReport;
use crate::directives::{TaskCounts, TaskState};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// `GET /units/{code}/workload`: the tasks assigned to a unit itself from all directives, and
/// its peers' figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    pub as_of: NaiveDate,
    pub unit: String,
    pub unit_name: String,
    pub level: UnitLevel,
    /// The unit's parent, when it lies within the caller's scope.
    pub parent: Option<UnitRef>,
    /// The unit's own tasks by state.
    pub counts: TaskCounts,
    /// The unit's own tasks, most urgent first.
    pub tasks: Vec<WorkloadTask>,
    /// The units at the same level under the same parent, the unit itself included
    /// (`this_unit`), ranked; empty for the centre, and when the peers lie outside the caller's
    /// scope.
    pub peers: Vec<Peer>,
    /// The unit has peers, but they lie outside the caller's scope (a province's user looking
    /// at its province): none is shown.
    pub peers_outside_scope: bool,
}

/// A unit's code and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// The resolution, directive or conclusion a task comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveRef {
    pub code: String,
    /// `resolution`, `directive` or `conclusion`.
    pub kind: String,
    pub number: String,
    pub title: String,
}

/// One task of a unit's workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkloadTask {
    pub id: i64,
    pub directive: DirectiveRef,
    pub title: String,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Days from `as_of` to the due day; negative once it has passed (days overdue).
    pub days_left: i64,
    pub progress: u8,
    /// The progress expected by `as_of`, pro rata.
    pub expected: f64,
    pub state: TaskState,
    pub done_on: Option<NaiveDate>,
    pub latest_report: Option<TaskReport>,
}

impl WorkloadTask {
    /// Days past the due day (0 when it has not passed).
    pub fn days_overdue(&self) -> i64 {
        (-self.days_left).max(0)
    }

    /// Points of progress the task trails its expectation by (negative when ahead).
    pub fn gap(&self) -> f64 {
        self.expected - f64::from(self.progress)
    }
}

/// One peer's own tasks by state, its completion rate and its rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peer {
    pub unit: String,
    pub name: String,
    pub tasks: TaskCounts,
    /// The share of its tasks done, from 0 to 1 (none without tasks).
    pub completion: Option<f64>,
    /// From 1, the best first; peers with equal figures share a rank; none without tasks.
    pub rank: Option<u32>,
    /// This is the unit whose workload is shown.
    pub this_unit: bool,
}

impl Peer {
    /// A peer with its counts; ranked by [`rank_peers`].
    pub fn new(unit: String, name: String, tasks: TaskCounts, this_unit: bool) -> Peer {
        Peer {
            unit,
            name,
            completion: tasks.completion(),
            tasks,
            rank: None,
            this_unit,
        }
    }
}

fn state_order(s: TaskState) -> u8 {
    match s {
        TaskState::Overdue => 0,
        TaskState::AtRisk => 1,
        TaskState::OnTrack => 2,
        TaskState::Done => 3,
    }
}

/// The urgency order of two tasks (the module's documentation gives the rule); ties go to the
/// earlier due day, then the directive's code, then the id.
pub fn by_urgency(a: &WorkloadTask, b: &WorkloadTask) -> Ordering {
    let within = match (a.state, b.state) {
        (TaskState::Overdue, TaskState::Overdue) => b.days_overdue().cmp(&a.days_overdue()),
        (TaskState::AtRisk, TaskState::AtRisk) => b.gap().total_cmp(&a.gap()),
        (TaskState::OnTrack, TaskState::OnTrack) => a.due_on.cmp(&b.due_on),
        (TaskState::Done, TaskState::Done) => b.done_on.cmp(&a.done_on),
        _ => Ordering::Equal,
    };
    state_order(a.state)
        .cmp(&state_order(b.state))
        .then(within)
        .then(a.due_on.cmp(&b.due_on))
        .then_with(|| a.directive.code.cmp(&b.directive.code))
        .then(a.id.cmp(&b.id))
}

/// Sorts tasks most urgent first.
pub fn sort_by_urgency(tasks: &mut [WorkloadTask]) {
    tasks.sort_by(by_urgency);
}

/// `a`'s share `num / den` against `b`'s, exactly (by cross-multiplication); `den` is never 0
/// here.
fn share_cmp(a: (u64, u64), b: (u64, u64)) -> Ordering {
    (u128::from(a.0) * u128::from(b.1)).cmp(&(u128::from(b.0) * u128::from(a.1)))
}

/// How two peers with tasks compare, the better first.
fn standing(a: &TaskCounts, b: &TaskCounts) -> Ordering {
    share_cmp((b.done, b.assigned), (a.done, a.assigned))
        .then_with(|| share_cmp((a.overdue, a.assigned), (b.overdue, b.assigned)))
        .then_with(|| share_cmp((a.at_risk, a.assigned), (b.at_risk, b.assigned)))
}

/// Sorts peers by standing, the best first, and gives each its rank (equal figures share one,
/// the next rank skips: 1, 2, 2, 4); peers without tasks come last, unranked, in code order.
pub fn rank_peers(peers: &mut [Peer]) {
    peers.sort_by(|a, b| match (a.tasks.assigned > 0, b.tasks.assigned > 0) {
        (true, true) => standing(&a.tasks, &b.tasks).then_with(|| a.unit.cmp(&b.unit)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.unit.cmp(&b.unit),
    });
    let mut previous: Option<(TaskCounts, u32)> = None;
    for (i, peer) in peers.iter_mut().enumerate() {
        if peer.tasks.assigned == 0 {
            peer.rank = None;
            continue;
        }
        let rank = match previous {
            Some((counts, rank)) if standing(&counts, &peer.tasks).is_eq() => rank,
            _ => i as u32 + 1,
        };
        peer.rank = Some(rank);
        previous = Some((peer.tasks, rank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(id: i64, state: TaskState, due: &str, progress: u8, expected: f64) -> WorkloadTask {
        let today = d("2026-06-01");
        let due_on = d(due);
        WorkloadTask {
            id,
            directive: DirectiveRef {
                code: "D".into(),
                kind: "directive".into(),
                number: "1-CT/TW".into(),
                title: String::new(),
            },
            title: format!("task {id}"),
            assigned_on: d("2026-01-01"),
            due_on,
            days_left: (due_on - today).num_days(),
            progress,
            expected,
            state,
            done_on: (state == TaskState::Done)
                .then(|| d("2026-05-01") + chrono::Days::new(id as u64)),
            latest_report: None,
        }
    }

    fn counts(on_track: u64, at_risk: u64, overdue: u64, done: u64) -> TaskCounts {
        TaskCounts {
            assigned: on_track + at_risk + overdue + done,
            on_track,
            at_risk,
            overdue,
            done,
        }
    }

    #[test]
    fn overdue_comes_first_by_days_late_then_at_risk_by_gap_then_on_track_by_due_day_then_done() {
        let mut tasks = vec![
            task(1, TaskState::Done, "2026-03-01", 100, 100.0),
            task(2, TaskState::OnTrack, "2026-12-31", 60, 50.0),
            task(3, TaskState::AtRisk, "2026-07-01", 60, 80.0), // 20 points behind
            task(4, TaskState::Overdue, "2026-05-20", 90, 100.0), // 12 days late
            task(5, TaskState::OnTrack, "2026-08-01", 70, 60.0),
            task(6, TaskState::AtRisk, "2026-12-31", 10, 45.0), // 35 points behind
            task(7, TaskState::Overdue, "2026-04-01", 95, 100.0), // 61 days late
            task(8, TaskState::Done, "2026-09-01", 100, 40.0),
        ];
        sort_by_urgency(&mut tasks);
        let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
        // Done: the most recently done first (8 was done a week after 1).
        assert_eq!(ids, vec![7, 4, 6, 3, 5, 2, 8, 1]);
        assert_eq!(tasks[0].days_overdue(), 61);
        assert_eq!(tasks[2].gap(), 35.0);
        assert_eq!(tasks[4].days_overdue(), 0);
    }

    #[test]
    fn equal_urgency_falls_back_to_the_due_day_then_the_directive_then_the_id() {
        let mut a = task(2, TaskState::AtRisk, "2026-09-01", 10, 40.0);
        let b = task(1, TaskState::AtRisk, "2026-08-01", 10, 40.0);
        assert_eq!(by_urgency(&a, &b), Ordering::Greater);
        a.due_on = b.due_on;
        a.directive.code = "A".into();
        assert_eq!(by_urgency(&a, &b), Ordering::Less);
        a.directive.code = "D".into();
        assert_eq!(by_urgency(&a, &b), Ordering::Greater);
    }

    #[test]
    fn peers_rank_by_completion_then_fewer_overdue_then_fewer_at_risk_and_ties_share_a_rank() {
        let mut peers = vec![
            Peer::new("01".into(), "A".into(), counts(1, 0, 1, 2), true), // 50%, 1/4 overdue
            Peer::new("02".into(), "B".into(), counts(0, 0, 0, 0), false), // no task
            Peer::new("04".into(), "C".into(), counts(0, 1, 0, 3), false), // 75%
            Peer::new("08".into(), "D".into(), counts(2, 0, 0, 2), false), // 50%, none overdue
            Peer::new("11".into(), "E".into(), counts(1, 1, 0, 2), false), // 50%, 1/4 at risk
            Peer::new("12".into(), "F".into(), counts(2, 2, 0, 4), false), // = E, twice the size
            Peer::new("14".into(), "G".into(), counts(1, 0, 0, 0), false), // 0%
        ];
        rank_peers(&mut peers);
        let order: Vec<(&str, Option<u32>)> =
            peers.iter().map(|p| (p.unit.as_str(), p.rank)).collect();
        assert_eq!(
            order,
            vec![
                ("04", Some(1)),
                ("08", Some(2)),
                ("11", Some(3)),
                ("12", Some(3)),
                ("01", Some(5)),
                ("14", Some(6)),
                ("02", None),
            ]
        );
        assert_eq!(peers[0].completion, Some(0.75));
        assert_eq!(peers[6].completion, None);
        assert!(peers[4].this_unit);
    }

    #[test]
    fn a_workload_reads_back_what_it_writes() {
        let w = Workload {
            as_of: d("2026-06-01"),
            unit: "01".into(),
            unit_name: "Hà Nội".into(),
            level: UnitLevel::Province,
            parent: Some(UnitRef {
                code: "VN".into(),
                name: "Trung ương".into(),
            }),
            counts: counts(1, 0, 0, 0),
            tasks: vec![task(1, TaskState::OnTrack, "2026-12-31", 60, 50.0)],
            peers: vec![],
            peers_outside_scope: true,
        };
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(json["tasks"][0]["state"], "on_track");
        assert_eq!(json["tasks"][0]["days_left"], 213);
        assert_eq!(json["level"], "province");
        assert_eq!(serde_json::from_value::<Workload>(json).unwrap(), w);
    }
}
