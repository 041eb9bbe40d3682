//! Writing a batch of cases into PostgreSQL, all in one transaction that commits only when the
//! whole batch has been read: each chunk of rows is checked against the units and sources it
//! names (looked up once a batch), copied into a temporary table, and upserted from there into
//! `cases` by `(source, external_id)`. The batch's id on every row it writes tells a second
//! occurrence of a key within the batch (not written, reported) from a re-sent record (updated).

use super::Checked;
use super::parse::Format;
use super::validate::{self, CaseRow, FieldError, Placement, UnitRef, Writer};
use crate::http::Error;
use crate::seed::encode::CopyBuf;
use domain::{CaseKind, UnitLevel};
use sqlx::{PgConnection, Postgres, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows accepted and rejected for one data source in a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCounts {
    pub accepted: u64,
    pub rejected: u64,
}

/// What became of one chunk's rows.
#[derive(Debug, Default)]
pub struct ChunkOutcome {
    pub accepted: u64,
    pub rejected: u64,
    /// By row, in row order.
    pub errors: Vec<(u64, FieldError)>,
}

/// A batch being written: its transaction, and what it has learnt of units and sources.
pub struct Batch {
    tx: Transaction<'static, Postgres>,
    /// The batch's id (`ingest_batch.id`, `cases.batch`).
    pub id: i64,
    writer: Writer,
    units: HashMap<String, Option<UnitRef>>,
    /// Source code -> its owner unit's path (`None`: no such source).
    sources: HashMap<String, Option<String>>,
    /// The procedure a new case of each kind follows.
    procedures: HashMap<CaseKind, String>,
    /// Rows per source the writer may write as; rows naming other sources are counted nowhere.
    pub counts: BTreeMap<String, SourceCounts>,
}

const STAGING: &str = "CREATE TEMP TABLE ingest_case (
    row_no bigint NOT NULL, source text NOT NULL, external_id text NOT NULL, kind text NOT NULL,
    theme text, conducting_unit text NOT NULL, subject_type text NOT NULL, subject_unit text NOT NULL,
    subject_ref text, path ltree NOT NULL, province text, sector text NOT NULL, status text NOT NULL,
    opened_on date NOT NULL, due_on date, concluded_on date, violation boolean,
    violation_categories text[] NOT NULL, amount_vnd bigint, discipline_form text,
    discipline_decided_on date, lat double precision NOT NULL, lon double precision NOT NULL,
    procedure text
) ON COMMIT DROP";

/// The staging columns, in the order [`encode`] writes them.
const COPY_STAGING: &str = "COPY ingest_case (row_no, source, external_id, kind, theme, \
    conducting_unit, subject_type, subject_unit, subject_ref, path, province, sector, status, \
    opened_on, due_on, concluded_on, violation, violation_categories, amount_vnd, discipline_form, \
    discipline_decided_on, lat, lon, procedure) FROM STDIN";

/// Upserts the staged rows ($1 the writer, $2 the batch) and answers the rows not written: those
/// whose key a previous chunk of the same batch wrote already. A kind that changes takes its
/// procedure along; `created_at` stays.
const UPSERT: &str = "WITH written AS (
    INSERT INTO cases AS c (source, external_id, kind, theme, conducting_unit, subject_type,
        subject_unit, subject_ref, path, province, sector, status, opened_on, due_on, concluded_on,
        violation, violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat,
        lon, procedure, written_by, batch)
    SELECT source, external_id, kind, theme, conducting_unit, subject_type, subject_unit,
        subject_ref, path, province, sector, status, opened_on, due_on, concluded_on, violation,
        violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon,
        procedure, $1, $2
    FROM ingest_case ORDER BY row_no
    ON CONFLICT (source, external_id) DO UPDATE SET
        kind = excluded.kind, theme = excluded.theme, conducting_unit = excluded.conducting_unit,
        subject_type = excluded.subject_type, subject_unit = excluded.subject_unit,
        subject_ref = excluded.subject_ref, path = excluded.path, province = excluded.province,
        sector = excluded.sector, status = excluded.status, opened_on = excluded.opened_on,
        due_on = excluded.due_on, concluded_on = excluded.concluded_on,
        violation = excluded.violation, violation_categories = excluded.violation_categories,
        amount_vnd = excluded.amount_vnd, discipline_form = excluded.discipline_form,
        discipline_decided_on = excluded.discipline_decided_on, lat = excluded.lat,
        lon = excluded.lon,
        procedure = CASE WHEN c.kind = excluded.kind THEN c.procedure ELSE excluded.procedure END,
        updated_at = now(), written_by = excluded.written_by, batch = excluded.batch
    WHERE c.batch IS DISTINCT FROM excluded.batch
    RETURNING c.source, c.external_id
)
SELECT s.row_no FROM ingest_case s
WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.source = s.source AND w.external_id = s.external_id)
ORDER BY s.row_no";

