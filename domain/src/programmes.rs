//! Thematic supervision programmes: a theme (the text of `cases.theme`), an owner unit, the units
//! under supervision, a period and planned milestones. The cases of kind `supervision_thematic`
//! with the programme's theme whose subject lies in a planned unit's subtree belong to it
//! (cancelled ones do not count). Here: the programme's shape and its validation, and the figures
//! computed from per-unit counts (coverage, pace and milestones, findings), so that the server, the
//! app and the tests share one rule.

use crate::refusal::{Refusal, refuse};
use crate::{DisciplineForm, UnitLevel, ViolationCategory};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most units one programme supervises.
pub const MAX_UNITS: usize = 2000;
/// The most milestones one programme plans.
pub const MAX_MILESTONES: usize = 24;
/// The longest period, in days (five years).
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

/// How far a supervised unit's cases of the theme have gone: its most advanced case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Planned,
    InProgress,
    Concluded,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Planned, Stage::InProgress, Stage::Concluded];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Planned => "planned",
            Stage::InProgress => "in_progress",
            Stage::Concluded => "concluded",
        }
    }

    /// The stage of a unit with these counts of cases by status; `None`: not supervised yet.
    pub fn of(planned: u32, in_progress: u32, concluded: u32) -> Option<Stage> {
        if concluded > 0 {
            Some(Stage::Concluded)
        } else if in_progress > 0 {
            Some(Stage::InProgress)
        } else if planned > 0 {
            Some(Stage::Planned)
        } else {
            None
        }
    }
}

/// A planned unit and the programme's cases within its subtree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProgress {
    pub unit: String,
    pub name: String,
    pub level: UnitLevel,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The programme's cases about the unit or below it (cancelled ones left out).
    pub cases: u32,
    /// The day the first of them opened: the unit counts as supervised from then.
    pub first_opened: Option<NaiveDate>,
    pub planned: u32,
    pub in_progress: u32,
    pub concluded: u32,
    /// Concluded cases that found a violation.
    pub violations: u32,
    /// Money involved in those violations, in đồng.
    pub amount_vnd: i64,
    /// Cases that ended in a discipline.
    pub disciplines: u32,
    /// Its most advanced case; `None`: not supervised yet.
    pub stage: Option<Stage>,
}

/// Planned units by how far their supervision has gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageCounts {
    pub planned: u32,
    pub in_progress: u32,
    pub concluded: u32,
}

/// Units supervised of those planned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// Units under supervision, as planned.
    pub planned_units: u32,
    /// Of them, those with at least one of the programme's cases.
    pub supervised: u32,
    /// `supervised / planned_units` (0 to 1); `None` with no planned unit.
    pub share: Option<f64>,
    /// The supervised units by the stage of their most advanced case.
    pub by_stage: StageCounts,
}

/// Coverage of the planned units.
pub fn coverage(units: &[UnitProgress]) -> Coverage {
    let mut by_stage = StageCounts::default();
    for u in units {
        match u.stage {
            Some(Stage::Planned) => by_stage.planned += 1,
            Some(Stage::InProgress) => by_stage.in_progress += 1,
            Some(Stage::Concluded) => by_stage.concluded += 1,
            None => {}
        }
    }
    let supervised = by_stage.planned + by_stage.in_progress + by_stage.concluded;
    let planned_units = units.len() as u32;
    Coverage {
        planned_units,
        supervised,
        share: share(supervised, planned_units),
        by_stage,
    }
}

fn share(n: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| f64::from(n) / f64::from(of))
}

/// A planned milestone: by `due_on`, `planned_units` units supervised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub name: String,
    pub due_on: NaiveDate,
    pub planned_units: u32,
}

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Due and reached by its day.
    Met,
    /// Due and not reached by its day.
    Missed,
    /// The next one: at or ahead of the pace it needs today.
    OnTrack,
    /// The next one: behind the pace it needs today.
    Behind,
    /// A later one.
    Upcoming,
}

impl MilestoneState {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneState::Met => "met",
            MilestoneState::Missed => "missed",
            MilestoneState::OnTrack => "on_track",
            MilestoneState::Behind => "behind",
            MilestoneState::Upcoming => "upcoming",
        }
    }
}

/// A milestone with what was achieved: units supervised by its day (by today for one not due).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneProgress {
    pub name: String,
    pub due_on: NaiveDate,
    pub planned_units: u32,
    /// `planned_units` of the programme's planned units (0 to 1).
    pub planned_share: Option<f64>,
    /// Units supervised by `due_on` (a milestone not yet due: by today).
    pub achieved: u32,
    pub achieved_share: Option<f64>,
    pub state: MilestoneState,
}

