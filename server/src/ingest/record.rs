//! One record of a batch as it was read, before validation: a JSON value (from a JSON array or an
//! NDJSON line) or a CSV row under its header, and how to get a field of it by its flattened name
//! (`subject.unit`). The field names of each record kind ([`CASE`] per `case.schema.json`, [`TASK`],
//! [`TARGET`] per `docs/schema/`) are listed here, once, as a [`Schema`].

use csv::StringRecord;
use serde_json::Value;
use std::sync::Arc;

/// The fields of a case, flattened with dots as CSV headers name them, in the schema's order.
pub const FIELDS: [&str; 20] = [
    "source",
    "external_id",
    "kind",
    "theme",
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

/// The fields a case must have; a CSV without one of these columns cannot be read.
pub const REQUIRED: [&str; 9] = [
    "source",
    "external_id",
    "kind",
    "conducting_unit",
    "subject.type",
    "subject.unit",
    "sector",
    "status",
    "opened_on",
];

/// The nested objects of a case (`subject`, `discipline`, `location`).
pub const OBJECTS: [&str; 3] = ["subject", "discipline", "location"];

/// The fields of a task (task progress from a unit's system), flattened with dots.
pub const TASK_FIELDS: [&str; 13] = [
    "source",
    "external_id",
    "directive",
    "unit",
    "title",
    "assigned_on",
    "due_on",
    "progress",
    "status",
    "done_on",
    "parent_external_id",
    "report.on",
    "report.note",
];

/// The fields of a target (a planned figure).
pub const TARGET_FIELDS: [&str; 6] = ["source", "unit", "year", "measure", "sector", "planned"];

/// A record kind's field list: what its records may hold, must hold, and nest.
#[derive(Debug, PartialEq, Eq)]
pub struct Schema {
    /// One record, as errors name it (`case`).
    pub name: &'static str,
    /// Records, as a batch holds them and `ingest_batch.record_kind` names them (`cases`).
    pub plural: &'static str,
    /// The fields, flattened with dots as CSV headers name them, in the schema's order.
    pub fields: &'static [&'static str],
    /// The fields a record must have; a CSV without one of these columns cannot be read.
    pub required: &'static [&'static str],
    /// The nested objects.
    pub objects: &'static [&'static str],
}

/// A case, per `case.schema.json`.
pub const CASE: Schema = Schema {
    name: "case",
    plural: "cases",
    fields: &FIELDS,
    required: &REQUIRED,
    objects: &OBJECTS,
};

/// A task, per `docs/schema/task.schema.json`.
pub const TASK: Schema = Schema {
    name: "task",
    plural: "tasks",
    fields: &TASK_FIELDS,
    required: &[
        "source",
        "external_id",
        "directive",
        "unit",
        "title",
        "assigned_on",
        "due_on",
        "progress",
        "status",
    ],
    objects: &["report"],
};

/// A target, per `docs/schema/target.schema.json`.
pub const TARGET: Schema = Schema {
    name: "target",
    plural: "targets",
    fields: &TARGET_FIELDS,
    required: &["source", "unit", "year", "measure", "planned"],
    objects: &[],
};

impl Schema {
    fn position(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }

    /// Whether `field` (flattened) is one of the schema's.
    pub fn has_field(&self, field: &str) -> bool {
        self.position(field).is_some()
    }
}

/// What a CSV's header row says: which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    schema: &'static Schema,
    /// For each of the schema's fields, its column, if the header has it.
    columns: Vec<Option<usize>>,
    /// How many columns the header has.
    width: usize,
}

/// Why a header row cannot be used: the column's name and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    pub column: String,
    pub reason: String,
}

impl Header {
    /// Reads a header row: every name one of the schema's fields (surrounding blanks ignored),
    /// none twice, every required one present.
    pub fn parse<'a>(
        schema: &'static Schema,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Header, HeaderError> {
        let mut columns = vec![None; schema.fields.len()];
        let mut width = 0;
        for (i, name) in names.into_iter().enumerate() {
            width = i + 1;
            let name = name.trim();
            if name.is_empty() {
                // A refusal names where: a column without a name has only its place.
                return Err(HeaderError {
                    column: "header".into(),
                    reason: format!(
                        "column {} has no name; the columns are: {}",
                        i + 1,
                        schema.fields.join(", ")
                    ),
                });
            }
            let Some(f) = schema.position(name) else {
                return Err(HeaderError {
                    column: clip(name),
                    reason: format!(
                        "column {} is not a field of a {}; the columns are: {}",
                        i + 1,
                        schema.name,
                        schema.fields.join(", ")
                    ),
                });
            };
            if columns[f].is_some() {
                return Err(HeaderError {
                    column: name.to_string(),
                    reason: format!("column {} repeats this column", i + 1),
                });
            }
            columns[f] = Some(i);
        }
        if let Some(missing) = schema
            .required
            .iter()
            .find(|r| schema.position(r).is_none_or(|f| columns[f].is_none()))
        {
            return Err(HeaderError {
                column: missing.to_string(),
                reason: "the header lacks this required column".into(),
            });
        }
        Ok(Header {
            schema,
            columns,
            width,
        })
    }

    /// The schema the header was read against.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// How many columns every row must have.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The name of column `i`.
    pub fn name_of(&self, i: usize) -> &'static str {
        self.columns
            .iter()
            .position(|c| *c == Some(i))
            .map_or("", |f| self.schema.fields[f])
    }

    fn column(&self, field: &str) -> Option<usize> {
        self.schema.position(field).and_then(|f| self.columns[f])
    }
}