type UnitRow = (
    String,
    String,
    Option<String>,
    String,
    Option<f64>,
    Option<f64>,
);

impl Batch {
    /// Opens the batch's transaction and records the batch.
    pub async fn begin(
        pool: &sqlx::PgPool,
        writer: Writer,
        format: Format,
    ) -> Result<Batch, Error> {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ingest_batch (record_kind, actor, source, format) \
             VALUES ('cases', $1, $2, $3) RETURNING id",
        )
        .bind(&writer.actor)
        .bind(&writer.source)
        .bind(format.as_str())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(STAGING).execute(&mut *tx).await?;
        let procedures: Vec<(String, String)> =
            sqlx::query_as("SELECT case_kind, code FROM procedure ORDER BY code DESC")
                .fetch_all(&mut *tx)
                .await?;
        let procedures = procedures
            .into_iter()
            .filter_map(|(kind, code)| Some((kind.parse().ok()?, code)))
            .collect();
        Ok(Batch {
            tx,
            id,
            writer,
            units: HashMap::new(),
            sources: HashMap::new(),
            procedures,
            counts: BTreeMap::new(),
        })
    }

    /// Checks and writes one chunk of rows (in row order).
    pub async fn write(&mut self, rows: Vec<Checked>) -> Result<ChunkOutcome, Error> {
        self.learn(&rows).await?;
        let mut out = ChunkOutcome::default();
        // The first valid row of each key in the chunk is kept, later ones are reported.
        let mut first: HashMap<(&str, &str), u64> = HashMap::new();
        let mut staged: Vec<(u64, &CaseRow, Placement)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let case = match &r.outcome {
                Ok(case) => case,
                Err(errors) => {
                    self.reject(&mut out, r, errors.clone());
                    continue;
                }
            };
            let key = (case.source.as_str(), case.external_id.as_str());
            let placed = validate::place(
                case,
                &self.writer,
                |code| self.units.get(code).and_then(Option::as_ref),
                |code| self.sources.get(code).and_then(Option::as_deref),
            )
            .and_then(|p| match first.get(&key) {
                Some(at) => Err(vec![FieldError::new(
                    "external_id",
                    format!("repeats row {at} (same source and external_id); the first is kept"),
                )]),
                None => Ok(p),
            });
            match placed {
                Ok(p) => {
                    first.insert(key, r.row);
                    staged.push((r.row, case, p));
                }
                Err(errors) => self.reject(&mut out, r, errors),
            }
        }
        let mut buf = CopyBuf::new();
        for (row, case, p) in &staged {
            encode(&mut buf, *row, case, p, self.procedures.get(&case.kind));
        }
        let repeated = stage_and_upsert(&mut self.tx, &buf, &self.writer.actor, self.id).await?;
        for (row, case, _) in &staged {
            if repeated.binary_search(row).is_ok() {
                out.rejected += 1;
                out.errors.push((
                    *row,
                    FieldError::new(
                        "external_id",
                        "repeats an earlier row of this batch (same source and external_id); \
                         the first is kept",
                    ),
                ));
                self.count(
                    &case.source,
                    SourceCounts {
                        accepted: 0,
                        rejected: 1,
                    },
                );
            } else {
                out.accepted += 1;
                self.count(
                    &case.source,
                    SourceCounts {
                        accepted: 1,
                        rejected: 0,
                    },
                );
            }
        }
        out.errors.sort_by_key(|(row, _)| *row);
        Ok(out)
    }

    fn reject(&mut self, out: &mut ChunkOutcome, r: &Checked, errors: Vec<FieldError>) {
        out.rejected += 1;
        out.errors.extend(errors.into_iter().map(|e| (r.row, e)));
        if let Some(source) = &r.source {
            self.count(
                source,
                SourceCounts {
                    accepted: 0,
                    rejected: 1,
                },
            );
        }
    }

    /// Adds to a source's counts, if the writer may write as that source.
    fn count(&mut self, source: &str, add: SourceCounts) {
        if !self.counts.contains_key(source) {
            let owner = self.sources.get(source).and_then(Option::as_deref);
            if validate::may_write_as(&self.writer, source, owner).is_err() {
                return;
            }
            self.counts
                .insert(source.to_string(), SourceCounts::default());
        }
        let Some(c) = self.counts.get_mut(source) else {
            return;
        };
        c.accepted += add.accepted;
        c.rejected += add.rejected;
    }

    /// Looks up the units and sources of these rows that the batch has not seen yet.
    async fn learn(&mut self, rows: &[Checked]) -> Result<(), Error> {
        let mut units: HashSet<&str> = HashSet::new();
        let mut sources: HashSet<&str> = HashSet::new();
        for r in rows {
            if let Ok(case) = &r.outcome {
                for code in [&case.conducting_unit, &case.subject_unit] {
                    if !self.units.contains_key(code.as_str()) {
                        units.insert(code.as_str());
                    }
                }
            }
            if let Some(s) = &r.source
                && !self.sources.contains_key(s)
            {
                sources.insert(s);
            }
        }
        let units: Vec<String> = units.into_iter().map(str::to_string).collect();
        let sources: Vec<String> = sources.into_iter().map(str::to_string).collect();
        if !units.is_empty() {
            let found: Vec<UnitRow> = sqlx::query_as(
                "SELECT code, path::text, province, level, lat, lon FROM unit WHERE code = ANY($1)",
            )
            .bind(&units)
            .fetch_all(&mut *self.tx)
            .await?;
            for code in units {
                self.units.insert(code, None);
            }
            for (code, path, province, level, lat, lon) in found {
                let level = level.parse().unwrap_or(UnitLevel::Cell);
                self.units.insert(
                    code,
                    Some(UnitRef {
                        path,
                        province,
                        level,
                        lat,
                        lon,
                    }),
                );
            }
        }
        if !sources.is_empty() {
            let found: Vec<(String, String)> = sqlx::query_as(
                "SELECT code, owner_path::text FROM data_source WHERE code = ANY($1)",
            )
            .bind(&sources)
            .fetch_all(&mut *self.tx)
            .await?;
            for code in sources {
                self.sources.insert(code, None);
            }
            for (code, owner_path) in found {
                self.sources.insert(code, Some(owner_path));
            }
        }
        Ok(())
    }

    /// Keeps nothing of the batch (a check only).
    pub async fn rollback(self) -> Result<(), Error> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Records the batch's figures and each source's arrival and counters, and commits.
    pub async fn commit(mut self, bytes: u64, accepted: u64, rejected: u64) -> Result<(), Error> {
        sqlx::query(
            "UPDATE ingest_batch SET finished_at = clock_timestamp(), bytes = $2, accepted = $3, \
             rejected = $4, source = COALESCE(source, $5) WHERE id = $1",
        )
        .bind(self.id)
        .bind(bytes as i64)
        .bind(accepted as i64)
        .bind(rejected as i64)
        // A batch of one source is that source's, whoever sent it.
        .bind(
            (self.counts.len() == 1)
                .then(|| self.counts.keys().next())
                .flatten(),
        )
        .execute(&mut *self.tx)
        .await?;
        // In code order, so that concurrent batches lock sources in the same order.
        for (code, c) in &self.counts {
            sqlx::query(
                "UPDATE data_source SET rows_accepted = rows_accepted + $2, \
                 rows_rejected = rows_rejected + $3, \
                 last_arrival = CASE WHEN $2 > 0 THEN now() ELSE last_arrival END WHERE code = $1",
            )
            .bind(code)
            .bind(c.accepted as i64)
            .bind(c.rejected as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Copies a chunk into the staging table, upserts it, empties the table; answers the rows not
/// written because an earlier chunk of the batch wrote their key.
async fn stage_and_upsert(
    conn: &mut PgConnection,
    buf: &CopyBuf,
    actor: &str,
    batch: i64,
) -> Result<Vec<u64>, Error> {
    if buf.rows == 0 {
        return Ok(Vec::new());
    }
    let mut copy = conn.copy_in_raw(COPY_STAGING).await?;
    copy.send(buf.bytes.as_slice()).await?;
    copy.finish().await?;
    let repeated: Vec<i64> = sqlx::query_scalar(UPSERT)
        .bind(actor)
        .bind(batch)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("TRUNCATE ingest_case")
        .execute(&mut *conn)
        .await?;
    Ok(repeated.into_iter().map(|r| r as u64).collect())
}

/// One staging row, in the columns of [`COPY_STAGING`].
fn encode(buf: &mut CopyBuf, row: u64, c: &CaseRow, p: &Placement, procedure: Option<&String>) {
    let mut categories = String::from("{");
    for (i, cat) in c.violation_categories.iter().enumerate() {
        if i > 0 {
            categories.push(',');
        }
        categories.push_str(cat.as_str());
    }
    categories.push('}');
    buf.raw(row)
        .text(&c.source)
        .text(&c.external_id)
        .raw(c.kind.as_str())
        .opt_text(c.theme.as_deref())
        .text(c.conducting_unit.as_str())
        .raw(c.subject_type.as_str())
        .text(c.subject_unit.as_str())
        .opt_text(c.subject_ref.as_deref())
        .text(&p.path)
        .opt_text(p.province.as_deref())
        .raw(c.sector.as_str())
        .raw(c.status.as_str())
        .date(c.opened_on)
        .opt_date(c.due_on)
        .opt_date(c.concluded_on)
        .opt_raw(c.violation.map(|v| if v { "t" } else { "f" }))
        .raw(categories)
        .opt_raw(c.amount_vnd)
        .opt_raw(c.discipline.map(|d| d.0.as_str()))
        .opt_date(c.discipline.map(|d| d.1))
        .raw(p.lat)
        .raw(p.lon)
        .opt_text(procedure.map(String::as_str));
    buf.end();
}