/// Units supervised by `day` (their first case opened on or before it).
pub fn supervised_by(units: &[UnitProgress], day: NaiveDate) -> u32 {
    units
        .iter()
        .filter(|u| u.stage.is_some() && u.first_opened.is_some_and(|d| d <= day))
        .count() as u32
}

/// The units the plan expects supervised by `day`: from none at the start of the period, straight
/// lines through the milestones, flat after the last.
pub fn expected_by(from: NaiveDate, milestones: &[Milestone], day: NaiveDate) -> f64 {
    let mut prev = (from, 0.0_f64);
    for m in milestones {
        let planned = f64::from(m.planned_units);
        if day <= m.due_on {
            if day <= prev.0 {
                return prev.1;
            }
            let span = (m.due_on - prev.0).num_days() as f64;
            if span <= 0.0 {
                return planned;
            }
            let t = (day - prev.0).num_days() as f64 / span;
            return prev.1 + (planned - prev.1) * t;
        }
        prev = (m.due_on, planned);
    }
    prev.1
}

/// Each milestone with what was achieved and its state on `today`.
pub fn milestone_progress(
    from: NaiveDate,
    milestones: &[Milestone],
    units: &[UnitProgress],
    today: NaiveDate,
) -> Vec<MilestoneProgress> {
    let planned_units = units.len() as u32;
    let now = supervised_by(units, today);
    let expected_now = expected_by(from, milestones, today);
    let mut next_seen = false;
    milestones
        .iter()
        .map(|m| {
            let (achieved, state) = if m.due_on < today {
                let a = supervised_by(units, m.due_on);
                let s = if a >= m.planned_units {
                    MilestoneState::Met
                } else {
                    MilestoneState::Missed
                };
                (a, s)
            } else if !next_seen {
                next_seen = true;
                let s = if now >= m.planned_units || f64::from(now) + 1e-9 >= expected_now {
                    MilestoneState::OnTrack
                } else {
                    MilestoneState::Behind
                };
                (now, s)
            } else {
                (now, MilestoneState::Upcoming)
            };
            MilestoneProgress {
                name: m.name.clone(),
                due_on: m.due_on,
                planned_units: m.planned_units,
                planned_share: share(m.planned_units, planned_units),
                achieved,
                achieved_share: share(achieved, planned_units),
                state,
            }
        })
        .collect()
}

/// The pace of the whole programme against its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaceState {
    /// The period has not begun.
    NotStarted,
    /// At least 10 % above the units the plan expects by today.
    Ahead,
    /// Within 10 % of them (or above by less).
    OnTrack,
    /// More than 10 % below them.
    Behind,
}

impl PaceState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaceState::NotStarted => "not_started",
            PaceState::Ahead => "ahead",
            PaceState::OnTrack => "on_track",
            PaceState::Behind => "behind",
        }
    }
}

/// Units supervised against those the plan expects by today.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pace {
    /// Units the milestones expect supervised by today (a fraction between milestones).
    pub expected: f64,
    pub supervised: u32,
    /// `supervised / expected`; `None` when nothing is expected yet.
    pub ratio: Option<f64>,
    pub state: PaceState,
}

/// The programme's pace on `today`.
pub fn pace(
    from: NaiveDate,
    milestones: &[Milestone],
    units: &[UnitProgress],
    today: NaiveDate,
) -> Pace {
    let expected = expected_by(from, milestones, today);
    let supervised = supervised_by(units, today);
    let ratio = (expected > 0.0).then(|| f64::from(supervised) / expected);
    let state = if today < from {
        PaceState::NotStarted
    } else {
        match ratio {
            None => PaceState::OnTrack,
            Some(r) if r >= 1.1 => PaceState::Ahead,
            Some(r) if r >= 0.9 => PaceState::OnTrack,
            Some(_) => PaceState::Behind,
        }
    };
    Pace {
        expected,
        supervised,
        ratio,
        state,
    }
}

/// Violations of one category among the programme's cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub category: ViolationCategory,
    /// Cases with a violation of this category (a case may have several categories).
    pub cases: u32,
    /// The money those cases involve (a case of two categories counts in both).
    pub amount_vnd: i64,
}

/// Disciplines of one form that followed the programme's cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisciplineCount {
    pub form: DisciplineForm,
    pub cases: u32,
}

