//! The rules a case must meet to land, as plain functions: [`case`] reads a record against
//! `case.schema.json` and the rules between its fields; [`place`] checks what needs the database's
//! knowledge (codes that exist, the caller's scope and source), given that knowledge as maps.
//! Every error names the field (flattened with dots, as CSV headers name them) and the reason.

use super::record::{CASE, Given, Record, Schema, clip, type_name};
use crate::scope::Scope;
use chrono::{Datelike, NaiveDate};
use domain::{
    CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, UnitCode, UnitLevel,
    ViolationCategory,
};
use serde_json::Value;
use std::str::FromStr;

/// Bounds of `location`, from the schema.
pub const LAT_RANGE: std::ops::RangeInclusive<f64> = 8.0..=24.0;
pub const LON_RANGE: std::ops::RangeInclusive<f64> = 102.0..=118.0;
/// Years a date may fall in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A field that does not fit, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A case that meets the schema and the rules between its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub source: String,
    pub external_id: String,
    pub kind: CaseKind,
    pub theme: Option<String>,
    pub conducting_unit: UnitCode,
    pub subject_type: SubjectType,
    pub subject_unit: UnitCode,
    pub subject_ref: Option<String>,
    pub sector: Sector,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub violation: Option<bool>,
    pub violation_categories: Vec<ViolationCategory>,
    pub amount_vnd: Option<i64>,
    pub discipline: Option<(DisciplineForm, NaiveDate)>,
    /// `(lat, lon)`; absent means the subject unit's location.
    pub location: Option<(f64, f64)>,
}

/// Whether a field must be there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    Required,
    Optional,
}
pub(super) use Need::{Optional, Required};

