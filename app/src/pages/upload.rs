//! The upload screen for data officers: choose a batch file of cases, preview its first records,
//! check it on the server (`?dry_run=true`), then write it and show the report.

use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use domain::format;
use leptos::prelude::*;
use serde::Deserialize;

/// How many records the preview shows.
const PREVIEW_ROWS: usize = 10;

/// The batch formats the ingest endpoint reads, told apart by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchFormat {
    Csv,
    Json,
    Ndjson,
}

impl BatchFormat {
    /// The format of a file named `name`, if it is one we accept.
    pub fn from_name(name: &str) -> Option<BatchFormat> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(BatchFormat::Csv),
            "json" => Some(BatchFormat::Json),
            "ndjson" | "jsonl" => Some(BatchFormat::Ndjson),
            _ => None,
        }
    }

    /// The `Content-Type` the endpoint expects for it.
    pub fn content_type(self) -> &'static str {
        match self {
            BatchFormat::Csv => "text/csv",
            BatchFormat::Json => "application/json",
            BatchFormat::Ndjson => "application/x-ndjson",
        }
    }

    fn label(self) -> &'static str {
        match self {
            BatchFormat::Csv => "CSV",
            BatchFormat::Json => "JSON",
            BatchFormat::Ndjson => "NDJSON",
        }
    }
}

/// Parses CSV text (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF
/// or LF ends a record) into records, stopping after `limit` records. A leading BOM is skipped.
pub fn parse_csv(text: &str, limit: usize) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if records.len() >= limit {
            return records;
        }
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    if (!field.is_empty() || !record.is_empty()) && records.len() < limit {
        record.push(field);
        records.push(record);
    }
    records
}

/// The columns the JSON preview shows, in the flattened names of the CSV header.
const MAIN_FIELDS: [&str; 8] = [
    "source",
    "external_id",
    "kind",
    "subject.unit",
    "sector",
    "status",
    "opened_on",
    "concluded_on",
];

/// The first records of a JSON array or NDJSON text as rows of [`MAIN_FIELDS`]; `None` when the
/// text cannot be read (the server check says why).
pub fn json_preview(text: &str, format: BatchFormat, limit: usize) -> Option<Vec<Vec<String>>> {
    let values: Vec<serde_json::Value> = match format {
        BatchFormat::Json => serde_json::from_str::<Vec<serde_json::Value>>(text)
            .ok()?
            .into_iter()
            .take(limit)
            .collect(),
        _ => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(limit)
            .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
            .collect(),
    };
    let cell = |v: &serde_json::Value, path: &str| {
        let found = path.split('.').try_fold(v, |v, k| v.get(k));
        match found {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    Some(
        values
            .iter()
            .map(|v| MAIN_FIELDS.iter().map(|f| cell(v, f)).collect())
            .collect(),
    )
}

/// The errors of a report as a CSV file (row, field, reason), with a BOM so spreadsheets read UTF-8.
pub fn errors_csv(errors: &[RowError]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("\u{feff}row,field,reason\r\n");
    for e in errors {
        out.push_str(&format!(
            "{},{},{}\r\n",
            e.row,
            quote(&e.field),
            quote(&e.reason)
        ));
    }
    out
}

/// One refused row of a batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RowError {
    pub row: u64,
    pub field: String,
    pub reason: String,
}

/// The ingest endpoint's answer for a batch it read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IngestReport {
    pub batch: i64,
    pub accepted: u64,
    pub rejected: u64,
    #[serde(default)]
    pub errors: Vec<RowError>,
    #[serde(default)]
    pub errors_omitted: u64,
}

/// Why a batch got no report: refused whole (with the field and row named) or not sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refusal {
    pub error: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub row: Option<u64>,
}

/// A file the officer chose, read into memory.
#[derive(Debug, Clone)]
struct Chosen {
    name: String,
    size: u64,
    format: Option<BatchFormat>,
    bytes: Vec<u8>,
}

/// How far a batch's upload has gone: bytes sent of the total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sent {
    pub loaded: f64,
    pub total: f64,
}

impl Sent {
    /// Whether every byte has left (the server is now checking or writing).
    pub fn done(self) -> bool {
        self.total > 0.0 && self.loaded >= self.total
    }

