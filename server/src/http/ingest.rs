//! `POST /ingest/cases`, `/ingest/tasks`, `/ingest/targets`: a batch of records as a JSON array,
//! NDJSON or CSV, streamed into the database (the rules are in [`crate::ingest`]). One handler body
//! serves every record kind ([`receive`]); one audit entry a batch, refused or written
//! (`ingest_cases`, `ingest_cases_refused`, and likewise for tasks and targets).

use super::{ApiContext, Error, Query};
use crate::audit;
use crate::auth::Caller;
use crate::ingest::{
    self, BatchRefusal, Cases, Format, IngestLimits, IngestReport, RecordKind, Refused, Targets,
    Tasks,
};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/ingest/cases", post(ingest_cases))
        .route("/ingest/tasks", post(ingest_tasks))
        .route("/ingest/targets", post(ingest_targets))
        // `Content-Encoding: gzip` bodies are read decompressed (the limit counts what they
        // decompress to); any other encoding is 415.
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
}

/// Options of an ingest request.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IngestQuery {
    /// Extension: `true` checks the batch (every rule, including duplicates against what is
    /// stored) and answers its report without keeping anything: the upload screen's preview.
    pub dry_run: Option<String>,
}

/// Why an ingest request gets no report.
#[derive(Debug)]
pub enum IngestError {
    /// Not the caller's to send, or not logged in (the API's usual answers).
    Api(Error),
    /// The `Content-Type` is not a batch format (415).
    MediaType(String),
    /// The batch was refused whole: 400 unreadable, 413 too large.
    Refused(Refused),
}

impl From<Error> for IngestError {
    fn from(e: Error) -> IngestError {
        IngestError::Api(e)
    }
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            IngestError::Api(e) | IngestError::Refused(Refused::Error(e)) => {
                return e.into_response();
            }
            IngestError::MediaType(reason) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                BatchRefusal {
                    error: format!("Content-Type: {reason}"),
                    field: "Content-Type".into(),
                    row: None,
                },
            ),
            IngestError::Refused(r @ Refused::TooLarge { .. }) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                BatchRefusal {
                    error: r.to_string(),
                    field: "body".into(),
                    row: None,
                },
            ),
            IngestError::Refused(Refused::Unreadable(u)) => (
                StatusCode::BAD_REQUEST,
                BatchRefusal {
                    error: format!("the batch cannot be read, nothing of it was kept: {u}"),
                    field: u.field,
                    row: u.row,
                },
            ),
        };
        (status, Json(body)).into_response()
    }
}

/// Receives a batch of cases (`case.schema.json`) and upserts it by `(source, external_id)`.
///
/// The body is a JSON array (`application/json`), one object a line (`application/x-ndjson`) or
/// CSV with one header row, nested fields flattened with dots and lists joined with `;`
/// (`text/csv`), UTF-8 with or without a byte order mark. A batch that cannot be read as a whole
/// is refused whole (400) and nothing of it is kept; within a readable batch, valid rows land and
/// invalid rows are reported by row and field (at most 1,000 errors listed). Needs the role
/// admin or data_officer; a token bound to a data source writes as that source only; every row
/// must lie within the caller's scope.
#[utoipa::path(post, path = "/api/v1/ingest/cases", tag = "ingest",
    params(IngestQuery),
    request_body(description = "Cases per case.schema.json: a JSON array, NDJSON, or CSV",
        content((String = "application/json"), (String = "application/x-ndjson"),
                (String = "text/csv"))),
    responses((status = 200, body = IngestReport),
              (status = 400, body = BatchRefusal), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError), (status = 413, body = BatchRefusal),
              (status = 415, body = BatchRefusal)))]
pub async fn ingest_cases(
    state: State<ApiContext>,
    limits: Option<Extension<IngestLimits>>,
    caller: Caller,
    query: Query<IngestQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReport>, IngestError> {
    receive::<Cases>(state, limits, caller, query, headers, body).await
}

/// Receives a batch of tasks (`docs/schema/task.schema.json`) and upserts it by
/// `(source, external_id)`; a `report` is appended to the task's reports (or updates the report of
/// the same day).
///
/// Bodies, answers and rules as for `/ingest/cases`: a JSON array, NDJSON or CSV (`report.on`,
/// `report.note` as columns), refused whole when unreadable, valid rows land and invalid rows are
/// reported by row and field. The directive and the unit must exist, the unit within the caller's
/// scope; a parent (`parent_external_id`) must be stored already or come earlier in the batch.
#[utoipa::path(post, path = "/api/v1/ingest/tasks", tag = "ingest",
    params(IngestQuery),
    request_body(description = "Tasks per task.schema.json: a JSON array, NDJSON, or CSV",
        content((String = "application/json"), (String = "application/x-ndjson"),
                (String = "text/csv"))),
    responses((status = 200, body = IngestReport),
              (status = 400, body = BatchRefusal), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError), (status = 413, body = BatchRefusal),
              (status = 415, body = BatchRefusal)))]
