//! Urgent notices ([`domain::notices`]): sent by a leader or an administrator to the sites directly
//! under their unit, shown at once on those sites' walls and tablets through the event stream,
//! acknowledged by each site, reminded after a set time. Every step is in the audit trail.
//!
//! Events: `notice` (path: the site's) when a notice is sent, reminded, acknowledged or closed —
//! the site's screens fetch `GET /notices/active` again, the sender's screens their list;
//! `notice_seen` when a site's screen first shows it — only the sender's screens care. A
//! stream hears an event when the site lies within its scope, so a site outside the chosen ones
//! never hears of the notice, and its reads (`/notices/active`) never show it.

use crate::auth::Caller;
use crate::events::{self, Event};
use crate::http::Error;
use chrono::{DateTime, Utc};
use domain::notices::{
    ActiveNotice, ActiveNotices, CheckedNotice, NoticeList, NoticeRecord, NoticeSite, NoticeState,
    SiteChoice, severity_rank, tally,
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// The most notices a list holds (newest first).
pub const LIST_LIMIT: i64 = 100;

/// How often the reminders' sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// The audit trail's actor for what the center does by itself.
const SYSTEM: &str = "system";

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(at)
}

/// The sites a caller may send to: the units directly under its unit.
pub async fn site_choices(
    db: &mut PgConnection,
    caller: &Caller,
) -> Result<Vec<SiteChoice>, Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name, level FROM unit
         WHERE parent = $1 AND path <@ $2::ltree
         ORDER BY level DESC, code",
    )
    .bind(&caller.scope.unit)
    .bind(caller.scope.path())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, level)| SiteChoice { code, name, level })
        .collect())
}

/// Sends a checked notice from `caller` to its sites: each must lie directly under the caller's
/// unit. One transaction: the notice, its sites and their events, or nothing.
pub async fn send(
    pool: &PgPool,
    caller: &Caller,
    n: &CheckedNotice,
) -> Result<NoticeRecord, Error> {
    let scope = &caller.scope;
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT code, name, path::text, parent FROM unit WHERE code = ANY($1)")
            .bind(&n.sites)
            .fetch_all(pool)
            .await?;
    let mut sites = Vec::with_capacity(n.sites.len());
    for (i, code) in n.sites.iter().enumerate() {
        let field = format!("sites[{i}]");
        let Some((code, name, path, parent)) = rows.iter().find(|r| &r.0 == code) else {
            return Err(Error::invalid(
                field,
                format!("no unit has the code '{code}'"),
            ));
        };
        if !scope.contains_path(path) {
            return Err(Error::Forbidden(format!(
                "{field}: unit '{code}' is outside your scope ({})",
                scope.unit
            )));
        }
        if parent.as_deref() != Some(scope.unit.as_str()) {
            return Err(Error::invalid(
                field,
                format!(
                    "'{code}' is not a site: notices go to the units directly under {}",
                    scope.unit
                ),
            ));
        }
        sites.push((code.clone(), name.clone(), path.clone()));
    }
    let unit = match &n.unit {
        Some(code) => Some(scope.unit_within(pool, "unit", Some(code)).await?),
        None => None,
    };
    if let Some(alert) = n.alert {
        let path: Option<String> = sqlx::query_scalar("SELECT path::text FROM alert WHERE id = $1")
            .bind(alert)
            .fetch_optional(pool)
            .await?;
        if !path.is_some_and(|p| scope.contains_path(&p)) {
            return Err(Error::invalid(
                "alert",
                format!("no alert {alert} in your scope"),
            ));
        }
    }
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notice (text, severity, link, unit, unit_name, alert, sender, sender_unit,
                             sender_unit_name, path, sent_at, remind_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::ltree, now(),
                 now() + make_interval(secs => $11), now() + make_interval(hours => $12))
         RETURNING id",
    )
    .bind(&n.text)
    .bind(n.severity.as_str())
    .bind(&n.link)
    .bind(unit.as_ref().map(|u| &u.code))
    .bind(unit.as_ref().map(|u| &u.name))
    .bind(n.alert)
    .bind(&caller.username)
    .bind(&scope.unit)
    .bind(&scope.name)
    .bind(scope.path())
    .bind(f64::from(n.remind_after_seconds))
    .bind(n.expires_after_hours)
    .fetch_one(&mut *tx)
    .await?;
    for (code, name, path) in &sites {
        sqlx::query(
            "INSERT INTO notice_site (notice, unit, name, path) VALUES ($1, $2, $3, $4::ltree)",
        )
        .bind(id)
        .bind(code)
        .bind(name)
        .bind(path)
        .execute(&mut *tx)
        .await?;
        events::publish(&mut *tx, &event("notice", id, "sent", code, path)).await?;
    }
    tx.commit().await?;
    crate::audit::append(
        pool,
        &caller.username,
        "notice_send",
        &id.to_string(),
        json!({"severity": n.severity.as_str(), "sites": n.sites, "text": n.text,
               "link": n.link, "unit": n.unit, "alert": n.alert,
               "remind_after_seconds": n.remind_after_seconds,
               "expires_after_hours": n.expires_after_hours}),
    )
    .await?;
    let record = get(pool, caller, id).await?;
    record.ok_or(Error::NotFound("notice"))
}

