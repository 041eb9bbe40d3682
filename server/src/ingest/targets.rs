//! Targets as a record kind of the batch pipeline (`POST /ingest/targets`,
//! `docs/schema/target.schema.json`): the planned figure of a unit for a year, a measure and a
//! sector (none: all sectors).
//!
//! [`target`] reads a record (pure); [`TargetBatch`] checks each row against what the database
//! knows (the source rule and the scope rule of cases) and upserts the chunk into `target` by its
//! key `(unit, year, measure, sector)`: a re-sent target updates `planned` and `source`. A key
//! repeated within a batch is rejected naming the row it repeats.

use super::Checked;
use super::kind::{ChunkWriter, RecordKind};
use super::ledger::ChunkOutcome;
use super::ledger::Ledger;
use super::parse::Format;
use super::record::{Record, Schema, TARGET};
use super::validate::{FieldError, Fields, Optional, Required, Writer};
use crate::http::Error;
use crate::seed::encode::CopyBuf;
use domain::{Sector, TargetMeasure, UnitCode};
use sqlx::PgPool;
use std::collections::HashMap;

/// Years a target may be set for.
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;
/// The largest planned figure.
pub const MAX_PLANNED: i64 = 10_000_000;

/// A target that meets its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub source: String,
    pub unit: UnitCode,
    pub year: i16,
    pub measure: TargetMeasure,
    /// `None`: all sectors.
    pub sector: Option<Sector>,
    pub planned: i32,
}

/// A target's key: one planned figure per unit, year, measure and sector.
type Key = (String, i16, TargetMeasure, Option<Sector>);

impl TargetRow {
    fn key(&self) -> Key {
        (
            self.unit.as_str().to_string(),
            self.year,
            self.measure,
            self.sector,
        )
    }
}

/// Reads a record as a target: the schema's types, vocabularies and bounds, no unknown field.
/// All of the row's errors together.
pub fn target(record: &Record) -> Result<TargetRow, Vec<FieldError>> {
    let mut f = Fields::new(record, &TARGET);
    if f.not_an_object() {
        return Err(f.errors);
    }
    let source = f.text("source", Required, 1, 64);
    let unit = f.unit("unit");
    let year = f.whole("year", Required, YEARS);
    let measure = f.word::<TargetMeasure>("measure", Required);
    let sector = f.word::<Sector>("sector", Optional);
    let planned = f.whole("planned", Required, 0..=MAX_PLANNED);
    match (source, unit, year, measure, planned) {
        (Some(source), Some(unit), Some(year), Some(measure), Some(planned))
            if f.errors.is_empty() =>
        {
            Ok(TargetRow {
                source,
                unit,
                year: year as i16,
                measure,
                sector,
                planned: planned as i32,
            })
        }
        _ => Err(f.errors),
    }
}

/// Targets (`POST /ingest/targets`).
pub struct Targets;

impl RecordKind for Targets {
    const SCHEMA: &'static Schema = &TARGET;
    type Row = TargetRow;
    type Writer = TargetBatch;

    fn validate(record: &Record) -> Result<TargetRow, Vec<FieldError>> {
        target(record)
    }

    async fn begin(pool: &PgPool, writer: Writer, format: Format) -> Result<TargetBatch, Error> {
        let mut ledger = Ledger::begin(pool, writer, format, TARGET.plural).await?;
        sqlx::query(STAGING).execute(&mut *ledger.tx).await?;
        Ok(TargetBatch {
            ledger,
            first: HashMap::new(),
        })
    }
}

const STAGING: &str = "CREATE TEMP TABLE ingest_target (
    row_no bigint NOT NULL, source text NOT NULL, unit text NOT NULL, path ltree NOT NULL,
    province text, year smallint NOT NULL, measure text NOT NULL, sector text,
    planned integer NOT NULL
) ON COMMIT DROP";

/// The staging columns, in the order [`encode`] writes them.
const COPY_STAGING: &str = "COPY ingest_target (row_no, source, unit, path, province, year, \
    measure, sector, planned) FROM STDIN";

/// Upserts the staged targets by their key; the batch has checked that no key repeats.
const UPSERT: &str = "INSERT INTO target AS t (unit, path, province, year, measure, sector,
        planned, source)
    SELECT unit, path, province, year, measure, sector, planned, source
    FROM ingest_target ORDER BY row_no
    ON CONFLICT (unit, year, measure, sector) DO UPDATE SET
        planned = excluded.planned, source = excluded.source, path = excluded.path,
        province = excluded.province";

/// A batch of targets being written.
pub struct TargetBatch {
    ledger: Ledger,
    /// The row of the batch that wrote each key.
    first: HashMap<Key, u64>,
}

