//! Shapes of the JSON API (`/api/v1`) that the server sends and the app reads.

use crate::vocab::{
    CaseKind, CaseStatus, DisciplineForm, Role, Sector, SubjectType, UnitLevel, ViolationCategory,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// `ok` or `down`.
    pub database: String,
    pub version: String,
}

/// `POST /auth/login` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

/// `GET /me`: who the caller is, with the unit their scope is limited to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    pub role: Role,
    pub scope: String,
    pub scope_name: String,
    pub scope_level: UnitLevel,
}

/// `GET /account`: the caller's own account and the state of its second factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub username: String,
    pub role: Role,
    pub scope_name: String,
    /// Whether the role must log in with a second factor.
    pub second_factor_required: bool,
    /// Whether an authenticator app is set up.
    pub second_factor_enrolled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
    /// When the password was last changed (RFC 3339).
    pub password_changed_at: String,
}

/// `POST /account/password`: the current password and the new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// `POST /account/totp`: the password again, before a new authenticator app is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reauthenticate {
    pub password: String,
}

/// A new authenticator app's secret, shown once, waiting for its first code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// Base32, as typed into an app.
    pub secret: String,
    /// The `otpauth://` address.
    pub uri: String,
    /// The address as a QR code (an SVG document).
    pub qr_svg: String,
}

/// A code of the authenticator app (`POST /account/totp/confirm`, `POST /account/recovery-codes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    pub code: String,
}

/// New recovery codes, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// One unit as `GET /units` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Error body of every 4xx/5xx answer: what went wrong, and for input errors which field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `GET /cases`: one page of the case records that match, newest opening first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePage {
    /// Records that match, on every page.
    pub total: i64,
    /// This page's number, from 1.
    pub page: u32,
    /// Records a page.
    pub per_page: u32,
    pub cases: Vec<CaseRecord>,
}

/// A case as `case.schema.json` describes it, plus its `id`; absent optional fields are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRecord {
    /// The center's id of the case.
    pub id: i64,
    /// Code of the information system that sent it.
    pub source: String,
    /// The record's id in that system.
    pub external_id: String,
    pub kind: CaseKind,
    /// Topic of a thematic supervision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Unit code of the committee that conducts it.
    pub conducting_unit: String,
    pub subject: CaseSubject,
    pub sector: Sector,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concluded_on: Option<NaiveDate>,
    /// A violation was found (concluded cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<bool>,
    /// Left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violation_categories: Vec<ViolationCategory>,
    /// Money involved in the violation, in đồng.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_vnd: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<CaseDiscipline>,
    /// Where it happened (the center always has one: the subject unit's location by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Whom a case is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSubject {
    #[serde(rename = "type")]
    pub kind: SubjectType,
    /// Unit code where the subject belongs.
    pub unit: String,
    /// Pseudonymous id of the member or organization in the source system.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The discipline a case led to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDiscipline {
    pub form: DisciplineForm,
    pub decided_on: NaiveDate,
}

/// A point in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// `GET /sources`: the registry of connected information systems within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourcePage {
    /// When the figures were measured (RFC 3339).
    pub as_of: String,
    pub sources: Vec<SourceRecord>,
}

/// One connected information system or upload channel, and its health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceRecord {
    pub code: String,
    pub name: String,
    pub owner_unit: String,
    pub owner_name: String,
    pub kind: crate::vocab::SourceKind,
    /// How often it is expected to send, in hours.
    pub cadence_hours: u32,
    /// Its last arrival with accepted rows (RFC 3339), if any.
    pub last_arrival: Option<String>,
    /// Hours since then.
    pub hours_since: Option<f64>,
    pub state: crate::quality::SourceState,
    /// Rows accepted and rejected since it was registered.
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    /// Share of rows rejected recently (its batches of the last 7 days; with fewer than 20 rows
    /// in them, all its rows).
    pub error_rate: Option<f64>,
    /// Batches and accepted rows in the last 30 days.
    pub batches_30d: u64,
    pub rows_30d: u64,
    /// Cases it holds.
    pub records: u64,
    pub quality: crate::quality::QualityCounts,
    pub scores: crate::quality::QualityScores,
}

/// `GET /quality?unit=`: how trustworthy a unit's figures are, from the cases within it and the
/// sources it owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitQuality {
    pub unit: String,
    pub name: String,
    /// When the counts were measured (RFC 3339); they are kept for a minute.
    pub as_of: String,
    pub quality: crate::quality::QualityCounts,
    pub scores: crate::quality::QualityScores,
    /// Sources owned within the unit, by state (`live`, `late`, `stale`, `failing`).
    pub sources_by_state: std::collections::BTreeMap<String, u64>,
}

/// `GET /cases/{id}/history`: every version of a case, oldest first, the current one last; who
/// wrote each (an account or token's name, `seed` for the demo data), by which ingest batch, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseHistory {
    pub id: i64,
    pub source: String,
    pub external_id: String,
    /// When the case was first stored (RFC 3339).
    pub created_at: String,
    pub versions: Vec<CaseVersion>,
}

/// One version of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseVersion {
    /// From 1.
    pub version: u32,
    /// When it was written (RFC 3339).
    pub written_at: String,
    pub written_by: String,
    /// The ingest batch that wrote it (none: the seed).
    pub batch: Option<i64>,
    /// Its fields under the contract's flattened names (`subject.unit`), as text; lists joined
    /// with `;`; absent fields are left out.
    pub fields: std::collections::BTreeMap<String, String>,
    /// The fields that differ from the version before (every field for the first).
    pub changed: Vec<String>,
    /// Whether this is the case as it stands.
    pub current: bool,
}

/// `GET /directives`: the resolutions, directives and conclusions, with their tasks within the
/// caller's scope by state on `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveList {
    pub as_of: NaiveDate,
    pub directives: Vec<DirectiveSummary>,
}

/// A resolution, directive or conclusion and its tasks by state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveSummary {
    pub code: String,
    /// `resolution`, `directive` or `conclusion`.
    pub kind: String,
    pub number: String,
    pub title: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    /// `active`, `completed` or `superseded`.
    pub status: String,
    pub tasks: crate::directives::TaskCounts,
}

/// `GET /directives/{code}?unit=`: one directive's tasks within a unit: by level, by the unit's
/// children (provinces for the centre, communes for a province), and the unit's own tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveDetail {
    pub as_of: NaiveDate,
    pub directive: DirectiveSummary,
    pub unit: String,
    pub unit_name: String,
    /// By the level of the unit a task is assigned to, from the top.
    pub by_level: Vec<LevelTasks>,
    /// By child unit of `unit` (each child's whole subtree), in code order; children without
    /// tasks are listed with zeros.
    pub by_unit: Vec<UnitTasks>,
    /// The tasks assigned to `unit` itself, most urgent first (overdue, at risk, on track, done;
    /// then by due day).
    pub tasks: Vec<TaskRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelTasks {
    pub level: UnitLevel,
    pub tasks: crate::directives::TaskCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitTasks {
    pub unit: String,
    pub name: String,
    pub level: UnitLevel,
    pub tasks: crate::directives::TaskCounts,
}

/// One task, its deadline, progress and state, and its latest report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskRecord {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
    pub progress: u8,
    /// The progress expected by `as_of`, pro rata.
    pub expected: f64,
    pub state: crate::directives::TaskState,
    pub done_on: Option<NaiveDate>,
    pub latest_report: Option<TaskReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskReport {
    pub reported_on: NaiveDate,
    pub progress: u8,
    pub note: String,
}
