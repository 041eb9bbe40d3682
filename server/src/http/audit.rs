//! `GET /audit`: an administrator searches the audit trail. An administrator of the centre sees
//! every entry; one of a province sees the entries of the people and tokens within it.

use super::{ApiContext, Error, Query, date};
use crate::auth::Caller;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Entries per page.
pub const PAGE: i64 = 50;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/audit", get(search))
}

/// Filters of `GET /audit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Who acted (exact username, token name, `cli` or `system`).
    pub actor: Option<String>,
    /// What they did (exact, e.g. `login_failed`, `cases_read`).
    pub action: Option<String>,
    /// Words in what it was done on or in its details.
    pub q: Option<String>,
    /// From this day (YYYY-MM-DD, Vietnam time), inclusive.
    pub from: Option<String>,
    /// To this day, inclusive.
    pub to: Option<String>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
}

/// One entry of the trail.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: serde_json::Value,
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The `before` of the next page, if there is one.
    pub next_before: Option<i64>,
    /// The actions that occur in the trail, for a filter's choices.
    pub actions: Vec<String>,
}

type Row = (
    i64,
    DateTime<Utc>,
    String,
    String,
    String,
    serde_json::Value,
);

fn text(field: &'static str, v: Option<String>) -> Result<Option<String>, Error> {
    let v = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if v.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(Error::invalid(field, "must be at most 100 characters"));
    }
    Ok(v)
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = domain::api::ApiError),
              (status = 403, body = domain::api::ApiError, description = "administrators only")))]
pub async fn search(
    State(ctx): State<ApiContext>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, Error> {
    let actor = text("actor", q.actor)?;
    let action = text("action", q.action)?;
    let words = text("q", q.q)?;
    let from = date("from", q.from.as_deref())?;
    let to = date("to", q.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::invalid("to", "is before `from`"));
    }
    if q.before.is_some_and(|b| b < 1) {
        return Err(Error::invalid("before", "must be a positive entry id"));
    }
    let everything = caller.scope.level == domain::UnitLevel::Central;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id, l.at, l.actor, l.action, l.object, l.detail
         FROM audit_log l
         WHERE ($1::text IS NULL OR l.actor = $1)
           AND ($2::text IS NULL OR l.action = $2)
           AND ($3::text IS NULL OR l.object ILIKE '%' || $3 || '%' OR l.detail::text ILIKE '%' || $3 || '%')
           AND ($4::date IS NULL OR l.at >= ($4::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
           AND ($5::date IS NULL OR l.at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
           AND ($6::bigint IS NULL OR l.id < $6)
           AND ($7 OR EXISTS (
                 SELECT 1 FROM app_user a JOIN unit u ON u.code = a.scope
                 WHERE a.username = l.actor AND u.path <@ $8::ltree
                 UNION ALL
                 SELECT 1 FROM api_token t JOIN unit u ON u.code = t.scope
                 WHERE t.name = l.actor AND u.path <@ $8::ltree))
         ORDER BY l.id DESC
         LIMIT $9",
    )
    .bind(&actor)
    .bind(&action)
    .bind(words.as_deref().map(like_escape))
    .bind(from)
    .bind(to)
    .bind(q.before)
    .bind(everything)
    .bind(caller.scope.path())
    .bind(PAGE + 1)
    .fetch_all(&ctx.db)
    .await?;
    let more = rows.len() as i64 > PAGE;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|(id, at, actor, action, object, detail)| AuditEntry {
            id,
            at,
            actor,
            action,
            object,
            detail,
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(&ctx.db)
            .await?;
    Ok(Json(AuditPage {
        entries,
        next_before,
        actions,
    }))
}

/// `%`, `_` and `\` typed by a person are searched for as themselves.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