/// Reads the fields of one record, collecting every error rather than stopping at the first.
/// The readers of each record kind (cases here, [`super::tasks`], [`super::targets`]) share it,
/// so that a type, a date or a number is read the same way whatever the kind.
pub(super) struct Fields<'a> {
    record: &'a Record,
    pub(super) errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Starts reading `record` as a record of `schema`, with its shape errors (JSON).
    pub(super) fn new(record: &'a Record, schema: &Schema) -> Fields<'a> {
        Fields {
            record,
            errors: record
                .shape_errors(schema)
                .into_iter()
                .map(|(field, reason)| FieldError { field, reason })
                .collect(),
        }
    }

    /// Whether the record is no JSON object at all (its only error is said already).
    pub(super) fn not_an_object(&self) -> bool {
        matches!(self.record, Record::Json(v) if !v.is_object())
    }

    /// Whether an error names `field` already.
    pub(super) fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub(super) fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// The field's text: a JSON string, or a CSV cell; `None` when absent (reported if required)
    /// or of another JSON type (reported).
    fn raw(&mut self, field: &str, need: Need) -> Option<&'a str> {
        match self.record.get(field) {
            Given::Absent => {
                if need == Required {
                    self.fail(field, "is required");
                }
                None
            }
            Given::Text(s) => Some(s),
            Given::Json(Value::String(s)) => Some(s),
            Given::Json(v) => {
                self.fail(field, format!("must be a string, not {}", type_name(v)));
                None
            }
        }
    }

    /// Free text of `min..=max` characters, without NUL characters.
    pub(super) fn text(
        &mut self,
        field: &str,
        need: Need,
        min: usize,
        max: usize,
    ) -> Option<String> {
        let s = self.raw(field, need)?;
        let n = s.chars().count();
        if n < min {
            self.fail(field, "must not be empty");
            None
        } else if n > max {
            self.fail(field, format!("is longer than {max} characters ({n})"));
            None
        } else if s.contains('\0') {
            self.fail(field, "must not contain NUL characters");
            None
        } else {
            Some(s.to_string())
        }
    }

    /// A word of a vocabulary.
    pub(super) fn word<T: FromStr<Err = domain::UnknownWord>>(
        &mut self,
        field: &str,
        need: Need,
    ) -> Option<T> {
        let s = self.structured(field, need)?;
        match s.parse() {
            Ok(w) => Some(w),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    /// Text that has a syntax (words, codes, dates, numbers): CSV cells are trimmed.
    pub(super) fn structured(&mut self, field: &str, need: Need) -> Option<&'a str> {
        let s = self.raw(field, need)?;
        Some(match self.record {
            Record::Csv(..) => s.trim(),
            Record::Json(_) => s,
        })
    }

    pub(super) fn unit(&mut self, field: &str) -> Option<UnitCode> {
        let s = self.structured(field, Required)?;
        match UnitCode::parse(s) {
            Ok(c) => Some(c),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    /// A day, `YYYY-MM-DD`, in the years [`YEARS`].
    pub(super) fn date(&mut self, field: &str, need: Need) -> Option<NaiveDate> {
        let s = self.structured(field, need)?;
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if shaped && YEARS.contains(&d.year()) => Some(d),
            Ok(_) if shaped => {
                self.fail(
                    field,
                    format!(
                        "'{s}' is outside the years {} to {}",
                        YEARS.start(),
                        YEARS.end()
                    ),
                );
                None
            }
            _ => {
                self.fail(field, format!("'{}' is not a date (YYYY-MM-DD)", clip(s)));
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.record.get(field) {
            Given::Absent => None,
            Given::Json(Value::Bool(b)) => Some(*b),
            Given::Json(v) => {
                self.fail(
                    field,
                    format!("must be true or false, not {}", type_name(v)),
                );
                None
            }
            Given::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => {
                    self.fail(field, format!("'{}' is not true or false", clip(s)));
                    None
                }
            },
        }
    }

    /// A whole number of at least 0.
    fn amount(&mut self, field: &str) -> Option<i64> {
        let n = match self.record.get(field) {
            Given::Absent => return None,
            Given::Json(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| {
                    if n.is_u64() {
                        format!("{n} is too large")
                    } else {
                        format!("{n} is not a whole number")
                    }
                }),
            Given::Json(v) => Err(format!("must be a whole number, not {}", type_name(v))),
            Given::Text(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("'{}' is not a whole number", clip(s))),
        };
        match n {
            Ok(n) if n >= 0 => Some(n),
            Ok(n) => {
                self.fail(field, format!("{n} is negative; must be at least 0"));
                None
            }
            Err(reason) => {
                self.fail(field, reason);
                None
            }
        }
    }

    /// A whole number in `range` (read as [`Self::amount`] reads one).
    pub(super) fn whole(
        &mut self,
        field: &str,
        need: Need,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        if self.record.get(field) == Given::Absent {
            if need == Required {
                self.fail(field, "is required");
            }
            return None;
        }
        let n = self.amount(field)?;
        if range.contains(&n) {
            Some(n)
        } else {
            self.fail(
                field,
                format!("{n} is outside {} to {}", range.start(), range.end()),
            );
            None
        }
    }

    /// A finite number in `range`.
    fn number(&mut self, field: &str, range: std::ops::RangeInclusive<f64>) -> Option<f64> {
        let x = match self.record.get(field) {
            Given::Absent => {
                self.fail(field, "is required");
                return None;
            }
            Given::Json(Value::Number(n)) => {
                n.as_f64().ok_or_else(|| format!("{n} is not a number"))
            }
            Given::Json(v) => Err(format!("must be a number, not {}", type_name(v))),
            Given::Text(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("'{}' is not a number", clip(s))),
        };
        match x {
            Ok(x) if range.contains(&x) => Some(x),
            Ok(x) => {
                self.fail(
                    field,
                    format!("{x} is outside {} to {}", range.start(), range.end()),
                );
                None
            }
            Err(reason) => {
                self.fail(field, reason);
                None
            }
        }
    }

    /// A list of distinct words: a JSON array of strings, or a CSV cell joined with `;`.
    fn words<T: FromStr<Err = domain::UnknownWord> + PartialEq>(&mut self, field: &str) -> Vec<T> {
        let items: Vec<&str> = match self.record.get(field) {
            Given::Absent => return Vec::new(),
            Given::Text(s) => s
                .split(';')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect(),
            Given::Json(Value::Array(items)) => {
                let mut words = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => words.push(s.as_str()),
                        other => {
                            self.fail(
                                field,
                                format!("must hold strings, not {}", type_name(other)),
                            );
                            return Vec::new();
                        }
                    }
                }
                words
            }
            Given::Json(v) => {
                self.fail(field, format!("must be an array, not {}", type_name(v)));
                return Vec::new();
            }
        };
        let mut out: Vec<T> = Vec::with_capacity(items.len());
        for item in items {
            match item.parse::<T>() {
                Ok(w) if out.contains(&w) => {
                    self.fail(field, format!("'{}' appears twice", clip(item)));
                    return Vec::new();
                }
                Ok(w) => out.push(w),
                Err(e) => {
                    self.fail(field, e.to_string());
                    return Vec::new();
                }
            }
        }
        out
    }
}

