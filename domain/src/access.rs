//! Who may do what: the role-by-action matrix and the table that names the action of every API
//! route. This is the one place the rules live; the server enforces them before any handler runs
//! (`server::http::access`), the app uses them to show only what a person may use, and
//! docs/SECURITY.md prints the same matrix.
//!
//! Scope is the other half: whatever a role may do, it does only within its unit's subtree
//! (enforced by every query, and again by PostgreSQL's row-level security).

use crate::vocab::Role;

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Needs nobody: health, logging in, the API's description.
    Public,
    /// Who am I.
    ReadSelf,
    /// Log out.
    EndSession,
    /// A person's own password, authenticator app and recovery codes.
    ManageOwnAccount,
    /// What a wall shows: the overview, alerts and directives lists, boundaries, the event stream.
    ReadScenes,
    /// A wall display reads its own setup.
    ReadDisplaySetup,
    /// Figures in detail: the summary, units, one alert, one directive.
    ReadFigures,
    /// Case records: lists, facts, history, steps, a unit's workload.
    ReadCases,
    /// The registry of data sources and their quality.
    ReadSources,
    /// Acknowledge, assign, resolve an alert.
    ActOnAlerts,
    /// Mark a case's procedure step done.
    RecordSteps,
    /// Push cases, tasks and targets.
    Ingest,
    /// Read the procedures (SOP).
    ReadProcedures,
    /// Change a procedure.
    EditProcedures,
    /// Create, edit and revoke wall displays.
    ManageDisplays,
    /// Read and make reports.
    ReadReports,
    /// Schedule reports.
    ScheduleReports,
    /// Search the audit trail.
    ReadAudit,
    /// Read the urgent notices of the scope: those sent and those received, with who has seen
    /// and acknowledged them.
    ReadNotices,
    /// Send an urgent notice to the sites under one's unit, and close it.
    SendNotices,
    /// Acknowledge a notice one's site received.
    AckNotices,
    /// Read thematic supervision programmes and their figures.
    ReadProgrammes,
    /// Create a thematic supervision programme.
    ManageProgrammes,
}

impl Action {
    /// Every action, in the order the matrix is printed.
    pub const ALL: &'static [Action] = &[
        Action::Public,
        Action::ReadSelf,
        Action::EndSession,
        Action::ManageOwnAccount,
        Action::ReadScenes,
        Action::ReadDisplaySetup,
        Action::ReadFigures,
        Action::ReadCases,
        Action::ReadSources,
        Action::ActOnAlerts,
        Action::RecordSteps,
        Action::Ingest,
        Action::ReadProcedures,
        Action::EditProcedures,
        Action::ManageDisplays,
        Action::ReadReports,
        Action::ScheduleReports,
        Action::ReadAudit,
        Action::ReadNotices,
        Action::SendNotices,
        Action::AckNotices,
        Action::ReadProgrammes,
        Action::ManageProgrammes,
    ];

    /// What the action is, in words (for refusals and the printed matrix).
    pub fn what(self) -> &'static str {
        match self {
            Action::Public => "use the public routes",
            Action::ReadSelf => "read who they are",
            Action::EndSession => "log out",
            Action::ManageOwnAccount => "manage their own account",
            Action::ReadScenes => {
                "read the overview, alerts and directives lists, the notices to their site"
            }
            Action::ReadDisplaySetup => "read a wall display's setup",
            Action::ReadFigures => "read figures in detail",
            Action::ReadCases => "read case records",
            Action::ReadSources => "read the data sources",
            Action::ActOnAlerts => "act on alerts",
            Action::RecordSteps => "record procedure steps",
            Action::Ingest => "push data",
            Action::ReadProcedures => "read procedures",
            Action::EditProcedures => "edit procedures",
            Action::ManageDisplays => "manage wall displays",
            Action::ReadReports => "read and make reports",
            Action::ScheduleReports => "schedule reports",
            Action::ReadAudit => "search the audit trail",
            Action::ReadNotices => "read urgent notices and who acknowledged them",
            Action::SendNotices => "send and close urgent notices",
            Action::AckNotices => "acknowledge an urgent notice",
            Action::ReadProgrammes => "read supervision programmes",
            Action::ManageProgrammes => "create supervision programmes",
        }
    }

    /// Whether only a person, logged in with a session, may do it (never a machine's token,
    /// whatever its role).
    pub fn in_person(self) -> bool {
        matches!(
            self,
            Action::ManageOwnAccount
                | Action::EndSession
                | Action::ActOnAlerts
                | Action::EditProcedures
                | Action::ManageDisplays
                | Action::ReadAudit
                | Action::SendNotices
                | Action::AckNotices
                | Action::ManageProgrammes
        )
    }
}

