//! `GET /alerts`, `GET /alerts/{id}`, `POST /alerts/{id}/actions`: the alerts in the caller's scope
//! and the work on them (acknowledge, assign, resolve, reopen, comment; [`domain::alerts`]'s
//! rules), each step kept in the alert's history and in the audit log.

use super::query::Path;
use super::{ApiContext, Error, Query};
use crate::audit;
use crate::auth::Caller;
use crate::db::scoped;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::AlertState;
use domain::alerts::{
    AlertAction, AlertActionRequest, AlertDetail, AlertEvent, AlertPage, AlertRecord, after,
};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/alerts", get(alerts))
        .route("/alerts/{id}", get(alert))
        .route("/alerts/{id}/actions", post(act))
        // The contract's short forms.
        .route("/alerts/{id}/ack", post(ack))
        .route("/alerts/{id}/resolve", post(resolve))
}

/// Filters of `GET /alerts`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// `open` (not resolved), or one state: `new`, `acknowledged`, `assigned`, `resolved`.
    pub state: Option<String>,
    /// `critical`, `warning` or `info`.
    pub severity: Option<String>,
    /// One kind: `target_at_risk`, `step_escalated`, `anomaly`, `source_stale`, ...
    pub kind: Option<String>,
    /// Only alerts about this unit's subtree (within the caller's scope).
    pub unit: Option<String>,
    /// At most this many (1 to 500, default 100).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

pub(crate) const RECORD: &str =
    "SELECT a.id, a.kind, a.severity, a.unit, u.name, a.measure, a.sector,
        a.expected, a.observed, a.explanation, a.link, a.state, a.owner,
        a.created_at, a.updated_at,
        CASE WHEN a.kind = 'step_escalated' THEN a.detail->>'unit_name' END
    FROM alert a JOIN unit u ON u.code = a.unit";

pub(crate) type RecordRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    String,
    Option<String>,
    String,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
);

pub(crate) fn record(r: RecordRow) -> AlertRecord {
    AlertRecord {
        id: r.0,
        kind: r.1,
        severity: r.2,
        unit: r.3,
        unit_name: r.4,
        measure: r.5,
        sector: r.6,
        expected: r.7,
        observed: r.8,
        explanation: r.9,
        link: r.10,
        state: r.11,
        owner: r.12,
        created_at: r.13.to_rfc3339(),
        updated_at: r.14.to_rfc3339(),
        about: r.15,
    }
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertQuery),
    responses((status = 200, body = AlertPage), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError)))]
pub async fn alerts(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<AlertQuery>,
) -> Result<Json<AlertPage>, Error> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some("open".to_string()),
        Some(s) => Some(
            s.parse::<AlertState>()
                .map_err(|e| Error::invalid("state", e.to_string()))?
                .as_str()
                .to_string(),
        ),
    };
    let severity = match q.severity.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<domain::Severity>()
                .map_err(|e| Error::invalid("severity", e.to_string()))?
                .as_str(),
        ),
    };
    let kind = q
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    if let Some(k) = &kind
        && (k.len() > 40 || !k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    {
        return Err(Error::invalid(
            "kind",
            "must be an alert kind such as target_at_risk",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "must be 1 to 500"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Error::invalid("offset", "must not be negative"));
    }
    let unit = caller
        .scope
        .unit_within(&ctx.db, "unit", q.unit.as_deref())
        .await?;
    const FILTER: &str = "a.path <@ $1::ltree
        AND ($2::text IS NULL OR ($2 = 'open' AND a.state <> 'resolved') OR a.state = $2)
        AND ($3::text IS NULL OR a.severity = $3)
        AND ($6::text IS NULL OR a.kind = $6)";
    let mut tx = caller.scope.read(&ctx.db).await?;
    let rows: Vec<RecordRow> = sqlx::query_as(&format!(
        "{RECORD} WHERE {FILTER}
         ORDER BY a.state = 'resolved', array_position(ARRAY['critical', 'warning', 'info'], a.severity),
                  a.updated_at DESC, a.id DESC
         LIMIT $4 OFFSET $5"
    ))
    .bind(&unit.path)
    .bind(&state)
    .bind(severity)
    .bind(limit)
    .bind(offset)
    .bind(&kind)
    .fetch_all(&mut *tx)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM alert a WHERE {FILTER} AND $4::bigint IS NOT NULL AND $5::bigint IS NOT NULL"
    ))
        .bind(&unit.path)
        .bind(&state)
        .bind(severity)
        .bind(limit)
        .bind(offset)
        .bind(&kind)
        .fetch_one(&mut *tx)
        .await?;
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alert WHERE path <@ $1::ltree AND state <> 'resolved'",
    )
    .bind(caller.scope.path())
    .fetch_one(&mut *tx)
    .await?;
    scoped::finish(tx).await?;
    Ok(Json(AlertPage {
        total,
        open,
        alerts: rows.into_iter().map(record).collect(),
    }))
}

