//! Writes the generated data set into PostgreSQL: one transaction, COPY for the big tables, the
//! generator running on its own thread while the database ingests (streamed in chunks, so large
//! never holds millions of rows in memory).

use super::anomalies::PlantedAnomaly;
use super::directives::{self, Directives};
use super::encode::{self, CopyBuf};
use super::generate::{CaseGenerator, Plan};
use super::model::PROCEDURES;
use super::{SeedOptions, SeedReport, users};
use crate::ingest::write::Batch;
use crate::ingest::{Checked, Writer};
use crate::scope::Scope;
use anyhow::Context;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// What the generator thread sends to the loader.
enum Msg {
    Members(CopyBuf),
    Cases {
        cases: CopyBuf,
        steps: CopyBuf,
    },
    /// Cases for the ingest path, and their steps keyed by `(source, external_id)`.
    CaseRows {
        rows: Vec<Checked>,
        steps: CopyBuf,
    },
    Done(Box<Tail>),
}

/// Where cases are going: straight into the transaction, or through an ingest batch in it.
enum Sink {
    Copy(Transaction<'static, Postgres>),
    Ingest(Box<Batch>),
}

/// The seed's case steps keyed by case, joined to the ids the ingest path gave the cases.
const STEP_STAGING: &str = "CREATE TEMP TABLE seed_case_step (source text NOT NULL, \
    external_id text NOT NULL, ord smallint NOT NULL, started_on date NOT NULL, \
    due_on date NOT NULL, done_on date) ON COMMIT DROP";
const STEP_JOIN: &str = "INSERT INTO case_step (case_id, ord, started_on, due_on, done_on) \
    SELECT c.id, s.ord, s.started_on, s.due_on, s.done_on FROM seed_case_step s \
    JOIN cases c ON c.source = s.source AND c.external_id = s.external_id \
    ON CONFLICT (case_id, ord) DO UPDATE SET started_on = excluded.started_on, \
    due_on = excluded.due_on, done_on = excluded.done_on";

/// The small tables, produced after all cases.
struct Tail {
    directives: Directives,
    tasks: CopyBuf,
    reports: CopyBuf,
    targets: CopyBuf,
    anomalies: Vec<PlantedAnomaly>,
    /// Rows written per source: cases, tasks and targets.
    source_rows: Vec<u64>,
}

/// Tables emptied at every seed (everything but the audit trail, users, tokens, sessions, data
/// sources and units, which are replaced row by row so that real users and tokens survive).
const TRUNCATE: &str = "TRUNCATE case_step, case_version, cases, task_report, task, target, planted_anomaly, alert_event, \
     alert, member, procedure_step, procedure, directive, seed_info, ingest_batch, notice_site, notice, \
     programme_milestone, programme_unit, programme RESTART IDENTITY";

/// Replaces the whole data set in one transaction (nothing half-written if it fails): every table
/// except `audit_log` and non-demo rows of `app_user`/`api_token` (their scope units are real codes
/// that survive). `unit_geometry` is left empty: the caller loads map geometry afterwards.
pub async fn run(pool: &PgPool, opts: &SeedOptions) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let (size, seed, as_of) = (opts.size, opts.seed, opts.as_of);
    let plan = tokio::task::spawn_blocking(move || Plan::new(size, seed, as_of));
    let (plan, hashes) = tokio::join!(plan, users::hash_all());
    let plan = Arc::new(plan.context("planning the data set")?);
    let hashes = hashes?;

    let mut tx = pool
        .begin()
        .await
        .context("starting the seed transaction")?;
    let conn: &mut PgConnection = &mut tx;
    sqlx::query(TRUNCATE)
        .execute(&mut *conn)
        .await
        .context("emptying the data tables")?;
    users::delete(conn).await?;
    sqlx::query("DELETE FROM data_source d WHERE NOT EXISTS (SELECT 1 FROM api_token t WHERE t.source = d.code)")
        .execute(&mut *conn)
        .await
        .context("removing old data sources")?;
    load_units(conn, &plan).await?;
    upsert_sources(conn, &plan).await?;
    insert_procedures(conn).await?;

