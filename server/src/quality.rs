//! The registry of information systems and the quality of the data ("correct, complete, clean,
//! live"): each source's state and quality counts, a unit's quality, and the watch that raises an
//! alert when a source misses its cadence or fails (and resolves it when the source recovers).
//! The rules are [`domain::quality`]'s; this module measures the counts they need in SQL.

use crate::http::Error;
use crate::scope::ScopedUnit;
use domain::api::{SourcePage, SourceRecord, UnitQuality};
use domain::quality::{QualityCounts, SourceState, freshness};
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long measured case counts are kept before they are measured again.
pub const KEEP_FOR: Duration = Duration::from_secs(60);
/// How often the watch looks at the sources.
pub const WATCH_EVERY: Duration = Duration::from_secs(60);

/// Per source (or per unit path) counts over the stored cases: records, optional fields filled
/// and applicable, inconsistent records, likely duplicates. The rules of each:
/// - optional fields that apply: `due_on` always; `theme` for thematic supervision; `subject.ref`
///   for a member; `violation` for a concluded case; `violation_categories` and `amount_vnd` for a
///   case with a violation;
/// - inconsistent: concluded without saying whether there was a violation; a discipline without a
///   violation; a violation without a category; planned or in progress more than a year past its
///   due day;
/// - duplicate: another record of the same source with the same kind, subject and opening day.
const CASE_COUNTS: &str = "SELECT source,
    count(*),
    sum((due_on IS NOT NULL)::int
        + (kind = 'supervision_thematic' AND theme IS NOT NULL)::int
        + (subject_type = 'member' AND subject_ref IS NOT NULL)::int
        + (status = 'concluded' AND violation IS NOT NULL)::int
        + (violation IS TRUE AND cardinality(violation_categories) > 0)::int
        + (violation IS TRUE AND amount_vnd IS NOT NULL)::int),
    sum(1 + (kind = 'supervision_thematic')::int + (subject_type = 'member')::int
        + (status = 'concluded')::int + 2 * (violation IS TRUE)::int),
    count(*) FILTER (WHERE (status = 'concluded' AND violation IS NULL)
        OR (discipline_form IS NOT NULL AND violation IS NOT TRUE)
        OR (violation IS TRUE AND cardinality(violation_categories) = 0)
        OR (status IN ('planned', 'in_progress') AND due_on < current_date - 365)),
    count(*) - count(DISTINCT (kind, subject_unit, coalesce(subject_ref, ''), opened_on))
FROM cases WHERE path <@ $1::ltree GROUP BY source";

type CaseCountRow = (String, i64, Option<i64>, Option<i64>, i64, i64);

/// Case counts of one source or unit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CaseCounts {
    records: u64,
    optional_filled: u64,
    optional_applicable: u64,
    inconsistent: u64,
    duplicates: u64,
}

impl CaseCounts {
    fn add(&mut self, o: &CaseCounts) {
        self.records += o.records;
        self.optional_filled += o.optional_filled;
        self.optional_applicable += o.optional_applicable;
        self.inconsistent += o.inconsistent;
        self.duplicates += o.duplicates;
    }
}

/// Case counts by source code.
type BySource = Arc<HashMap<String, CaseCounts>>;

/// Measured case counts by source, per unit path, kept for [`KEEP_FOR`] (the app holds one).
#[derive(Default)]
pub struct QualityCache {
    by_path: Mutex<HashMap<String, (Instant, BySource)>>,
}