/// An alert within the caller's scope (outside it, as if it did not exist), read through both
/// walls.
async fn load(ctx: &ApiContext, caller: &Caller, id: i64) -> Result<AlertDetail, Error> {
    let mut tx = caller.scope.read(&ctx.db).await?;
    let db = &mut *tx;
    let row: Option<RecordRow> =
        sqlx::query_as(&format!("{RECORD} WHERE a.id = $1 AND a.path <@ $2::ltree"))
            .bind(id)
            .bind(caller.scope.path())
            .fetch_optional(&mut *db)
            .await?;
    let alert = record(row.ok_or(Error::NotFound("alert"))?);
    let detail: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT detail FROM alert WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *db)
            .await?;
    let events: Vec<(chrono::DateTime<chrono::Utc>, String, String, String)> = sqlx::query_as(
        "SELECT at, actor, action, comment FROM alert_event WHERE alert = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&mut *db)
    .await?;
    scoped::finish(tx).await?;
    Ok(AlertDetail {
        alert,
        events: events
            .into_iter()
            .map(|(at, actor, action, comment)| AlertEvent {
                at: at.to_rfc3339(),
                actor,
                action,
                comment,
            })
            .collect(),
        detail,
    })
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    responses((status = 200, body = AlertDetail), (status = 401, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn alert(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AlertDetail>, Error> {
    Ok(Json(load(&ctx, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/actions", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    request_body = AlertActionRequest,
    responses((status = 200, body = AlertDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn act(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<AlertDetail>, Error> {
    let req: AlertActionRequest = serde_json::from_slice(&body).map_err(|e| {
        Error::invalid(
            "body",
            format!("expected {{\"action\", \"comment\", \"owner\"}}: {e}"),
        )
    })?;
    work(&ctx, &caller, id, req).await
}

/// The body of the contract's `POST /alerts/{id}/ack` and `/resolve`: an optional comment.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortAction {
    pub comment: Option<String>,
}

/// The contract's short form of `action`: an optional comment (`default` when none is given).
async fn short_action(
    ctx: &ApiContext,
    caller: &Caller,
    id: i64,
    body: &[u8],
    action: &str,
    default: Option<&str>,
) -> Result<Json<AlertDetail>, Error> {
    let comment = short(body)?
        .comment
        .filter(|c| !c.trim().is_empty())
        .or_else(|| default.map(str::to_string));
    let req = AlertActionRequest {
        action: action.into(),
        comment,
        owner: None,
    };
    work(ctx, caller, id, req).await
}

fn short(body: &[u8]) -> Result<ShortAction, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ShortAction::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| Error::invalid("body", format!("expected nothing or {{\"comment\"}}: {e}")))
}

/// Acknowledges a new alert (the contract's form of `actions` with `acknowledge`).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    request_body(content = Option<ShortAction>, description = "optional: {\"comment\"}"),
    responses((status = 200, body = AlertDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn ack(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<AlertDetail>, Error> {
    short_action(&ctx, &caller, id, &body, "acknowledge", None).await
}

/// Resolves an alert (the contract's form of `actions` with `resolve`); without a comment the
/// history says it was resolved through the API.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    request_body(content = Option<ShortAction>, description = "optional: {\"comment\"}"),
    responses((status = 200, body = AlertDetail), (status = 400, body = domain::api::ApiError),
              (status = 401, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError),
              (status = 404, body = domain::api::ApiError)))]
pub async fn resolve(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<AlertDetail>, Error> {
    short_action(
        &ctx,
        &caller,
        id,
        &body,
        "resolve",
        Some("resolved through the API"),
    )
    .await
}

async fn work(
    ctx: &ApiContext,
    caller: &Caller,
    id: i64,
    req: AlertActionRequest,
) -> Result<Json<AlertDetail>, Error> {
    if caller.role.is_read_only() || caller.session.is_none() {
        return Err(Error::Forbidden(
            "only a person's session may work on alerts".into(),
        ));
    }
    let action: AlertAction = req
        .action
        .parse()
        .map_err(|e: domain::UnknownWord| Error::invalid("action", e.to_string()))?;
    let owner = req
        .owner
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let mut tx = ctx.db.begin().await?;
    let current: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT state, path::text, owner FROM alert WHERE id = $1 AND path <@ $2::ltree FOR UPDATE",
    )
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(&mut *tx)
    .await?;
    let (state, path, old_owner) = current.ok_or(Error::NotFound("alert"))?;
    let state: AlertState = state
        .parse()
        .map_err(|e: domain::UnknownWord| Error::Internal(anyhow::anyhow!(e)))?;
    let next = after(state, action, req.comment.as_deref(), owner)
        .map_err(|r| Error::invalid(r.field, r.reason))?;
    let new_owner = if action == AlertAction::Assign {
        let owner = owner.unwrap_or_default();
        // The owner must be an active account that can see the alert.
        let sees: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM app_user p JOIN unit s ON s.code = p.scope
                            WHERE p.username = $1 AND NOT p.disabled AND $2::ltree <@ s.path)",
        )
        .bind(owner)
        .bind(&path)
        .fetch_one(&mut *tx)
        .await?;
        if !sees {
            return Err(Error::invalid(
                "owner",
                format!("'{owner}' is not an active user whose scope covers this alert"),
            ));
        }
        Some(owner.to_string())
    } else {
        old_owner
    };
    let comment = req.comment.as_deref().map(str::trim).unwrap_or_default();
    sqlx::query(
        "UPDATE alert SET state = $2, owner = $3, updated_at = now(),
             resolved_by = CASE WHEN $2 = 'resolved' THEN $4 ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(next.as_str())
    .bind(&new_owner)
    .bind(&caller.username)
    .execute(&mut *tx)
    .await?;
    let note = match (action, &new_owner) {
        (AlertAction::Assign, Some(o)) if comment.is_empty() => format!("→ {o}"),
        (AlertAction::Assign, Some(o)) => format!("→ {o}: {comment}"),
        _ => comment.to_string(),
    };
    sqlx::query("INSERT INTO alert_event (alert, actor, action, comment) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&caller.username)
        .bind(action.as_str())
        .bind(&note)
        .execute(&mut *tx)
        .await?;
    crate::events::publish(
        &mut *tx,
        &crate::events::Event::new(
            "alert",
            &path,
            serde_json::json!({"id": id, "action": action.as_str(), "state": next.as_str(),
                               "by": caller.username}),
        ),
    )
    .await?;
    tx.commit().await?;
    audit::append(
        &ctx.db,
        &caller.username,
        "alert_action",
        &format!("alert:{id}"),
        serde_json::json!({"action": action.as_str(), "from": state.as_str(), "to": next.as_str(),
                           "owner": new_owner}),
    )
    .await?;
    Ok(Json(load(ctx, caller, id).await?))
}