/// What the programme's cases found, and the disciplines that followed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Findings {
    pub cases: u32,
    pub concluded: u32,
    /// Concluded cases that found a violation.
    pub violations: u32,
    /// `violations / concluded`; `None` before any case concluded.
    pub violation_rate: Option<f64>,
    pub amount_vnd: i64,
    /// By category, most cases first; categories with none left out.
    pub by_category: Vec<CategoryCount>,
    /// Cases that ended in a discipline.
    pub disciplined: u32,
    /// By form, in the vocabulary's order (lightest first); forms with none left out.
    pub disciplines: Vec<DisciplineCount>,
}

/// The findings from the units' counts and the counts by category and form.
pub fn findings(
    units: &[UnitProgress],
    mut by_category: Vec<CategoryCount>,
    mut disciplines: Vec<DisciplineCount>,
) -> Findings {
    let sum = |f: fn(&UnitProgress) -> u32| units.iter().map(f).sum::<u32>();
    let concluded = sum(|u| u.concluded);
    let violations = sum(|u| u.violations);
    by_category.retain(|c| c.cases > 0);
    by_category.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.category.cmp(&b.category)));
    disciplines.retain(|d| d.cases > 0);
    disciplines.sort_by_key(|d| d.form);
    Findings {
        cases: sum(|u| u.cases),
        concluded,
        violations,
        violation_rate: share(violations, concluded),
        amount_vnd: units.iter().map(|u| u.amount_vnd).sum(),
        by_category,
        disciplined: sum(|u| u.disciplines),
        disciplines,
    }
}

/// A programme with its figures (`GET /programmes`, `/programmes/compare`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The text of `cases.theme` that the programme's cases carry.
    pub theme: String,
    pub owner_unit: String,
    pub owner_name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub coverage: Coverage,
    pub pace: Pace,
    pub findings: Findings,
    pub milestones: Vec<MilestoneProgress>,
}

/// `GET /programmes`: the programmes owned within the caller's scope, newest period first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeList {
    /// The day the figures are computed for.
    pub as_of: NaiveDate,
    pub programmes: Vec<ProgrammeSummary>,
}

/// `GET /programmes/{id}`: a programme, its figures and each planned unit's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeDetail {
    pub as_of: NaiveDate,
    pub programme: ProgrammeSummary,
    pub created_by: String,
    /// The planned units, not yet supervised first, then by code.
    pub units: Vec<UnitProgress>,
}

/// `GET /programmes/compare?ids=`: programmes side by side, in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeComparison {
    pub as_of: NaiveDate,
    pub programmes: Vec<ProgrammeSummary>,
}

/// All of a programme's figures from its plan and its units' counts.
#[allow(clippy::too_many_arguments)]
pub fn summarize(
    header: ProgrammeHeader,
    milestones: &[Milestone],
    units: &[UnitProgress],
    by_category: Vec<CategoryCount>,
    disciplines: Vec<DisciplineCount>,
    today: NaiveDate,
) -> ProgrammeSummary {
    ProgrammeSummary {
        coverage: coverage(units),
        pace: pace(header.period_from, milestones, units, today),
        findings: findings(units, by_category, disciplines),
        milestones: milestone_progress(header.period_from, milestones, units, today),
        id: header.id,
        code: header.code,
        name: header.name,
        theme: header.theme,
        owner_unit: header.owner_unit,
        owner_name: header.owner_name,
        period_from: header.period_from,
        period_to: header.period_to,
    }
}

/// A programme as stored, without figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeHeader {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub theme: String,
    pub owner_unit: String,
    pub owner_name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
}

/// A milestone as `POST /programmes` takes it: a planned count of units, or a planned share of
/// them (0 to 100, in per cent), not both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneEdit {
    pub name: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub planned_units: Option<u32>,
    #[serde(default)]
    pub planned_share: Option<f64>,
}

/// The body of `POST /programmes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeCreate {
    /// Short code, unique: letters, digits, `.`, `_`, `-` (1 to 40).
    pub code: String,
    pub name: String,
    /// The text of `cases.theme` that the programme's cases carry.
    pub theme: String,
    /// The unit that runs it (within the caller's scope).
    pub owner_unit: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The units under supervision: below the owner, none within another.
    pub units: Vec<String>,
    pub milestones: Vec<MilestoneEdit>,
}