impl QualityCache {
    /// Case counts by source of the cases within `path`, measured at most [`KEEP_FOR`] ago.
    async fn case_counts(&self, pool: &PgPool, path: &str) -> Result<BySource, Error> {
        if let Ok(map) = self.by_path.lock()
            && let Some((at, counts)) = map.get(path)
            && at.elapsed() < KEEP_FOR
        {
            return Ok(counts.clone());
        }
        let rows: Vec<CaseCountRow> = sqlx::query_as(CASE_COUNTS)
            .bind(path)
            .fetch_all(pool)
            .await?;
        let counts: HashMap<String, CaseCounts> = rows
            .into_iter()
            .map(
                |(source, records, filled, applicable, inconsistent, dups)| {
                    (
                        source,
                        CaseCounts {
                            records: records.max(0) as u64,
                            optional_filled: filled.unwrap_or(0).max(0) as u64,
                            optional_applicable: applicable.unwrap_or(0).max(0) as u64,
                            inconsistent: inconsistent.max(0) as u64,
                            duplicates: dups.max(0) as u64,
                        },
                    )
                },
            )
            .collect();
        let counts = Arc::new(counts);
        if let Ok(mut map) = self.by_path.lock() {
            map.retain(|_, (at, _)| at.elapsed() < KEEP_FOR);
            map.insert(path.to_string(), (Instant::now(), counts.clone()));
        }
        Ok(counts)
    }
}

/// A source as stored, with its recent batches.
struct SourceRow {
    code: String,
    name: String,
    owner_unit: String,
    owner_name: String,
    owner_path: String,
    owner_province: Option<String>,
    kind: String,
    cadence_hours: i32,
    last_arrival: Option<String>,
    hours_since: Option<f64>,
    rows_accepted: i64,
    rows_rejected: i64,
    recent_accepted: Option<i64>,
    recent_rejected: Option<i64>,
    batches_30d: i64,
    rows_30d: i64,
}

impl SourceRow {
    /// Rejected share of the last 7 days' batches ([`domain::quality::error_rate`]).
    fn error_rate(&self) -> Option<f64> {
        let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
        domain::quality::error_rate(
            (n(self.recent_accepted), n(self.recent_rejected)),
            (n(Some(self.rows_accepted)), n(Some(self.rows_rejected))),
        )
    }

    fn state(&self) -> SourceState {
        SourceState::of(
            self.hours_since,
            f64::from(self.cadence_hours),
            self.error_rate(),
        )
    }
}

/// The sources owned within `path` (and, when `sending`, those holding cases within it), with
/// their last week's and month's batches.
async fn source_rows<'e>(
    db: impl sqlx::PgExecutor<'e>,
    path: &str,
    sending: bool,
) -> Result<Vec<SourceRow>, Error> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        i32,
        Option<String>,
        Option<f64>,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "WITH recent AS (
            SELECT source, sum(accepted)::bigint AS a, sum(rejected)::bigint AS r
            FROM ingest_batch WHERE finished_at > now() - interval '7 days' AND source IS NOT NULL
            GROUP BY source),
         month AS (
            SELECT source, count(*) AS batches, sum(accepted)::bigint AS rows
            FROM ingest_batch WHERE finished_at > now() - interval '30 days' AND source IS NOT NULL
            GROUP BY source)
         SELECT s.code, s.name, s.owner_unit, u.name, s.owner_path::text, u.province, s.kind,
                s.cadence_hours,
                to_char(s.last_arrival AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                (extract(epoch FROM now() - s.last_arrival) / 3600)::float8,
                s.rows_accepted, s.rows_rejected, recent.a, recent.r, month.batches, month.rows
         FROM data_source s
         JOIN unit u ON u.code = s.owner_unit
         LEFT JOIN recent ON recent.source = s.code
         LEFT JOIN month ON month.source = s.code
         WHERE s.owner_path <@ $1::ltree
            OR ($2 AND EXISTS (SELECT 1 FROM cases c WHERE c.source = s.code
                               AND c.path <@ $1::ltree))
         ORDER BY s.code",
    )
    .bind(path)
    .bind(sending)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SourceRow {
            code: r.0,
            name: r.1,
            owner_unit: r.2,
            owner_name: r.3,
            owner_path: r.4,
            owner_province: r.5,
            kind: r.6,
            cadence_hours: r.7,
            last_arrival: r.8,
            hours_since: r.9.map(|h| h.max(0.0)),
            rows_accepted: r.10,
            rows_rejected: r.11,
            recent_accepted: r.12,
            recent_rejected: r.13,
            batches_30d: r.14.unwrap_or(0),
            rows_30d: r.15.unwrap_or(0),
        })
        .collect())
}

