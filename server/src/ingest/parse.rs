//! Reading a batch, one record at a time, from any byte reader: a JSON array (split element by
//! element), NDJSON (line by line) or CSV (record by record). Memory is bounded by one record
//! ([`MAX_ROW_BYTES`]), whatever the batch's size. Pure: HTTP bodies, files and the fuzz tests use
//! the same code.
//!
//! Any of these makes the whole batch unreadable: bytes that are not UTF-8, JSON syntax errors (in
//! any element or line), a body that is not a JSON array (for `application/json`), an array that
//! is not closed, a CSV without a usable header row or with a row whose number of fields differs
//! from the header's, a record larger than [`MAX_ROW_BYTES`], a read error of the input.

use super::record::{CASE, Header, Record, Schema, clip};
use csv::{ByteRecord, StringRecord};
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::sync::Arc;

/// Largest record (a JSON element, an NDJSON line, a CSV row), in bytes.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// How a batch is written, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`: one JSON array of cases.
    Json,
    /// `application/x-ndjson`: one case object a line.
    Ndjson,
    /// `text/csv`: one header row, fields flattened with dots, lists joined with `;`.
    Csv,
}

impl Format {
    /// The media types each format is sent as.
    pub const MEDIA_TYPES: &'static str = "application/json, application/x-ndjson or text/csv";

    /// The format of a `Content-Type` value; parameters other than `charset=utf-8` are ignored,
    /// another charset is refused (the reason says why).
    pub fn from_content_type(value: &str) -> Result<Format, String> {
        let mut parts = value.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let format = match media.as_str() {
            "application/json" => Format::Json,
            "application/x-ndjson" | "application/ndjson" => Format::Ndjson,
            "text/csv" => Format::Csv,
            _ => {
                return Err(format!(
                    "'{}' is not a batch format; send {}",
                    clip(value),
                    Self::MEDIA_TYPES
                ));
            }
        };
        for p in parts {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("charset")
                && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            {
                return Err(format!(
                    "charset '{}' is not accepted; send UTF-8",
                    clip(v.trim())
                ));
            }
        }
        Ok(format)
    }

    /// The format's short name (`json`, `ndjson`, `csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }
}

/// Why a batch cannot be read as a whole: where (the data row, when one is to blame; the field or
/// `body`), and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {reason}", row.map(|r| format!("row {r}: ")).unwrap_or_default())]
pub struct Unreadable {
    pub row: Option<u64>,
    pub field: String,
    pub reason: String,
}

impl Unreadable {
    fn body(row: Option<u64>, reason: impl Into<String>) -> Unreadable {
        Unreadable {
            row,
            field: "body".into(),
            reason: reason.into(),
        }
    }

    fn io(row: Option<u64>, e: &io::Error) -> Unreadable {
        Unreadable::body(row, e.to_string())
    }
}

/// Reads every case of `input` in `format`: [`read_as`] with [`CASE`].
pub fn read<R: Read>(
    format: Format,
    input: R,
    on_record: impl FnMut(u64, Record) -> ControlFlow<()>,
) -> Result<u64, Unreadable> {
    read_as(&CASE, format, input, on_record)
}

/// Reads every record of `input` in `format` as records of `schema` (a CSV header is read against
/// its fields; errors name its records), calling `on_record(row, record)` for each (rows
/// numbered from 1, see [`super`] for each format's numbering) until it answers `Break`. A UTF-8
/// byte order mark at the start is skipped. Returns the number of the last row read.
pub fn read_as<R: Read>(
    schema: &'static Schema,
    format: Format,
    input: R,
    mut on_record: impl FnMut(u64, Record) -> ControlFlow<()>,
) -> Result<u64, Unreadable> {
    let input = without_bom(input).map_err(|e| Unreadable::io(None, &e))?;
    match format {
        Format::Json => json_array(
            schema,
            BufReader::with_capacity(1 << 16, input),
            &mut on_record,
        ),
        Format::Ndjson => ndjson(BufReader::with_capacity(1 << 16, input), &mut on_record),
        Format::Csv => csv(schema, input, &mut on_record),
    }
}

