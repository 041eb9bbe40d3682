//! Property tests of the ingest parsers and validators, for cases, tasks and targets in JSON
//! arrays, NDJSON and CSV:
//! - any bytes, in any format and for any record kind, are read or refused whole naming `body`,
//!   `header` or a column, never a panic, and the answer does not depend on how the bytes arrive;
//! - any JSON value as a record is accepted or refused with errors that name a field;
//! - a valid record, written as JSON, NDJSON or CSV (columns in any order, a BOM or not, CRLF or
//!   LF, blank lines, quotes), reads back equal to what was written;
//! - a valid record with one field made wrong (wrong type, out of range, too long, unknown word,
//!   NUL, huge or negative number) is refused naming exactly that field.
//!
//! Cases per property: [`CASES`], or `PROPTEST_CASES`.

use super::parse::{self, Format, Unreadable};
use super::record::{CASE, Record, Schema, TARGET, TASK};
use super::targets::{self, TargetRow};
use super::tasks::{self, TaskRow};
use super::validate::{self, CaseRow, FieldError};
use crate::testing::proptest_config;
use chrono::NaiveDate;
use domain::{
    CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, TargetMeasure, TaskStatus, UnitCode,
    ViolationCategory,
};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use serde_json::{Map, Value, json};
use std::io::{self, Read};
use std::ops::ControlFlow;

/// Cases per property unless `PROPTEST_CASES` says otherwise (the suite takes a few seconds).
const CASES: u32 = 256;

const FORMATS: [Format; 3] = [Format::Json, Format::Ndjson, Format::Csv];
const SCHEMAS: [&Schema; 3] = [&CASE, &TASK, &TARGET];