fn counts_of(s: &SourceRow, cases: &CaseCounts) -> QualityCounts {
    QualityCounts {
        accepted: s.rows_accepted.max(0) as u64,
        rejected: s.rows_rejected.max(0) as u64,
        records: cases.records,
        optional_filled: cases.optional_filled,
        optional_applicable: cases.optional_applicable,
        inconsistent: cases.inconsistent,
        duplicates: cases.duplicates,
        sources: 1,
        freshness_sum: freshness(s.hours_since, f64::from(s.cadence_hours)),
    }
}

async fn now_text<'e>(db: impl sqlx::PgExecutor<'e>) -> Result<String, Error> {
    Ok(sqlx::query_scalar(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    )
    .fetch_one(db)
    .await?)
}

/// The registry: the sources owned within the unit, their state and quality. The sources are
/// read through `read` (a caller's scoped read); the case counts are measured on `pool` and kept
/// for everyone by path (they are aggregates, and only the sources read are shown with them).
pub async fn sources(
    pool: &PgPool,
    read: &mut PgConnection,
    cache: &QualityCache,
    within: &ScopedUnit,
) -> Result<SourcePage, Error> {
    let rows = source_rows(&mut *read, &within.path, false).await?;
    // A source's cases may lie outside its owner's subtree only for the centre's sources, which
    // only the centre's users see; their counts are measured over the whole country.
    let cases = cache.case_counts(pool, "VN").await?;
    let sources = rows
        .iter()
        .map(|s| {
            let c = cases.get(&s.code).copied().unwrap_or_default();
            let quality = counts_of(s, &c);
            SourceRecord {
                code: s.code.clone(),
                name: s.name.clone(),
                owner_unit: s.owner_unit.clone(),
                owner_name: s.owner_name.clone(),
                kind: s.kind.parse().unwrap_or(domain::SourceKind::Upload),
                cadence_hours: s.cadence_hours.max(0) as u32,
                last_arrival: s.last_arrival.clone(),
                hours_since: s.hours_since,
                state: s.state(),
                rows_accepted: s.rows_accepted.max(0) as u64,
                rows_rejected: s.rows_rejected.max(0) as u64,
                error_rate: s.error_rate(),
                batches_30d: s.batches_30d.max(0) as u64,
                rows_30d: s.rows_30d.max(0) as u64,
                records: c.records,
                quality,
                scores: quality.scores(),
            }
        })
        .collect();
    Ok(SourcePage {
        as_of: now_text(read).await?,
        sources,
    })
}

/// A unit's quality: the cases within it (whatever their source) and the sources it owns (read
/// as in [`sources`]).
pub async fn unit(
    pool: &PgPool,
    read: &mut PgConnection,
    cache: &QualityCache,
    unit: &ScopedUnit,
) -> Result<UnitQuality, Error> {
    let rows = source_rows(&mut *read, &unit.path, false).await?;
    let cases = cache.case_counts(pool, &unit.path).await?;
    let mut total = CaseCounts::default();
    for c in cases.values() {
        total.add(c);
    }
    let mut quality = QualityCounts {
        records: total.records,
        optional_filled: total.optional_filled,
        optional_applicable: total.optional_applicable,
        inconsistent: total.inconsistent,
        duplicates: total.duplicates,
        ..QualityCounts::default()
    };
    let mut by_state: BTreeMap<String, u64> = SourceState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for s in &rows {
        let own = counts_of(s, &CaseCounts::default());
        quality = quality.merge(&own);
        *by_state.entry(s.state().as_str().to_string()).or_default() += 1;
    }
    Ok(UnitQuality {
        unit: unit.code.clone(),
        name: unit.name.clone(),
        as_of: now_text(read).await?,
        quality,
        scores: quality.scores(),
        sources_by_state: by_state,
    })
}

