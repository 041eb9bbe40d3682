//! The early-warning engine: the rules of [`domain::rules`] and the anomaly detector of
//! [`domain::anomaly`] run over the database and kept as alerts.
//!
//! Each family of alerts is *reconciled* as a whole ([`reconcile`]): what the family finds now is
//! raised or brought up to date (an `alert_event` and a live event when an alert is raised,
//! reopened or changes kind or severity), and its open alerts that no longer hold are resolved by
//! `system`. An alert that a person resolved is not reopened by the same finding; it is when the
//! finding grows more severe. The engine runs at start, every [`EVERY`], and within moments of
//! new data or a changed procedure (it listens to the event stream).

mod anomalies;
mod rules;

use crate::events::{self, Event, Hub};
use chrono::NaiveDate;
use domain::Severity;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::time::{Duration, Instant};

/// How often everything is looked at again without a reason.
pub const EVERY: Duration = Duration::from_secs(60);
/// After an event, how long to wait for others before looking (a batch of batches is one look).
const SETTLE: Duration = Duration::from_millis(150);

/// An alert as a rule or the detector states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: &'static str,
    pub severity: Severity,
    pub unit: String,
    pub path: String,
    pub province: Option<String>,
    pub measure: String,
    pub sector: Option<String>,
    pub expected: Option<f64>,
    pub observed: Option<f64>,
    /// A sentence in English for the API's clients; the screens compose their own from the fields.
    pub explanation: String,
    pub link: Option<String>,
    /// Unique per finding: the same key is the same alert, brought up to date.
    pub key: String,
    pub detail: Option<serde_json::Value>,
}

/// When a raised finding reopens a resolved alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopen {
    /// Whenever the finding holds (a source still stale).
    Always,
    /// When `system` resolved it, or it grew more severe than when a person resolved it.
    WhenWorse,
}

fn rank(s: &str) -> i32 {
    match s {
        "critical" => 3,
        "warning" => 2,
        _ => 1,
    }
}

/// Raises `d` or brings its alert up to date; the action recorded (`raised`, `reopened`,
/// `changed`) or `None` when nothing a person would notice changed.
pub async fn raise(
    conn: &mut PgConnection,
    d: &Draft,
    reopen: Reopen,
) -> Result<Option<&'static str>, sqlx::Error> {
    type Old = (String, String, String, Option<String>);
    let old: Option<Old> = sqlx::query_as(
        "SELECT state, kind, severity, resolved_by FROM alert WHERE dedup_key = $1 FOR UPDATE",
    )
    .bind(&d.key)
    .fetch_optional(&mut *conn)
    .await?;
    let severity = d.severity.as_str();
    let action = match &old {
        None => Some("raised"),
        Some((state, _, was, by)) if state == "resolved" => {
            let reopens = match reopen {
                Reopen::Always => true,
                Reopen::WhenWorse => by.as_deref() == Some("system") || rank(severity) > rank(was),
            };
            reopens.then_some("reopened")
        }
        Some((_, kind, was, _)) if kind != d.kind || was != severity => Some("changed"),
        Some(_) => None,
    };
    let resolved_untouched = matches!(&old, Some((s, ..)) if s == "resolved") && action.is_none();
    if resolved_untouched {
        return Ok(None);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alert (kind, severity, unit, path, province, measure, sector, expected,
             observed, explanation, link, dedup_key, detail)
         VALUES ($1, $2, $3, $4::ltree, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (dedup_key) DO UPDATE SET kind = excluded.kind,
             severity = excluded.severity, unit = excluded.unit, path = excluded.path,
             province = excluded.province, measure = excluded.measure, sector = excluded.sector,
             expected = excluded.expected, observed = excluded.observed,
             explanation = excluded.explanation, link = excluded.link, detail = excluded.detail,
             updated_at = CASE WHEN $14 THEN now() ELSE alert.updated_at END,
             state = CASE WHEN alert.state = 'resolved' THEN 'new' ELSE alert.state END,
             resolved_by = CASE WHEN alert.state = 'resolved' THEN NULL ELSE alert.resolved_by END
         WHERE alert.expected IS DISTINCT FROM excluded.expected
            OR alert.observed IS DISTINCT FROM excluded.observed
            OR alert.explanation IS DISTINCT FROM excluded.explanation
            OR alert.detail IS DISTINCT FROM excluded.detail
            OR alert.link IS DISTINCT FROM excluded.link
            OR alert.unit IS DISTINCT FROM excluded.unit
            OR $14
         RETURNING id",
    )
    .bind(d.kind)
    .bind(severity)
    .bind(&d.unit)
    .bind(&d.path)
    .bind(&d.province)
    .bind(&d.measure)
    .bind(&d.sector)
    .bind(d.expected)
    .bind(d.observed)
    .bind(&d.explanation)
    .bind(&d.link)
    .bind(&d.key)
    .bind(&d.detail)
    .bind(action.is_some())
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or_default();
    if let Some(action) = action {
        sqlx::query(
            "INSERT INTO alert_event (alert, actor, action, comment) VALUES ($1, 'system', $2, $3)",
        )
        .bind(id)
        .bind(action)
        .bind(&d.explanation)
        .execute(&mut *conn)
        .await?;
        let state = if action == "raised" || action == "reopened" {
            "new".to_string()
        } else {
            old.map(|o| o.0).unwrap_or_else(|| "new".into())
        };
        events::publish(
            &mut *conn,
            &Event::new(
                "alert",
                &d.path,
                json!({"id": id, "action": action, "state": state, "severity": severity,
                       "kind": d.kind, "unit": d.unit}),
            ),
        )
        .await?;
    }
    Ok(action)
}