impl ProgrammeCreate {
    /// Checks what needs no database; the milestones with their planned counts. The first fault,
    /// naming its field (`milestones[1].due_on`).
    pub fn check(&self) -> Result<Vec<Milestone>, Refusal> {
        let code = self.code.trim();
        if code.is_empty()
            || code.len() > 40
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(refuse(
                "code",
                "must be 1 to 40 letters, digits, '.', '_' or '-'",
            ));
        }
        for (field, value) in [("name", &self.name), ("theme", &self.theme)] {
            let n = value.trim().chars().count();
            if n == 0 || n > 200 {
                return Err(refuse(field, "must be 1 to 200 characters"));
            }
        }
        if self.owner_unit.trim().is_empty() {
            return Err(refuse("owner_unit", "must name a unit"));
        }
        if self.period_to < self.period_from {
            return Err(refuse(
                "period_to",
                format!("must not be before period_from ({})", self.period_from),
            ));
        }
        if (self.period_to - self.period_from).num_days() > MAX_PERIOD_DAYS {
            return Err(refuse(
                "period_to",
                "the period may last at most five years",
            ));
        }
        if self.units.is_empty() || self.units.len() > MAX_UNITS {
            return Err(refuse(
                "units",
                format!("must name 1 to {MAX_UNITS} units under supervision"),
            ));
        }
        for (i, u) in self.units.iter().enumerate() {
            let u = u.trim();
            if u.is_empty() {
                return Err(refuse(format!("units[{i}]"), "must name a unit"));
            }
            if let Some(j) = self.units[..i].iter().position(|o| o.trim() == u) {
                return Err(refuse(
                    format!("units[{i}]"),
                    format!("'{u}' is named already (units[{j}])"),
                ));
            }
        }
        if self.milestones.len() > MAX_MILESTONES {
            return Err(refuse(
                "milestones",
                format!("at most {MAX_MILESTONES} milestones"),
            ));
        }
        let n = self.units.len() as u32;
        let mut out: Vec<Milestone> = Vec::with_capacity(self.milestones.len());
        for (i, m) in self.milestones.iter().enumerate() {
            let at = |f: &str| format!("milestones[{i}].{f}");
            let name = m.name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(refuse(at("name"), "must be 1 to 200 characters"));
            }
            if m.due_on < self.period_from || m.due_on > self.period_to {
                return Err(refuse(
                    at("due_on"),
                    format!(
                        "must lie within the period ({} to {})",
                        self.period_from, self.period_to
                    ),
                ));
            }
            if let Some(prev) = out.last()
                && m.due_on <= prev.due_on
            {
                return Err(refuse(
                    at("due_on"),
                    format!("must come after the previous milestone's ({})", prev.due_on),
                ));
            }
            let planned = match (m.planned_units, m.planned_share) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(refuse(
                        at("planned_units"),
                        "give either planned_units (a count) or planned_share (per cent), one of them",
                    ));
                }
                (Some(u), None) => {
                    if u > n {
                        return Err(refuse(
                            at("planned_units"),
                            format!("must be at most the {n} units under supervision"),
                        ));
                    }
                    u
                }
                (None, Some(s)) => {
                    if !s.is_finite() || !(0.0..=100.0).contains(&s) {
                        return Err(refuse(at("planned_share"), "must be 0 to 100 (per cent)"));
                    }
                    (s / 100.0 * f64::from(n)).round() as u32
                }
            };
            if let Some(prev) = out.last()
                && planned < prev.planned_units
            {
                return Err(refuse(
                    if m.planned_units.is_some() {
                        at("planned_units")
                    } else {
                        at("planned_share")
                    },
                    format!(
                        "must not fall below the previous milestone's {} units",
                        prev.planned_units
                    ),
                ));
            }
            out.push(Milestone {
                name: name.to_string(),
                due_on: m.due_on,
                planned_units: planned,
            });
        }
        Ok(out)
    }
}

