//! Scheduled reports: a schedule (unit, cadence, language) keeps, once each period of its cadence
//! has closed, the report of the period just closed — once: `report_file` is unique on
//! `(schedule, period)`, so a second run, or a second server, keeps nothing more.
//!
//! [`spawn`] runs [`run_once`] at start and every [`EVERY`]; errors are logged, never raised, and a
//! panic in one run is caught so the next run still happens.

use super::keep;
use crate::http::Error;
use crate::scope::ScopedUnit;
use chrono::NaiveDate;
use domain::UnitLevel;
use domain::format::Lang;
use domain::report::{Cadence, ReportPeriod};
use futures::FutureExt;
use sqlx::PgPool;
use std::time::Duration;

/// How often the schedules are looked at.
pub const EVERY: Duration = Duration::from_secs(15 * 60);

/// The actor the audit log names for scheduled reports.
pub const ACTOR: &str = "system:schedule";

/// Keeps, for every schedule, the report of its cadence's last period closed before `today` if it
/// has none yet; answers how many reports were kept. One schedule's failure is logged and the
/// others go on.
pub async fn run_once(db: &PgPool, today: NaiveDate) -> Result<usize, Error> {
    type Row = (i64, String, String, String, String, String, String);
    let schedules: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.cadence, s.lang, u.code, u.path::text, u.name, u.level
         FROM report_schedule s JOIN unit u ON u.code = s.unit ORDER BY s.id",
    )
    .fetch_all(db)
    .await?;
    let mut kept = 0;
    for (id, cadence, lang, code, path, name, level) in schedules {
        let Ok(cadence) = cadence.parse::<Cadence>() else {
            tracing::warn!(schedule = id, cadence, "a schedule's cadence is unknown");
            continue;
        };
        let period = ReportPeriod::last_closed(cadence, today);
        let done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM report_file WHERE schedule = $1 AND period = $2)",
        )
        .bind(id)
        .bind(period.to_string())
        .fetch_one(db)
        .await?;
        if done {
            continue;
        }
        // The schedule was made within its creator's scope (POST /reports/schedules checks it).
        let unit = ScopedUnit {
            code,
            path,
            name,
            level: level.parse().unwrap_or(UnitLevel::Cell),
        };
        match keep(db, &unit, period, Lang::from_tag(&lang), Some(id), ACTOR).await {
            Ok(Some(r)) => {
                tracing::info!(schedule = id, report = r.id, %period, "scheduled report kept");
                kept += 1;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(schedule = id, %period, error = %e, "a scheduled report failed")
            }
        }
    }
    Ok(kept)
}

/// Starts the schedule runner (from `oversight serve`).
pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        loop {
            let run = async {
                let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
                    .fetch_one(&pool)
                    .await?;
                run_once(&pool, today).await
            };
            match std::panic::AssertUnwindSafe(run).catch_unwind().await {
                Ok(Ok(n)) if n > 0 => tracing::info!(kept = n, "scheduled reports"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "running the report schedules failed"),
                Err(_) => tracing::error!("running the report schedules panicked"),
            }
            if pool.is_closed() {
                break;
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
