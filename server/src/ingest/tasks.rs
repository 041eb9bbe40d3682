//! Tasks as a record kind of the batch pipeline (`POST /ingest/tasks`, `docs/schema/task.schema.json`):
//! the progress of a task a directive assigned to a unit, as the unit's own system reports it.
//!
//! [`task`] reads a record (pure); [`TaskBatch`] checks each row against what the database knows
//! (the source rule and the scope rule of cases, the directive, the parent task) and upserts the
//! chunk into `task` by `(source, external_id)`, taking `path` and `province` from the unit; a
//! `report` is appended to `task_report`, or updates the report of the same task and day.
//! A key repeated within a batch is rejected naming the row it repeats; the batch remembers its
//! keys for that (tasks come by the thousand, not by the million).

use super::Checked;
use super::kind::{ChunkWriter, RecordKind};
use super::ledger::ChunkOutcome;
use super::ledger::Ledger;
use super::parse::Format;
use super::record::{Record, Schema, TASK};
use super::validate::{self, FieldError, Fields, Optional, Required, Writer};
use crate::http::Error;
use crate::seed::encode::CopyBuf;
use chrono::NaiveDate;
use domain::{TaskStatus, UnitCode};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};

/// A task that meets its schema and the rules between its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub source: String,
    pub external_id: String,
    pub directive: String,
    pub unit: UnitCode,
    pub title: String,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
    pub progress: i16,
    pub status: TaskStatus,
    pub done_on: Option<NaiveDate>,
    pub parent_external_id: Option<String>,
    /// `(on, note)`: a progress report to append.
    pub report: Option<(NaiveDate, String)>,
}

/// Reads a record as a task: the schema's types, vocabularies, lengths and bounds, no unknown
/// field, and the rules between fields (`due_on` and `done_on` not before `assigned_on`; `done_on`
/// given exactly when the status is done; a done task is at 100 %). All of the row's errors
/// together.
pub fn task(record: &Record) -> Result<TaskRow, Vec<FieldError>> {
    let mut f = Fields::new(record, &TASK);
    if f.not_an_object() {
        return Err(f.errors);
    }
    let source = f.text("source", Required, 1, 64);
    let external_id = f.text("external_id", Required, 1, 128);
    let directive = f.text("directive", Required, 1, 64);
    let unit = f.unit("unit");
    let title = f.text("title", Required, 1, 500);
    let assigned_on = f.date("assigned_on", Required);
    let due_on = f.date("due_on", Required);
    let progress = f.whole("progress", Required, 0..=100);
    let status = f.word::<TaskStatus>("status", Required);
    let done_on = f.date("done_on", Optional);
    let parent_external_id = f.text("parent_external_id", Optional, 1, 128);
    let report = if validate::nested(record, "report") == Some(true) {
        let on = f.date("report.on", Required);
        let note = f.text("report.note", Optional, 0, 2000).unwrap_or_default();
        on.map(|on| (on, note))
    } else {
        None
    };

    if let Some(assigned) = assigned_on {
        for (field, day) in [("due_on", due_on), ("done_on", done_on)] {
            if let Some(day) = day
                && day < assigned
            {
                f.fail(field, format!("{day} is before assigned_on ({assigned})"));
            }
        }
    }
    match status {
        Some(TaskStatus::Done) if done_on.is_none() && !f.failed("done_on") => {
            f.fail("done_on", "is required when the status is done");
        }
        Some(s) if s != TaskStatus::Done && done_on.is_some() => {
            f.fail(
                "done_on",
                format!("must be empty unless the status is done (it is {s})"),
            );
        }
        _ => {}
    }
    if let (Some(TaskStatus::Done), Some(p)) = (status, progress)
        && p != 100
    {
        f.fail(
            "progress",
            format!("must be 100 when the status is done, not {p}"),
        );
    }
    if let Some(parent) = &parent_external_id
        && external_id.as_ref() == Some(parent)
    {
        f.fail("parent_external_id", "names the task itself");
    }

    match (
        source,
        external_id,
        directive,
        unit,
        title,
        assigned_on,
        due_on,
        progress,
        status,
    ) {
        (
            Some(source),
            Some(external_id),
            Some(directive),
            Some(unit),
            Some(title),
            Some(assigned_on),
            Some(due_on),
            Some(progress),
            Some(status),
        ) if f.errors.is_empty() => Ok(TaskRow {
            source,
            external_id,
            directive,
            unit,
            title,
            assigned_on,
            due_on,
            progress: progress as i16,
            status,
            done_on,
            parent_external_id,
            report,
        }),
        _ => Err(f.errors),
    }
}

/// Tasks (`POST /ingest/tasks`).
pub struct Tasks;

impl RecordKind for Tasks {
    const SCHEMA: &'static Schema = &TASK;
    type Row = TaskRow;
    type Writer = TaskBatch;