/// The sources that send a unit's data: owned within it, or holding cases about it (read through
/// `read`, a caller's scoped read), each with its freshness and the unit's cases it holds.
pub async fn sending(
    read: &mut PgConnection,
    unit: &ScopedUnit,
) -> Result<Vec<domain::remote::RemoteSource>, Error> {
    let rows = source_rows(&mut *read, &unit.path, true).await?;
    let held: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT source, count(*) FROM cases WHERE path <@ $1::ltree GROUP BY source",
    )
    .bind(&unit.path)
    .fetch_all(&mut *read)
    .await?
    .into_iter()
    .collect();
    let mut out: Vec<domain::remote::RemoteSource> = rows
        .iter()
        .map(|s| domain::remote::RemoteSource {
            code: s.code.clone(),
            name: s.name.clone(),
            owner_unit: s.owner_unit.clone(),
            cadence_hours: s.cadence_hours.max(0) as u32,
            last_arrival: s.last_arrival.clone(),
            hours_since: s.hours_since,
            state: s.state(),
            records: held.get(&s.code).copied().unwrap_or(0).max(0) as u32,
        })
        .collect();
    // The least fresh first: what the supervisor must not trust blindly.
    out.sort_by(|a, b| {
        b.hours_since
            .unwrap_or(f64::INFINITY)
            .total_cmp(&a.hours_since.unwrap_or(f64::INFINITY))
            .then(a.code.cmp(&b.code))
    });
    Ok(out)
}

/// What one look at the sources did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Watched {
    /// Sources with an alert raised or updated (not live), by code.
    pub alerting: Vec<String>,
    /// Alerts resolved because their source is live again.
    pub resolved: Vec<String>,
}

/// Looks at every source once: a source that is late, stale or failing has an open alert
/// (`dedup_key` `source:CODE`, raised again if it was resolved), one that is live again has its
/// alert resolved. Each change is an `alert_event` by `system`.
pub async fn watch(pool: &PgPool) -> Result<Watched, Error> {
    let rows = source_rows(pool, "VN", false).await?;
    let mut out = Watched::default();
    for s in &rows {
        let state = s.state();
        let key = format!("source:{}", s.code);
        let mut tx = pool.begin().await?;
        if state.is_alarming() {
            let (measure, expected, observed, explanation) = match state {
                SourceState::Failing => (
                    "error_rate",
                    Some(domain::quality::FAILING_ERROR_RATE),
                    s.error_rate(),
                    format!(
                        "{} rejects {:.0}% of its recent rows (failing from {:.0}%)",
                        s.code,
                        s.error_rate().unwrap_or(0.0) * 100.0,
                        domain::quality::FAILING_ERROR_RATE * 100.0
                    ),
                ),
                _ => (
                    "freshness",
                    Some(f64::from(s.cadence_hours)),
                    s.hours_since,
                    match s.hours_since {
                        Some(h) => format!(
                            "{} last sent {h:.0} h ago; it should send every {} h",
                            s.code, s.cadence_hours
                        ),
                        None => format!(
                            "{} has never sent; it should send every {} h",
                            s.code, s.cadence_hours
                        ),
                    },
                ),
            };
            let draft = crate::warning::Draft {
                kind: match state {
                    SourceState::Failing => "source_failing",
                    SourceState::Stale => "source_stale",
                    _ => "source_late",
                },
                severity: if state == SourceState::Late {
                    domain::Severity::Warning
                } else {
                    domain::Severity::Critical
                },
                unit: s.owner_unit.clone(),
                path: s.owner_path.clone(),
                province: s.owner_province.clone(),
                measure: measure.to_string(),
                sector: None,
                expected,
                observed,
                explanation,
                link: Some(format!("/sources?source={}", s.code)),
                key: key.clone(),
                detail: None,
            };
            // Raising, reopening and a change of kind (late to stale) are events.
            crate::warning::raise(&mut tx, &draft, crate::warning::Reopen::Always).await?;
            out.alerting.push(s.code.clone());
        } else {
            let why = format!("{} is live again", s.code);
            if crate::warning::resolve(&mut tx, &key, &why)
                .await?
                .is_some()
            {
                out.resolved.push(s.code.clone());
            }
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// Runs [`watch`] every [`WATCH_EVERY`] until the process ends; a failed look is logged and
/// retried at the next tick.
pub fn spawn_watch(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            match watch(&pool).await {
                Ok(w) if !w.resolved.is_empty() => {
                    tracing::info!(resolved = ?w.resolved, alerting = w.alerting.len(), "sources watched")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("watching the sources failed: {e}"),
            }
        }
    });
}