fn event(kind: &str, id: i64, action: &str, site: &str, path: &str) -> Event {
    Event::new(
        kind,
        path,
        json!({"id": id, "action": action, "site": site}),
    )
}

type NoticeRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

const NOTICE: &str =
    "SELECT n.id, n.text, n.severity, n.link, n.unit, n.unit_name, n.alert, n.sender,
        n.sender_unit, n.sender_unit_name, n.sent_at, n.remind_at, n.expires_at, n.closed_at, now()
    FROM notice n";

type SiteRow = (
    i64,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
);

const SITE: &str = "SELECT s.notice, s.unit, s.name, s.seen_at, s.seen_by, s.acknowledged_at,
        s.acknowledged_by, s.reminded_at
    FROM notice_site s";

fn site(r: SiteRow) -> NoticeSite {
    NoticeSite {
        unit: r.1,
        name: r.2,
        seen_at: opt(r.3),
        seen_by: r.4,
        acknowledged_at: opt(r.5),
        acknowledged_by: r.6,
        reminded_at: opt(r.7),
    }
}

/// Records with the sites of each that lie within `caller`'s scope.
async fn records(
    db: &mut PgConnection,
    caller: &Caller,
    rows: Vec<NoticeRow>,
) -> Result<Vec<NoticeRecord>, Error> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let sites: Vec<SiteRow> = sqlx::query_as(&format!(
        "{SITE} WHERE s.notice = ANY($1) AND s.path <@ $2::ltree ORDER BY s.notice, s.unit"
    ))
    .bind(&ids)
    .bind(caller.scope.path())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let sites: Vec<NoticeSite> = sites
                .iter()
                .filter(|s| s.0 == r.0)
                .cloned()
                .map(site)
                .collect();
            let state = if r.13.is_some() {
                NoticeState::Closed
            } else if r.12 <= r.14 {
                NoticeState::Expired
            } else {
                NoticeState::Active
            };
            NoticeRecord {
                id: r.0,
                text: r.1,
                severity: r.2,
                link: r.3,
                unit: r.4,
                unit_name: r.5,
                alert: r.6,
                sender: r.7,
                sender_unit: r.8,
                sender_unit_name: r.9,
                sent_at: at(r.10),
                remind_at: at(r.11),
                expires_at: at(r.12),
                closed_at: opt(r.13),
                state,
                tally: tally(&sites),
                sites,
            }
        })
        .collect())
}

/// `GET /notices`: sent from the caller's subtree, and received by the caller's own site.
pub async fn list(db: &mut PgConnection, caller: &Caller) -> Result<NoticeList, Error> {
    let path = caller.scope.path();
    let sent: Vec<NoticeRow> = sqlx::query_as(&format!(
        "{NOTICE} WHERE n.path <@ $1::ltree ORDER BY n.sent_at DESC, n.id DESC LIMIT {LIST_LIMIT}"
    ))
    .bind(path)
    .fetch_all(&mut *db)
    .await?;
    let received: Vec<NoticeRow> = sqlx::query_as(&format!(
        "{NOTICE} WHERE EXISTS (SELECT 1 FROM notice_site s WHERE s.notice = n.id
                                AND s.path = $1::ltree)
         ORDER BY n.sent_at DESC, n.id DESC LIMIT {LIST_LIMIT}"
    ))
    .bind(path)
    .fetch_all(&mut *db)
    .await?;
    let sent = records(&mut *db, caller, sent).await?;
    let received = records(&mut *db, caller, received).await?;
    let sites = if domain::access::allows(caller.role, domain::access::Action::SendNotices) {
        site_choices(&mut *db, caller).await?
    } else {
        Vec::new()
    };
    Ok(NoticeList {
        sent,
        received,
        sites,
    })
}