    fn validate(record: &Record) -> Result<TaskRow, Vec<FieldError>> {
        task(record)
    }

    async fn begin(pool: &PgPool, writer: Writer, format: Format) -> Result<TaskBatch, Error> {
        let mut ledger = Ledger::begin(pool, writer, format, TASK.plural).await?;
        sqlx::query(STAGING).execute(&mut *ledger.tx).await?;
        Ok(TaskBatch {
            ledger,
            directives: HashMap::new(),
            stored: HashSet::new(),
            first: HashMap::new(),
        })
    }
}

const STAGING: &str = "CREATE TEMP TABLE ingest_task (
    row_no bigint NOT NULL, source text NOT NULL, external_id text NOT NULL,
    directive text NOT NULL, unit text NOT NULL, path ltree NOT NULL, province text,
    title text NOT NULL, assigned_on date NOT NULL, due_on date NOT NULL, progress smallint NOT NULL,
    status text NOT NULL, done_on date, parent_external_id text, report_on date, report_note text
) ON COMMIT DROP";

/// The staging columns, in the order [`encode`] writes them.
const COPY_STAGING: &str = "COPY ingest_task (row_no, source, external_id, directive, unit, path, \
    province, title, assigned_on, due_on, progress, status, done_on, parent_external_id, \
    report_on, report_note) FROM STDIN";

/// Upserts the staged tasks by `(source, external_id)`; the batch has checked that no key repeats.
const UPSERT: &str = "INSERT INTO task AS t (source, external_id, directive, unit, path, province,
        title, assigned_on, due_on, progress, status, done_on, updated_at)
    SELECT source, external_id, directive, unit, path, province, title, assigned_on, due_on,
        progress, status, done_on, now()
    FROM ingest_task ORDER BY row_no
    ON CONFLICT (source, external_id) DO UPDATE SET
        directive = excluded.directive, unit = excluded.unit, path = excluded.path,
        province = excluded.province, title = excluded.title, assigned_on = excluded.assigned_on,
        due_on = excluded.due_on, progress = excluded.progress, status = excluded.status,
        done_on = excluded.done_on, updated_at = now()";

/// Links each staged task to its parent (after the upsert, so that a parent earlier in the same
/// chunk is found); a task re-sent without a parent loses it.
const LINK_PARENTS: &str = "UPDATE task t SET parent_task = p.id
    FROM ingest_task s LEFT JOIN task p
        ON p.source = s.source AND p.external_id = s.parent_external_id
    WHERE t.source = s.source AND t.external_id = s.external_id
        AND t.parent_task IS DISTINCT FROM p.id";

/// Appends each staged report, or updates the report of the same task and day.
const REPORT: &str = "WITH r AS (
    SELECT t.id, s.report_on, s.progress, s.report_note
    FROM ingest_task s JOIN task t ON t.source = s.source AND t.external_id = s.external_id
    WHERE s.report_on IS NOT NULL
), updated AS (
    UPDATE task_report x SET progress = r.progress, note = r.report_note
    FROM r WHERE x.task = r.id AND x.reported_on = r.report_on
)
INSERT INTO task_report (task, reported_on, progress, note)
SELECT r.id, r.report_on, r.progress, r.report_note FROM r
WHERE NOT EXISTS (SELECT 1 FROM task_report x WHERE x.task = r.id AND x.reported_on = r.report_on)";

/// A batch of tasks being written.
pub struct TaskBatch {
    ledger: Ledger,
    /// Directive code -> whether it exists.
    directives: HashMap<String, bool>,
    /// Keys `(source, external_id)` of tasks stored before the batch, as parents were looked up.
    stored: HashSet<(String, String)>,
    /// The row of the batch that wrote each key.
    first: HashMap<(String, String), u64>,
}

impl TaskBatch {
    /// Looks up what the chunk's rows name: units, sources, directives, parents.
    async fn learn(&mut self, rows: &[Checked<TaskRow>]) -> Result<(), Error> {
        let valid = || rows.iter().filter_map(|r| r.outcome.as_ref().ok());
        self.ledger
            .learn(
                valid().map(|t| t.unit.as_str()),
                rows.iter().filter_map(|r| r.source.as_deref()),
            )
            .await?;
        let mut directives: Vec<String> = valid()
            .map(|t| &t.directive)
            .filter(|d| !self.directives.contains_key(*d))
            .cloned()
            .collect();
        directives.sort();
        directives.dedup();
        if !directives.is_empty() {
            let found: Vec<String> =
                sqlx::query_scalar("SELECT code FROM directive WHERE code = ANY($1)")
                    .bind(&directives)
                    .fetch_all(&mut *self.ledger.tx)
                    .await?;
            for code in directives {
                let known = found.contains(&code);
                self.directives.insert(code, known);
            }
        }
        let (sources, ids): (Vec<String>, Vec<String>) = valid()
            .filter_map(|t| Some((t.source.clone(), t.parent_external_id.clone()?)))
            .filter(|key| !self.stored.contains(key) && !self.first.contains_key(key))
            .unzip();
        if !ids.is_empty() {
            let found: Vec<(String, String)> = sqlx::query_as(
                "SELECT t.source, t.external_id FROM task t \
                 JOIN unnest($1::text[], $2::text[]) AS k(source, external_id) \
                 ON t.source = k.source AND t.external_id = k.external_id",
            )
            .bind(&sources)
            .bind(&ids)
            .fetch_all(&mut *self.ledger.tx)
            .await?;
            self.stored.extend(found);
        }
        Ok(())
    }