/// The input without a leading UTF-8 byte order mark.
fn without_bom<R: Read>(mut input: R) -> io::Result<impl Read> {
    let mut start = [0u8; 3];
    let mut got = 0;
    while got < 3 {
        match input.read(&mut start[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let skip = if start[..got] == [0xEF, 0xBB, 0xBF] {
        3
    } else {
        0
    };
    Ok(io::Cursor::new(start[skip.min(got)..got].to_vec()).chain(input))
}

/// A JSON value read from one record's bytes; UTF-8 and syntax errors make the batch unreadable.
fn json_value(row: u64, bytes: &[u8]) -> Result<Record, Unreadable> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(Unreadable::body(
            Some(row),
            format!(
                "is not valid UTF-8 (byte {} of the row)",
                e.valid_up_to() + 1
            ),
        ));
    }
    serde_json::from_slice(bytes)
        .map(Record::Json)
        .map_err(|e| Unreadable::body(Some(row), format!("is not valid JSON: {e}")))
}

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// NDJSON: each line one JSON value; blank lines are skipped but counted (row = line number).
fn ndjson<R: BufRead>(
    mut input: R,
    on_record: &mut impl FnMut(u64, Record) -> ControlFlow<()>,
) -> Result<u64, Unreadable> {
    let mut line = Vec::new();
    let mut row = 0u64;
    loop {
        line.clear();
        let n = (&mut input)
            .take(MAX_ROW_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Unreadable::io(Some(row + 1), &e))?;
        if n == 0 {
            return Ok(row);
        }
        row += 1;
        if line.len() > MAX_ROW_BYTES {
            return Err(Unreadable::body(
                Some(row),
                format!("is longer than {MAX_ROW_BYTES} bytes"),
            ));
        }
        if line.iter().all(|b| is_json_space(*b)) {
            continue;
        }
        if on_record(row, json_value(row, &line)?).is_break() {
            return Ok(row);
        }
    }
}

/// Where the JSON array splitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before the opening `[`.
    Start,
    /// Where an element may start; `after_comma` forbids `]` (no trailing comma in JSON).
    BeforeElement { after_comma: bool },
    /// Inside an element.
    Element {
        depth: u32,
        in_string: bool,
        escaped: bool,
    },
    /// After the closing `]`: only blanks may follow.
    End,
}