/// The matrix: whether `role` may do `action`.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        Public | ReadSelf | ReadScenes => true,
        ReadDisplaySetup => role == Display,
        EndSession | ManageOwnAccount | ReadFigures | ReadCases | ReadSources | ActOnAlerts
        | RecordSteps | ReadProcedures | ReadNotices | AckNotices => role != Display,
        Ingest => matches!(role, Admin | DataOfficer),
        EditProcedures | ManageDisplays | ReadAudit => role == Admin,
        ReadReports => matches!(role, Admin | Leader | Analyst),
        ScheduleReports | SendNotices => matches!(role, Admin | Leader),
        ReadProgrammes => role != Display,
        ManageProgrammes => matches!(role, Admin | Leader),
    }
}

/// Every route of the API (method, path as routed), with its action. A route missing here is
/// refused to everyone (the server's guard fails closed; a test checks nothing is missing).
pub const ROUTES: &[(&str, &str, Action)] = &[
    ("GET", "/api/v1/health", Action::Public),
    ("POST", "/api/v1/auth/login", Action::Public),
    ("GET", "/api/v1/openapi.json", Action::Public),
    ("POST", "/api/v1/auth/logout", Action::EndSession),
    ("GET", "/api/v1/me", Action::ReadSelf),
    ("GET", "/api/v1/account", Action::ManageOwnAccount),
    ("POST", "/api/v1/account/password", Action::ManageOwnAccount),
    ("POST", "/api/v1/account/totp", Action::ManageOwnAccount),
    (
        "POST",
        "/api/v1/account/totp/confirm",
        Action::ManageOwnAccount,
    ),
    (
        "POST",
        "/api/v1/account/recovery-codes",
        Action::ManageOwnAccount,
    ),
    ("GET", "/api/v1/overview", Action::ReadScenes),
    ("GET", "/api/v1/alerts", Action::ReadScenes),
    ("GET", "/api/v1/directives", Action::ReadScenes),
    ("GET", "/api/v1/boundaries", Action::ReadScenes),
    ("GET", "/api/v1/events", Action::ReadScenes),
    ("GET", "/api/v1/display", Action::ReadDisplaySetup),
    ("GET", "/api/v1/summary", Action::ReadFigures),
    ("GET", "/api/v1/units", Action::ReadFigures),
    ("GET", "/api/v1/alerts/{id}", Action::ReadFigures),
    ("GET", "/api/v1/directives/{code}", Action::ReadFigures),
    ("GET", "/api/v1/cases", Action::ReadCases),
    ("GET", "/api/v1/facts", Action::ReadCases),
    ("GET", "/api/v1/cases/{id}/history", Action::ReadCases),
    ("GET", "/api/v1/cases/{id}/steps", Action::ReadCases),
    ("GET", "/api/v1/units/{code}/workload", Action::ReadCases),
    ("GET", "/api/v1/sources", Action::ReadSources),
    ("GET", "/api/v1/quality", Action::ReadSources),
    ("POST", "/api/v1/alerts/{id}/actions", Action::ActOnAlerts),
    ("POST", "/api/v1/alerts/{id}/ack", Action::ActOnAlerts),
    ("POST", "/api/v1/alerts/{id}/resolve", Action::ActOnAlerts),
    (
        "POST",
        "/api/v1/cases/{id}/steps/{ord}/done",
        Action::RecordSteps,
    ),
    ("POST", "/api/v1/ingest/cases", Action::Ingest),
    ("POST", "/api/v1/ingest/tasks", Action::Ingest),
    ("POST", "/api/v1/ingest/targets", Action::Ingest),
    ("GET", "/api/v1/procedures", Action::ReadProcedures),
    ("GET", "/api/v1/procedures/{code}", Action::ReadProcedures),
    ("PUT", "/api/v1/procedures/{code}", Action::EditProcedures),
    ("GET", "/api/v1/displays", Action::ManageDisplays),
    ("POST", "/api/v1/displays", Action::ManageDisplays),
    ("PUT", "/api/v1/displays/{id}", Action::ManageDisplays),
    (
        "POST",
        "/api/v1/displays/{id}/revoke",
        Action::ManageDisplays,
    ),
    ("GET", "/api/v1/reports", Action::ReadReports),
    ("POST", "/api/v1/reports", Action::ReadReports),
    ("GET", "/api/v1/reports/preview", Action::ReadReports),
    ("GET", "/api/v1/reports/file", Action::ReadReports),
    ("GET", "/api/v1/reports/{id}/{format}", Action::ReadReports),
    ("GET", "/api/v1/reports/schedules", Action::ReadReports),
    ("POST", "/api/v1/reports/schedules", Action::ScheduleReports),
    (
        "DELETE",
        "/api/v1/reports/schedules/{id}",
        Action::ScheduleReports,
    ),
    ("GET", "/api/v1/audit", Action::ReadAudit),
    ("GET", "/api/v1/notices/active", Action::ReadScenes),
    ("GET", "/api/v1/notices", Action::ReadNotices),
    ("GET", "/api/v1/notices/{id}", Action::ReadNotices),
    ("POST", "/api/v1/notices", Action::SendNotices),
    ("POST", "/api/v1/notices/{id}/close", Action::SendNotices),
    ("POST", "/api/v1/notices/{id}/ack", Action::AckNotices),
    ("GET", "/api/v1/programmes", Action::ReadProgrammes),
    ("GET", "/api/v1/programmes/compare", Action::ReadProgrammes),
    ("GET", "/api/v1/programmes/{id}", Action::ReadProgrammes),
    ("POST", "/api/v1/programmes", Action::ManageProgrammes),
    ("GET", "/api/v1/units/{code}/remote", Action::ReadCases),
];