/// Reads a record as a case: the schema's types, vocabularies, lengths and bounds, no unknown
/// field, and the rules between fields (a concluded case has `concluded_on`; `due_on`,
/// `concluded_on` and `discipline.decided_on` are not before `opened_on`; the discipline form
/// fits the subject type). All of the row's errors are returned together.
pub fn case(record: &Record) -> Result<CaseRow, Vec<FieldError>> {
    let mut f = Fields::new(record, &CASE);
    if f.not_an_object() {
        return Err(f.errors);
    }
    let source = f.text("source", Required, 1, 64);
    let external_id = f.text("external_id", Required, 1, 128);
    let kind = f.word::<CaseKind>("kind", Required);
    let theme = f.text("theme", Optional, 0, 200);
    let conducting_unit = f.unit("conducting_unit");
    if nested(record, "subject").is_none() {
        f.fail("subject", "is required");
    }
    let (subject_type, subject_unit, subject_ref) = if nested(record, "subject") == Some(true) {
        (
            f.word::<SubjectType>("subject.type", Required),
            f.unit("subject.unit"),
            f.text("subject.ref", Optional, 0, 64),
        )
    } else {
        (None, None, None)
    };
    let sector = f.word::<Sector>("sector", Required);
    let status = f.word::<CaseStatus>("status", Required);
    let opened_on = f.date("opened_on", Required);
    let due_on = f.date("due_on", Optional);
    let concluded_on = f.date("concluded_on", Optional);
    let violation = f.boolean("violation");
    let violation_categories = f.words::<ViolationCategory>("violation_categories");
    let amount_vnd = f.amount("amount_vnd");
    let discipline = if nested(record, "discipline") == Some(true) {
        let form = f.word::<DisciplineForm>("discipline.form", Required);
        let decided_on = f.date("discipline.decided_on", Required);
        form.zip(decided_on)
    } else {
        None
    };
    let location = if nested(record, "location") == Some(true) {
        let lat = f.number("location.lat", LAT_RANGE);
        let lon = f.number("location.lon", LON_RANGE);
        lat.zip(lon)
    } else {
        None
    };

    if status == Some(CaseStatus::Concluded)
        && concluded_on.is_none()
        && !f.errors.iter().any(|e| e.field == "concluded_on")
    {
        f.fail("concluded_on", "is required when the status is concluded");
    }
    if let Some(opened) = opened_on {
        for (field, day) in [
            ("due_on", due_on),
            ("concluded_on", concluded_on),
            ("discipline.decided_on", discipline.map(|d| d.1)),
        ] {
            if let Some(day) = day
                && day < opened
            {
                f.fail(field, format!("{day} is before opened_on ({opened})"));
            }
        }
    }
    if let (Some((form, _)), Some(subject)) = (discipline, subject_type)
        && !form.fits(subject)
    {
        f.fail(
            "discipline.form",
            format!("'{form}' does not apply to a subject of type '{subject}' (dismissal and expulsion apply to members only, dissolution to organizations only)"),
        );
    }

    match (
        source,
        external_id,
        kind,
        conducting_unit,
        subject_type,
        subject_unit,
        sector,
        status,
        opened_on,
    ) {
        (
            Some(source),
            Some(external_id),
            Some(kind),
            Some(conducting_unit),
            Some(subject_type),
            Some(subject_unit),
            Some(sector),
            Some(status),
            Some(opened_on),
        ) if f.errors.is_empty() => Ok(CaseRow {
            source,
            external_id,
            kind,
            theme,
            conducting_unit,
            subject_type,
            subject_unit,
            subject_ref,
            sector,
            status,
            opened_on,
            due_on,
            concluded_on,
            violation,
            violation_categories,
            amount_vnd,
            discipline,
            location,
        }),
        _ => Err(f.errors),
    }
}