/// One notice as `caller` may see it: its sender's side (all its sites within the scope) or
/// one of its sites (its own row); `None` otherwise.
pub async fn get_in(
    db: &mut PgConnection,
    caller: &Caller,
    id: i64,
) -> Result<Option<NoticeRecord>, Error> {
    let rows: Vec<NoticeRow> = sqlx::query_as(&format!(
        "{NOTICE} WHERE n.id = $1 AND (n.path <@ $2::ltree
            OR EXISTS (SELECT 1 FROM notice_site s WHERE s.notice = n.id AND s.path = $2::ltree))"
    ))
    .bind(id)
    .bind(caller.scope.path())
    .fetch_all(&mut *db)
    .await?;
    Ok(records(db, caller, rows).await?.pop())
}

/// [`get_in`] in a scoped read of its own.
pub async fn get(pool: &PgPool, caller: &Caller, id: i64) -> Result<Option<NoticeRecord>, Error> {
    let mut read = caller.scope.read(pool).await?;
    let record = get_in(&mut read, caller, id).await?;
    crate::db::scoped::finish(read).await?;
    Ok(record)
}

type ActiveRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
    bool,
);

/// `GET /notices/active`: the notices sent to the caller's site that are still up, most severe
/// and newest first. Reading them is the site's screen showing them: the first read of each is
/// recorded as seen (by whom), the sender hears of it, and the audit trail keeps it.
pub async fn active(pool: &PgPool, caller: &Caller) -> Result<ActiveNotices, Error> {
    let path = caller.scope.path();
    let mut read = caller.scope.read(pool).await?;
    let rows: Vec<ActiveRow> = sqlx::query_as(
        "SELECT n.id, n.text, n.severity, n.link, n.unit, n.unit_name, n.alert,
                n.sender_unit_name, n.sent_at, n.expires_at, s.unit, s.name,
                s.acknowledged_at, s.acknowledged_by, s.reminded_at, s.seen_at IS NULL
         FROM notice n JOIN notice_site s ON s.notice = n.id
         WHERE s.path = $1::ltree AND n.closed_at IS NULL AND n.expires_at > now()
         ORDER BY n.sent_at DESC, n.id DESC
         LIMIT 50",
    )
    .bind(path)
    .fetch_all(&mut *read)
    .await?;
    let server_time: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *read)
        .await?;
    crate::db::scoped::finish(read).await?;
    let unseen: Vec<i64> = rows.iter().filter(|r| r.15).map(|r| r.0).collect();
    if !unseen.is_empty() {
        mark_seen(pool, caller, &unseen).await?;
    }
    let mut notices: Vec<ActiveNotice> = rows
        .into_iter()
        .map(|r| ActiveNotice {
            id: r.0,
            text: r.1,
            severity: r.2,
            link: r.3,
            unit: r.4,
            unit_name: r.5,
            alert: r.6,
            sender_unit_name: r.7,
            sent_at: at(r.8),
            expires_at: at(r.9),
            site: r.10,
            site_name: r.11,
            acknowledged_at: opt(r.12),
            acknowledged_by: r.13,
            reminded_at: opt(r.14),
        })
        .collect();
    // Most severe first; within a severity the newest (the query's order, kept by a stable sort).
    notices.sort_by_key(|n| severity_rank(&n.severity));
    Ok(ActiveNotices {
        notices,
        server_time: at(server_time),
    })
}

async fn mark_seen(pool: &PgPool, caller: &Caller, ids: &[i64]) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    let seen: Vec<(i64, String, String)> = sqlx::query_as(
        "UPDATE notice_site SET seen_at = now(), seen_by = $3
         WHERE notice = ANY($1) AND path = $2::ltree AND seen_at IS NULL
         RETURNING notice, unit, path::text",
    )
    .bind(ids)
    .bind(caller.scope.path())
    .bind(&caller.username)
    .fetch_all(&mut *tx)
    .await?;
    for (id, unit, path) in &seen {
        events::publish(&mut *tx, &event("notice_seen", *id, "seen", unit, path)).await?;
    }
    tx.commit().await?;
    for (id, unit, _) in &seen {
        crate::audit::append(
            pool,
            &caller.username,
            "notice_seen",
            &id.to_string(),
            json!({"site": unit, "by": if caller.session.is_some() { "person" } else { "display" }}),
        )
        .await?;
    }
    Ok(())
}