/// Where a unit path lies among others: the index of a planned unit that contains another
/// (`(outer, inner)`), if any; paths are ltree text (`VN.01.00004`).
pub fn nested(paths: &[&str]) -> Option<(usize, usize)> {
    for (i, outer) in paths.iter().enumerate() {
        for (j, inner) in paths.iter().enumerate() {
            if i != j
                && inner.len() > outer.len()
                && inner.starts_with(outer)
                && inner.as_bytes()[outer.len()] == b'.'
            {
                return Some((i, j));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn unit(code: &str, first: Option<NaiveDate>, counts: (u32, u32, u32)) -> UnitProgress {
        let (p, i, c) = counts;
        UnitProgress {
            unit: code.into(),
            name: code.into(),
            level: UnitLevel::Province,
            lat: None,
            lon: None,
            cases: p + i + c,
            first_opened: first,
            planned: p,
            in_progress: i,
            concluded: c,
            violations: c / 2,
            amount_vnd: i64::from(c) * 1000,
            disciplines: c / 3,
            stage: Stage::of(p, i, c),
        }
    }

    fn plan() -> Vec<Milestone> {
        vec![
            Milestone {
                name: "Q1".into(),
                due_on: d(3, 31),
                planned_units: 1,
            },
            Milestone {
                name: "H1".into(),
                due_on: d(6, 30),
                planned_units: 2,
            },
            Milestone {
                name: "Year".into(),
                due_on: d(12, 31),
                planned_units: 4,
            },
        ]
    }

    fn units() -> Vec<UnitProgress> {
        vec![
            unit("01", Some(d(2, 10)), (0, 0, 3)),
            unit("02", Some(d(8, 1)), (1, 1, 0)),
            unit("04", Some(d(9, 5)), (1, 0, 0)),
            unit("06", None, (0, 0, 0)),
        ]
    }

    #[test]
    fn a_unit_counts_at_the_stage_of_its_most_advanced_case() {
        assert_eq!(Stage::of(3, 1, 0), Some(Stage::InProgress));
        assert_eq!(Stage::of(3, 1, 1), Some(Stage::Concluded));
        assert_eq!(Stage::of(1, 0, 0), Some(Stage::Planned));
        assert_eq!(Stage::of(0, 0, 0), None);
    }

    #[test]
    fn coverage_is_the_units_supervised_of_those_planned_by_stage() {
        let c = coverage(&units());
        assert_eq!(c.planned_units, 4);
        assert_eq!(c.supervised, 3);
        assert_eq!(c.share, Some(0.75));
        assert_eq!(
            c.by_stage,
            StageCounts {
                planned: 1,
                in_progress: 1,
                concluded: 1
            }
        );
        assert_eq!(coverage(&[]).share, None);
    }

    #[test]
    fn the_plan_expects_straight_lines_between_milestones() {
        let from = d(1, 1);
        assert_eq!(expected_by(from, &plan(), d(1, 1)), 0.0);
        assert_eq!(expected_by(from, &plan(), d(3, 31)), 1.0);
        assert_eq!(expected_by(from, &plan(), d(6, 30)), 2.0);
        // Half way from 30/06 to 31/12 (184 days): 3 units.
        assert!((expected_by(from, &plan(), d(9, 30)) - (2.0 + 2.0 * 92.0 / 184.0)).abs() < 1e-9);
        assert_eq!(expected_by(from, &plan(), d(12, 31)), 4.0);
        assert_eq!(
            expected_by(from, &plan(), NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()),
            4.0
        );
        assert_eq!(expected_by(from, &[], d(5, 1)), 0.0);
    }

    #[test]
    fn milestones_due_are_met_or_missed_by_their_day_and_the_next_is_judged_on_pace() {
        let m = milestone_progress(d(1, 1), &plan(), &units(), d(9, 30));
        assert_eq!(
            m.iter().map(|m| (m.achieved, m.state)).collect::<Vec<_>>(),
            [
                (1, MilestoneState::Met),
                (1, MilestoneState::Missed),
                // 3 supervised by 30/09, the plan expects exactly 3.
                (3, MilestoneState::OnTrack),
            ]
        );
        assert_eq!(m[2].planned_share, Some(1.0));
        assert_eq!(m[2].achieved_share, Some(0.75));
        // On 15/08, 2 supervised where the plan expects 2.5.
        let early = milestone_progress(d(1, 1), &plan(), &units(), d(8, 15));
        assert_eq!(early[2].state, MilestoneState::Behind);
    }

    #[test]
    fn the_pace_compares_units_supervised_with_those_expected_today() {
        let p = pace(d(1, 1), &plan(), &units(), d(9, 30));
        assert_eq!(p.supervised, 3);
        assert_eq!(p.state, PaceState::OnTrack);
        let p = pace(d(1, 1), &plan(), &units(), d(6, 30));
        assert_eq!((p.supervised, p.expected), (1, 2.0));
        assert_eq!(p.state, PaceState::Behind);
        let p = pace(d(1, 1), &plan(), &units(), d(3, 1));
        assert_eq!(p.state, PaceState::Ahead);
        let before = pace(d(2, 1), &plan(), &units(), d(1, 15));
        assert_eq!(before.state, PaceState::NotStarted);
    }

    #[test]
    fn findings_add_the_units_and_sort_the_categories() {
        let f = findings(
            &units(),
            vec![
                CategoryCount {
                    category: ViolationCategory::LandManagement,
                    cases: 1,
                    amount_vnd: 10,
                },
                CategoryCount {
                    category: ViolationCategory::Corruption,
                    cases: 2,
                    amount_vnd: 20,
                },
                CategoryCount {
                    category: ViolationCategory::Other,
                    cases: 0,
                    amount_vnd: 0,
                },
            ],
            vec![
                DisciplineCount {
                    form: DisciplineForm::Warning,
                    cases: 1,
                },
                DisciplineCount {
                    form: DisciplineForm::Reprimand,
                    cases: 2,
                },
            ],
        );
        assert_eq!((f.cases, f.concluded, f.violations), (6, 3, 1));
        assert_eq!(f.violation_rate, Some(1.0 / 3.0));
        assert_eq!(f.amount_vnd, 3000);
        assert_eq!(f.disciplined, 1);
        assert_eq!(
            f.by_category.iter().map(|c| c.category).collect::<Vec<_>>(),
            [
                ViolationCategory::Corruption,
                ViolationCategory::LandManagement
            ]
        );
        assert_eq!(f.disciplines[0].form, DisciplineForm::Reprimand);
    }

    fn create() -> ProgrammeCreate {
        ProgrammeCreate {
            code: "CT-2026-01".into(),
            name: "Giám sát chuyên đề đất đai".into(),
            theme: "Quản lý đất đai 2026".into(),
            owner_unit: "VN".into(),
            period_from: d(1, 1),
            period_to: d(12, 31),
            units: vec!["01".into(), "79".into(), "48".into(), "31".into()],
            milestones: vec![
                MilestoneEdit {
                    name: "Quý I".into(),
                    due_on: d(3, 31),
                    planned_units: None,
                    planned_share: Some(25.0),
                },
                MilestoneEdit {
                    name: "Cả năm".into(),
                    due_on: d(12, 31),
                    planned_units: Some(4),
                    planned_share: None,
                },
            ],
        }
    }

    #[test]
    fn a_valid_programme_passes_with_its_shares_made_counts() {
        let m = create().check().unwrap();
        assert_eq!(
            m.iter().map(|m| m.planned_units).collect::<Vec<_>>(),
            [1, 4]
        );
    }

    #[test]
    fn each_refusal_names_its_field() {
        let field = |f: fn(&mut ProgrammeCreate)| {
            let mut p = create();
            f(&mut p);
            p.check().unwrap_err().field
        };
        assert_eq!(field(|p| p.code = "a b".into()), "code");
        assert_eq!(field(|p| p.name = " ".into()), "name");
        assert_eq!(field(|p| p.theme = "x".repeat(201)), "theme");
        assert_eq!(field(|p| p.owner_unit = String::new()), "owner_unit");
        assert_eq!(
            field(|p| p.period_to = d(1, 1) - chrono::Days::new(1)),
            "period_to"
        );
        assert_eq!(field(|p| p.units.clear()), "units");
        assert_eq!(field(|p| p.units[2] = "01".into()), "units[2]");
        assert_eq!(
            field(|p| p.milestones[0].name.clear()),
            "milestones[0].name"
        );
        assert_eq!(
            field(|p| p.milestones[1].due_on = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            "milestones[1].due_on"
        );
        assert_eq!(
            field(|p| p.milestones[1].due_on = d(3, 1)),
            "milestones[1].due_on"
        );
        assert_eq!(
            field(|p| p.milestones[1].planned_units = Some(5)),
            "milestones[1].planned_units"
        );
        assert_eq!(
            field(|p| p.milestones[0].planned_units = Some(1)),
            "milestones[0].planned_units"
        );
        assert_eq!(
            field(|p| p.milestones[0].planned_share = Some(120.0)),
            "milestones[0].planned_share"
        );
        // 100 % of 4 units, then 4: the same count is not a fall.
        let mut p = create();
        p.milestones[0].planned_share = Some(100.0);
        assert!(p.check().is_ok());
    }

    #[test]
    fn a_unit_within_another_planned_one_is_found() {
        assert_eq!(nested(&["VN.01", "VN.79", "VN.01.00004"]), Some((0, 2)));
        assert_eq!(nested(&["VN.TW1", "VN.TW10"]), None);
        assert_eq!(nested(&["VN.01", "VN.79"]), None);
    }
}