/// Resolves the open alert of `key` as `system`, saying why; its id if there was one.
pub async fn resolve(
    conn: &mut PgConnection,
    key: &str,
    why: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64, String, String, String, String)> = sqlx::query_as(
        "UPDATE alert SET state = 'resolved', resolved_by = 'system', updated_at = now()
         WHERE dedup_key = $1 AND state <> 'resolved'
         RETURNING id, path::text, severity, kind, unit",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, path, severity, kind, unit)) = row else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO alert_event (alert, actor, action, comment) VALUES ($1, 'system', 'resolved', $2)",
    )
    .bind(id)
    .bind(why)
    .execute(&mut *conn)
    .await?;
    events::publish(
        &mut *conn,
        &Event::new(
            "alert",
            &path,
            json!({"id": id, "action": "resolved", "state": "resolved", "severity": severity,
                   "kind": kind, "unit": unit}),
        ),
    )
    .await?;
    Ok(Some(id))
}

/// What one reconciliation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub raised: usize,
    pub changed: usize,
    pub resolved: usize,
}

/// Makes the open alerts whose key starts with `family` exactly `drafts`: raises and updates
/// them, resolves the others (they no longer hold), in one transaction.
pub async fn reconcile(
    pool: &PgPool,
    family: &str,
    drafts: &[Draft],
) -> Result<Reconciled, sqlx::Error> {
    let mut out = Reconciled::default();
    let mut tx = pool.begin().await?;
    for d in drafts {
        debug_assert!(d.key.starts_with(family));
        match raise(&mut tx, d, Reopen::WhenWorse).await? {
            Some("raised") | Some("reopened") => out.raised += 1,
            Some(_) => out.changed += 1,
            None => {}
        }
    }
    let keys: Vec<&str> = drafts.iter().map(|d| d.key.as_str()).collect();
    let gone: Vec<String> = sqlx::query_scalar(
        "SELECT dedup_key FROM alert
         WHERE state <> 'resolved' AND starts_with(dedup_key, $1) AND dedup_key <> ALL($2)",
    )
    .bind(family)
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await?;
    for key in gone {
        if resolve(&mut tx, &key, "no longer holds").await?.is_some() {
            out.resolved += 1;
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Runs every rule once, as of the database's today; what each family did.
pub async fn evaluate(pool: &PgPool) -> anyhow::Result<Vec<(&'static str, Reconciled)>> {
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await?;
    let mut out = Vec::new();
    for (family, drafts) in rules::all(pool, today).await? {
        out.push((family, reconcile(pool, family, &drafts).await?));
    }
    Ok(out)
}

/// Runs the detector over the last complete month and reconciles its alerts.
pub async fn detect(pool: &PgPool) -> anyhow::Result<Reconciled> {
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await?;
    let drafts = anomalies::find(pool, today).await?;
    Ok(reconcile(pool, anomalies::FAMILY, &drafts).await?)
}

/// Runs the engine until the process ends: everything at start and every [`EVERY`] (the
/// detector once an hour), the rules again soon after data arrives or a procedure changes.
///
/// It outlives the database going away: a failed look is logged and tried again at the next
/// tick (the detector too, not an hour later), the event stream is subscribed to again when it
/// could not be at start, and a panic in one look is caught so the next one still happens.
pub fn spawn(pool: PgPool, hub: Hub) {
    use futures::FutureExt;
    tokio::spawn(async move {
        let mut rx = None;
        let mut last_detect: Option<Instant> = None;
        loop {
            if rx.is_none() {
                rx = match hub.subscribe().await {
                    Ok(rx) => Some(rx),
                    Err(e) => {
                        tracing::warn!(error = %e, "the warning engine cannot listen yet; it runs on its clock");
                        None
                    }
                };
            }
            let detect_now = last_detect.is_none_or(|t| t.elapsed() > Duration::from_secs(3600));
            let look = std::panic::AssertUnwindSafe(look(&pool, detect_now)).catch_unwind();
            match look.await {
                Ok(true) if detect_now => last_detect = Some(Instant::now()),
                Ok(_) => {}
                Err(_) => tracing::error!("a look of the warning engine panicked"),
            }
            // Wait for the clock, or for data or a procedure change (then let a burst settle).
            let Some(r) = rx.as_mut() else {
                tokio::time::sleep(EVERY).await;
                continue;
            };
            let deadline = tokio::time::sleep(EVERY);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    _ = &mut deadline => break,
                    got = r.recv() => match got {
                        Ok(e) if e.kind == "data" || e.kind == "procedure" => {
                            tokio::time::sleep(SETTLE).await;
                            while r.try_recv().is_ok() {}
                            break;
                        }
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            rx = None;
                            break;
                        }
                    },
                }
            }
        }
    });
}

/// One look: the rules, and the detector when `detect` is set; whether the detector ran.
async fn look(pool: &PgPool, detect: bool) -> bool {
    let started = Instant::now();
    match evaluate(pool).await {
        Ok(done) => {
            let changed: Vec<_> = done
                .iter()
                .filter(|(_, r)| *r != Reconciled::default())
                .collect();
            if !changed.is_empty() {
                tracing::info!(
                    ?changed,
                    ms = started.elapsed().as_millis() as u64,
                    "rules evaluated"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "evaluating the rules failed"),
    }
    if !detect {
        return false;
    }
    match self::detect(pool).await {
        Ok(r) => {
            tracing::info!(?r, "anomalies detected");
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "detecting anomalies failed");
            false
        }
    }
}