pub async fn ingest_tasks(
    state: State<ApiContext>,
    limits: Option<Extension<IngestLimits>>,
    caller: Caller,
    query: Query<IngestQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReport>, IngestError> {
    receive::<Tasks>(state, limits, caller, query, headers, body).await
}

/// Receives a batch of targets (`docs/schema/target.schema.json`) and upserts it by
/// `(unit, year, measure, sector)`: a re-sent target updates `planned` and `source`.
///
/// Bodies, answers and rules as for `/ingest/cases`. The unit must exist and lie within the
/// caller's scope; no `sector` means all sectors.
#[utoipa::path(post, path = "/api/v1/ingest/targets", tag = "ingest",
    params(IngestQuery),
    request_body(description = "Targets per target.schema.json: a JSON array, NDJSON, or CSV",
        content((String = "application/json"), (String = "application/x-ndjson"),
                (String = "text/csv"))),
    responses((status = 200, body = IngestReport),
              (status = 400, body = BatchRefusal), (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError), (status = 413, body = BatchRefusal),
              (status = 415, body = BatchRefusal)))]
pub async fn ingest_targets(
    state: State<ApiContext>,
    limits: Option<Extension<IngestLimits>>,
    caller: Caller,
    query: Query<IngestQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReport>, IngestError> {
    receive::<Targets>(state, limits, caller, query, headers, body).await
}

/// The body of every ingest route: who may send, the options, the format, the limit, the batch
/// of kind `K`, and its audit entry.
async fn receive<K: RecordKind>(
    State(ctx): State<ApiContext>,
    limits: Option<Extension<IngestLimits>>,
    caller: Caller,
    Query(q): Query<IngestQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReport>, IngestError> {
    let kind = K::SCHEMA.plural;
    let writer = ingest::writer_of(&caller)?;
    let dry_run = match q.dry_run.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => {
            return Err(IngestError::Api(Error::invalid(
                "dry_run",
                "must be true or false",
            )));
        }
    };
    let format = headers
        .get(header::CONTENT_TYPE)
        .ok_or_else(|| format!("missing; send {}", Format::MEDIA_TYPES))
        .and_then(|v| v.to_str().map_err(|_| "is not readable text".to_string()))
        .and_then(Format::from_content_type)
        .map_err(IngestError::MediaType)?;
    let limits = limits.map(|Extension(l)| l).unwrap_or(IngestLimits {
        max_bytes: ctx.config.ingest_max_bytes,
    });
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let result = match declared {
        Some(n) if n > limits.max_bytes => Err(Refused::TooLarge {
            limit: limits.max_bytes,
        }),
        _ => {
            ingest::batch::<K, _, _>(
                &ctx.db,
                writer,
                format,
                body.into_data_stream(),
                limits,
                dry_run,
            )
            .await
        }
    };
    match result {
        // A check writes nothing and leaves no trace but its answer.
        Ok(outcome) if dry_run => Ok(Json(outcome.report)),
        Ok(outcome) => {
            let object = match (&caller.source, outcome.sources.len()) {
                (Some(s), _) => s.clone(),
                (None, 1) => outcome.sources.keys().next().cloned().unwrap_or_default(),
                _ => kind.into(),
            };
            let sources: serde_json::Map<String, serde_json::Value> = outcome
                .sources
                .iter()
                .map(|(code, (a, r))| {
                    (
                        code.clone(),
                        serde_json::json!({"accepted": a, "rejected": r}),
                    )
                })
                .collect();
            let r = &outcome.report;
            audit::append(
                &ctx.db,
                &caller.username,
                &format!("ingest_{kind}"),
                &object,
                serde_json::json!({
                    "batch": r.batch, "format": format.as_str(), "bytes": outcome.bytes,
                    "accepted": r.accepted, "rejected": r.rejected, "sources": sources,
                }),
            )
            .await
            .map_err(Error::from)?;
            Ok(Json(outcome.report))
        }
        Err(Refused::Error(e)) => Err(IngestError::Api(e)),
        Err(refused) => {
            audit::append(
                &ctx.db,
                &caller.username,
                &format!("ingest_{kind}_refused"),
                caller.source.as_deref().unwrap_or(kind),
                serde_json::json!({"format": format.as_str(), "reason": refused.to_string()}),
            )
            .await
            .map_err(Error::from)?;
            Err(IngestError::Refused(refused))
        }
    }
}
