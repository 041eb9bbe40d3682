//! Wall displays (see [`domain::display`]): created with a read-only token scoped to a unit (by
//! an administrator on `/displays`, or `oversight token create --role display`), set up with
//! the scenes they rotate through, revoked. Every change is audited and told to the wall on its
//! event stream (`display`, or `revoked` and the end of the stream).

use crate::events::{self, Event};
use crate::http::Error;
use crate::scope::Scope;
use domain::Role;
use domain::display::{DisplayEdit, DisplayRecord, DisplaySetup, Scene};
use serde_json::json;
use sqlx::PgPool;

/// The columns of a [`DisplayRecord`], for `SELECT … FROM display d JOIN api_token t … JOIN unit u`.
const RECORD: &str = "d.id, d.name, t.scope, u.name, d.scenes, d.interval_seconds, d.lang,
    to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), d.created_by,
    to_char(d.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
    to_char(t.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), u.path::text";

type RecordRow = (
    i64,
    String,
    String,
    String,
    serde_json::Value,
    i32,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn record(row: RecordRow) -> (DisplayRecord, String) {
    let (id, name, unit, unit_name, scenes, interval_seconds, lang, created_at, created_by) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    (
        DisplayRecord {
            id,
            name,
            unit,
            unit_name,
            // The column holds only what `DisplayEdit::check` let through.
            scenes: serde_json::from_value(scenes).unwrap_or_default(),
            interval_seconds,
            lang,
            created_at,
            created_by,
            last_seen: row.9,
            revoked_at: row.10,
        },
        row.11,
    )
}

/// Checks an edit against the rules and the display's scope: every chosen unit must be within
/// it (a display never shows what its scope does not hold).
async fn check(pool: &PgPool, edit: &DisplayEdit, scope: &Scope) -> Result<(), Error> {
    edit.check()
        .map_err(|r| Error::invalid(r.field, r.reason))?;
    for (i, scene) in edit.scenes.iter().enumerate() {
        if let Scene::Unit { unit } = scene {
            let inside: Option<bool> =
                sqlx::query_scalar("SELECT path <@ $2::ltree FROM unit WHERE code = $1")
                    .bind(unit)
                    .bind(scope.path())
                    .fetch_optional(pool)
                    .await?;
            if inside != Some(true) {
                return Err(Error::invalid(
                    format!("scenes[{i}].unit"),
                    format!(
                        "'{unit}' is not a unit within the display's scope {}",
                        scope.unit
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Creates a display scoped to `scope` with its token; answers the record and the token.
pub async fn create(
    pool: &PgPool,
    edit: &DisplayEdit,
    scope: &Scope,
    by: &str,
) -> Result<(DisplayRecord, String), Error> {
    check(pool, edit, scope).await?;
    let name = edit.name.trim();
    let mut tx = pool.begin().await?;
    let (token_id, token) =
        crate::auth::token::create_in(&mut tx, name, Role::Display, &scope.unit, None).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO display (token_id, name, scenes, interval_seconds, lang, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token_id)
    .bind(name)
    .bind(json!(edit.scenes))
    .bind(edit.interval_seconds)
    .bind(edit.lang.as_deref().unwrap_or("vi"))
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    crate::audit::append(
        pool,
        by,
        "display_create",
        &id.to_string(),
        json!({"name": name, "scope": scope.unit, "scenes": edit.scenes,
               "interval_seconds": edit.interval_seconds}),
    )
    .await?;
    let (display, _) = get(pool, id, scope).await?;
    Ok((display, token))
}

/// The display `id` if it is within `scope` (else 404: others' displays are not revealed).
pub async fn get(pool: &PgPool, id: i64, scope: &Scope) -> Result<(DisplayRecord, String), Error> {
    let row: Option<RecordRow> = sqlx::query_as(&format!(
        "SELECT {RECORD} FROM display d JOIN api_token t ON t.id = d.token_id
         JOIN unit u ON u.code = t.scope
         WHERE d.id = $1 AND u.path <@ $2::ltree"
    ))
    .bind(id)
    .bind(scope.path())
    .fetch_optional(pool)
    .await?;
    row.map(record).ok_or(Error::NotFound("display"))
}

/// The displays within `scope`, live ones first, then by name.
pub async fn list(pool: &PgPool, scope: &Scope) -> Result<Vec<DisplayRecord>, Error> {
    let rows: Vec<RecordRow> = sqlx::query_as(&format!(
        "SELECT {RECORD} FROM display d JOIN api_token t ON t.id = d.token_id
         JOIN unit u ON u.code = t.scope
         WHERE u.path <@ $1::ltree
         ORDER BY t.revoked_at IS NOT NULL, d.name, d.id"
    ))
    .bind(scope.path())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| record(r).0).collect())
}

/// Changes a display's name, scenes, interval and language; the wall takes them at once.
pub async fn edit(
    pool: &PgPool,
    id: i64,
    edit: &DisplayEdit,
    scope: &Scope,
    by: &str,
) -> Result<DisplayRecord, Error> {
    let (before, path) = get(pool, id, scope).await?;
    if before.revoked_at.is_some() {
        return Err(Error::invalid(
            "id",
            "the display is revoked; create a new one",
        ));
    }
    if edit.unit.as_ref().is_some_and(|u| *u != before.unit) {
        return Err(Error::invalid(
            "unit",
            "a display keeps its scope; create a new one for another unit",
        ));
    }
    let display_scope = Scope::of_unit(pool, &before.unit).await?;
    check(pool, edit, &display_scope).await?;
    let mut tx = pool.begin().await?;
    let token_id: i64 = sqlx::query_scalar(
        "UPDATE display SET name = $2, scenes = $3, interval_seconds = $4,
             lang = COALESCE($5, lang), updated_at = now()
         WHERE id = $1 RETURNING token_id",
    )
    .bind(id)
    .bind(edit.name.trim())
    .bind(json!(edit.scenes))
    .bind(edit.interval_seconds)
    .bind(edit.lang.as_deref())
    .fetch_one(&mut *tx)
    .await?;
    events::publish(
        &mut *tx,
        &Event::new("display", &path, json!({"id": id, "token": token_id})),
    )
    .await?;
    tx.commit().await?;
    crate::audit::append(
        pool,
        by,
        "display_edit",
        &id.to_string(),
        json!({"name": edit.name.trim(), "scenes": edit.scenes,
               "interval_seconds": edit.interval_seconds, "lang": edit.lang}),
    )
    .await?;
    Ok(get(pool, id, scope).await?.0)
}

/// Revokes a display's token: its wall blanks at once (its stream is told and closed) and every
/// later request with the token is refused.
pub async fn revoke(
    pool: &PgPool,
    id: i64,
    scope: &Scope,
    by: &str,
) -> Result<DisplayRecord, Error> {
    let (before, path) = get(pool, id, scope).await?;
    if before.revoked_at.is_none() {
        let mut tx = pool.begin().await?;
        let token_id: i64 = sqlx::query_scalar(
            "UPDATE api_token t SET revoked_at = now() FROM display d
             WHERE d.id = $1 AND t.id = d.token_id RETURNING t.id",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        events::publish(
            &mut *tx,
            &Event::new(
                "display",
                &path,
                json!({"id": id, "token": token_id, "revoked": true}),
            ),
        )
        .await?;
        tx.commit().await?;
        crate::audit::append(pool, by, "display_revoke", &id.to_string(), json!({})).await?;
    }
    Ok(get(pool, id, scope).await?.0)
}

/// Revokes every live token named `name` (the command line's `token revoke`); a display's wall
/// is told. Answers how many were revoked.
pub async fn revoke_tokens_named(pool: &PgPool, name: &str, by: &str) -> Result<u64, Error> {
    let mut tx = pool.begin().await?;
    let revoked: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "UPDATE api_token t SET revoked_at = now() FROM unit u
         WHERE t.name = $1 AND t.revoked_at IS NULL AND u.code = t.scope
         RETURNING t.id, u.path::text, (SELECT d.id FROM display d WHERE d.token_id = t.id)",
    )
    .bind(name)
    .fetch_all(&mut *tx)
    .await?;
    for (token_id, path, display) in &revoked {
        if let Some(id) = display {
            events::publish(
                &mut *tx,
                &Event::new(
                    "display",
                    path,
                    json!({"id": id, "token": token_id, "revoked": true}),
                ),
            )
            .await?;
        }
    }
    tx.commit().await?;
    if !revoked.is_empty() {
        crate::audit::append(
            pool,
            by,
            "token_revoke",
            name,
            json!({"tokens": revoked.len()}),
        )
        .await?;
    }
    Ok(revoked.len() as u64)
}

/// The setup of the display whose token is `token_id` (for its wall), noting that it was seen.
pub async fn setup(pool: &PgPool, token_id: i64) -> Result<DisplaySetup, Error> {
    type Row = (
        i64,
        String,
        String,
        String,
        serde_json::Value,
        i32,
        String,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "UPDATE display d SET last_seen = now() FROM api_token t JOIN unit u ON u.code = t.scope
         WHERE d.token_id = $1 AND t.id = d.token_id AND t.revoked_at IS NULL
         RETURNING d.id, d.name, t.scope, u.name, d.scenes, d.interval_seconds, d.lang,
                   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    )
    .bind(token_id)
    .fetch_optional(pool)
    .await?;
    let (id, name, unit, unit_name, scenes, interval_seconds, lang, server_time) =
        row.ok_or_else(|| {
            Error::Forbidden("this token is not a display's; create one on /displays".into())
        })?;
    Ok(DisplaySetup {
        id,
        name,
        unit,
        unit_name,
        scenes: serde_json::from_value(scenes).unwrap_or_default(),
        interval_seconds,
        lang,
        server_time,
    })
}

/// A display for a token made by `oversight token create --role display`: the default scenes.
pub async fn adopt_token(
    tx: &mut sqlx::PgConnection,
    token_id: i64,
    name: &str,
    by: &str,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO display (token_id, name, scenes, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(token_id)
    .bind(name.trim())
    .bind(json!(domain::display::default_scenes()))
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}