/// A JSON array, split into its elements without reading the whole: the splitter follows strings
/// and brackets to find each element's end, and serde_json parses each element alone.
fn json_array<R: BufRead>(
    schema: &Schema,
    mut input: R,
    on_record: &mut impl FnMut(u64, Record) -> ControlFlow<()>,
) -> Result<u64, Unreadable> {
    let mut at = At::Start;
    let mut element: Vec<u8> = Vec::new();
    let mut row = 0u64;
    let mut seen_any = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Unreadable::io(Some(row + 1), &e)),
        };
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        for &b in buf {
            seen_any |= !is_json_space(b);
            at = match at {
                At::Start if is_json_space(b) => At::Start,
                At::Start if b == b'[' => At::BeforeElement { after_comma: false },
                At::Start => {
                    return Err(Unreadable::body(
                        None,
                        if b == b'{' {
                            format!(
                                "is one JSON object; send a JSON array of {}, or one object a \
                                 line as application/x-ndjson",
                                schema.plural
                            )
                        } else {
                            format!("is not a JSON array of {}", schema.plural)
                        },
                    ));
                }
                At::BeforeElement { .. } if is_json_space(b) => at,
                At::BeforeElement { after_comma: false } if b == b']' => At::End,
                At::BeforeElement { .. } if b == b']' || b == b',' => {
                    return Err(Unreadable::body(
                        Some(row + 1),
                        format!("expected a {} before '{}'", schema.name, b as char),
                    ));
                }
                At::BeforeElement { .. } => {
                    element.clear();
                    element.push(b);
                    match b {
                        b'"' => At::Element {
                            depth: 0,
                            in_string: true,
                            escaped: false,
                        },
                        b'{' | b'[' => At::Element {
                            depth: 1,
                            in_string: false,
                            escaped: false,
                        },
                        _ => At::Element {
                            depth: 0,
                            in_string: false,
                            escaped: false,
                        },
                    }
                }
                At::Element {
                    depth,
                    in_string: true,
                    escaped,
                } => {
                    element.push(b);
                    At::Element {
                        depth,
                        in_string: b != b'"' || escaped,
                        escaped: !escaped && b == b'\\',
                    }
                }
                At::Element { depth: 0, .. } if b == b',' || b == b']' => {
                    row += 1;
                    let record = json_value(row, &element)?;
                    element.clear();
                    if on_record(row, record).is_break() {
                        return Ok(row);
                    }
                    if b == b',' {
                        At::BeforeElement { after_comma: true }
                    } else {
                        At::End
                    }
                }
                At::Element { depth, .. } => {
                    element.push(b);
                    let depth = match b {
                        b'{' | b'[' => depth + 1,
                        b'}' | b']' => depth.saturating_sub(1),
                        _ => depth,
                    };
                    At::Element {
                        depth,
                        in_string: b == b'"',
                        escaped: false,
                    }
                }
                At::End if is_json_space(b) => At::End,
                At::End => {
                    return Err(Unreadable::body(
                        None,
                        format!("has '{}' after the end of the array", b as char),
                    ));
                }
            };
            if element.len() > MAX_ROW_BYTES {
                return Err(Unreadable::body(
                    Some(row + 1),
                    format!("is longer than {MAX_ROW_BYTES} bytes"),
                ));
            }
        }
        input.consume(len);
    }
    match at {
        At::End => Ok(row),
        At::Start if !seen_any => Err(Unreadable::body(
            None,
            format!("is empty; send a JSON array of {}", schema.plural),
        )),
        _ => Err(Unreadable::body(
            Some(row + 1),
            "ends before the array is closed (a truncated upload?)",
        )),
    }
}

/// Counts the bytes read since the last [`RowBudget::reset`] and fails past [`MAX_ROW_BYTES`]
/// (and a read-ahead margin), so that one enormous CSV field cannot fill the memory.
struct RowBudget<R> {
    inner: R,
    used: std::cell::Cell<usize>,
}

/// Bytes the CSV reader may read ahead of the row it is on.
const READ_AHEAD: usize = 1 << 16;

impl<R> RowBudget<R> {
    fn reset(&self) {
        self.used.set(0);
    }
}

impl<R: Read> Read for RowBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.used.get() + n;
        self.used.set(used);
        if used > MAX_ROW_BYTES + READ_AHEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a row is longer than {MAX_ROW_BYTES} bytes"),
            ));
        }
        Ok(n)
    }
}