/// Every record of `bytes` (rows and records), or why the batch cannot be read.
fn read_all(
    schema: &'static Schema,
    format: Format,
    input: impl Read,
) -> Result<Vec<(u64, Record)>, Unreadable> {
    let mut out = Vec::new();
    parse::read_as(schema, format, input, |row, r| {
        out.push((row, r));
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

/// A reader that hands the bytes out in the given chunk sizes, as a network would.
struct Chunked<'a> {
    bytes: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes.get(self.next % self.sizes.len().max(1)).copied();
        self.next += 1;
        let n = size
            .unwrap_or(usize::MAX)
            .max(1)
            .min(buf.len())
            .min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Whether a refusal of a whole batch names where: `body`, `header`, or a column (a field of
/// the schema, or the unknown name the header gave).
fn names_where(e: &Unreadable) -> bool {
    !e.field.trim().is_empty()
}

// ---------------------------------------------------------------------------------------------
// Generators of valid records.

fn day_in(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = NaiveDate> {
    (years, 1u32..=366).prop_map(|(y, d)| {
        NaiveDate::from_yo_opt(y, d)
            .or_else(|| NaiveDate::from_yo_opt(y, 365))
            .expect("day 365 exists every year")
    })
}

/// `day` plus 0 to `span` days, within the years dates may fall in.
fn on_or_after(day: NaiveDate, span: u64) -> impl Strategy<Value = NaiveDate> {
    (0..=span).prop_map(move |n| {
        day.checked_add_days(chrono::Days::new(n))
            .filter(|d| validate::YEARS.contains(&chrono::Datelike::year(d)))
            .unwrap_or(day)
    })
}

/// Free text of `min..=max` characters without NUL: plain, Vietnamese, or anything a CSV or JSON
/// writer must quote or escape (commas, quotes, `;`, tabs, CR, LF, a BOM, backslashes).
fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    let plain = proptest::string::string_regex(&format!("[A-Za-z0-9\\-]{{{min},{max}}}"))
        .expect("a valid pattern");
    let odd = proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_filter("no NUL", |c| *c != '\0'),
            select(vec![
                ',', '"', ';', '\t', '\r', '\n', '\u{feff}', '\\', ' ', 'đ', 'ệ',
            ]),
        ],
        min..=max,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>());
    prop_oneof![plain, odd].boxed()
}

fn unit_code() -> impl Strategy<Value = UnitCode> {
    prop_oneof![
        Just("VN".to_string()),
        (1u8..=6).prop_map(|n| format!("TW{n}")),
        "[0-9]{2}",
        "[0-9]{5}",
        "[0-9]{5}_[0-9]{2}",
        "[0-9]{5}_[0-9]{2}_[0-9]{2}",
    ]
    .prop_map(|s| UnitCode::parse(&s).expect("a code of a valid shape"))
}

fn word<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    select(all)
}

/// A case that meets `case.schema.json` and the rules between its fields.
fn a_case() -> impl Strategy<Value = CaseRow> {
    let head = (
        text(1, 64),
        text(1, 128),
        word(CaseKind::ALL),
        proptest::option::of(text(1, 200)),
        unit_code(),
        word(SubjectType::ALL),
        unit_code(),
        proptest::option::of(text(1, 64)),
        word(Sector::ALL),
        word(CaseStatus::ALL),
    );
    let tail = (
        day_in(validate::YEARS),
        proptest::option::of(any::<bool>()),
        subsequence(ViolationCategory::ALL, 0..=ViolationCategory::ALL.len()),
        any::<Index>(),
        proptest::option::of(prop_oneof![0i64..=1_000_000_000_000, 0..=i64::MAX]),
        proptest::option::of((8.0f64..=24.0, 102.0f64..=118.0)),
        proptest::option::of(word(DisciplineForm::ALL)),
    );
    (head, tail).prop_flat_map(
        |(
            (
                source,
                external_id,
                kind,
                theme,
                conducting,
                subject_type,
                subject_unit,
                sref,
                sector,
                status,
            ),
            (opened_on, violation, mut categories, shuffle, amount, location, form),
        )| {
            // Categories in any order, each once.
            if !categories.is_empty() {
                let k = shuffle.index(categories.len());
                categories.rotate_left(k);
            }
            let form = form.filter(|f| f.fits(subject_type));
            let dates = (
                proptest::option::of(on_or_after(opened_on, 400)),
                on_or_after(opened_on, 400),
                any::<bool>(),
                on_or_after(opened_on, 400),
            );
            dates.prop_map(move |(due_on, concluded, has_concluded, decided)| CaseRow {
                source: source.clone(),
                external_id: external_id.clone(),
                kind,
                theme: theme.clone(),
                conducting_unit: conducting.clone(),
                subject_type,
                subject_unit: subject_unit.clone(),
                subject_ref: sref.clone(),
                sector,
                status,
                opened_on,
                due_on,
                concluded_on: (has_concluded || status == CaseStatus::Concluded)
                    .then_some(concluded),
                violation,
                violation_categories: categories.clone(),
                amount_vnd: amount,
                discipline: form.map(|f| (f, decided)),
                location,
            })
        },
    )
}

/// A task that meets its schema and the rules between its fields.
fn a_task() -> impl Strategy<Value = TaskRow> {
    (
        (
            text(1, 64),
            text(1, 128),
            text(1, 64),
            unit_code(),
            text(1, 500),
        ),
        (
            day_in(validate::YEARS),
            word(TaskStatus::ALL),
            0i16..=100,
            proptest::option::of(text(1, 128)),
            proptest::option::of(text(0, 2000)),
        ),
    )
        .prop_flat_map(
            |(
                (source, external_id, directive, unit, title),
                (assigned, status, progress, parent, note),
            )| {
                (
                    on_or_after(assigned, 800),
                    on_or_after(assigned, 800),
                    day_in(validate::YEARS),
                )
                    .prop_map(move |(due_on, done, report_on)| {
                        let done_on = (status == TaskStatus::Done).then_some(done);
                        TaskRow {
                            source: source.clone(),
                            external_id: external_id.clone(),
                            directive: directive.clone(),
                            unit: unit.clone(),
                            title: title.clone(),
                            assigned_on: assigned,
                            due_on,
                            progress: if status == TaskStatus::Done {
                                100
                            } else {
                                progress
                            },
                            status,
                            done_on,
                            parent_external_id: parent.clone().filter(|p| *p != external_id),
                            report: note.clone().map(|n| (report_on, n)),
                        }
                    })
            },
        )
}

/// A target that meets its schema.
fn a_target() -> impl Strategy<Value = TargetRow> {
    (
        text(1, 64),
        unit_code(),
        targets::YEARS,
        word(TargetMeasure::ALL),
        proptest::option::of(word(Sector::ALL)),
        0..=targets::MAX_PLANNED,
    )
        .prop_map(|(source, unit, year, measure, sector, planned)| TargetRow {
            source,
            unit,
            year: year as i16,
            measure,
            sector,
            planned: planned as i32,
        })
}

// ---------------------------------------------------------------------------------------------
// Writers: a record as JSON, and as CSV cells by field (empty: absent).

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn case_json(c: &CaseRow) -> Value {
    let mut o = Map::new();
    o.insert("source".into(), json!(c.source));
    o.insert("external_id".into(), json!(c.external_id));
    o.insert("kind".into(), json!(c.kind.as_str()));
    if let Some(t) = &c.theme {
        o.insert("theme".into(), json!(t));
    }
    o.insert("conducting_unit".into(), json!(c.conducting_unit.as_str()));
    let mut subject = json!({"type": c.subject_type.as_str(), "unit": c.subject_unit.as_str()});
    if let Some(r) = &c.subject_ref {
        subject["ref"] = json!(r);
    }
    o.insert("subject".into(), subject);
    o.insert("sector".into(), json!(c.sector.as_str()));
    o.insert("status".into(), json!(c.status.as_str()));
    o.insert("opened_on".into(), json!(day(c.opened_on)));
    for (k, d) in [("due_on", c.due_on), ("concluded_on", c.concluded_on)] {
        if let Some(d) = d {
            o.insert(k.into(), json!(day(d)));
        }
    }
    if let Some(v) = c.violation {
        o.insert("violation".into(), json!(v));
    }
    if !c.violation_categories.is_empty() {
        let words: Vec<&str> = c.violation_categories.iter().map(|v| v.as_str()).collect();
        o.insert("violation_categories".into(), json!(words));
    }
    if let Some(a) = c.amount_vnd {
        o.insert("amount_vnd".into(), json!(a));
    }
    if let Some((form, decided)) = c.discipline {
        o.insert(
            "discipline".into(),
            json!({"form": form.as_str(), "decided_on": day(decided)}),
        );
    }
    if let Some((lat, lon)) = c.location {
        o.insert("location".into(), json!({"lat": lat, "lon": lon}));
    }
    Value::Object(o)
}

fn case_cells(c: &CaseRow) -> Vec<(&'static str, String)> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let opt_day = |d: Option<NaiveDate>| d.map(day).unwrap_or_default();
    vec![
        ("source", c.source.clone()),
        ("external_id", c.external_id.clone()),
        ("kind", c.kind.to_string()),
        ("theme", opt(&c.theme)),
        ("conducting_unit", c.conducting_unit.as_str().to_string()),
        ("subject.type", c.subject_type.to_string()),
        ("subject.unit", c.subject_unit.as_str().to_string()),
        ("subject.ref", opt(&c.subject_ref)),
        ("sector", c.sector.to_string()),
        ("status", c.status.to_string()),
        ("opened_on", day(c.opened_on)),
        ("due_on", opt_day(c.due_on)),
        ("concluded_on", opt_day(c.concluded_on)),
        (
            "violation",
            c.violation.map(|v| v.to_string()).unwrap_or_default(),
        ),
        (
            "violation_categories",
            c.violation_categories
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        (
            "amount_vnd",
            c.amount_vnd.map(|a| a.to_string()).unwrap_or_default(),
        ),
        (
            "discipline.form",
            c.discipline.map(|d| d.0.to_string()).unwrap_or_default(),
        ),
        ("discipline.decided_on", opt_day(c.discipline.map(|d| d.1))),
        (
            "location.lat",
            c.location.map(|l| l.0.to_string()).unwrap_or_default(),
        ),
        (
            "location.lon",
            c.location.map(|l| l.1.to_string()).unwrap_or_default(),
        ),
    ]
}

fn task_json(t: &TaskRow) -> Value {
    let mut v = json!({
        "source": t.source, "external_id": t.external_id, "directive": t.directive,
        "unit": t.unit.as_str(), "title": t.title, "assigned_on": day(t.assigned_on),
        "due_on": day(t.due_on), "progress": t.progress, "status": t.status.as_str(),
    });
    if let Some(d) = t.done_on {
        v["done_on"] = json!(day(d));
    }
    if let Some(p) = &t.parent_external_id {
        v["parent_external_id"] = json!(p);
    }
    if let Some((on, note)) = &t.report {
        v["report"] = json!({"on": day(*on), "note": note});
    }
    v
}

fn task_cells(t: &TaskRow) -> Vec<(&'static str, String)> {
    vec![
        ("source", t.source.clone()),
        ("external_id", t.external_id.clone()),
        ("directive", t.directive.clone()),
        ("unit", t.unit.as_str().to_string()),
        ("title", t.title.clone()),
        ("assigned_on", day(t.assigned_on)),
        ("due_on", day(t.due_on)),
        ("progress", t.progress.to_string()),
        ("status", t.status.to_string()),
        ("done_on", t.done_on.map(day).unwrap_or_default()),
        (
            "parent_external_id",
            t.parent_external_id.clone().unwrap_or_default(),
        ),
        (
            "report.on",
            t.report.as_ref().map(|r| day(r.0)).unwrap_or_default(),
        ),
        (
            "report.note",
            t.report.as_ref().map(|r| r.1.clone()).unwrap_or_default(),
        ),
    ]
}

fn target_json(t: &TargetRow) -> Value {
    let mut v = json!({
        "source": t.source, "unit": t.unit.as_str(), "year": t.year,
        "measure": t.measure.as_str(), "planned": t.planned,
    });
    if let Some(s) = t.sector {
        v["sector"] = json!(s.as_str());
    }
    v
}

fn target_cells(t: &TargetRow) -> Vec<(&'static str, String)> {
    vec![
        ("source", t.source.clone()),
        ("unit", t.unit.as_str().to_string()),
        ("year", t.year.to_string()),
        ("measure", t.measure.to_string()),
        (
            "sector",
            t.sector.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("planned", t.planned.to_string()),
    ]
}

/// How a batch is laid out: blanks, line ends, a BOM, the CSV's column order and quoting.
#[derive(Debug, Clone)]
struct Layout {
    bom: bool,
    crlf: bool,
    pretty: bool,
    /// Blank lines after these rows (NDJSON, CSV).
    blank_after: Vec<bool>,
    /// Drives the column order.
    order: Vec<Index>,
    quote_all: bool,
    /// Extra empty columns of optional fields.
    extra: Vec<bool>,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(prop::bool::weighted(0.2), 0..8),
        proptest::collection::vec(any::<Index>(), 20),
        any::<bool>(),
        proptest::collection::vec(any::<bool>(), 20),
    )
        .prop_map(
            |(bom, crlf, pretty, blank_after, order, quote_all, extra)| Layout {
                bom,
                crlf,
                pretty,
                blank_after,
                order,
                quote_all,
                extra,
            },
        )
}

impl Layout {
    fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    fn start(&self) -> Vec<u8> {
        if self.bom {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        }
    }

    fn blank_after(&self, i: usize) -> bool {
        self.blank_after.get(i).copied().unwrap_or(false)
    }

    /// A JSON array of the records.
    fn json(&self, records: &[Value]) -> Vec<u8> {
        let mut out = self.start();
        let body = if self.pretty {
            serde_json::to_vec_pretty(records)
        } else {
            serde_json::to_vec(records)
        };
        out.extend(body.expect("JSON values serialize"));
        out
    }

    /// One record a line, blank lines here and there; the rows each record is on.
    fn ndjson(&self, records: &[Value]) -> (Vec<u8>, Vec<u64>) {
        let mut out = self.start();
        let mut rows = Vec::new();
        let mut line = 0u64;
        for (i, r) in records.iter().enumerate() {
            line += 1;
            rows.push(line);
            out.extend(r.to_string().into_bytes());
            out.extend(self.eol().as_bytes());
            if self.blank_after(i) {
                line += 1;
                out.extend(self.eol().as_bytes());
            }
        }
        (out, rows)
    }

    /// A CSV with the columns every record fills, the schema's required ones and some empty
    /// optional ones, in a shuffled order.
    fn csv(&self, schema: &Schema, records: &[Vec<(&'static str, String)>]) -> Vec<u8> {
        let mut columns: Vec<&'static str> = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                schema.required.contains(f)
                    || self.extra.get(*i).copied().unwrap_or(false)
                    || records
                        .iter()
                        .any(|r| r.iter().any(|(k, v)| k == *f && !v.is_empty()))
            })
            .map(|(_, f)| *f)
            .collect();
        for (i, at) in self.order.iter().enumerate() {
            let n = columns.len();
            if n > 1 {
                columns.swap(i % n, at.index(n));
            }
        }
        let line = |cells: &[&str]| -> Vec<u8> {
            let mut w = csv::WriterBuilder::new()
                .terminator(if self.crlf {
                    csv::Terminator::CRLF
                } else {
                    csv::Terminator::Any(b'\n')
                })
                .quote_style(if self.quote_all {
                    csv::QuoteStyle::Always
                } else {
                    csv::QuoteStyle::Necessary
                })
                .from_writer(Vec::new());
            w.write_record(cells).expect("writing to memory");
            w.into_inner().unwrap_or_default()
        };
        let mut out = self.start();
        out.extend(line(&columns));
        for (i, r) in records.iter().enumerate() {
            let cells: Vec<&str> = columns
                .iter()
                .map(|c| {
                    r.iter()
                        .find(|(k, _)| k == c)
                        .map_or("", |(_, v)| v.as_str())
                })
                .collect();
            out.extend(line(&cells));
            if self.blank_after(i) {
                out.extend(self.eol().as_bytes());
            }
        }
        out
    }
}

/// What a record's check gave.
type Checked<R> = Result<R, Vec<FieldError>>;

/// Reads a batch and checks each record with `check`; the rows and what each check gave.
fn read_checked<R>(
    schema: &'static Schema,
    format: Format,
    bytes: &[u8],
    check: impl Fn(&Record) -> Result<R, Vec<FieldError>>,
) -> Result<Vec<(u64, Checked<R>)>, Unreadable> {
    Ok(read_all(schema, format, bytes)?
        .into_iter()
        .map(|(row, r)| (row, check(&r)))
        .collect())
}

/// The rows a valid batch of `n` records is read as, in each format.
fn expected_rows(format: Format, n: usize, ndjson_rows: &[u64]) -> Vec<u64> {
    match format {
        Format::Ndjson => ndjson_rows.to_vec(),
        _ => (1..=n as u64).collect(),
    }
}

/// Writes `rows` in every format with `layout`, reads them back with `check`, and asserts the
/// rows come back equal and numbered as documented.
fn round_trip<R: PartialEq + std::fmt::Debug + Clone>(
    schema: &'static Schema,
    rows: &[R],
    layout: &Layout,
    to_json: impl Fn(&R) -> Value,
    to_cells: impl Fn(&R) -> Vec<(&'static str, String)>,
    check: impl Fn(&Record) -> Result<R, Vec<FieldError>> + Copy,
) -> Result<(), TestCaseError> {
    let records: Vec<Value> = rows.iter().map(&to_json).collect();
    let (ndjson, ndjson_rows) = layout.ndjson(&records);
    let csv_rows: Vec<_> = rows.iter().map(&to_cells).collect();
    for (format, bytes) in [
        (Format::Json, layout.json(&records)),
        (Format::Ndjson, ndjson),
        (Format::Csv, layout.csv(schema, &csv_rows)),
    ] {
        let got = read_checked(schema, format, &bytes, check);
        let want: Vec<(u64, Checked<R>)> = expected_rows(format, rows.len(), &ndjson_rows)
            .into_iter()
            .zip(rows.iter().cloned().map(Ok))
            .collect();
        prop_assert_eq!(
            got,
            Ok(want),
            "{:?}: {}",
            format,
            String::from_utf8_lossy(&bytes)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(CASES))]

    #[test]
    fn any_bytes_are_read_or_refused_whole_naming_where(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            "\\PC{0,200}".prop_map(String::into_bytes),
            "[\\[\\]{}\",:0-9a-z \\r\\n\\\\]{0,200}".prop_map(String::into_bytes),
        ],
        schema in 0usize..3,
        format in 0usize..3,
        sizes in proptest::collection::vec(1usize..64, 1..8),
    ) {
        let (schema, format) = (SCHEMAS[schema], FORMATS[format]);
        let whole = read_all(schema, format, &bytes[..]);
        match &whole {
            Ok(records) => {
                let rows: Vec<u64> = records.iter().map(|(r, _)| *r).collect();
                prop_assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
                prop_assert!(rows.first().is_none_or(|r| *r >= 1));
            }
            Err(e) => {
                prop_assert!(names_where(e), "{e:?}");
                prop_assert!(!e.reason.is_empty());
            }
        }
        // However the bytes arrive, the answer is the same.
        let chunked = read_all(schema, format, Chunked { bytes: &bytes, sizes, next: 0 });
        prop_assert_eq!(whole, chunked);
    }

    #[test]
    fn any_content_type_is_a_format_or_refused(s in prop_oneof![
        "(application/json|application/x-ndjson|text/csv|text/plain)(; ?charset=[a-zA-Z0-9\\-\"]{0,10})?",
        any::<String>(),
    ]) {
        if let Ok(f) = Format::from_content_type(&s) {
            let name = match f {
                Format::Json => "json",
                Format::Ndjson => "ndjson",
                Format::Csv => "csv",
            };
            prop_assert!(s.to_ascii_lowercase().contains(name), "{s}");
        }
    }

    #[test]
    fn any_json_value_is_a_record_or_refused_naming_fields(
        value in record_like(),
        schema in 0usize..3,
    ) {
        let schema = SCHEMAS[schema];
        let record = Record::Json(value.clone());
        let errors = match schema.name {
            "case" => validate::case(&record).err(),
            "task" => tasks::task(&record).err(),
            _ => targets::target(&record).err(),
        };
        for e in errors.unwrap_or_default() {
            let known = schema.has_field(&e.field) || schema.objects.contains(&e.field.as_str());
            let unknown_key = value.as_object().is_some_and(|o| {
                o.keys().any(|k| e.field.starts_with(&super::record::clip(k)))
            });
            let not_an_object = e.field.is_empty() && !value.is_object();
            prop_assert!(known || unknown_key || not_an_object, "{e:?} in {value}");
            prop_assert!(!e.reason.is_empty());
        }
    }

    #[test]
    fn valid_cases_read_back_equal_in_every_format(
        rows in proptest::collection::vec(a_case(), 1..6),
        layout in layout(),
    ) {
        round_trip(&CASE, &rows, &layout, case_json, case_cells, validate::case)?;
    }

    #[test]
    fn valid_tasks_read_back_equal_in_every_format(
        rows in proptest::collection::vec(a_task(), 1..6),
        layout in layout(),
    ) {
        round_trip(&TASK, &rows, &layout, task_json, task_cells, tasks::task)?;
    }

    #[test]
    fn valid_targets_read_back_equal_in_every_format(
        rows in proptest::collection::vec(a_target(), 1..6),
        layout in layout(),
    ) {
        round_trip(&TARGET, &rows, &layout, target_json, target_cells, targets::target)?;
    }

    #[test]
    fn a_case_with_one_wrong_field_is_refused_naming_it((row, (field, wrong)) in a_case().prop_flat_map(|c| (Just(c), wrong_case_field()))) {
        let mut v = case_json(&row);
        // The nested object's other field, so that the object is whole but for this one.
        if field.starts_with("location.") && v.get("location").is_none() {
            v["location"] = json!({"lat": 21.0, "lon": 105.0});
        }
        if field.starts_with("discipline.") && v.get("discipline").is_none() {
            v["discipline"] = json!({"form": "warning", "decided_on": "2100-12-31"});
        }
        set(&mut v, &field, wrong.clone());
        let errors = validate::case(&Record::Json(v.clone())).err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        prop_assert_eq!(fields, vec![field.as_str()], "{} = {}: {:?}", field, wrong, errors);
    }

    #[test]
    fn a_csv_case_with_one_wrong_cell_is_refused_naming_it(row in a_case(), (field, wrong) in wrong_case_cell()) {
        let mut cells = case_cells(&row);
        if let Some(c) = cells.iter_mut().find(|(k, _)| *k == field) {
            c.1 = wrong.clone();
        }
        // The discipline's and location's other cell, so that the object is there.
        for (object, other, filler) in [
            ("discipline", "discipline.form", "warning"),
            ("discipline", "discipline.decided_on", "2100-12-31"),
            ("location", "location.lat", "21"),
            ("location", "location.lon", "105"),
        ] {
            if field.starts_with(object) && field != other
                && let Some(c) = cells.iter_mut().find(|(k, _)| *k == other)
                && c.1.is_empty()
            {
                c.1 = filler.to_string();
            }
        }
        let layout = Layout { bom: false, crlf: false, pretty: false, blank_after: vec![], order: vec![], quote_all: false, extra: vec![] };
        let bytes = layout.csv(&CASE, &[cells]);
        let read = read_checked(&CASE, Format::Csv, &bytes, validate::case);
        let fields: Vec<String> = match &read {
            Ok(rows) => rows.iter().flat_map(|(_, r)| r.as_ref().err().cloned().unwrap_or_default()).map(|e| e.field).collect(),
            Err(e) => vec![e.field.clone()],
        };
        prop_assert_eq!(fields, vec![field.to_string()], "{:?} = {:?}: {:?}", field, wrong, read);
    }
}

/// Sets a flattened field of a JSON record (`subject.unit`).
fn set(v: &mut Value, field: &str, value: Value) {
    match field.split_once('.') {
        Some((object, key)) => {
            if !v[object].is_object() {
                v[object] = json!({});
            }
            v[object][key] = value;
        }
        None => v[field] = value,
    }
}

/// A JSON value shaped like a record of some kind, with fields of any type and value.
fn record_like() -> impl Strategy<Value = Value> {
    let names: Vec<&'static str> = SCHEMAS
        .iter()
        .flat_map(|s| s.fields.iter().chain(s.objects.iter()).copied())
        .chain(["x", "subject.x", ""])
        .collect();
    prop_oneof![
        1 => wrong_value(),
        4 => proptest::collection::vec((select(names), wrong_value()), 0..12).prop_map(|fields| {
            let mut v = json!({});
            for (k, val) in fields {
                set(&mut v, k, val);
            }
            v
        }),
    ]
}

/// A JSON value of any type: huge and negative numbers, floats, long and odd strings, nulls,
/// arrays, objects.
fn wrong_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|x| json!(x)),
        Just(json!(-1)),
        Just(json!(1e300)),
        Just(json!(u64::MAX)),
        any::<String>().prop_map(Value::String),
        "[a-z0-9_\\-]{0,12}".prop_map(Value::String),
        (1usize..3000).prop_map(|n| Value::String("đ".repeat(n))),
        Just(json!("2025-02-30")),
        Just(json!("21.5")),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text that is no word of any vocabulary (nor blank, which CSV reads as absent).
fn not_a_word() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z_]{1,20}", "\\PC{1,20}"].prop_filter("not a word", |s| {
        !s.trim().is_empty()
            && s.trim().parse::<CaseKind>().is_err()
            && s.trim().parse::<Sector>().is_err()
            && s.trim().parse::<CaseStatus>().is_err()
            && s.trim().parse::<SubjectType>().is_err()
            && s.trim().parse::<DisciplineForm>().is_err()
            && s.trim().parse::<ViolationCategory>().is_err()
    })
}

