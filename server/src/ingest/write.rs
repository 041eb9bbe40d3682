//! Writing a batch of cases into PostgreSQL, all in one transaction that commits only when the
//! whole batch has been read: each chunk of rows is checked against the units and sources it
//! names (looked up once a batch), copied into a temporary table, and upserted from there into
//! `cases` by `(source, external_id)`. The batch's id on every row it writes tells a second
//! occurrence of a key within the batch (not written, reported) from a re-sent record (updated).

use super::Checked;
use super::ledger::{ChunkOutcome, Ledger};
use super::parse::Format;
use super::validate::{self, CaseRow, FieldError, Placement, Writer};
use crate::http::Error;
use crate::seed::encode::CopyBuf;
use domain::CaseKind;
use sqlx::PgConnection;
use std::collections::HashMap;

/// A batch of cases being written: its books ([`Ledger`]) and the procedure each kind follows.
pub struct Batch {
    pub ledger: Ledger,
    /// The procedure a new case of each kind follows.
    procedures: HashMap<CaseKind, String>,
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
/// whose key a previous chunk of the same batch wrote already. A case that changes keeps its
/// previous version in `case_version` (looked up by key, one index probe a staged row); a kind
/// that changes takes its procedure along; `created_at` stays.
const UPSERT: &str = "WITH previous AS (
    INSERT INTO case_version (case_id, batch, written_by, written_at, fields)
    SELECT c.id, c.batch, c.written_by, c.updated_at, case_fields(c)
    FROM ingest_case s
    CROSS JOIN LATERAL (
        SELECT * FROM cases c WHERE c.source = s.source AND c.external_id = s.external_id LIMIT 1
    ) c
    WHERE c.batch IS DISTINCT FROM $2
), written AS (
    INSERT INTO cases AS c (source, external_id, kind, theme, conducting_unit, subject_type,
        subject_unit, subject_ref, path, province, sector, status, opened_on, due_on, concluded_on,
        violation, violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat,
        lon, procedure, written_by, batch)
    SELECT source, external_id, kind, theme, conducting_unit, subject_type, subject_unit,
        subject_ref, path, province, sector, status, opened_on, due_on, concluded_on, violation,
        violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon,
        procedure, $1, $2
    FROM ingest_case
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

impl Batch {
    /// Opens the batch's transaction and records the batch.
    pub async fn begin(
        pool: &sqlx::PgPool,
        writer: Writer,
        format: Format,
    ) -> Result<Batch, Error> {
        Batch::within(pool.begin().await?, writer, format.as_str()).await
    }

    /// A batch inside a transaction the caller opened (the seed's, `format` `generated`);
    /// [`Batch::close`] gives it back uncommitted.
    pub async fn within(
        tx: sqlx::Transaction<'static, sqlx::Postgres>,
        writer: Writer,
        format: &str,
    ) -> Result<Batch, Error> {
        let mut ledger = Ledger::within(tx, writer, format, "cases").await?;
        sqlx::query(STAGING).execute(&mut *ledger.tx).await?;
        let procedures: Vec<(String, String)> =
            sqlx::query_as("SELECT case_kind, code FROM procedure ORDER BY code DESC")
                .fetch_all(&mut *ledger.tx)
                .await?;
        let procedures = procedures
            .into_iter()
            .filter_map(|(kind, code)| Some((kind.parse().ok()?, code)))
            .collect();
        Ok(Batch { ledger, procedures })
    }

    /// Checks and writes one chunk of rows (in row order).
    pub async fn write(&mut self, rows: Vec<Checked>) -> Result<ChunkOutcome, Error> {
        let ledger = &mut self.ledger;
        let units = rows
            .iter()
            .filter_map(|r| r.outcome.as_ref().ok())
            .flat_map(|c| [c.conducting_unit.as_str(), c.subject_unit.as_str()]);
        ledger
            .learn(units, rows.iter().filter_map(|r| r.source.as_deref()))
            .await?;
        let mut out = ChunkOutcome::default();
        // The first valid row of each key in the chunk is kept, later ones are reported.
        let mut first: HashMap<(&str, &str), u64> = HashMap::new();
        let mut staged: Vec<(u64, &CaseRow, Placement)> = Vec::with_capacity(rows.len());
        let mut rejected: Vec<(u64, Option<&str>, Vec<FieldError>)> = Vec::new();
        for r in &rows {
            let case = match &r.outcome {
                Ok(case) => case,
                Err(errors) => {
                    rejected.push((r.row, r.source.as_deref(), errors.clone()));
                    continue;
                }
            };
            let key = (case.source.as_str(), case.external_id.as_str());
            let placed = validate::place(
                case,
                &ledger.writer,
                |code| ledger.unit(code),
                |code| ledger.source_owner(code),
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
                Err(errors) => rejected.push((r.row, r.source.as_deref(), errors)),
            }
        }
        for (row, source, errors) in rejected {
            ledger.reject(&mut out, row, source, errors);
        }
        let mut buf = CopyBuf::new();
        for (row, case, p) in &staged {
            encode(&mut buf, *row, case, p, self.procedures.get(&case.kind));
        }
        let repeated =
            stage_and_upsert(&mut ledger.tx, &buf, &ledger.writer.actor, ledger.id).await?;
        for (row, case, _) in &staged {
            if repeated.binary_search(row).is_ok() {
                let again = FieldError::new(
                    "external_id",
                    "repeats an earlier row of this batch (same source and external_id); \
                     the first is kept",
                );
                ledger.reject(&mut out, *row, Some(&case.source), vec![again]);
            } else {
                ledger.accept(&mut out, &case.source);
            }
        }
        out.errors.sort_by_key(|(row, _)| *row);
        Ok(out)
    }

    /// Records the batch's figures, leaves the sources' counters alone, and gives the
    /// transaction back uncommitted (the seed, which sets the counters itself).
    pub async fn close(
        self,
        accepted: u64,
        rejected: u64,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, Error> {
        self.ledger.close(0, accepted, rejected, false).await
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