    /// What the database says of a valid row: its unit's place, or every reason it cannot land.
    fn place(&self, t: &TaskRow) -> Result<(String, Option<String>), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = self.ledger.check_source(&t.source) {
            errors.push(e);
        }
        if self.directives.get(&t.directive) != Some(&true) {
            errors.push(FieldError::new(
                "directive",
                format!(
                    "no directive has the code '{}'",
                    super::record::clip(&t.directive)
                ),
            ));
        }
        let place = self
            .ledger
            .check_unit("unit", &t.unit)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|u| (u.path.clone(), u.province.clone()));
        if let Some(parent) = &t.parent_external_id {
            let key = (t.source.clone(), parent.clone());
            if !self.stored.contains(&key) && !self.first.contains_key(&key) {
                errors.push(FieldError::new(
                    "parent_external_id",
                    format!(
                        "no task of source '{}' has the external_id '{}' (a parent must be stored \
                         already or come earlier in the batch)",
                        super::record::clip(&t.source),
                        super::record::clip(parent)
                    ),
                ));
            }
        }
        let key = (t.source.clone(), t.external_id.clone());
        if let Some(at) = self.first.get(&key) {
            errors.push(FieldError::new(
                "external_id",
                format!("repeats row {at} (same source and external_id); the first is kept"),
            ));
        }
        match place {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(errors),
        }
    }
}

impl ChunkWriter for TaskBatch {
    type Row = TaskRow;

    fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn into_ledger(self) -> Ledger {
        self.ledger
    }

    async fn write(&mut self, rows: Vec<Checked<TaskRow>>) -> Result<ChunkOutcome, Error> {
        self.learn(&rows).await?;
        let mut out = ChunkOutcome::default();
        let mut buf = CopyBuf::new();
        for r in &rows {
            let placed = match &r.outcome {
                Ok(t) => self.place(t).map(|p| (t, p)),
                Err(errors) => Err(errors.clone()),
            };
            match placed {
                Ok((t, (path, province))) => {
                    encode(&mut buf, r.row, t, &path, province.as_deref());
                    self.first
                        .insert((t.source.clone(), t.external_id.clone()), r.row);
                    self.ledger.accept(&mut out, &t.source);
                }
                Err(errors) => self
                    .ledger
                    .reject(&mut out, r.row, r.source.as_deref(), errors),
            }
        }
        self.ledger
            .stage(
                COPY_STAGING,
                &buf,
                &[UPSERT, LINK_PARENTS, REPORT, "TRUNCATE ingest_task"],
            )
            .await?;
        Ok(out)
    }
}

