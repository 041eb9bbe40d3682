//! Standard operating procedures: the steps a case of a kind follows, each with its deadline in
//! days, the role that does it, and how many days late it may run before it goes to the level
//! above (see [`crate::rules::step_state`]). Templates are data: an administrator edits them.

use crate::Role;
pub use crate::refusal::Refusal;
use crate::refusal::refuse;
use serde::{Deserialize, Serialize};

/// The most steps a procedure has.
pub const MAX_STEPS: usize = 30;
/// The longest deadline or grace, in days (ten years).
pub const MAX_DAYS: i32 = 3650;

/// One step of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Short code, unique in the procedure (`open`, `verify`, ...): lower-case letters, digits, `_`.
    pub code: String,
    pub name: String,
    /// The role that does it: `leader`, `analyst`, `data_officer` or `admin`.
    pub role: String,
    /// Days from the step's start to its deadline (at least 1).
    pub days: i32,
    /// Days past the deadline before the step escalates to the level above (0: at once).
    pub escalate_after: i32,
}

/// A procedure as the API gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    pub code: String,
    pub case_kind: String,
    pub name: String,
    /// Raised by one at every edit.
    pub version: i32,
    pub updated_at: String,
    pub updated_by: String,
    pub steps: Vec<Step>,
}

/// The body of `PUT /procedures/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcedureEdit {
    pub name: String,
    pub steps: Vec<Step>,
    /// The version the edit was made on: refused if someone edited it meanwhile.
    #[serde(default)]
    pub version: Option<i32>,
}

impl ProcedureEdit {
    /// Checks the whole edit; the first fault, naming its field (`steps[2].days`).
    pub fn check(&self) -> Result<(), Refusal> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(refuse("name", "must be 1 to 200 characters"));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(refuse("steps", format!("must hold 1 to {MAX_STEPS} steps")));
        }
        for (i, s) in self.steps.iter().enumerate() {
            let at = |f: &str| format!("steps[{i}].{f}");
            let code = s.code.trim();
            if code.is_empty()
                || code.len() > 40
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(refuse(
                    at("code"),
                    "must be 1 to 40 lower-case letters, digits or _",
                ));
            }
            if self.steps[..i].iter().any(|o| o.code.trim() == code) {
                return Err(refuse(
                    at("code"),
                    format!("'{code}' is used by an earlier step"),
                ));
            }
            let name = s.name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(refuse(at("name"), "must be 1 to 200 characters"));
            }
            match s.role.trim().parse::<Role>() {
                Ok(Role::Display) | Err(_) => {
                    return Err(refuse(
                        at("role"),
                        format!(
                            "'{}' is not a role that does steps: leader, analyst, data_officer or admin",
                            s.role
                        ),
                    ));
                }
                Ok(_) => {}
            }
            if !(1..=MAX_DAYS).contains(&s.days) {
                return Err(refuse(at("days"), format!("must be 1 to {MAX_DAYS}")));
            }
            if !(0..=MAX_DAYS).contains(&s.escalate_after) {
                return Err(refuse(
                    at("escalate_after"),
                    format!("must be 0 to {MAX_DAYS}"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(code: &str) -> Step {
        Step {
            code: code.into(),
            name: "Thẩm tra, xác minh".into(),
            role: "analyst".into(),
            days: 30,
            escalate_after: 10,
        }
    }

    fn edit(steps: Vec<Step>) -> ProcedureEdit {
        ProcedureEdit {
            name: "Kiểm tra khi có dấu hiệu vi phạm".into(),
            steps,
            version: None,
        }
    }

    #[test]
    fn a_steps_state_follows_its_dates() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().ok();
        let today = d("2026-03-20").unwrap();
        assert_eq!(
            step_word(d("2026-03-01"), d("2026-03-10"), d("2026-03-09"), 5, today),
            "done"
        );
        assert_eq!(
            step_word(d("2026-03-01"), d("2026-03-25"), None, 5, today),
            "open"
        );
        assert_eq!(
            step_word(d("2026-03-01"), d("2026-03-16"), None, 5, today),
            "late"
        );
        assert_eq!(
            step_word(d("2026-03-01"), d("2026-03-10"), None, 5, today),
            "escalated"
        );
        assert_eq!(step_word(None, None, None, 5, today), "waiting");
    }

    #[test]
    fn a_sound_edit_passes() {
        assert_eq!(edit(vec![step("open"), step("verify")]).check(), Ok(()));
    }

    #[test]
    fn each_fault_names_its_field() {
        let field = |e: ProcedureEdit| e.check().unwrap_err().field;
        assert_eq!(field(edit(vec![])), "steps");
        assert_eq!(
            field(edit(vec![step("open"), step("open")])),
            "steps[1].code"
        );
        assert_eq!(field(edit(vec![step("Mở")])), "steps[0].code");
        let mut s = step("open");
        s.days = 0;
        assert_eq!(field(edit(vec![s])), "steps[0].days");
        let mut s = step("open");
        s.escalate_after = -1;
        assert_eq!(field(edit(vec![step("a"), s])), "steps[1].escalate_after");
        let mut s = step("open");
        s.role = "display".into();
        assert_eq!(field(edit(vec![s])), "steps[0].role");
        let mut s = step("open");
        s.role = "boss".into();
        assert_eq!(field(edit(vec![s])), "steps[0].role");
        let mut e = edit(vec![step("open")]);
        e.name = "  ".into();
        assert_eq!(field(e), "name");
    }
}

/// One step of a case under its procedure, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseStep {
    pub ord: i16,
    pub code: String,
    pub name: String,
    pub role: String,
    pub days: i32,
    pub escalate_after: i32,
    pub started_on: Option<chrono::NaiveDate>,
    pub due_on: Option<chrono::NaiveDate>,
    pub done_on: Option<chrono::NaiveDate>,
    /// `done`, `open` (under way, on time), `late`, `escalated` or `waiting` (not started).
    pub state: String,
}

/// `GET /cases/{id}/steps`: a case's procedure and its progress through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSteps {
    pub case: i64,
    pub procedure: Option<String>,
    pub steps: Vec<CaseStep>,
}

/// The body of `POST /cases/{id}/steps/{ord}/done`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    /// The day it was done (default today); not before the step started nor after today.
    #[serde(default)]
    pub done_on: Option<chrono::NaiveDate>,
}

/// The state word of a step on `today` (see [`CaseStep::state`]).
pub fn step_word(
    started: Option<chrono::NaiveDate>,
    due: Option<chrono::NaiveDate>,
    done: Option<chrono::NaiveDate>,
    escalate_after: i32,
    today: chrono::NaiveDate,
) -> &'static str {
    match (started, due, done) {
        (_, _, Some(_)) => "done",
        (Some(_), Some(due), None) => {
            match crate::rules::step_state(due, today, i64::from(escalate_after)) {
                crate::rules::StepState::OnTime => "open",
                crate::rules::StepState::Late(_) => "late",
                crate::rules::StepState::Escalated(_) => "escalated",
            }
        }
        _ => "waiting",
    }
}
