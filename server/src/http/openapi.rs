//! `GET /openapi.json`: the API described from the handlers' own annotations.

use super::ApiContext;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

/// The OpenAPI document of `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Oversight API",
        version = "1",
        description = "The open API of the Oversight operations center. Every read is limited to the caller's scope."
    ),
    paths(
        super::health::health,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::units::units,
        super::boundaries::boundaries,
        super::summary::summary,
        super::facts::facts,
        super::cases::cases,
        super::cases::case_history,
        super::ingest::ingest_cases,
        super::ingest::ingest_tasks,
        super::ingest::ingest_targets,
        super::sources::sources,
        super::sources::unit_quality,
        super::directives::directives,
        super::directives::directive,
        super::overview::overview,
        super::alerts::alerts,
        super::alerts::alert,
        super::alerts::act,
        super::workload::workload,
    ),
    components(schemas(
        domain::api::Health,
        domain::api::LoginRequest,
        domain::api::Me,
        domain::api::Unit,
        domain::api::ApiError,
        domain::summary::Summary,
        domain::summary::Figures,
        domain::summary::Period,
        domain::summary::UnitFigures,
        domain::api::CasePage,
        domain::api::CaseRecord,
        domain::api::CaseSubject,
        domain::api::CaseDiscipline,
        domain::api::Location,
        crate::ingest::IngestReport,
        crate::ingest::RowError,
        crate::ingest::BatchRefusal,
        domain::api::CaseHistory,
        domain::api::CaseVersion,
        domain::api::DirectiveList,
        domain::api::DirectiveSummary,
        domain::api::DirectiveDetail,
        domain::api::LevelTasks,
        domain::api::UnitTasks,
        domain::api::TaskRecord,
        domain::api::TaskReport,
        domain::directives::TaskCounts,
        domain::directives::TaskState,
        domain::overview::Overview,
        domain::alerts::AlertRecord,
        domain::alerts::AlertPage,
        domain::alerts::AlertEvent,
        domain::alerts::AlertDetail,
        domain::alerts::AlertActionRequest,
        domain::overview::Crumb,
        domain::overview::TargetLine,
        domain::overview::ChildAttainment,
        domain::overview::MonthFigures,
        domain::overview::AlertCounts,
        domain::targets::Attainment,
        domain::forecast::Forecast,
        domain::forecast::Backtest,
        domain::forecast::BacktestRun,
        domain::targets::AttainmentState,
        domain::workload::Workload,
        domain::workload::UnitRef,
        domain::workload::DirectiveRef,
        domain::workload::WorkloadTask,
        domain::workload::Peer,
        domain::api::SourcePage,
        domain::api::SourceRecord,
        domain::api::UnitQuality,
        domain::quality::QualityCounts,
        domain::quality::QualityScores,
        domain::quality::SourceState,
        domain::SourceKind
    ))
)]
pub struct ApiDoc;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