fn not_a_unit() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,7}", "TW[0-9]{1,2}", "\\PC{1,12}"].prop_filter("not a code", |s| {
        !s.trim().is_empty() && UnitCode::parse(s).is_err()
    })
}

fn not_a_date() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,3}",
        Just("1899-12-31".to_string()),
        Just("2101-01-01".to_string()),
        Just("2025-02-29".to_string()),
        "\\PC{1,12}",
    ]
    .prop_filter("not a date in range", |s| {
        !s.trim().is_empty()
            && NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| {
                    s.trim().len() == 10 && validate::YEARS.contains(&chrono::Datelike::year(d))
                })
                .is_none()
    })
}

/// Text longer than `max` characters.
fn too_long(max: usize) -> impl Strategy<Value = String> {
    (max + 1..max + 40, select(vec!['a', 'đ', '😀'])).prop_map(|(n, c)| c.to_string().repeat(n))
}

/// A field of a case and a JSON value that field cannot take.
fn wrong_case_field() -> impl Strategy<Value = (String, Value)> {
    let non_string = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!([])),
        Just(json!({})),
    ];
    let field = |f: &'static str, s: BoxedStrategy<Value>| s.prop_map(move |v| (f.to_string(), v));
    let s = |st: BoxedStrategy<String>| st.prop_map(Value::String).boxed();
    let nul =
        |f: &'static str| "[a-z]{0,5}".prop_map(move |a| (f.to_string(), json!(format!("{a}\0"))));
    prop_oneof![
        field(
            "source",
            prop_oneof![
                non_string.clone().boxed(),
                s(too_long(64).boxed()),
                Just(json!("")).boxed()
            ]
            .boxed()
        ),
        nul("source"),
        field(
            "external_id",
            prop_oneof![
                non_string.clone().boxed(),
                s(too_long(128).boxed()),
                Just(json!("")).boxed()
            ]
            .boxed()
        ),
        nul("external_id"),
        field(
            "theme",
            prop_oneof![non_string.clone().boxed(), s(too_long(200).boxed())].boxed()
        ),
        field(
            "subject.ref",
            prop_oneof![non_string.clone().boxed(), s(too_long(64).boxed())].boxed()
        ),
        field(
            "kind",
            prop_oneof![non_string.clone().boxed(), s(not_a_word().boxed())].boxed()
        ),
        field(
            "sector",
            prop_oneof![non_string.clone().boxed(), s(not_a_word().boxed())].boxed()
        ),
        field(
            "status",
            prop_oneof![non_string.clone().boxed(), s(not_a_word().boxed())].boxed()
        ),
        field(
            "subject.type",
            prop_oneof![non_string.clone().boxed(), s(not_a_word().boxed())].boxed()
        ),
        field(
            "conducting_unit",
            prop_oneof![non_string.clone().boxed(), s(not_a_unit().boxed())].boxed()
        ),
        field(
            "subject.unit",
            prop_oneof![non_string.clone().boxed(), s(not_a_unit().boxed())].boxed()
        ),
        field(
            "opened_on",
            prop_oneof![non_string.clone().boxed(), s(not_a_date().boxed())].boxed()
        ),
        field(
            "due_on",
            prop_oneof![non_string.clone().boxed(), s(not_a_date().boxed())].boxed()
        ),
        field(
            "concluded_on",
            prop_oneof![non_string.clone().boxed(), s(not_a_date().boxed())].boxed()
        ),
        field(
            "violation",
            prop_oneof![
                Just(json!("true")).boxed(),
                Just(json!(1)).boxed(),
                Just(json!([])).boxed()
            ]
            .boxed()
        ),
        field(
            "violation_categories",
            prop_oneof![
                Just(json!("corruption")).boxed(),
                Just(json!(["corruption", "corruption"])).boxed(),
                Just(json!([1])).boxed(),
                not_a_word().prop_map(|w| json!([w])).boxed(),
            ]
            .boxed()
        ),
        field(
            "amount_vnd",
            prop_oneof![
                (i64::MIN..0).prop_map(|n| json!(n)).boxed(),
                ((i64::MAX as u64 + 1)..=u64::MAX)
                    .prop_map(|n| json!(n))
                    .boxed(),
                (0.01f64..1e6)
                    .prop_filter("not whole", |x| x.fract() != 0.0)
                    .prop_map(|x| json!(x))
                    .boxed(),
                Just(json!(1e300)).boxed(),
                Just(json!("100")).boxed(),
            ]
            .boxed()
        ),
        field(
            "location.lat",
            prop_oneof![
                prop_oneof![-1e300f64..8.0, 24.000001f64..1e300]
                    .prop_map(|x| json!(x))
                    .boxed(),
                Just(json!("21")).boxed(),
                Just(Value::Null).boxed(),
            ]
            .boxed()
        ),
        field(
            "location.lon",
            prop_oneof![
                prop_oneof![-1e300f64..102.0, 118.000001f64..1e300]
                    .prop_map(|x| json!(x))
                    .boxed(),
                Just(json!(true)).boxed(),
            ]
            .boxed()
        ),
        field(
            "discipline.form",
            prop_oneof![non_string.clone().boxed(), s(not_a_word().boxed())].boxed()
        ),
        field(
            "discipline.decided_on",
            prop_oneof![non_string.clone().boxed(), s(not_a_date().boxed())].boxed()
        ),
        field(
            "subject",
            prop_oneof![
                Just(json!("01")).boxed(),
                Just(json!([])).boxed(),
                Just(json!(1)).boxed()
            ]
            .boxed()
        ),
        field(
            "discipline",
            prop_oneof![Just(json!("warning")).boxed(), Just(json!(null)).boxed()].boxed()
        ),
        field(
            "location",
            prop_oneof![
                Just(json!([21.0, 105.0])).boxed(),
                Just(json!("21,105")).boxed()
            ]
            .boxed()
        ),
        "[a-z]{1,10}"
            .prop_filter("not a field", |k| !CASE.has_field(k)
                && !CASE.objects.contains(&k.as_str()))
            .prop_map(|k| (k, json!(1))),
        "[a-z]{1,6}"
            .prop_filter("not a field", |k| !CASE.has_field(&format!("subject.{k}")))
            .prop_map(|k| (format!("subject.{k}"), json!("x"))),
    ]
}