/// `POST /notices/{id}/ack`: the caller's site acknowledges notice `id` (once; again is the same).
pub async fn acknowledge(pool: &PgPool, caller: &Caller, id: i64) -> Result<NoticeRecord, Error> {
    let mut tx = pool.begin().await?;
    let done: Option<(String, String)> = sqlx::query_as(
        "UPDATE notice_site SET acknowledged_at = now(), acknowledged_by = $3,
                seen_at = coalesce(seen_at, now()), seen_by = coalesce(seen_by, $3)
         WHERE notice = $1 AND path = $2::ltree AND acknowledged_at IS NULL
         RETURNING unit, path::text",
    )
    .bind(id)
    .bind(caller.scope.path())
    .bind(&caller.username)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((unit, path)) = &done {
        events::publish(&mut *tx, &event("notice", id, "acknowledged", unit, path)).await?;
    }
    tx.commit().await?;
    if let Some((unit, _)) = &done {
        crate::audit::append(
            pool,
            &caller.username,
            "notice_ack",
            &id.to_string(),
            json!({"site": unit}),
        )
        .await?;
    }
    let record = get(pool, caller, id).await?;
    // Only a site of the notice acknowledges it: its sender's side sees it but has no row of its own.
    match record {
        Some(r) if r.sites.iter().any(|s| s.unit == caller.scope.unit) => Ok(r),
        Some(_) => Err(Error::Forbidden(
            "only a site the notice was sent to acknowledges it".into(),
        )),
        None => Err(Error::NotFound("notice")),
    }
}

/// `POST /notices/{id}/close`: the sender's side takes the notice down from every site's screens.
pub async fn close(pool: &PgPool, caller: &Caller, id: i64) -> Result<NoticeRecord, Error> {
    let side: Option<(bool, bool)> = sqlx::query_as(
        "SELECT n.path <@ $2::ltree,
                EXISTS (SELECT 1 FROM notice_site s WHERE s.notice = n.id AND s.path = $2::ltree)
         FROM notice n WHERE n.id = $1",
    )
    .bind(id)
    .bind(caller.scope.path())
    .fetch_optional(pool)
    .await?;
    match side {
        Some((true, _)) => {}
        Some((false, true)) => {
            return Err(Error::Forbidden(
                "only the sender's side closes a notice".into(),
            ));
        }
        _ => return Err(Error::NotFound("notice")),
    }
    let mut tx = pool.begin().await?;
    let closed: Option<i64> = sqlx::query_scalar(
        "UPDATE notice SET closed_at = now(), closed_by = $3
         WHERE id = $1 AND path <@ $2::ltree AND closed_at IS NULL RETURNING id",
    )
    .bind(id)
    .bind(caller.scope.path())
    .bind(&caller.username)
    .fetch_optional(&mut *tx)
    .await?;
    if closed.is_some() {
        let sites: Vec<(String, String)> =
            sqlx::query_as("SELECT unit, path::text FROM notice_site WHERE notice = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        for (unit, path) in &sites {
            events::publish(&mut *tx, &event("notice", id, "closed", unit, path)).await?;
        }
    }
    tx.commit().await?;
    if closed.is_some() {
        crate::audit::append(
            pool,
            &caller.username,
            "notice_close",
            &id.to_string(),
            json!({}),
        )
        .await?;
    }
    let record = get(pool, caller, id).await?;
    record.ok_or(Error::NotFound("notice"))
}

/// One sweep: every notice whose time to remind has come, still up, is reminded once to each of
/// its sites that has not acknowledged it. Answers how many sites were reminded.
pub async fn remind_due(pool: &PgPool) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let reminded: Vec<(i64, String, String)> = sqlx::query_as(
        "WITH due AS (
             UPDATE notice SET reminded = true
             WHERE closed_at IS NULL AND NOT reminded AND remind_at <= now() AND expires_at > now()
             RETURNING id)
         UPDATE notice_site s SET reminded_at = now()
         FROM due WHERE s.notice = due.id AND s.acknowledged_at IS NULL
         RETURNING s.notice, s.unit, s.path::text",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (id, unit, path) in &reminded {
        events::publish(&mut *tx, &event("notice", *id, "reminded", unit, path)).await?;
    }
    tx.commit().await?;
    let mut by_notice: Vec<(i64, Vec<&str>)> = Vec::new();
    for (id, unit, _) in &reminded {
        match by_notice.iter_mut().find(|(n, _)| n == id) {
            Some((_, units)) => units.push(unit),
            None => by_notice.push((*id, vec![unit])),
        }
    }
    for (id, units) in by_notice {
        crate::audit::append(
            pool,
            SYSTEM,
            "notice_remind",
            &id.to_string(),
            json!({"sites": units}),
        )
        .await?;
    }
    Ok(reminded.len())
}

/// Runs [`remind_due`] every `every` for as long as the pool is open.
pub fn spawn_reminders(pool: PgPool, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            match remind_due(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sites = n, "notice reminders sent"),
                Err(e) => tracing::warn!("sending notice reminders failed: {e}"),
            }
        }
    });
}