/// A value cut short enough to quote in an error.
pub fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// One record as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// From a JSON array or an NDJSON line: any JSON value (validation says if it is an object).
    Json(Value),
    /// A CSV row under its header (as many fields as the header has columns).
    Csv(Arc<Header>, StringRecord),
}

/// A field's value as a record gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Given<'a> {
    /// Not there (a missing JSON key, an empty CSV cell, no such CSV column).
    Absent,
    /// A JSON value, typed.
    Json(&'a Value),
    /// A CSV cell: text, to be read as the field's type.
    Text(&'a str),
}

impl Record {
    /// The value of a flattened field (`kind`, `subject.unit`).
    pub fn get(&self, field: &str) -> Given<'_> {
        match self {
            Record::Json(v) => {
                let value = match field.split_once('.') {
                    None => v.get(field),
                    Some((object, key)) => v
                        .get(object)
                        .and_then(Value::as_object)
                        .and_then(|o| o.get(key)),
                };
                value.map_or(Given::Absent, Given::Json)
            }
            Record::Csv(header, row) => match header.column(field).and_then(|i| row.get(i)) {
                Some(s) if !s.is_empty() => Given::Text(s),
                _ => Given::Absent,
            },
        }
    }

    /// Whether the record has the nested object `object` (JSON: the key, whatever its value;
    /// CSV: a non-empty cell in one of its columns).
    pub fn has(&self, object: &str) -> bool {
        match self {
            Record::Json(v) => v.get(object).is_some(),
            Record::Csv(header, _) => header
                .schema
                .fields
                .iter()
                .filter(|f| {
                    f.strip_prefix(object)
                        .is_some_and(|rest| rest.starts_with('.'))
                })
                .any(|f| self.get(f) != Given::Absent),
        }
    }

    /// Errors of shape that only JSON can have: not an object, a key that is not a field
    /// (`additionalProperties: false`), a nested part that is not an object. Each names the field.
    pub fn shape_errors(&self, schema: &Schema) -> Vec<(String, String)> {
        let Record::Json(v) = self else {
            return Vec::new();
        };
        let Some(object) = v.as_object() else {
            return vec![(
                String::new(),
                format!(
                    "a {} must be a JSON object, not {}",
                    schema.name,
                    type_name(v)
                ),
            )];
        };
        let unknown = || format!("is not a field of a {}", schema.name);
        let mut errors = Vec::new();
        for (key, value) in object {
            if schema.objects.contains(&key.as_str()) {
                let Some(inner) = value.as_object() else {
                    errors.push((
                        key.clone(),
                        format!("must be an object, not {}", type_name(value)),
                    ));
                    continue;
                };
                for inner_key in inner.keys() {
                    let name = format!("{key}.{inner_key}");
                    if !schema.has_field(&name) {
                        errors.push((clip(&name), unknown()));
                    }
                }
            } else if !schema.has_field(key) {
                errors.push((clip(key), unknown()));
            }
        }
        errors
    }
}