/// CSV (RFC 4180): a header row, then rows with as many fields; blank lines are skipped and not
/// counted (row = the data record's number, the header not counted).
fn csv<R: Read>(
    schema: &'static Schema,
    input: R,
    on_record: &mut impl FnMut(u64, Record) -> ControlFlow<()>,
) -> Result<u64, Unreadable> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(READ_AHEAD)
        .from_reader(RowBudget {
            inner: input,
            used: std::cell::Cell::new(0),
        });
    let mut raw = ByteRecord::new();
    let csv_error = |row: Option<u64>, e: csv::Error| {
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(e) => Unreadable::io(row, &e),
            _ => Unreadable::body(row, message),
        }
    };
    if !reader
        .read_byte_record(&mut raw)
        .map_err(|e| csv_error(None, e))?
    {
        return Err(Unreadable::body(
            None,
            "is empty; a CSV starts with a header row",
        ));
    }
    let names = StringRecord::from_byte_record(raw.clone()).map_err(|_| Unreadable {
        row: None,
        field: "header".into(),
        reason: "is not valid UTF-8".into(),
    })?;
    let header = Header::parse(schema, names.iter()).map_err(|e| Unreadable {
        row: None,
        field: e.column,
        reason: e.reason,
    })?;
    let header = Arc::new(header);
    let mut row = 0u64;
    loop {
        reader.get_ref().reset();
        if !reader
            .read_byte_record(&mut raw)
            .map_err(|e| csv_error(Some(row + 1), e))?
        {
            return Ok(row);
        }
        row += 1;
        if raw.len() != header.width() {
            return Err(Unreadable::body(
                Some(row),
                format!(
                    "has {} fields; the header has {}",
                    raw.len(),
                    header.width()
                ),
            ));
        }
        let fields = match StringRecord::from_byte_record(std::mem::take(&mut raw)) {
            Ok(f) => f,
            Err(e) => {
                let column = e.utf8_error().field();
                return Err(Unreadable {
                    row: Some(row),
                    field: header.name_of(column).to_string(),
                    reason: "is not valid UTF-8".into(),
                });
            }
        };
        if on_record(row, Record::Csv(header.clone(), fields)).is_break() {
            return Ok(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every record of a batch, or why it cannot be read.
    fn all(format: Format, bytes: &[u8]) -> Result<Vec<(u64, Record)>, Unreadable> {
        let mut out = Vec::new();
        read(format, bytes, |row, r| {
            out.push((row, r));
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    fn json_rows(format: Format, bytes: &[u8]) -> Vec<(u64, serde_json::Value)> {
        all(format, bytes)
            .unwrap()
            .into_iter()
            .map(|(row, r)| match r {
                Record::Json(v) => (row, v),
                other => panic!("not JSON: {other:?}"),
            })
            .collect()
    }

    /// A reader that hands out one byte at a time, as a slow network would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn content_types_choose_the_format() {
        assert_eq!(
            Format::from_content_type("application/json; charset=UTF-8"),
            Ok(Format::Json)
        );
        assert_eq!(
            Format::from_content_type("Application/X-NDJSON"),
            Ok(Format::Ndjson)
        );
        assert_eq!(
            Format::from_content_type("text/csv;header=present"),
            Ok(Format::Csv)
        );
        assert!(Format::from_content_type("text/plain").is_err());
        assert!(Format::from_content_type("text/csv; charset=windows-1258").is_err());
    }

    #[test]
    fn a_json_array_is_split_into_its_elements() {
        let body = br#" [ {"a": "x,]}"}, 12 ,"s\"]", [1,[2]], {"b":{"c":[]}} ] "#;
        assert_eq!(
            json_rows(Format::Json, body),
            vec![
                (1, json!({"a": "x,]}"})),
                (2, json!(12)),
                (3, json!("s\"]")),
                (4, json!([1, [2]])),
                (5, json!({"b": {"c": []}})),
            ]
        );
        assert_eq!(json_rows(Format::Json, b"[]"), vec![]);
        assert_eq!(
            json_rows(Format::Json, "\u{feff}[{\"t\":\"Hà Nội\"}]".as_bytes()),
            vec![(1, json!({"t": "Hà Nội"}))]
        );
    }

    #[test]
    fn the_splitter_does_not_depend_on_how_the_bytes_arrive() {
        let body = "\u{feff}[{\"t\":\"Thành phố \\\"Huế\\\"\"},\n{\"n\":[1,2]}]";
        let mut got = Vec::new();
        read(Format::Json, Trickle(body.as_bytes()), |row, r| {
            got.push((row, r));
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(
            got,
            vec![
                (1, Record::Json(json!({"t": "Thành phố \"Huế\""}))),
                (2, Record::Json(json!({"n": [1, 2]}))),
            ]
        );
    }

    #[test]
    fn broken_json_arrays_are_unreadable_and_name_the_row() {
        for (body, row) in [
            (&b""[..], None),
            (b"   ", None),
            (b"{\"kind\": 1}", None),
            (b"[{}, {]", Some(2)),
            (b"[{},]", Some(2)),
            (b"[,{}]", Some(1)),
            (b"[{}, {}", Some(2)),
            (b"[{\"a\": \"unterminated}]", Some(1)),
            (b"[{}] x", None),
            (b"[{} {}]", Some(1)),
            (b"[{\"a\": \"\xff\"}]", Some(1)),
        ] {
            let e = all(Format::Json, body).unwrap_err();
            assert_eq!(e.row, row, "{}: {e}", String::from_utf8_lossy(body));
            assert_eq!(e.field, "body");
        }
    }

    #[test]
    fn ndjson_rows_are_line_numbers_and_blank_lines_are_skipped() {
        let body = b"{\"a\":1}\r\n\n  \n{\"b\":\"\xc4\x91\"}\n[1]";
        assert_eq!(
            json_rows(Format::Ndjson, body),
            vec![
                (1, json!({"a": 1})),
                (4, json!({"b": "đ"})),
                (5, json!([1]))
            ]
        );
        assert_eq!(json_rows(Format::Ndjson, b""), vec![]);
        let e = all(Format::Ndjson, b"{\"a\":1}\n{\"a\":").unwrap_err();
        assert_eq!(e.row, Some(2));
        let e = all(Format::Ndjson, b"{}\n{} {}\n").unwrap_err();
        assert_eq!(e.row, Some(2));
    }

    #[test]
    fn a_row_longer_than_the_limit_is_refused() {
        let long = format!("[{{\"theme\": \"{}\"}}]", "a".repeat(MAX_ROW_BYTES));
        assert!(all(Format::Json, long.as_bytes()).is_err());
        let long = format!("{{\"theme\": \"{}\"}}\n", "a".repeat(MAX_ROW_BYTES));
        assert_eq!(
            all(Format::Ndjson, long.as_bytes()).unwrap_err().row,
            Some(1)
        );
        let long = format!(
            "{}\n\"{}\n",
            super::super::record::REQUIRED.join(","),
            "a".repeat(MAX_ROW_BYTES * 2)
        );
        assert!(all(Format::Csv, long.as_bytes()).is_err());
    }

    #[test]
    fn csv_reads_quotes_bom_and_vietnamese() {
        let body = "\u{feff}source,external_id,kind,conducting_unit,subject.type,subject.unit,sector,status,opened_on,theme\r\n\
                    S,1,complaint,01,member,01,land,planned,2025-01-02,\"Đất đai, \"\"quy hoạch\"\"\r\nmới\"\r\n\
                    \r\n\
                    S,2,complaint,01,member,01,land,planned,2025-01-02,\n";
        let rows = all(Format::Csv, body.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 1);
        assert_eq!(rows[1].0, 2);
        assert_eq!(
            rows[0].1.get("theme"),
            super::super::record::Given::Text("Đất đai, \"quy hoạch\"\r\nmới")
        );
        assert_eq!(rows[1].1.get("theme"), super::super::record::Given::Absent);
    }

    #[test]
    fn broken_csv_is_unreadable_and_names_the_row_or_column() {
        let head = super::super::record::REQUIRED.join(",");
        for (body, row, field) in [
            (String::new(), None, "body"),
            ("source,kind\n".to_string(), None, "external_id"),
            (format!("{head},colour\n"), None, "colour"),
            (format!("{head}\na,b\n"), Some(1), "body"),
            (
                format!("{head}\na,b,c,d,e,f,g,h,i\na,b,c,d,e,f,g,h,i,j\n"),
                Some(2),
                "body",
            ),
        ] {
            let e = all(Format::Csv, body.as_bytes()).unwrap_err();
            assert_eq!((e.row, e.field.as_str()), (row, field), "{body}: {e}");
        }
        let mut bad = format!("{head}\na,b,c,d,e,f,g,h,").into_bytes();
        bad.extend_from_slice(b"\xe1\xbb\n");
        let e = all(Format::Csv, &bad).unwrap_err();
        assert_eq!((e.row, e.field.as_str()), (Some(1), "opened_on"));
    }

    #[test]
    fn a_read_error_of_the_input_makes_the_batch_unreadable() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("the upload broke off"))
            }
        }
        for format in [Format::Json, Format::Ndjson, Format::Csv] {
            let e = read(format, Broken, |_, _| ControlFlow::Continue(())).unwrap_err();
            assert!(e.reason.contains("broke off"), "{format:?}: {e}");
        }
        let e = read(
            Format::Ndjson,
            io::Cursor::new(b"{}\n".to_vec()).chain(Broken),
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap_err();
        assert_eq!(e.row, Some(2));
    }
}