    /// The share sent, from 0 to 1.
    pub fn share(self) -> f64 {
        if self.total > 0.0 {
            (self.loaded / self.total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

fn no_answer() -> Refusal {
    Refusal {
        error: String::new(),
        field: String::new(),
        row: None,
    }
}

/// Sends the batch to the ingest endpoint through `XMLHttpRequest`, whose upload events tell
/// `sent` how many bytes have left (fetch cannot).
#[cfg(feature = "hydrate")]
async fn send(
    bytes: Vec<u8>,
    format: BatchFormat,
    dry_run: bool,
    sent: RwSignal<Option<Sent>>,
) -> Result<IngestReport, Refusal> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let url = if dry_run {
        "/api/v1/ingest/cases?dry_run=true"
    } else {
        "/api/v1/ingest/cases"
    };
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| no_answer())?;
    xhr.open_with_async("POST", url, true)
        .map_err(|_| no_answer())?;
    xhr.set_request_header("Content-Type", format.content_type())
        .map_err(|_| no_answer())?;
    if let Some(token) = crate::browser::csrf_token() {
        xhr.set_request_header("X-CSRF-Token", &token)
            .map_err(|_| no_answer())?;
    }
    let total = bytes.len() as f64;
    sent.set(Some(Sent { loaded: 0.0, total }));
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            let total = if e.length_computable() {
                e.total()
            } else {
                total
            };
            sent.set(Some(Sent {
                loaded: e.loaded(),
                total,
            }));
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let finished = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    let body = js_sys::Uint8Array::from(bytes.as_slice());
    xhr.send_with_opt_buffer_source(Some(&body))
        .map_err(|_| no_answer())?;
    let outcome = wasm_bindgen_futures::JsFuture::from(finished).await;
    drop(on_progress);
    outcome.map_err(|_| no_answer())?;
    let status = xhr.status().unwrap_or(0);
    if status == 401 {
        crate::browser::go_to_login();
    }
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|e| Refusal {
            error: e.to_string(),
            field: String::new(),
            row: None,
        })
    } else {
        Err(serde_json::from_str(&text).unwrap_or(Refusal {
            error: format!("HTTP {status}"),
            field: String::new(),
            row: None,
        }))
    }
}

#[cfg(not(feature = "hydrate"))]
async fn send(
    _bytes: Vec<u8>,
    _format: BatchFormat,
    _dry_run: bool,
    _sent: RwSignal<Option<Sent>>,
) -> Result<IngestReport, Refusal> {
    Err(no_answer())
}

/// Reads the chosen file (from an input's or a drop's file list) into memory.
#[cfg(feature = "hydrate")]
async fn read_file(file: web_sys::File) -> Option<Chosen> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    let name = file.name();
    Some(Chosen {
        format: BatchFormat::from_name(&name),
        size: file.size() as u64,
        name,
        bytes: js_sys::Uint8Array::new(&buf).to_vec(),
    })
}

#[component]
pub fn UploadPage() -> impl IntoView {
    view! { <AppShell><Upload/></AppShell> }
}

