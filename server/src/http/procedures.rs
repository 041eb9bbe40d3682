//! `GET /procedures`, `GET /procedures/{code}`, `PUT /procedures/{code}`: the standard
//! procedures (SOP) that cases follow, one per case kind: steps with their deadlines, roles and
//! when a late step escalates. Everyone reads them; an admin edits them (each edit a new
//! version, in the audit log, and the rules look again at once).

use super::{ApiContext, Error};
use crate::audit;
use crate::auth::Caller;
use crate::events::{self, Event};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::procedures::{Procedure, ProcedureEdit, Step};
use sqlx::PgPool;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/procedures", get(procedures))
        .route("/procedures/{code}", get(procedure).put(edit))
}

async fn load(db: &PgPool, code: Option<&str>) -> Result<Vec<Procedure>, Error> {
    type Head = (
        String,
        String,
        String,
        i32,
        chrono::DateTime<chrono::Utc>,
        String,
    );
    let heads: Vec<Head> = sqlx::query_as(
        "SELECT code, case_kind, name, version, updated_at, updated_by FROM procedure
         WHERE $1::text IS NULL OR code = $1 ORDER BY code",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    type StepRow = (String, i16, String, String, String, i32, i32);
    let steps: Vec<StepRow> = sqlx::query_as(
        "SELECT procedure, ord, code, name, role, days, escalate_after FROM procedure_step
         WHERE $1::text IS NULL OR procedure = $1 ORDER BY procedure, ord",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    Ok(heads
        .into_iter()
        .map(|h| Procedure {
            steps: steps
                .iter()
                .filter(|s| s.0 == h.0)
                .map(|s| Step {
                    code: s.2.clone(),
                    name: s.3.clone(),
                    role: s.4.clone(),
                    days: s.5,
                    escalate_after: s.6,
                })
                .collect(),
            code: h.0,
            case_kind: h.1,
            name: h.2,
            version: h.3,
            updated_at: h.4.to_rfc3339(),
            updated_by: h.5,
        })
        .collect())
}

/// Every procedure with its steps.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures",
    responses((status = 200, body = Vec<Procedure>), (status = 401, body = domain::api::ApiError)))]
pub async fn procedures(
    State(ctx): State<ApiContext>,
    _caller: Caller,
) -> Result<Json<Vec<Procedure>>, Error> {
    Ok(Json(load(&ctx.db, None).await?))
}

/// One procedure with its steps.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "The procedure's code")),
    responses((status = 200, body = Procedure), (status = 401, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn procedure(
    State(ctx): State<ApiContext>,
    _caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Procedure>, Error> {
    load(&ctx.db, Some(&code))
        .await?
        .pop()
        .map(Json)
        .ok_or(Error::NotFound("procedure"))
}

/// Replaces a procedure's name and steps (admin only): a new version. Steps already under way
/// keep the deadline they started with; when they escalate follows the new template at once.
#[utoipa::path(put, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "The procedure's code")),
    request_body = ProcedureEdit,
    responses((status = 200, body = Procedure), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn edit(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Procedure>, Error> {
    if caller.role != domain::Role::Admin || caller.session.is_none() {
        return Err(Error::Forbidden(
            "only an administrator edits procedures".into(),
        ));
    }
    let edit: ProcedureEdit = serde_json::from_slice(&body).map_err(|e| {
        Error::invalid(
            "body",
            format!("expected {{\"name\", \"steps\": [...]}}: {e}"),
        )
    })?;
    edit.check()
        .map_err(|r| Error::invalid(r.field, r.reason))?;
    let mut tx = ctx.db.begin().await?;
    let exists: Option<i32> =
        sqlx::query_scalar("SELECT version FROM procedure WHERE code = $1 FOR UPDATE")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    let version = exists.ok_or(Error::NotFound("procedure"))?;
    if let Some(expected) = edit.version
        && expected != version
    {
        return Err(Error::invalid(
            "version",
            format!(
                "the procedure is at version {version}, not {expected}: someone edited it meanwhile; reload it"
            ),
        ));
    }
    // Open steps keep their place: a procedure may not lose a step that a case is in.
    let in_use: Option<i16> = sqlx::query_scalar(
        "SELECT max(s.ord) FROM case_step s JOIN cases c ON c.id = s.case_id
         WHERE c.procedure = $1 AND s.done_on IS NULL",
    )
    .bind(&code)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(ord) = in_use
        && ord as usize > edit.steps.len()
    {
        return Err(Error::invalid(
            "steps",
            format!("cases are in step {ord}: the procedure must keep at least {ord} steps"),
        ));
    }
    sqlx::query(
        "UPDATE procedure SET name = $2, version = version + 1, updated_at = now(), updated_by = $3
         WHERE code = $1",
    )
    .bind(&code)
    .bind(edit.name.trim())
    .bind(&caller.username)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM procedure_step WHERE procedure = $1")
        .bind(&code)
        .execute(&mut *tx)
        .await?;
    for (i, s) in edit.steps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO procedure_step (procedure, ord, code, name, role, days, escalate_after)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&code)
        .bind(i as i16 + 1)
        .bind(s.code.trim())
        .bind(s.name.trim())
        .bind(s.role.trim())
        .bind(s.days)
        .bind(s.escalate_after)
        .execute(&mut *tx)
        .await?;
    }
    events::publish(
        &mut *tx,
        &Event::new(
            "procedure",
            "VN",
            serde_json::json!({"code": code, "version": version + 1}),
        ),
    )
    .await?;
    tx.commit().await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "procedure_edit",
        &format!("procedure:{code}"),
        serde_json::to_value(&edit).unwrap_or_default(),
    )
    .await?;
    load(&ctx.db, Some(&code))
        .await?
        .pop()
        .map(Json)
        .ok_or(Error::NotFound("procedure"))
}