    let progress = if opts.progress {
        let bar = indicatif::ProgressBar::new(plan.params.cases as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:8} [{elapsed_precise}] {bar:40} {pos}/{len} cases ({per_sec}, {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("members");
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };

    let (sender, mut receiver) = mpsc::channel::<Msg>(3);
    let producer_plan = plan.clone();
    let through_ingest = opts.through_ingest || opts.size == super::Size::Large;
    let producer = std::thread::Builder::new()
        .name("seed-generator".into())
        .spawn(move || produce(&producer_plan, through_ingest, &sender))
        .context("starting the generator thread")?;

    let mut report = SeedReport {
        units: plan.h.units.len() as u64,
        ..SeedReport::default()
    };
    let mut tail = None;
    let mut sink = Sink::Copy(tx);
    while let Some(msg) = receiver.recv().await {
        sink = match (msg, sink) {
            (Msg::Members(buf), Sink::Copy(mut tx)) => {
                report.members += copy(&mut tx, encode::COPY_MEMBER, &buf)
                    .await
                    .context("loading members")?;
                Sink::Copy(tx)
            }
            (Msg::Cases { cases, steps }, Sink::Copy(mut tx)) => {
                progress.set_message("cases");
                let n = copy(&mut tx, encode::COPY_CASES, &cases)
                    .await
                    .context("loading cases")?;
                copy(&mut tx, encode::COPY_CASE_STEP, &steps)
                    .await
                    .context("loading case steps")?;
                report.cases += n;
                progress.inc(n);
                Sink::Copy(tx)
            }
            (msg @ Msg::CaseRows { .. }, Sink::Copy(mut tx)) => {
                // The first cases: open the batch in the seed's transaction.
                sqlx::query(STEP_STAGING).execute(&mut *tx).await?;
                let writer = Writer {
                    actor: encode::WRITTEN_BY.into(),
                    scope: Scope {
                        unit: "VN".into(),
                        path: "VN".into(),
                        name: plan.h.units[0].name.clone(),
                        level: domain::UnitLevel::Central,
                    },
                    source: None,
                };
                let batch = Batch::within(tx, writer, "generated").await?;
                write_rows(Box::new(batch), msg, &mut report, &progress).await?
            }
            (msg @ Msg::CaseRows { .. }, Sink::Ingest(batch)) => {
                write_rows(batch, msg, &mut report, &progress).await?
            }
            (Msg::Done(t), sink) => {
                tail = Some(t);
                sink
            }
            (_, Sink::Ingest(_)) => {
                anyhow::bail!("the generator sent members or COPY rows after ingest rows")
            }
        };
    }
    drop(receiver);
    if producer.join().is_err() {
        anyhow::bail!("the data generator failed");
    }
    let mut tx = match sink {
        Sink::Copy(tx) => tx,
        Sink::Ingest(batch) => {
            let mut tx = batch.close(report.cases, 0).await?;
            sqlx::query(STEP_JOIN)
                .execute(&mut *tx)
                .await
                .context("joining the case steps to the cases")?;
            tx
        }
    };
    let conn: &mut PgConnection = &mut tx;
    let tail = tail.context("the data generator stopped early")?;
    progress.set_message("tasks");

    for d in &tail.directives.directives {
        sqlx::query(
            "INSERT INTO directive (code, kind, number, title, issued_on, issuer, status) VALUES ($1, $2, $3, $4, $5, 'VN', $6)",
        )
        .bind(&d.code)
        .bind(d.kind.as_str())
        .bind(&d.number)
        .bind(&d.title)
        .bind(d.issued_on)
        .bind(d.status)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("inserting directive {}", d.code))?;
    }
    report.directives = tail.directives.directives.len() as u64;
    report.tasks = copy(conn, encode::COPY_TASK, &tail.tasks)
        .await
        .context("loading tasks")?;
    copy(conn, encode::COPY_TASK_REPORT, &tail.reports)
        .await
        .context("loading task reports")?;
    report.targets = copy(conn, encode::COPY_TARGET, &tail.targets)
        .await
        .context("loading targets")?;
    for a in &tail.anomalies {
        sqlx::query(
            "INSERT INTO planted_anomaly (unit, measure, sector, month, factor, note) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(plan.code(a.unit))
        .bind(a.measure.as_str())
        .bind(a.sector.map(|s| s.as_str()))
        .bind(a.month)
        .bind(a.factor)
        .bind(&a.note)
        .execute(&mut *conn)
        .await
        .context("inserting planted anomalies")?;
    }
    report.anomalies = tail.anomalies.len() as u64;
    for (s, rows) in plan.sources.iter().zip(&tail.source_rows) {
        let rejected = (*rows as f64 * s.rejected_share).round() as i64;
        sqlx::query(
            "UPDATE data_source SET rows_accepted = $2, rows_rejected = $3 WHERE code = $1",
        )
        .bind(&s.code)
        .bind(*rows as i64)
        .bind(rejected)
        .execute(&mut *conn)
        .await
        .context("updating source counters")?;
    }
    report.sources = plan.sources.len() as u64;
    // Each source's last 30 days of arrivals, one batch a cadence up to its last arrival, carrying
    // the cases it opened in that window (and its share of rejected rows): what the registry's
    // volume and recent error rate read.
    sqlx::query(
        "INSERT INTO ingest_batch (record_kind, actor, source, format, started_at, finished_at, \
             bytes, accepted, rejected)
         SELECT 'cases', 'seed', s.code, CASE s.kind WHEN 'push' THEN 'ndjson' ELSE 'csv' END,
                t - interval '20 seconds', t, n.accepted * 640, n.accepted,
                round(n.accepted * s.rows_rejected::numeric / greatest(s.rows_accepted, 1))::bigint
         FROM data_source s
         CROSS JOIN LATERAL generate_series(s.last_arrival, s.last_arrival - interval '30 days',
             - make_interval(hours => s.cadence_hours)) AS t
         CROSS JOIN LATERAL (
             SELECT count(*) AS accepted FROM cases c
             WHERE c.source = s.code
               AND c.opened_on > (t - make_interval(hours => s.cadence_hours))::date
               AND c.opened_on <= t::date) AS n
         WHERE s.last_arrival IS NOT NULL
         ORDER BY t, s.code",
    )
    .execute(&mut *conn)
    .await
    .context("recording the sources' recent batches")?;
    for table in ["cases", "task"] {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(max(id), 0) + 1, false) FROM {table}"
        ))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("moving the id sequence of {table}"))?;
    }
    load_programmes(conn, &plan, opts.seed)
        .await
        .context("writing the supervision programmes")?;
    sqlx::query("INSERT INTO seed_info (singleton, size, seed, as_of) VALUES (true, $1, $2, $3)")
        .bind(opts.size.as_str())
        .bind(opts.seed as i64)
        .bind(opts.as_of)
        .execute(&mut *conn)
        .await
        .context("recording seed_info")?;
    users::insert(conn, &hashes).await?;
    sqlx::query("SELECT rollup_compact()")
        .execute(&mut *tx)
        .await
        .context("folding the rollups")?;
    tx.commit().await.context("committing the data set")?;
    progress.finish_and_clear();

    // Fresh statistics for the planner (not for the tiny test data set, where autovacuum will do);
    // not essential, so a failure only warns.
    if opts.size != super::Size::Tiny
        && let Err(e) = sqlx::query(
            "ANALYZE unit, member, cases, case_step, task, task_report, target, data_source",
        )
        .execute(pool)
        .await
    {
        tracing::warn!(error = %e, "ANALYZE after the seed failed");
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Writes the demo's supervision programmes ([`super::programmes`]): each plans units among its
/// owner's children, chosen knowing which have cases of its theme (the cases are loaded by now).
async fn load_programmes(conn: &mut PgConnection, plan: &Plan, seed: u64) -> anyhow::Result<()> {
    for (i, mut def) in super::programmes::plan(plan).into_iter().enumerate() {
        let mut themes = Vec::new();
        for theme in std::iter::once(&def.theme).chain(&def.other_themes) {
            let candidates: Vec<(String, bool)> = sqlx::query_as(
                "SELECT u.code, EXISTS (SELECT 1 FROM cases c WHERE c.kind = 'supervision_thematic'
                     AND c.theme = $3 AND c.status <> 'cancelled' AND c.path <@ u.path)
                 FROM unit u WHERE u.parent = $1 AND u.level = $2 ORDER BY u.code",
            )
            .bind(&def.owner)
            .bind(def.level)
            .bind(theme)
            .fetch_all(&mut *conn)
            .await?;
            themes.push((theme.clone(), candidates));
        }
        let Some((theme, candidates)) = super::programmes::best_theme(themes) else {
            continue;
        };
        if theme != def.theme {
            def.name = def.name.replace(&def.theme, &theme);
            def.theme = theme;
        }
        let units = super::programmes::choose(&candidates, def.units, seed, i);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO programme (code, name, theme, owner_unit, path, province, period_from,
                 period_to, created_by)
             SELECT $1, $2, $3, u.code, u.path, u.province, $5, $6, 'seed' FROM unit u
             WHERE u.code = $4 RETURNING id",
        )
        .bind(&def.code)
        .bind(&def.name)
        .bind(&def.theme)
        .bind(&def.owner)
        .bind(def.period_from)
        .bind(def.period_to)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO programme_unit (programme, unit, path, province)
             SELECT $1, u.code, u.path, u.province FROM unit u WHERE u.code = ANY($2)",
        )
        .bind(id)
        .bind(&units)
        .execute(&mut *conn)
        .await?;
        for (ord, (name, due_on, share)) in def.milestones.iter().enumerate() {
            sqlx::query(
                "INSERT INTO programme_milestone (programme, ord, name, due_on, planned_units)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(ord as i16 + 1)
            .bind(name)
            .bind(due_on)
            .bind((share * units.len() as f64).round() as i32)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Sends one COPY's rows in pieces of about a megabyte.
async fn copy(conn: &mut PgConnection, statement: &str, buf: &CopyBuf) -> anyhow::Result<u64> {
    if buf.rows == 0 {
        return Ok(0);
    }
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut rest = buf.bytes.as_slice();
    while !rest.is_empty() {
        // Cut after a newline so that no piece ends inside a row (not required, but tidy).
        let mut cut = rest.len().min(1 << 20);
        if cut < rest.len() {
            cut = rest[..cut]
                .iter()
                .rposition(|b| *b == b'\n')
                .map(|i| i + 1)
                .unwrap_or(cut);
        }
        copy.send(&rest[..cut]).await?;
        rest = &rest[cut..];
    }
    Ok(copy.finish().await?)
}

/// Stages the units and replaces the hierarchy: removes the units that are not in it any more
/// (with all map geometry), updates the ones that are, inserts the new ones.
async fn load_units(conn: &mut PgConnection, plan: &Plan) -> anyhow::Result<()> {
    sqlx::query("CREATE TEMP TABLE seed_unit (LIKE unit) ON COMMIT DROP")
        .execute(&mut *conn)
        .await?;
    let mut buf = CopyBuf::new();
    for u in &plan.h.units {
        encode::unit(&mut buf, plan, u);
    }
    copy(conn, encode::COPY_UNIT, &buf)
        .await
        .context("staging units")?;
    sqlx::query("DELETE FROM unit_geometry")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM unit u WHERE NOT EXISTS (SELECT 1 FROM seed_unit s WHERE s.code = u.code)",
    )
    .execute(&mut *conn)
    .await
    .context(
        "removing units that the new data set does not have (is a user or token scoped to one?)",
    )?;
    sqlx::query(
        "INSERT INTO unit (code, name, level, parent, path, province, lat, lon, area_km2, members) \
         SELECT code, name, level, parent, path, province, lat, lon, area_km2, members FROM seed_unit \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent, \
         path = excluded.path, province = excluded.province, lat = excluded.lat, lon = excluded.lon, \
         area_km2 = excluded.area_km2, members = excluded.members \
         WHERE (unit.name, unit.level, unit.parent, unit.path, unit.province, unit.lat, unit.lon, unit.area_km2, \
         unit.members) IS DISTINCT FROM (excluded.name, excluded.level, excluded.parent, excluded.path, \
         excluded.province, excluded.lat, excluded.lon, excluded.area_km2, excluded.members)",
    )
    .execute(&mut *conn)
    .await
    .context("writing units")?;
    Ok(())
}

async fn upsert_sources(conn: &mut PgConnection, plan: &Plan) -> anyhow::Result<()> {
    for s in &plan.sources {
        let owner = &plan.h.units[s.owner as usize];
        sqlx::query(
            "INSERT INTO data_source (code, name, owner_unit, owner_path, kind, cadence_hours, created_at, last_arrival, \
             rows_accepted, rows_rejected) VALUES ($1, $2, $3, $4::ltree, $5, $6, $7::timestamptz, $8::timestamptz, 0, 0) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, owner_unit = excluded.owner_unit, \
             owner_path = excluded.owner_path, kind = excluded.kind, cadence_hours = excluded.cadence_hours, \
             created_at = excluded.created_at, last_arrival = excluded.last_arrival, rows_accepted = 0, rows_rejected = 0",
        )
        .bind(&s.code)
        .bind(&s.name)
        .bind(&owner.code)
        .bind(&owner.path)
        .bind(s.kind.as_str())
        .bind(s.cadence_hours)
        .bind(s.created_at.format("%Y-%m-%d %H:%M:%S+07").to_string())
        .bind(s.last_arrival.format("%Y-%m-%d %H:%M:%S+07").to_string())
        .execute(&mut *conn)
        .await
        .with_context(|| format!("writing data source {}", s.code))?;
    }
    Ok(())
}

async fn insert_procedures(conn: &mut PgConnection) -> anyhow::Result<()> {
    for p in &PROCEDURES {
        sqlx::query(
            "INSERT INTO procedure (code, case_kind, name, version) VALUES ($1, $2, $3, 1)",
        )
        .bind(p.code)
        .bind(p.kind.as_str())
        .bind(p.name)
        .execute(&mut *conn)
        .await?;
        for (i, s) in p.steps.iter().enumerate() {
            sqlx::query(
                "INSERT INTO procedure_step (procedure, ord, code, name, role, days, escalate_after) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(p.code)
            .bind(i as i16 + 1)
            .bind(s.code)
            .bind(s.name)
            .bind(s.role)
            .bind(s.days as i32)
            // A step late by a third of its time (at least 3 days) goes to the level above.
            .bind((s.days as i32 / 3).max(3))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Writes one chunk of generated cases through the ingest batch, and their steps beside; a
/// rejected row is a bug of the generator and stops the seed.
async fn write_rows(
    mut batch: Box<Batch>,
    msg: Msg,
    report: &mut SeedReport,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Sink> {
    let Msg::CaseRows { rows, steps } = msg else {
        return Ok(Sink::Ingest(batch));
    };
    progress.set_message("cases");
    let out = batch.write(rows).await?;
    if let Some((row, e)) = out.errors.first() {
        anyhow::bail!(
            "the ingest path refused generated case {row}: {}: {} ({} refused)",
            e.field,
            e.reason,
            out.rejected
        );
    }
    copy(&mut batch.ledger.tx, COPY_KEYED_STEP, &steps)
        .await
        .context("loading case steps")?;
    report.cases += out.accepted;
    progress.inc(out.accepted);
    Ok(Sink::Ingest(batch))
}

const COPY_KEYED_STEP: &str =
    "COPY seed_case_step (source, external_id, ord, started_on, due_on, done_on) FROM STDIN";

/// The generator thread: members, then cases stream by stream in chunks (COPY rows, or records
/// for the ingest path), then the small tables.
fn produce(plan: &Plan, through_ingest: bool, sender: &mpsc::Sender<Msg>) {
    for stream in 0..plan.streams() {
        let mut buf = CopyBuf::new();
        for m in plan.members(stream) {
            encode::member(&mut buf, plan, &m);
        }
        if sender.blocking_send(Msg::Members(buf)).is_err() {
            return;
        }
    }
    let mut cases = CaseGenerator::new(plan);
    while let Some(stream) = cases.next_stream() {
        if through_ingest {
            for chunk in stream.chunks(crate::ingest::CHUNK_ROWS) {
                let mut steps = CopyBuf::new();
                let rows = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, case)| {
                        encode::case_steps_keyed(&mut steps, plan, case);
                        Checked {
                            row: i as u64 + 1,
                            source: Some(plan.sources[case.source as usize].code.clone()),
                            outcome: Ok(encode::case_row(plan, case)),
                        }
                    })
                    .collect();
                if sender.blocking_send(Msg::CaseRows { rows, steps }).is_err() {
                    return;
                }
            }
            continue;
        }
        for chunk in stream.chunks(plan.params.chunk.max(1)) {
            let mut c = CopyBuf::new();
            let mut s = CopyBuf::new();
            for case in chunk {
                encode::case(&mut c, plan, case);
                encode::case_steps(&mut s, case);
            }
            if sender
                .blocking_send(Msg::Cases { cases: c, steps: s })
                .is_err()
            {
                return;
            }
        }
    }
    let d = directives::generate(plan);
    let mut source_rows = cases.source_rows.clone();
    let mut tasks = CopyBuf::new();
    for t in &d.tasks {
        encode::task(&mut tasks, plan, &d.directives[t.directive].code, t);
        source_rows[t.source as usize] += 1;
    }
    let mut reports = CopyBuf::new();
    for r in &d.reports {
        encode::task_report(&mut reports, r);
    }
    let mut targets = CopyBuf::new();
    for t in plan.targets(&cases.stats) {
        encode::target(&mut targets, plan, &t);
        source_rows[t.source as usize] += 1;
    }
    let tail = Tail {
        directives: d,
        tasks,
        reports,
        targets,
        anomalies: cases.anomalies,
        source_rows,
    };
    let _ = sender.blocking_send(Msg::Done(Box::new(tail)));
}