/// Whether a record has the nested object `object`: `None` absent, `Some(false)` present but not
/// an object (a shape error, already reported), `Some(true)` present. A CSV always has `subject`
/// (its columns are required) and has another object when one of its cells is filled.
pub(super) fn nested(record: &Record, object: &str) -> Option<bool> {
    match record {
        Record::Json(v) => v.get(object).map(Value::is_object),
        Record::Csv(..) => (object == "subject" || record.has(object)).then_some(true),
    }
}

/// The `source` a record names, if it is text (to count rejected rows against their source).
pub fn source_of(record: &Record) -> Option<&str> {
    match record.get("source") {
        Given::Text(s) => Some(s),
        Given::Json(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// What the database knows of a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRef {
    pub path: String,
    pub province: Option<String>,
    pub level: UnitLevel,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Who writes a batch, and what they may write: their scope, and the one source a token is
/// bound to.
#[derive(Debug, Clone, PartialEq)]
pub struct Writer {
    /// The user's or token's name (`written_by`, the audit trail's actor).
    pub actor: String,
    pub scope: Scope,
    /// For a token bound to a data source: the only source its rows may name.
    pub source: Option<String>,
}

/// Where a valid case lands: its subject's place in the hierarchy, and its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub path: String,
    pub province: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// Levels of the units that conduct cases (committees, not grassroots organizations or cells).
const CONDUCTING_LEVELS: [UnitLevel; 4] = [
    UnitLevel::Central,
    UnitLevel::Committee,
    UnitLevel::Province,
    UnitLevel::Commune,
];

/// Whether `writer` may write as source `code`, whose owner unit has the path `owner_path`
/// (`None`: no such source). `Err` says why not.
pub fn may_write_as(writer: &Writer, code: &str, owner_path: Option<&str>) -> Result<(), String> {
    let Some(owner_path) = owner_path else {
        return Err(format!("no data source has the code '{}'", clip(code)));
    };
    match &writer.source {
        Some(own) if own != code => Err(format!(
            "this token writes as data source '{own}' only, not '{}'",
            clip(code)
        )),
        Some(_) => Ok(()),
        None if writer.scope.contains_path(owner_path) => Ok(()),
        None => Err(format!(
            "data source '{}' belongs to a unit outside your scope ({})",
            clip(code),
            writer.scope.unit
        )),
    }
}

/// The unit a row names in `field`, if it exists (`found`) and lies within the writer's scope.
pub fn within_scope<'u>(
    writer: &Writer,
    field: &str,
    code: &UnitCode,
    found: Option<&'u UnitRef>,
) -> Result<&'u UnitRef, FieldError> {
    let Some(u) = found else {
        return Err(FieldError::new(
            field,
            format!("no unit has the code '{code}'"),
        ));
    };
    if !writer.scope.contains_path(&u.path) {
        return Err(FieldError::new(
            field,
            format!(
                "unit '{code}' is outside your scope ({})",
                writer.scope.unit
            ),
        ));
    }
    Ok(u)
}

/// Checks a case against what the database knows (`unit` and `source_owner` look codes up):
/// the source is one the writer may write as, both units exist and lie within the writer's
/// scope, the conducting unit is a committee, and there is a location (the subject unit's when
/// the row has none).
pub fn place<'u>(
    row: &CaseRow,
    writer: &Writer,
    unit: impl Fn(&str) -> Option<&'u UnitRef>,
    source_owner: impl Fn(&str) -> Option<&'u str>,
) -> Result<Placement, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(reason) = may_write_as(writer, &row.source, source_owner(&row.source)) {
        errors.push(FieldError::new("source", reason));
    }
    let mut known = |field: &str, code: &UnitCode| -> Option<&'u UnitRef> {
        within_scope(writer, field, code, unit(code.as_str()))
            .map_err(|e| errors.push(e))
            .ok()
    };
    let conducting = known("conducting_unit", &row.conducting_unit);
    let subject = known("subject.unit", &row.subject_unit);
    if let Some(c) = conducting
        && !CONDUCTING_LEVELS.contains(&c.level)
    {
        errors.push(FieldError::new(
            "conducting_unit",
            format!(
                "unit '{}' is a {} unit; cases are conducted by the centre, a committee under it, a province or a commune",
                row.conducting_unit, c.level
            ),
        ));
    }
    let Some(subject) = subject else {
        return Err(errors);
    };
    let location = row
        .location
        .or(subject.lat.zip(subject.lon))
        .filter(|(lat, lon)| LAT_RANGE.contains(lat) && LON_RANGE.contains(lon));
    if location.is_none() {
        errors.push(FieldError::new(
            "location",
            format!(
                "is required: the subject unit '{}' has no location on record",
                row.subject_unit
            ),
        ));
    }
    match location {
        Some((lat, lon)) if errors.is_empty() => Ok(Placement {
            path: subject.path.clone(),
            province: subject.province.clone(),
            lat,
            lon,
        }),
        _ => Err(errors),
    }
}