/// The JSON type of a value, as an error names it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_header_maps_columns_in_any_order() {
        let mut names: Vec<&str> = REQUIRED.to_vec();
        names.reverse();
        names.push(" location.lat ");
        let h = Header::parse(&CASE, names).unwrap();
        assert_eq!(h.width(), 10);
        assert_eq!(h.column("opened_on"), Some(0));
        assert_eq!(h.column("source"), Some(8));
        assert_eq!(h.column("location.lat"), Some(9));
        assert_eq!(h.column("theme"), None);
        assert_eq!(h.name_of(9), "location.lat");
    }

    #[test]
    fn a_bad_header_names_the_column() {
        let with = |extra: &str| {
            let mut names: Vec<&str> = REQUIRED.to_vec();
            names.push(extra);
            Header::parse(&CASE, names).unwrap_err().column
        };
        assert_eq!(with("subject"), "subject");
        assert_eq!(with("source"), "source");
        assert_eq!(with("Kind"), "Kind");
        let e = Header::parse(&CASE, ["source", "external_id"]).unwrap_err();
        assert_eq!(e.column, "kind");
    }

    #[test]
    fn fields_are_read_from_json_and_csv_alike() {
        let j = Record::Json(json!({"subject": {"unit": "01"}, "theme": ""}));
        assert_eq!(j.get("subject.unit"), Given::Json(&json!("01")));
        assert_eq!(j.get("subject.type"), Given::Absent);
        assert_eq!(j.get("theme"), Given::Json(&json!("")));
        assert!(j.has("subject") && !j.has("location"));

        let h = Arc::new(
            Header::parse(&CASE, REQUIRED.iter().copied().chain(["location.lon"])).unwrap(),
        );
        let row = StringRecord::from(vec!["S", "1", "", "", "", "01", "", "", "", "106.5"]);
        let c = Record::Csv(h, row);
        assert_eq!(c.get("subject.unit"), Given::Text("01"));
        assert_eq!(c.get("kind"), Given::Absent);
        assert_eq!(c.get("theme"), Given::Absent);
        assert!(c.has("location") && !c.has("discipline"));
    }

    #[test]
    fn json_shape_errors_name_the_field() {
        let r = Record::Json(
            json!({"kind": 1, "extra": 2, "subject": {"type": "member", "x": 1}, "location": [1]}),
        );
        let mut fields: Vec<String> = r.shape_errors(&CASE).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(fields, ["extra", "location", "subject.x"]);
        let r = Record::Json(json!([1, 2]));
        assert_eq!(
            r.shape_errors(&CASE),
            [(
                String::new(),
                "a case must be a JSON object, not an array".to_string()
            )]
        );
    }

    /// A JSON Schema's fields, flattened with dots, and its required ones (top level).
    fn documented(schema: &str) -> (Vec<String>, Vec<String>) {
        let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
        let mut fields = Vec::new();
        for (key, p) in schema["properties"].as_object().unwrap() {
            match p["properties"].as_object() {
                Some(inner) => fields.extend(inner.keys().map(|k| format!("{key}.{k}"))),
                None => fields.push(key.clone()),
            }
        }
        let required = schema["required"].as_array().unwrap();
        let required = required.iter().map(|r| r.as_str().unwrap().to_string());
        (fields, required.collect())
    }

    #[test]
    fn the_task_and_target_field_lists_are_those_of_their_documented_schemas() {
        for (schema, text) in [
            (&TASK, include_str!("../../../docs/schema/task.schema.json")),
            (
                &TARGET,
                include_str!("../../../docs/schema/target.schema.json"),
            ),
        ] {
            let (mut fields, required) = documented(text);
            let mut ours = schema.fields.to_vec();
            fields.sort();
            ours.sort();
            assert_eq!(fields, ours, "{}", schema.name);
            assert_eq!(required, schema.required, "{}", schema.name);
            let objects: Vec<&str> = schema
                .fields
                .iter()
                .filter_map(|f| Some(f.split_once('.')?.0))
                .collect();
            assert!(
                objects.iter().all(|o| schema.objects.contains(o)),
                "{}",
                schema.name
            );
        }
    }

    #[test]
    fn each_record_kind_names_itself_in_its_errors() {
        let e = Header::parse(&TASK, ["source", "kind"]).unwrap_err();
        assert_eq!(e.column, "kind");
        assert!(
            e.reason.starts_with(
                "column 2 is not a field of a task; the columns are: source, external_id, directive"
            ),
            "{}",
            e.reason
        );
        let e = Header::parse(&TARGET, ["source", "unit", "year", "measure"]).unwrap_err();
        assert_eq!(
            (e.column.as_str(), e.reason.as_str()),
            ("planned", "the header lacks this required column")
        );
        let r = Record::Json(
            json!({"title": "x", "report": {"on": "2025-01-01", "by": 1}, "subject": {}}),
        );
        assert_eq!(
            r.shape_errors(&TASK),
            [
                (
                    "report.by".to_string(),
                    "is not a field of a task".to_string()
                ),
                (
                    "subject".to_string(),
                    "is not a field of a task".to_string()
                )
            ]
        );
        assert_eq!(
            Record::Json(json!(3)).shape_errors(&TARGET),
            [(
                String::new(),
                "a target must be a JSON object, not a number".to_string()
            )]
        );
        let h = Arc::new(
            Header::parse(&TASK, TASK.required.iter().copied().chain(["report.note"])).unwrap(),
        );
        let mut cells = vec![""; 10];
        cells[9] = "ghi chú";
        let c = Record::Csv(h, StringRecord::from(cells));
        assert!(c.has("report"));
        assert_eq!(c.get("report.note"), Given::Text("ghi chú"));
    }
}
