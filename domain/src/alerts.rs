//! The work on an alert: **new** → **acknowledged** → **assigned** (to an owner) → **resolved**,
//! with comments at any step and a history of who did what. The rules (docs/ARCHITECTURE.md):
//! - acknowledge: a new alert only;
//! - assign: any alert not resolved, to an owner (reassigning is assigning again);
//! - resolve: any alert not resolved, saying how (a comment);
//! - reopen: a resolved alert, back to new (its owner kept);
//! - comment: any alert, with the comment.

use crate::AlertState;
use serde::{Deserialize, Serialize};

crate::vocab::vocabulary! {
    /// What a person does to an alert.
    AlertAction {
        Acknowledge = "acknowledge",
        Assign = "assign",
        Resolve = "resolve",
        Reopen = "reopen",
        Comment = "comment",
    }
}

/// The longest comment kept, in characters.
pub const MAX_COMMENT: usize = 2000;

/// Why an action does not apply, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal {
        field,
        reason: reason.into(),
    }
}

/// The state after `action` on an alert in `state`, given the comment and owner sent with it.
pub fn after(
    state: AlertState,
    action: AlertAction,
    comment: Option<&str>,
    owner: Option<&str>,
) -> Result<AlertState, Refusal> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = comment
        && c.chars().count() > MAX_COMMENT
    {
        return Err(refuse(
            "comment",
            format!("is longer than {MAX_COMMENT} characters"),
        ));
    }
    let open = state != AlertState::Resolved;
    match action {
        AlertAction::Acknowledge if state == AlertState::New => Ok(AlertState::Acknowledged),
        AlertAction::Acknowledge => Err(refuse(
            "action",
            format!(
                "only a new alert can be acknowledged; this one is {}",
                state.as_str()
            ),
        )),
        AlertAction::Assign if !open => Err(refuse(
            "action",
            "a resolved alert cannot be assigned; reopen it first",
        )),
        AlertAction::Assign => match owner.map(str::trim).filter(|o| !o.is_empty()) {
            Some(_) => Ok(AlertState::Assigned),
            None => Err(refuse("owner", "is required to assign an alert")),
        },
        AlertAction::Resolve if !open => Err(refuse("action", "the alert is already resolved")),
        AlertAction::Resolve => match comment {
            Some(_) => Ok(AlertState::Resolved),
            None => Err(refuse(
                "comment",
                "is required: say how the alert was resolved",
            )),
        },
        AlertAction::Reopen if open => {
            Err(refuse("action", "only a resolved alert can be reopened"))
        }
        AlertAction::Reopen => Ok(AlertState::New),
        AlertAction::Comment => match comment {
            Some(_) => Ok(state),
            None => Err(refuse("comment", "is required")),
        },
    }
}

/// One alert as the API gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRecord {
    pub id: i64,
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub unit: String,
    pub unit_name: String,
    pub measure: String,
    pub sector: Option<String>,
    pub expected: Option<f64>,
    pub observed: Option<f64>,
    pub explanation: String,
    /// The view that shows it (a path of the app).
    pub link: Option<String>,
    /// `new`, `acknowledged`, `assigned` or `resolved`.
    pub state: String,
    pub owner: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The unit below that the alert is about when it is held above it (an escalation: the
    /// unit whose step is late).
    #[serde(default)]
    pub about: Option<String>,
}

/// `GET /alerts`: a page of alerts, open ones first, the most severe first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPage {
    /// Alerts matching the filters, in all.
    pub total: i64,
    /// Open (not resolved) alerts in the caller's scope, whatever the filters (the badge).
    pub open: i64,
    pub alerts: Vec<AlertRecord>,
}

/// One step of an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEvent {
    pub at: String,
    /// A username, or `system` for the center's own rules.
    pub actor: String,
    pub action: String,
    pub comment: String,
}

/// `GET /alerts/{id}`: an alert and its history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertDetail {
    pub alert: AlertRecord,
    pub events: Vec<AlertEvent>,
    /// What the alert's view draws: an anomaly's months with their expected band
    /// (`series`: month, observed, expected, low, high, flagged), a late step's case and
    /// procedure, a target's figures.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub detail: Option<serde_json::Value>,
}

/// `POST /alerts/{id}/actions`: what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertActionRequest {
    /// `acknowledge`, `assign`, `resolve`, `reopen` or `comment`.
    pub action: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// The username to assign to (`assign` only).
    #[serde(default)]
    pub owner: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertAction::*;
    use AlertState::*;

    #[test]
    fn an_alert_goes_from_new_to_resolved() {
        assert_eq!(after(New, Acknowledge, None, None), Ok(Acknowledged));
        assert_eq!(
            after(Acknowledged, Assign, None, Some("hanoi")),
            Ok(Assigned)
        );
        assert_eq!(after(Assigned, Assign, None, Some("hcm")), Ok(Assigned));
        assert_eq!(
            after(Assigned, Resolve, Some("Đã xử lý"), None),
            Ok(Resolved)
        );
        assert_eq!(after(Resolved, Reopen, None, None), Ok(New));
        // A step may be skipped: a new alert can be assigned or resolved at once.
        assert_eq!(after(New, Assign, None, Some("hanoi")), Ok(Assigned));
        assert_eq!(after(New, Resolve, Some("Trùng"), None), Ok(Resolved));
    }

    #[test]
    fn actions_out_of_turn_are_refused_naming_the_field() {
        assert_eq!(
            after(Acknowledged, Acknowledge, None, None)
                .unwrap_err()
                .field,
            "action"
        );
        assert_eq!(
            after(Resolved, Assign, None, Some("x")).unwrap_err().field,
            "action"
        );
        assert_eq!(
            after(Resolved, Resolve, Some("x"), None).unwrap_err().field,
            "action"
        );
        assert_eq!(after(New, Reopen, None, None).unwrap_err().field, "action");
        assert_eq!(
            after(New, Assign, None, Some("  ")).unwrap_err().field,
            "owner"
        );
        assert_eq!(
            after(New, Resolve, Some(" "), None).unwrap_err().field,
            "comment"
        );
        assert_eq!(
            after(New, Comment, None, None).unwrap_err().field,
            "comment"
        );
        let long = "x".repeat(MAX_COMMENT + 1);
        assert_eq!(
            after(New, Comment, Some(&long), None).unwrap_err().field,
            "comment"
        );
    }

    #[test]
    fn a_comment_keeps_the_state() {
        for s in AlertState::ALL {
            assert_eq!(after(*s, Comment, Some("Ghi chú"), None), Ok(*s));
        }
    }
}