/// The action of a routed request; `None` for a route the table does not know.
pub fn action_of(method: &str, routed_path: &str) -> Option<Action> {
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method && *p == routed_path)
        .map(|(_, _, a)| *a)
}

/// The matrix as a Markdown table (docs/SECURITY.md prints it; a test keeps the two equal).
pub fn matrix_markdown() -> String {
    let roles = Role::ALL;
    let mut out = String::from("| action |");
    for r in roles {
        out.push_str(&format!(" {r} |"));
    }
    out.push_str(" in person only |\n|---|");
    for _ in roles {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for a in Action::ALL {
        out.push_str(&format!("| {} |", a.what()));
        for r in roles {
            out.push_str(if allows(*r, *a) { " ✓ |" } else { " · |" });
        }
        out.push_str(if a.in_person() { " yes |\n" } else { " |\n" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_reads_as_written() {
        // A wall reads its scenes and its setup, nothing else.
        let wall: Vec<_> = Action::ALL
            .iter()
            .filter(|a| allows(Role::Display, **a))
            .collect();
        assert_eq!(
            wall,
            [
                &Action::Public,
                &Action::ReadSelf,
                &Action::ReadScenes,
                &Action::ReadDisplaySetup
            ]
        );
        assert!(allows(Role::DataOfficer, Action::Ingest));
        assert!(!allows(Role::Leader, Action::Ingest));
        assert!(!allows(Role::Analyst, Action::ScheduleReports));
        assert!(!allows(Role::DataOfficer, Action::ReadReports));
        assert!(allows(Role::Admin, Action::ReadAudit));
        assert!(!allows(Role::Leader, Action::ReadAudit));
        assert!(allows(Role::Leader, Action::SendNotices));
        assert!(!allows(Role::Analyst, Action::SendNotices));
        assert!(allows(Role::Analyst, Action::AckNotices));
        assert!(!allows(Role::Display, Action::AckNotices));
        // Every role may do at least what a wall may, and the admin may do everything.
        for a in Action::ALL {
            assert!(
                allows(Role::Admin, *a) || *a == Action::ReadDisplaySetup,
                "{a:?}"
            );
        }
    }

    #[test]
    fn the_security_document_prints_this_matrix() {
        let doc = include_str!("../../docs/SECURITY.md");
        assert!(
            doc.contains(&matrix_markdown()),
            "docs/SECURITY.md must hold the matrix as the code has it:\n{}",
            matrix_markdown()
        );
    }

    #[test]
    fn every_route_is_named_once() {
        let mut seen = std::collections::HashSet::new();
        for (m, p, _) in ROUTES {
            assert!(seen.insert((m, p)), "{m} {p} twice");
            assert!(p.starts_with("/api/v1/"), "{p}");
        }
        assert_eq!(action_of("HEAD", "/api/v1/health"), Some(Action::Public));
        assert_eq!(action_of("DELETE", "/api/v1/cases"), None);
    }
}