/// A CSV column of a case and a cell it cannot hold.
fn wrong_case_cell() -> impl Strategy<Value = (&'static str, String)> {
    let cell = |f: &'static str, s: BoxedStrategy<String>| s.prop_map(move |v| (f, v));
    prop_oneof![
        cell("source", too_long(64).boxed()),
        cell("external_id", too_long(128).boxed()),
        cell("theme", too_long(200).boxed()),
        cell("subject.ref", too_long(64).boxed()),
        cell("kind", not_a_word().boxed()),
        cell("sector", not_a_word().boxed()),
        cell("status", not_a_word().boxed()),
        cell("subject.type", not_a_word().boxed()),
        cell("conducting_unit", not_a_unit().boxed()),
        cell("subject.unit", not_a_unit().boxed()),
        cell("opened_on", not_a_date().boxed()),
        cell("due_on", not_a_date().boxed()),
        cell("concluded_on", not_a_date().boxed()),
        cell(
            "violation",
            prop_oneof!["yes|no|1|0|t|f", "\\PC{1,5}"]
                .prop_filter("not a boolean", |s| {
                    !s.trim().is_empty()
                        && !["true", "false"].contains(&s.trim().to_ascii_lowercase().as_str())
                })
                .boxed()
        ),
        cell(
            "violation_categories",
            prop_oneof![
                Just("corruption;corruption".to_string()),
                not_a_word()
                    .prop_filter("no separator", |w| !w.contains(';'))
                    .prop_map(|w| format!("corruption;{w}")),
            ]
            .boxed()
        ),
        cell(
            "amount_vnd",
            prop_oneof![
                (i64::MIN..0).prop_map(|n| n.to_string()),
                ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(|n| n.to_string()),
                Just("1.5".to_string()),
                Just("1e3".to_string()),
                Just("NaN".to_string()),
            ]
            .boxed()
        ),
        cell(
            "location.lat",
            prop_oneof![
                Just("NaN".to_string()),
                Just("inf".to_string()),
                Just("-inf".to_string()),
                Just("24.0001".to_string()),
                Just("1e400".to_string()),
                Just("21,5".to_string()),
            ]
            .boxed()
        ),
        cell(
            "location.lon",
            prop_oneof![
                Just("NaN".to_string()),
                Just("101.9999".to_string()),
                Just("abc".to_string()),
            ]
            .boxed()
        ),
        cell("discipline.form", not_a_word().boxed()),
        cell("discipline.decided_on", not_a_date().boxed()),
    ]
}

// Cases the properties found, kept as named tests.

#[test]
fn a_csv_header_with_a_blank_column_is_refused_naming_the_header() {
    for body in [&b","[..], b"source,,kind\n", b"\xef\xbb\xbf \r\n"] {
        let e = read_all(&CASE, Format::Csv, body).unwrap_err();
        assert_eq!((e.row, e.field.as_str()), (None, "header"), "{e}");
        assert!(e.reason.starts_with("column "), "{e}");
    }
}

#[test]
fn a_location_sent_as_json_is_read_to_the_last_digit() {
    let v: Value =
        serde_json::from_str(r#"{"lat": 12.027166495021207, "lon": 113.78709024908197}"#).unwrap();
    assert_eq!(v["lon"].as_f64(), Some(113.787_090_249_081_97));
    assert_eq!(v["lat"].as_f64(), Some(12.027_166_495_021_207));
}