#[component]
fn Upload() -> impl IntoView {
    let lang = use_lang();
    let chosen = RwSignal::new(None::<Chosen>);
    let check = RwSignal::new(None::<Result<IngestReport, Refusal>>);
    let result = RwSignal::new(None::<Result<IngestReport, Refusal>>);
    let busy = RwSignal::new(None::<Key>);
    let sent = RwSignal::new(None::<Sent>);
    let dragging = RwSignal::new(false);

    // A new file: preview it and check it at once.
    let take = move |c: Chosen| {
        check.set(None);
        result.set(None);
        let format = c.format;
        let bytes = c.bytes.clone();
        chosen.set(Some(c));
        if let Some(format) = format {
            busy.set(Some(Key::UploadChecking));
            leptos::task::spawn_local(async move {
                let r = send(bytes, format, true, sent).await;
                check.set(Some(r));
                busy.set(None);
                sent.set(None);
            });
        }
    };

    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                leptos::task::spawn_local(async move {
                    if let Some(c) = read_file(file).await {
                        take(c);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, take);
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        {
            let file = ev
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                leptos::task::spawn_local(async move {
                    if let Some(c) = read_file(file).await {
                        take(c);
                    }
                });
            }
        }
    };

    let commit = move |_| {
        let Some(c) = chosen.get_untracked() else {
            return;
        };
        let Some(format) = c.format else { return };
        busy.set(Some(Key::UploadWriting));
        leptos::task::spawn_local(async move {
            let r = send(c.bytes, format, false, sent).await;
            result.set(Some(r));
            busy.set(None);
            sent.set(None);
        });
    };
    let can_commit = move || {
        busy.get().is_none()
            && result.get().is_none()
            && matches!(check.get(), Some(Ok(ref r)) if r.accepted > 0)
    };
    let download_errors = move |_| {
        if let Some(Ok(r)) = check.get_untracked() {
            let csv = errors_csv(&r.errors);
            crate::browser::save_file("bao-cao-loi.csv", "text/csv;charset=utf-8", csv.as_bytes());
        }
    };

    let n = move |v: u64| format::integer(v as i64, lang.get());

    view! {
        <div class="upload">
            <h1>{t(Key::UploadTitle)}</h1>
            <p class="upload-hint">{t(Key::UploadHint)}</p>
            <label class="upload-zone" class:dragging=move || dragging.get()
                on:dragover=move |e: leptos::ev::DragEvent| { e.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <input type="file" class="upload-input" data-testid="upload-input"
                    accept=".csv,.json,.ndjson,.jsonl,text/csv,application/json" on:change=on_change/>
                <span class="btn-primary upload-button">{t(Key::UploadChoose)}</span>
                <span class="upload-drop">{t(Key::UploadDrop)}</span>
            </label>
            {move || chosen.get().map(|c| {
                let format = c.format;
                view! {
                    <p class="upload-file" data-testid="upload-file">
                        <strong>{c.name.clone()}</strong>" · "{format::integer(c.size as i64, lang.get())}" "
                        {move || text(lang.get(), Key::UploadBytes)}" · "
                        {move || match format {
                            Some(f) => format!("{} {}", text(lang.get(), Key::UploadFormat), f.label()),
                            None => text(lang.get(), Key::UploadBadType).to_string(),
                        }}
                    </p>
                    <Preview chosen=c/>
                }
            })}
            {move || busy.get().map(|k| {
                // While bytes leave: a bar of the share sent; then the server's work, of unknown length.
                let sending = move || sent.get().filter(|s| !s.done());
                view! {
                    <div class="upload-progress" role="status" data-testid="upload-progress">
                        {move || match sending() {
                            Some(s) => {
                                let pct = s.share() * 100.0;
                                view! {
                                    <div class="progress-bar" role="progressbar" aria-valuemin="0"
                                        aria-valuemax="100" aria-valuenow=format!("{pct:.0}")>
                                        <span style=format!("width:{pct:.1}%")></span>
                                    </div>
                                    <span>{move || format!("{} {} · {} / {} MB",
                                        text(lang.get(), Key::UploadSending),
                                        format::percent(Some(s.share()), lang.get()),
                                        format::decimal(s.loaded / 1e6, 1, lang.get()),
                                        format::decimal(s.total / 1e6, 1, lang.get()))}</span>
                                }.into_any()
                            }
                            None => view! {
                                <div class="progress-bar indeterminate"><span></span></div>
                                <span>{move || text(lang.get(), k)}</span>
                            }.into_any(),
                        }}
                    </div>
                }
            })}
            {move || check.get().map(|r| match r {
                Ok(r) => {
                    let has_errors = !r.errors.is_empty();
                    view! {
                        <section class="upload-report" data-testid="upload-check">
                            <h2>{t(Key::UploadCheckTitle)}</h2>
                            <p class="upload-counts">
                                <span class="ok" data-testid="check-accepted" data-value=r.accepted.to_string()>
                                    {n(r.accepted)}" "{t(Key::UploadWouldAccept)}</span>
                                <span class="bad" data-testid="check-rejected" data-value=r.rejected.to_string()>
                                    {n(r.rejected)}" "{t(Key::UploadWouldReject)}</span>
                            </p>
                            <ErrorTable errors=r.errors.clone() omitted=r.errors_omitted/>
                            {has_errors.then(|| view! {
                                <button type="button" class="btn-ghost" on:click=download_errors>
                                    {t(Key::UploadErrorsCsv)}</button>
                            })}
                        </section>
                    }.into_any()
                }
                Err(e) => view! { <RefusalNote refusal=e/> }.into_any(),
            })}
            <div class="upload-actions">
                <button type="button" class="btn-primary upload-commit" data-testid="upload-commit"
                    disabled=move || !can_commit() on:click=commit>{t(Key::UploadCommit)}</button>
            </div>
            {move || result.get().map(|r| match r {
                Ok(r) => view! {
                    <section class="upload-report done" data-testid="upload-result" role="status">
                        <h2>{t(Key::UploadDoneTitle)}</h2>
                        <p class="upload-counts">
                            <span class="ok" data-testid="result-accepted" data-value=r.accepted.to_string()>
                                {n(r.accepted)}" "{t(Key::UploadAccepted)}</span>
                            <span class="bad" data-testid="result-rejected" data-value=r.rejected.to_string()>
                                {n(r.rejected)}" "{t(Key::UploadRejected)}</span>
                            <span data-testid="result-batch">{t(Key::UploadBatch)}" "{r.batch}</span>
                        </p>
                        <a href="/" class="btn-ghost">{t(Key::UploadToOverview)}</a>
                    </section>
                }.into_any(),
                Err(e) => view! { <RefusalNote refusal=e/> }.into_any(),
            })}
        </div>
    }
}

/// The first records of the chosen file, as a table.
#[component]
fn Preview(chosen: Chosen) -> impl IntoView {
    let text_of = String::from_utf8_lossy(&chosen.bytes).into_owned();
    let (header, rows) = match chosen.format {
        Some(BatchFormat::Csv) => {
            let mut records = parse_csv(&text_of, PREVIEW_ROWS + 1);
            if records.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                let header = records.remove(0);
                (header, records)
            }
        }
        Some(f) => (
            MAIN_FIELDS.iter().map(|s| s.to_string()).collect(),
            json_preview(&text_of, f, PREVIEW_ROWS).unwrap_or_default(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    (!header.is_empty()).then(|| view! {
        <section class="upload-preview" data-testid="upload-preview">
            <h2>{t(Key::UploadPreview)}</h2>
            <div class="table-scroll">
                <table>
                    <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    })
}

/// The refused rows: row, field, reason.
#[component]
fn ErrorTable(errors: Vec<RowError>, omitted: u64) -> impl IntoView {
    let lang = use_lang();
    (!errors.is_empty()).then(|| view! {
        <div class="table-scroll">
            <table class="upload-errors" data-testid="upload-errors">
                <thead><tr>
                    <th scope="col">{t(Key::UploadRow)}</th>
                    <th scope="col">{t(Key::UploadField)}</th>
                    <th scope="col">{t(Key::UploadReason)}</th>
                </tr></thead>
                <tbody>
                    {errors.into_iter().map(|e| view! {
                        <tr><td>{e.row}</td><td><code>{e.field}</code></td><td>{e.reason}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(omitted > 0).then(|| view! {
                <p class="upload-omitted">{move || format::integer(omitted as i64, lang.get())}" "
                    {t(Key::UploadOmitted)}</p>
            })}
        </div>
    })
}

/// A batch refused whole, or not sent.
#[component]
fn RefusalNote(refusal: Refusal) -> impl IntoView {
    let lang = use_lang();
    let Refusal { error, field, row } = refusal;
    view! {
        <section class="upload-report refused" role="alert" data-testid="upload-refused">
            <h2>{t(Key::UploadRefused)}</h2>
            <p>{if error.is_empty() { text(lang.get_untracked(), Key::NetworkError).to_string() } else { error }}</p>
            {(!field.is_empty()).then(|| view! {
                <p>{t(Key::UploadField)}": "<code>{field}</code>
                {row.map(|r| view! { " · "{t(Key::UploadRow)}" "{r} })}</p>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_sent_as_a_share_and_done_when_every_byte_left() {
        let s = Sent {
            loaded: 25.0,
            total: 100.0,
        };
        assert_eq!(s.share(), 0.25);
        assert!(!s.done());
        assert!(
            Sent {
                loaded: 100.0,
                total: 100.0
            }
            .done()
        );
        assert_eq!(
            Sent {
                loaded: 5.0,
                total: 0.0
            }
            .share(),
            0.0
        );
        assert!(
            !Sent {
                loaded: 0.0,
                total: 0.0
            }
            .done()
        );
    }

    #[test]
    fn csv_reads_quoted_fields_with_commas_quotes_and_line_breaks() {
        let text = "\u{feff}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\n";
        assert_eq!(
            parse_csv(text, 10),
            vec![
                vec!["a", "b", "c"],
                vec!["1", "x, y", "say \"hi\""],
                vec!["2", "two\nlines", ""],
            ]
        );
    }

    #[test]
    fn csv_stops_after_the_limit_and_reads_a_last_line_without_newline() {
        assert_eq!(parse_csv("a\nb\nc", 2), vec![vec!["a"], vec!["b"]]);
        assert_eq!(parse_csv("a\nb", 10), vec![vec!["a"], vec!["b"]]);
        assert!(parse_csv("", 10).is_empty());
    }

    #[test]
    fn the_format_comes_from_the_extension() {
        assert_eq!(BatchFormat::from_name("x.CSV"), Some(BatchFormat::Csv));
        assert_eq!(BatchFormat::from_name("x.jsonl"), Some(BatchFormat::Ndjson));
        assert_eq!(BatchFormat::from_name("x.json"), Some(BatchFormat::Json));
        assert_eq!(BatchFormat::from_name("x.xlsx"), None);
        assert_eq!(BatchFormat::from_name("noext"), None);
    }

    #[test]
    fn json_preview_takes_the_main_fields_of_the_first_records() {
        let text = r#"{"source":"S","external_id":"1","subject":{"unit":"01"},"sector":"land"}
{"source":"S","external_id":"2"}"#;
        let rows = json_preview(text, BatchFormat::Ndjson, 1).unwrap();
        assert_eq!(rows, vec![vec!["S", "1", "", "01", "land", "", "", ""]]);
    }

    #[test]
    fn the_errors_file_has_a_bom_a_header_and_quoted_reasons() {
        let errors = vec![RowError {
            row: 3,
            field: "sector".into(),
            reason: "not one of a, b".into(),
        }];
        assert_eq!(
            errors_csv(&errors),
            "\u{feff}row,field,reason\r\n3,sector,\"not one of a, b\"\r\n"
        );
    }
}

/// Property tests of the upload preview's CSV reader: any text is read without a panic, within
/// the limit, and records written by the RFC 4180 rules read back equal.
#[cfg(test)]
mod properties {
    use super::parse_csv;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, contextualize_config};

    /// Records as a CSV writer writes them: fields quoted when they hold a comma, a quote, CR
    /// or LF (quotes doubled), CRLF or LF between records.
    fn write(records: &[Vec<String>], crlf: bool) -> String {
        let line = |r: &Vec<String>| {
            r.iter()
                .map(|f| {
                    if f.is_empty() || f.contains([',', '"', '\r', '\n']) {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let eol = if crlf { "\r\n" } else { "\n" };
        records.iter().map(|r| line(r) + eol).collect()
    }

    proptest! {
        #![proptest_config(contextualize_config(Config {
            cases: 512,
            failure_persistence: None,
            ..Config::default()
        }))]

        #[test]
        fn any_text_is_read_within_the_limit(text in any::<String>(), limit in 0usize..5) {
            prop_assert!(parse_csv(&text, limit).len() <= limit);
        }

        #[test]
        fn written_records_read_back_equal(
            records in proptest::collection::vec(
                proptest::collection::vec("[^\u{feff}]{0,12}|[a-z,\"\r\n ]{0,8}", 1..5),
                0..6,
            ),
            crlf in any::<bool>(),
            bom in any::<bool>(),
        ) {
            let text = format!("{}{}", if bom { "\u{feff}" } else { "" }, write(&records, crlf));
            prop_assert_eq!(parse_csv(&text, usize::MAX), records, "{:?}", text);
        }
    }
}