/// One staging row, in the columns of [`COPY_STAGING`].
fn encode(buf: &mut CopyBuf, row: u64, t: &TaskRow, path: &str, province: Option<&str>) {
    buf.raw(row)
        .text(&t.source)
        .text(&t.external_id)
        .text(&t.directive)
        .text(t.unit.as_str())
        .text(path)
        .opt_text(province)
        .text(&t.title)
        .date(t.assigned_on)
        .date(t.due_on)
        .raw(t.progress)
        .raw(t.status.as_str())
        .opt_date(t.done_on)
        .opt_text(t.parent_external_id.as_deref())
        .opt_date(t.report.as_ref().map(|r| r.0))
        .opt_text(t.report.as_ref().map(|r| r.1.as_str()));
    buf.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::record::Header;
    use serde_json::{Value, json};
    use std::sync::Arc;

    fn good() -> Value {
        json!({
            "source": "HT-UBKT-01",
            "external_id": "NV-1",
            "directive": "CT-01",
            "unit": "01",
            "title": "Kiểm tra việc quản lý đất đai",
            "assigned_on": "2025-01-10",
            "due_on": "2025-06-30",
            "progress": 100,
            "status": "done",
            "done_on": "2025-06-01",
            "parent_external_id": "NV-0",
            "report": {"on": "2025-06-01", "note": "Đã hoàn thành"}
        })
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    use crate::ingest::validate::testing::{error_fields, with, without};

    /// The fields named by the errors of a JSON record.
    fn fields_of(v: Value) -> Vec<String> {
        error_fields(task(&Record::Json(v)))
    }

    #[test]
    fn a_full_task_is_read() {
        let t = task(&Record::Json(good())).unwrap();
        assert_eq!(
            t,
            TaskRow {
                source: "HT-UBKT-01".into(),
                external_id: "NV-1".into(),
                directive: "CT-01".into(),
                unit: UnitCode::parse("01").unwrap(),
                title: "Kiểm tra việc quản lý đất đai".into(),
                assigned_on: day("2025-01-10"),
                due_on: day("2025-06-30"),
                progress: 100,
                status: TaskStatus::Done,
                done_on: Some(day("2025-06-01")),
                parent_external_id: Some("NV-0".into()),
                report: Some((day("2025-06-01"), "Đã hoàn thành".into())),
            }
        );
    }

    #[test]
    fn a_csv_row_reads_like_its_json_twin() {
        let names = TASK.fields;
        let cells = [
            "HT-UBKT-01",
            "NV-1",
            "CT-01",
            " 01 ",
            "Kiểm tra việc quản lý đất đai",
            "2025-01-10",
            "2025-06-30",
            " 100",
            "done",
            "2025-06-01",
            "NV-0",
            "2025-06-01",
            "Đã hoàn thành",
        ];
        let header = Arc::new(Header::parse(&TASK, names.iter().copied()).unwrap());
        let csv = task(&Record::Csv(
            header.clone(),
            csv::StringRecord::from(cells.to_vec()),
        ));
        assert_eq!(csv, task(&Record::Json(good())));
        // Empty report cells: no report.
        let mut cells = cells.to_vec();
        cells[11] = "";
        cells[12] = "";
        let t = task(&Record::Csv(header, csv::StringRecord::from(cells))).unwrap();
        assert_eq!(t.report, None);
    }

    #[test]
    fn types_bounds_and_unknown_fields_name_their_field() {
        let cases = [
            (with(good(), "progress", json!(101)), "progress"),
            (with(good(), "progress", json!("100")), "progress"),
            (with(good(), "progress", json!(99.5)), "progress"),
            (with(good(), "status", json!("late")), "status"),
            (with(good(), "title", json!("")), "title"),
            (with(good(), "title", json!("đ".repeat(501))), "title"),
            (with(good(), "unit", json!("01;x")), "unit"),
            (
                with(good(), "assigned_on", json!("2025-13-01")),
                "assigned_on",
            ),
            (with(good(), "directive", json!(7)), "directive"),
            (with(good(), "colour", json!("red")), "colour"),
            (
                with(good(), "report", json!({"on": "2025-06-01", "by": "x"})),
                "report.by",
            ),
            (with(good(), "report", json!({"note": "x"})), "report.on"),
            (
                with(
                    good(),
                    "report",
                    json!({"on": "2025-06-01", "note": "x".repeat(2001)}),
                ),
                "report.note",
            ),
            (with(good(), "report", json!("2025-06-01")), "report"),
            (
                with(good(), "parent_external_id", json!("NV-1")),
                "parent_external_id",
            ),
            (without(good(), "directive"), "directive"),
            (without(good(), "due_on"), "due_on"),
        ];
        for (v, field) in cases {
            assert_eq!(fields_of(v.clone()), vec![field.to_string()], "{v}");
        }
        assert_eq!(fields_of(json!(["a task"])), vec![String::new()]);
        let e = task(&Record::Json(with(good(), "kind", json!(1)))).unwrap_err();
        assert_eq!(e[0].reason, "is not a field of a task");
    }

    #[test]
    fn dates_in_order_and_done_means_done_on_and_100() {
        assert_eq!(
            fields_of(with(good(), "due_on", json!("2025-01-09"))),
            ["due_on"]
        );
        assert_eq!(
            fields_of(with(good(), "done_on", json!("2025-01-09"))),
            ["done_on"]
        );
        assert_eq!(fields_of(without(good(), "done_on")), ["done_on"]);
        assert_eq!(fields_of(with(good(), "progress", json!(90))), ["progress"]);
        let open = with(without(good(), "done_on"), "status", json!("in_progress"));
        let open = with(open, "progress", json!(40));
        assert!(task(&Record::Json(open.clone())).is_ok());
        assert_eq!(
            fields_of(with(open.clone(), "done_on", json!("2025-05-01"))),
            ["done_on"]
        );
        // An assigned task need not be at 0.
        let assigned = with(open, "status", json!("assigned"));
        assert!(task(&Record::Json(assigned)).is_ok());
        // Several errors of one row together.
        let v = with(
            with(good(), "due_on", json!("2024-01-01")),
            "status",
            json!("x"),
        );
        assert_eq!(fields_of(v), ["due_on", "status"]);
    }
}