/// What the validators' unit tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::FieldError;
    use serde_json::Value;

    /// The fields named by a validator's errors, sorted (it must have refused).
    pub fn error_fields<T: std::fmt::Debug>(checked: Result<T, Vec<FieldError>>) -> Vec<String> {
        let mut out: Vec<String> = checked.unwrap_err().into_iter().map(|e| e.field).collect();
        out.sort();
        out
    }

    /// A JSON record with one top-level field set.
    pub fn with(mut v: Value, key: &str, value: Value) -> Value {
        v[key] = value;
        v
    }

    /// A JSON record without one top-level field.
    pub fn without(mut v: Value, key: &str) -> Value {
        if let Some(o) = v.as_object_mut() {
            o.remove(key);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::record::Header;
    use serde_json::json;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn good() -> Value {
        json!({
            "source": "HT-UBKT-01",
            "external_id": "A-1",
            "kind": "inspection_violation_signs",
            "conducting_unit": "01",
            "subject": {"type": "member", "unit": "00004", "ref": "M-9"},
            "sector": "land",
            "status": "concluded",
            "opened_on": "2025-03-01",
            "due_on": "2025-05-01",
            "concluded_on": "2025-04-20",
            "violation": true,
            "violation_categories": ["land_management", "corruption"],
            "amount_vnd": 1200000000,
            "discipline": {"form": "warning", "decided_on": "2025-04-25"},
            "location": {"lat": 21.02, "lon": 105.84}
        })
    }

    /// The fields named by the errors of a JSON record.
    fn fields_of(v: Value) -> Vec<String> {
        testing::error_fields(case(&Record::Json(v)))
    }

    fn with(mut v: Value, path: &[&str], value: Value) -> Value {
        let mut at = &mut v;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        v
    }

    fn without(mut v: Value, key: &str) -> Value {
        v.as_object_mut().unwrap().remove(key);
        v
    }

    #[test]
    fn a_full_case_is_read() {
        let row = case(&Record::Json(good())).unwrap();
        assert_eq!(row.kind, CaseKind::InspectionViolationSigns);
        assert_eq!(row.subject_unit.as_str(), "00004");
        assert_eq!(row.subject_ref.as_deref(), Some("M-9"));
        assert_eq!(
            row.violation_categories,
            vec![
                ViolationCategory::LandManagement,
                ViolationCategory::Corruption
            ]
        );
        assert_eq!(row.amount_vnd, Some(1_200_000_000));
        assert_eq!(
            row.discipline,
            Some((
                DisciplineForm::Warning,
                NaiveDate::from_ymd_opt(2025, 4, 25).unwrap()
            ))
        );
        assert_eq!(row.location, Some((21.02, 105.84)));
    }

    #[test]
    fn a_csv_row_reads_like_its_json_twin() {
        let names = [
            "source",
            "external_id",
            "kind",
            "conducting_unit",
            "subject.type",
            "subject.unit",
            "subject.ref",
            "sector",
            "status",
            "opened_on",
            "due_on",
            "concluded_on",
            "violation",
            "violation_categories",
            "amount_vnd",
            "discipline.form",
            "discipline.decided_on",
            "location.lat",
            "location.lon",
        ];
        let cells = [
            "HT-UBKT-01",
            "A-1",
            "inspection_violation_signs",
            " 01 ",
            "member",
            "00004",
            "M-9",
            "land",
            "concluded",
            "2025-03-01",
            "2025-05-01",
            "2025-04-20",
            "TRUE",
            "land_management; corruption",
            "1200000000",
            "warning",
            "2025-04-25",
            "21.02",
            "105.84",
        ];
        let header = Arc::new(Header::parse(&CASE, names).unwrap());
        let csv = case(&Record::Csv(
            header,
            csv::StringRecord::from(cells.to_vec()),
        ))
        .unwrap();
        assert_eq!(csv, case(&Record::Json(good())).unwrap());
    }

    #[test]
    fn types_enums_lengths_and_bounds_name_their_field() {
        let cases = [
            (with(good(), &["kind"], json!("gossip")), "kind"),
            (with(good(), &["kind"], json!(3)), "kind"),
            (with(good(), &["sector"], json!(null)), "sector"),
            (with(good(), &["external_id"], json!("")), "external_id"),
            (
                with(good(), &["external_id"], json!("x".repeat(129))),
                "external_id",
            ),
            (with(good(), &["source"], json!("S\u{0}")), "source"),
            (with(good(), &["theme"], json!("đ".repeat(201))), "theme"),
            (
                with(good(), &["conducting_unit"], json!("01;DROP")),
                "conducting_unit",
            ),
            (
                with(good(), &["subject", "type"], json!("person")),
                "subject.type",
            ),
            (with(good(), &["subject", "ref"], json!(12)), "subject.ref"),
            (
                with(good(), &["opened_on"], json!("2025-02-30")),
                "opened_on",
            ),
            (with(good(), &["opened_on"], json!("2025-3-1")), "opened_on"),
            (with(good(), &["due_on"], json!("1899-12-31")), "due_on"),
            (with(good(), &["violation"], json!("yes")), "violation"),
            (
                with(
                    good(),
                    &["violation_categories"],
                    json!(["corruption", "corruption"]),
                ),
                "violation_categories",
            ),
            (
                with(good(), &["violation_categories"], json!("corruption")),
                "violation_categories",
            ),
            (with(good(), &["amount_vnd"], json!(-1)), "amount_vnd"),
            (with(good(), &["amount_vnd"], json!(1.5)), "amount_vnd"),
            (with(good(), &["amount_vnd"], json!("100")), "amount_vnd"),
            (
                with(good(), &["location", "lat"], json!(25.0)),
                "location.lat",
            ),
            (
                with(good(), &["location", "lon"], json!("105")),
                "location.lon",
            ),
            (
                with(good(), &["discipline", "form"], json!("fine")),
                "discipline.form",
            ),
            (with(good(), &["colour"], json!("red")), "colour"),
            (with(good(), &["location", "alt"], json!(3)), "location.alt"),
            (with(good(), &["subject"], json!("00004")), "subject"),
            (without(good(), "subject"), "subject"),
            (without(good(), "opened_on"), "opened_on"),
        ];
        for (v, field) in cases {
            assert_eq!(fields_of(v.clone()), vec![field.to_string()], "{v}");
        }
        assert_eq!(fields_of(json!("a case")), vec![String::new()]);
    }

    #[test]
    fn dates_must_be_in_order_and_a_concluded_case_needs_its_day() {
        assert_eq!(
            fields_of(with(good(), &["due_on"], json!("2025-02-28"))),
            ["due_on"]
        );
        assert_eq!(
            fields_of(with(good(), &["concluded_on"], json!("2025-02-28"))),
            ["concluded_on"]
        );
        assert_eq!(
            fields_of(with(
                good(),
                &["discipline", "decided_on"],
                json!("2025-01-01")
            )),
            ["discipline.decided_on"]
        );
        assert_eq!(fields_of(without(good(), "concluded_on")), ["concluded_on"]);
        let in_progress = with(
            without(good(), "concluded_on"),
            &["status"],
            json!("in_progress"),
        );
        assert!(case(&Record::Json(in_progress)).is_ok());
        // Several errors of one row are reported together.
        let v = with(
            with(good(), &["kind"], json!("x")),
            &["due_on"],
            json!("2020-01-01"),
        );
        assert_eq!(fields_of(v), ["due_on", "kind"]);
    }

    #[test]
    fn the_discipline_form_must_fit_the_subject_type() {
        let org = with(good(), &["subject", "type"], json!("organization"));
        assert!(case(&Record::Json(org.clone())).is_ok());
        assert_eq!(
            fields_of(with(org, &["discipline", "form"], json!("expulsion"))),
            ["discipline.form"]
        );
        assert_eq!(
            fields_of(with(good(), &["discipline", "form"], json!("dissolution"))),
            ["discipline.form"]
        );
        let half = with(good(), &["discipline"], json!({"form": "warning"}));
        assert_eq!(fields_of(half), ["discipline.decided_on"]);
    }

    fn unit(path: &str, level: UnitLevel) -> UnitRef {
        UnitRef {
            path: path.into(),
            province: Some("01".into()),
            level,
            lat: Some(21.0),
            lon: Some(105.8),
        }
    }

    fn writer(scope_path: &str, source: Option<&str>) -> Writer {
        Writer {
            actor: "t".into(),
            scope: Scope {
                unit: scope_path.rsplit('.').next().unwrap().into(),
                path: scope_path.into(),
                name: String::new(),
                level: UnitLevel::Province,
            },
            source: source.map(str::to_string),
        }
    }

    fn placed(row: &CaseRow, w: &Writer) -> Result<Placement, Vec<String>> {
        let units: HashMap<&str, UnitRef> = [
            ("01", unit("VN.01", UnitLevel::Province)),
            ("00004", unit("VN.01.00004", UnitLevel::Commune)),
            (
                "00004_01",
                unit("VN.01.00004.00004_01", UnitLevel::Grassroots),
            ),
            ("79", unit("VN.79", UnitLevel::Province)),
            (
                "26734",
                UnitRef {
                    lat: None,
                    lon: None,
                    ..unit("VN.79.26734", UnitLevel::Commune)
                },
            ),
        ]
        .into_iter()
        .collect();
        let sources: HashMap<&str, &str> = [("HT-UBKT-01", "VN.01"), ("HT-UBKT-79", "VN.79")]
            .into_iter()
            .collect();
        place(row, w, |c| units.get(c), |s| sources.get(s).copied())
            .map_err(|e| e.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn references_must_exist_and_lie_within_the_scope_and_source() {
        let row = case(&Record::Json(good())).unwrap();
        let hanoi = writer("VN.01", None);
        assert_eq!(
            placed(&row, &hanoi),
            Ok(Placement {
                path: "VN.01.00004".into(),
                province: Some("01".into()),
                lat: 21.02,
                lon: 105.84
            })
        );
        let moved = |f: &dyn Fn(&mut CaseRow)| {
            let mut r = row.clone();
            f(&mut r);
            r
        };
        let code = |s: &str| UnitCode::parse(s).unwrap();
        let elsewhere = moved(&|r| r.subject_unit = code("79"));
        assert_eq!(placed(&elsewhere, &hanoi), Err(vec!["subject.unit".into()]));
        assert!(placed(&elsewhere, &writer("VN", None)).is_ok());
        let unknown = moved(&|r| r.conducting_unit = code("99999"));
        assert_eq!(
            placed(&unknown, &hanoi),
            Err(vec!["conducting_unit".into()])
        );
        let grassroots = moved(&|r| r.conducting_unit = code("00004_01"));
        assert_eq!(
            placed(&grassroots, &hanoi),
            Err(vec!["conducting_unit".into()])
        );
        let other_source = moved(&|r| r.source = "HT-UBKT-79".into());
        assert_eq!(placed(&other_source, &hanoi), Err(vec!["source".into()]));
        assert!(placed(&other_source, &writer("VN", None)).is_ok());
        let bound = writer("VN", Some("HT-UBKT-79"));
        assert_eq!(placed(&row, &bound), Err(vec!["source".into()]));
        assert!(placed(&other_source, &bound).is_ok());
        let nowhere = moved(&|r| r.source = "NOPE".into());
        assert_eq!(placed(&nowhere, &hanoi), Err(vec!["source".into()]));
    }

    #[test]
    fn the_location_defaults_to_the_subject_units() {
        let mut row = case(&Record::Json(good())).unwrap();
        row.location = None;
        let p = placed(&row, &writer("VN", None)).unwrap();
        assert_eq!((p.lat, p.lon), (21.0, 105.8));
        row.subject_unit = UnitCode::parse("26734").unwrap();
        assert_eq!(
            placed(&row, &writer("VN", None)),
            Err(vec!["location".into()])
        );
    }
}
