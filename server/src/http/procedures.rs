//! `GET /procedures`, `GET /procedures/{code}`, `PUT /procedures/{code}`: the standard
//! procedures (SOP) that cases follow, one per case kind: steps with their deadlines, roles and
//! when a late step escalates. Everyone reads them; an admin edits them (each edit a new
//! version, in the audit log, and the rules look again at once).
//! `GET /cases/{id}/steps`, `POST /cases/{id}/steps/{ord}/done`: a case's way through its
//! procedure, and the record that a step is done (the next one starts that day).

use super::query::Path;
use super::{ApiContext, Error};
use crate::audit;
use crate::auth::Caller;
use crate::events::{self, Event};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::procedures::{CaseStep, CaseSteps, Procedure, ProcedureEdit, Step, StepDone};
use sqlx::PgPool;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/procedures", get(procedures))
        .route("/procedures/{code}", get(procedure).put(edit))
        .route("/cases/{id}/steps", get(case_steps))
        .route(
            "/cases/{id}/steps/{ord}/done",
            axum::routing::post(step_done),
        )
}

fn case_id(id: &str) -> Result<i64, Error> {
    id.parse()
        .ok()
        .filter(|n: &i64| *n > 0)
        .ok_or_else(|| Error::invalid("id", "must be a case's id, a positive whole number"))
}

async fn steps_of(db: &PgPool, caller: &Caller, id: i64) -> Result<CaseSteps, Error> {
    let found: Option<(Option<String>, chrono::NaiveDate)> = sqlx::query_as(
        "SELECT procedure, current_date FROM cases WHERE id = $1 AND path <@ $2::ltree",
    )
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(db)
    .await?;
    let (procedure, today) = found.ok_or(Error::NotFound("case"))?;
    type Row = (
        i16,
        String,
        String,
        String,
        i32,
        i32,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT ps.ord, ps.code, ps.name, ps.role, ps.days, ps.escalate_after,
                s.started_on, s.due_on, s.done_on
         FROM procedure_step ps
         LEFT JOIN case_step s ON s.case_id = $1 AND s.ord = ps.ord
         WHERE ps.procedure = $2 ORDER BY ps.ord",
    )
    .bind(id)
    .bind(&procedure)
    .fetch_all(db)
    .await?;
    Ok(CaseSteps {
        case: id,
        procedure,
        steps: rows
            .into_iter()
            .map(|r| CaseStep {
                state: domain::procedures::step_word(r.6, r.7, r.8, r.5, today).to_string(),
                ord: r.0,
                code: r.1,
                name: r.2,
                role: r.3,
                days: r.4,
                escalate_after: r.5,
                started_on: r.6,
                due_on: r.7,
                done_on: r.8,
            })
            .collect(),
    })
}

/// A case's procedure, step by step: started, due, done, and where each stands today.
#[utoipa::path(get, path = "/api/v1/cases/{id}/steps", tag = "procedures",
    params(("id" = i64, Path, description = "The case's id")),
    responses((status = 200, body = CaseSteps), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn case_steps(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseSteps>, Error> {
    let id = case_id(&id)?;
    Ok(Json(steps_of(&ctx.db, &caller, id).await?))
}

/// Records that the open step `ord` of a case is done (on `done_on`, default today); the next
/// step of its procedure starts that day with its deadline. Its reminder and escalation clear at
/// the rules' next look, moments later.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps/{ord}/done", tag = "procedures",
    params(("id" = i64, Path, description = "The case's id"),
           ("ord" = i16, Path, description = "The step's place in the procedure, from 1")),
    request_body(content = Option<StepDone>, description = "optional: {\"done_on\": \"YYYY-MM-DD\"}"),
    responses((status = 200, body = CaseSteps), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn step_done(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path((id, ord)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<CaseSteps>, Error> {
    let id = case_id(&id)?;
    let ord: i16 = ord
        .parse()
        .ok()
        .filter(|n: &i16| *n > 0)
        .ok_or_else(|| Error::invalid("ord", "must be a step's place, from 1"))?;
    if caller.role.is_read_only() {
        return Err(Error::Forbidden("a wall display records nothing".into()));
    }
    let req: StepDone = if body.iter().all(u8::is_ascii_whitespace) {
        StepDone::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Error::invalid(
                "body",
                format!("expected nothing or {{\"done_on\": \"YYYY-MM-DD\"}}: {e}"),
            )
        })?
    };
    let mut tx = ctx.db.begin().await?;
    type Open = (String, Option<String>, chrono::NaiveDate, chrono::NaiveDate);
    let open: Option<Open> = sqlx::query_as(
        "SELECT c.path::text, c.procedure, s.started_on, current_date
         FROM cases c JOIN case_step s ON s.case_id = c.id AND s.ord = $2 AND s.done_on IS NULL
         WHERE c.id = $1 AND c.path <@ $3::ltree
         FOR UPDATE OF s",
    )
    .bind(id)
    .bind(ord)
    .bind(caller.scope.path())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((path, procedure, started, today)) = open else {
        // Say which: no such case in scope, or no such open step.
        steps_of(&ctx.db, &caller, id).await?;
        return Err(Error::invalid(
            "ord",
            format!("step {ord} of this case is not under way"),
        ));
    };
    let done = req.done_on.unwrap_or(today);
    if done < started || done > today {
        return Err(Error::invalid(
            "done_on",
            format!("must be between the step's start ({started}) and today ({today})"),
        ));
    }
    sqlx::query("UPDATE case_step SET done_on = $3 WHERE case_id = $1 AND ord = $2")
        .bind(id)
        .bind(ord)
        .bind(done)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO case_step (case_id, ord, started_on, due_on)
         SELECT $1, ps.ord, $3, $3 + ps.days FROM procedure_step ps
         WHERE ps.procedure = $4 AND ps.ord = $2 + 1
         ON CONFLICT (case_id, ord) DO NOTHING",
    )
    .bind(id)
    .bind(ord)
    .bind(done)
    .bind(&procedure)
    .execute(&mut *tx)
    .await?;
    events::publish(
        &mut *tx,
        &Event::new(
            "data",
            &path,
            serde_json::json!({"records": "case_steps", "case": id}),
        ),
    )
    .await?;
    tx.commit().await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "case_step_done",
        &format!("case:{id}"),
        serde_json::json!({"ord": ord, "done_on": done}),
    )
    .await?;
    Ok(Json(steps_of(&ctx.db, &caller, id).await?))
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