impl TargetBatch {
    /// What the database says of a valid row: its unit's place, or every reason it cannot land.
    fn place(&self, t: &TargetRow) -> Result<(String, Option<String>), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = self.ledger.check_source(&t.source) {
            errors.push(e);
        }
        let place = self
            .ledger
            .check_unit("unit", &t.unit)
            .map_err(|e| errors.push(e))
            .ok()
            .map(|u| (u.path.clone(), u.province.clone()));
        if let Some(at) = self.first.get(&t.key()) {
            errors.push(FieldError::new(
                "",
                format!(
                    "repeats row {at} (same unit, year, measure and sector); the first is kept"
                ),
            ));
        }
        match place {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(errors),
        }
    }
}

impl ChunkWriter for TargetBatch {
    type Row = TargetRow;

    fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn into_ledger(self) -> Ledger {
        self.ledger
    }

    async fn write(&mut self, rows: Vec<Checked<TargetRow>>) -> Result<ChunkOutcome, Error> {
        self.ledger
            .learn(
                rows.iter()
                    .filter_map(|r| r.outcome.as_ref().ok())
                    .map(|t| t.unit.as_str()),
                rows.iter().filter_map(|r| r.source.as_deref()),
            )
            .await?;
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
                    self.first.insert(t.key(), r.row);
                    self.ledger.accept(&mut out, &t.source);
                }
                Err(errors) => self
                    .ledger
                    .reject(&mut out, r.row, r.source.as_deref(), errors),
            }
        }
        self.ledger
            .stage(COPY_STAGING, &buf, &[UPSERT, "TRUNCATE ingest_target"])
            .await?;
        Ok(out)
    }
}

/// One staging row, in the columns of [`COPY_STAGING`].
fn encode(buf: &mut CopyBuf, row: u64, t: &TargetRow, path: &str, province: Option<&str>) {
    buf.raw(row)
        .text(&t.source)
        .text(t.unit.as_str())
        .text(path)
        .opt_text(province)
        .raw(t.year)
        .raw(t.measure.as_str())
        .opt_raw(t.sector.map(Sector::as_str))
        .raw(t.planned);
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
            "unit": "01",
            "year": 2026,
            "measure": "inspections",
            "sector": "land",
            "planned": 120
        })
    }

    use crate::ingest::validate::testing::{error_fields, with, without};

    /// The fields named by the errors of a JSON record.
    fn fields_of(v: Value) -> Vec<String> {
        error_fields(target(&Record::Json(v)))
    }

    #[test]
    fn a_target_is_read_from_json_and_csv_alike() {
        let t = target(&Record::Json(good())).unwrap();
        assert_eq!(
            t,
            TargetRow {
                source: "HT-UBKT-01".into(),
                unit: UnitCode::parse("01").unwrap(),
                year: 2026,
                measure: TargetMeasure::Inspections,
                sector: Some(Sector::Land),
                planned: 120,
            }
        );
        let header = Arc::new(Header::parse(&TARGET, TARGET.fields.iter().copied()).unwrap());
        let cells = ["HT-UBKT-01", "01", " 2026", "inspections", "land", "120 "];
        let csv = target(&Record::Csv(
            header.clone(),
            csv::StringRecord::from(cells.to_vec()),
        ));
        assert_eq!(csv, Ok(t.clone()));
        let all_sectors = ["HT-UBKT-01", "01", "2026", "inspections", "", "120"];
        let csv = target(&Record::Csv(
            header,
            csv::StringRecord::from(all_sectors.to_vec()),
        ));
        assert_eq!(csv.unwrap().sector, None);
        assert_eq!(
            target(&Record::Json(without(good(), "sector")))
                .unwrap()
                .sector,
            None
        );
    }

    #[test]
    fn types_vocabularies_and_bounds_name_their_field() {
        let cases = [
            (with(good(), "year", json!(1999)), "year"),
            (with(good(), "year", json!(2101)), "year"),
            (with(good(), "year", json!("2026")), "year"),
            (with(good(), "measure", json!("arrests")), "measure"),
            (with(good(), "sector", json!("sports")), "sector"),
            (with(good(), "planned", json!(-1)), "planned"),
            (with(good(), "planned", json!(10_000_001)), "planned"),
            (with(good(), "planned", json!(1.5)), "planned"),
            (with(good(), "unit", json!(1)), "unit"),
            (with(good(), "external_id", json!("x")), "external_id"),
            (without(good(), "planned"), "planned"),
            (without(good(), "source"), "source"),
        ];
        for (v, field) in cases {
            assert_eq!(fields_of(v.clone()), vec![field.to_string()], "{v}");
        }
        assert!(target(&Record::Json(with(good(), "planned", json!(10_000_000)))).is_ok());
        assert!(target(&Record::Json(with(good(), "planned", json!(0)))).is_ok());
        let e = target(&Record::Json(with(good(), "kind", json!(1)))).unwrap_err();
        assert_eq!(e[0].reason, "is not a field of a target");
        assert_eq!(fields_of(json!(null)), vec![String::new()]);
    }
}
