//! Data in: batches of cases from other information systems and uploads (`POST /ingest/cases`),
//! and likewise of tasks ([`tasks`]) and targets ([`targets`]). The pipeline below is the same for
//! every record kind ([`kind::RecordKind`]); what differs (the fields, the checks, the SQL) lives
//! in the kind's own module. The rules below are written for cases; `docs/INGEST.md` says how they
//! apply to tasks and targets (their keys differ, and only cases carry their batch's id).
//!
//! A batch flows: body stream -> [`parse`] (records, on a blocking thread, one at a time) ->
//! [`validate::case`] (the schema's rules, same thread) -> chunks of [`CHUNK_ROWS`] -> [`write`]
//! ([`validate::place`] against units, sources and the scope; COPY into a staging table; upsert),
//! all in one transaction. Memory stays bounded by a few chunks and one record, whatever the size.
//!
//! The rule:
//! - A batch that cannot be read as a whole is refused whole (400) and nothing of it is kept:
//!   bytes that are not UTF-8, any JSON syntax error (in any element or NDJSON line), a JSON body
//!   that is not an array, an array not closed, a CSV without a usable header (an unknown or
//!   repeated column, a required column missing) or with a row whose number of fields differs from
//!   the header's, a record over [`parse::MAX_ROW_BYTES`], an upload that breaks off. A body over
//!   the limit is 413, a `Content-Type` other than JSON, NDJSON or CSV (UTF-8) 415.
//! - Within a readable batch, valid rows land and invalid rows are reported, each error as
//!   `{row, field, reason}`; at most [`MAX_ERRORS`] are listed, `errors_omitted` counts the rest.
//!   `rejected` counts rows, not errors (a row may have several).
//! - Rows: a JSON array's element number, an NDJSON line number (blank lines skipped but counted),
//!   a CSV data record's number (the header not counted; blank lines skipped). From 1.
//! - Upsert by `(source, external_id)`: a re-sent record updates the case, never duplicates it.
//!   Among the valid rows of one batch with the same key, the first lands and later ones are
//!   rejected (`external_id`).
//! - Who: admins and data officers (by session or token). A token bound to a data source writes
//!   as that source only (rows naming another are rejected, `source`); others write as any source
//!   whose owner unit is within their scope. Both units of a row must lie within the writer's
//!   scope, or the row is rejected (`conducting_unit`, `subject.unit`). Other roles get 403.
//! - The batch commits only after its last row: a server killed mid-batch leaves nothing of it.
//!   The batch is recorded in `ingest_batch`; each case written carries its id (`cases.batch`).

mod cases;
pub mod kind;
pub mod ledger;
pub mod parse;
pub mod record;
pub mod targets;
pub mod tasks;
pub mod validate;
pub mod write;

#[cfg(test)]
mod properties;

pub use cases::Cases;
pub use kind::RecordKind;
pub use targets::Targets;
pub use tasks::Tasks;

pub use parse::{Format, Unreadable};
pub use validate::Writer;

use crate::auth::Caller;
use crate::http::Error;
use bytes::Bytes;
use domain::Role;
use futures::{Stream, StreamExt};
use kind::ChunkWriter;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::ops::ControlFlow;
use tokio::sync::mpsc;
use validate::{CaseRow, FieldError};

/// Rows checked and written together (one COPY and one upsert).
pub const CHUNK_ROWS: usize = 20_000;
/// Most errors an answer lists.
pub const MAX_ERRORS: usize = 1_000;
/// The body limit when none is configured: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Limits of a batch. The default applies unless the app carries another as an
/// `axum::Extension` (tests use a small one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// Largest body, in bytes.
    pub max_bytes: u64,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The answer to a readable batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IngestReport {
    /// The batch's id (`ingest_batch`), on every case it wrote (tasks and targets carry none).
    pub batch: i64,
    /// Rows written (inserted or updated).
    pub accepted: u64,
    /// Rows not written.
    pub rejected: u64,
    /// Why, by row and field, in row order; at most 1,000.
    pub errors: Vec<RowError>,
    /// Errors beyond those listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors_omitted: u64,
    /// A check only (`?dry_run=true`): every row was read, checked and written inside the batch's
    /// transaction, which was then rolled back; nothing was kept, `batch` names nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One reason a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    /// The data row, from 1.
    pub row: u64,
    /// The field, flattened with dots (`subject.unit`); empty for the row as a whole.
    pub field: String,
    pub reason: String,
}

/// The answer to a batch refused whole (400, 413, 415): the standard error, and the row to blame
/// when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchRefusal {
    pub error: String,
    /// `body`, `Content-Type`, or a CSV column.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
}

/// Why a batch was refused whole; nothing of it is kept.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{0}")]
    Unreadable(Unreadable),
    #[error("the body is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Error(#[from] Error),
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Refused {
        Refused::Error(e.into())
    }
}

/// What a written batch did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub report: IngestReport,
    /// Bytes of the body.
    pub bytes: u64,
    /// Rows per data source the writer may write as.
    pub sources: BTreeMap<String, (u64, u64)>,
}

/// The writer a caller is, if they may ingest: admins and data officers (403 otherwise).
pub fn writer_of(caller: &Caller) -> Result<Writer, Error> {
    if !matches!(caller.role, Role::Admin | Role::DataOfficer) {
        return Err(Error::Forbidden(format!(
            "sending data needs the role admin or data_officer, not {}",
            caller.role
        )));
    }
    Ok(Writer {
        actor: caller.username.clone(),
        scope: caller.scope.clone(),
        source: caller.source.clone(),
    })
}

/// One record after its kind's check ([`validate::case`] for cases), on its way to the writer.
#[derive(Debug)]
pub struct Checked<R = CaseRow> {
    pub row: u64,
    /// The `source` the record names, if text (rejected rows are counted against it).
    pub source: Option<String>,
    pub outcome: Result<R, Vec<FieldError>>,
}

/// What the reading thread sends.
enum Parsed<R> {
    Rows(Vec<Checked<R>>),
    End(Result<u64, Unreadable>),
}

/// How the body stream ended.
enum Pumped {
    Complete(u64),
    TooLarge,
    Broken(String),
    /// The reader stopped taking bytes (the batch failed elsewhere).
    Abandoned,
}

/// Reads, checks and writes a batch of records of kind `K` from a body stream, in one
/// transaction.
pub async fn batch<K: RecordKind, S, E>(
    pool: &PgPool,
    writer: Writer,
    format: Format,
    body: S,
    limits: IngestLimits,
    dry_run: bool,
) -> Result<Outcome, Refused>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let mut batch = K::begin(pool, writer, format).await?;
    let (bytes_in, bytes_out) = mpsc::channel::<io::Result<Bytes>>(16);
    let (rows_in, mut rows_out) = mpsc::channel::<Parsed<K::Row>>(2);
    // Detached: it ends when the body ends or when `store` stops taking rows.
    drop(tokio::task::spawn_blocking(move || {
        read_rows::<K, _>(format, BodyReader::new(bytes_out), &rows_in)
    }));
    let writing = &mut batch;
    let store = async move {
        let mut tally = Tally::default();
        while let Some(msg) = rows_out.recv().await {
            match msg {
                Parsed::Rows(rows) => tally.add(writing.write(rows).await?),
                Parsed::End(result) => return Ok((tally, result)),
            }
        }
        Err(Error::Internal(anyhow::anyhow!(
            "the batch reader stopped without an answer"
        )))
    };
    let (pumped, stored) = tokio::join!(pump(body, bytes_in, limits.max_bytes), store);
    let bytes = match pumped {
        Pumped::TooLarge => {
            return Err(Refused::TooLarge {
                limit: limits.max_bytes,
            });
        }
        Pumped::Broken(reason) => {
            return Err(Refused::Unreadable(Unreadable {
                row: None,
                field: "body".into(),
                reason: format!("the upload broke off before its end ({reason})"),
            }));
        }
        Pumped::Complete(bytes) => bytes,
        Pumped::Abandoned => 0,
    };
    let (tally, read) = stored?;
    read.map_err(Refused::Unreadable)?;
    let sources = batch
        .counts()
        .iter()
        .map(|(code, c)| (code.clone(), (c.accepted, c.rejected)))
        .collect();
    let id = batch.id();
    if dry_run {
        batch.rollback().await?;
    } else {
        batch.commit(bytes, tally.accepted, tally.rejected).await?;
    }
    Ok(Outcome {
        report: IngestReport {
            batch: id,
            accepted: tally.accepted,
            rejected: tally.rejected,
            errors: tally.errors,
            errors_omitted: tally.omitted,
            dry_run,
        },
        bytes,
        sources,
    })
}

/// The running figures of a batch.
#[derive(Default)]
struct Tally {
    accepted: u64,
    rejected: u64,
    errors: Vec<RowError>,
    omitted: u64,
}

impl Tally {
    fn add(&mut self, chunk: ledger::ChunkOutcome) {
        self.accepted += chunk.accepted;
        self.rejected += chunk.rejected;
        for (row, e) in chunk.errors {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(RowError {
                    row,
                    field: e.field,
                    reason: e.reason,
                });
            } else {
                self.omitted += 1;
            }
        }
    }
}

/// Forwards the body to the reading thread, counting bytes against the limit. A broken body or
/// one over the limit is passed on as a read error, so the reader never mistakes it for an end.
async fn pump<S, E>(body: S, to_reader: mpsc::Sender<io::Result<Bytes>>, limit: u64) -> Pumped
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let mut total = 0u64;
    while let Some(item) = body.next().await {
        match item {
            Ok(bytes) => {
                total += bytes.len() as u64;
                if total > limit {
                    let _ = to_reader
                        .send(Err(io::Error::other("the body is over the limit")))
                        .await;
                    return Pumped::TooLarge;
                }
                if to_reader.send(Ok(bytes)).await.is_err() {
                    return Pumped::Abandoned;
                }
            }
            Err(e) => {
                let reason = e.to_string();
                let _ = to_reader.send(Err(io::Error::other(reason.clone()))).await;
                return Pumped::Broken(reason);
            }
        }
    }
    Pumped::Complete(total)
}

/// Reads and checks records, sending them on in chunks; ends with the reader's verdict.
fn read_rows<K: RecordKind, R: Read>(format: Format, input: R, out: &mpsc::Sender<Parsed<K::Row>>) {
    let mut rows = Vec::with_capacity(CHUNK_ROWS);
    let result = parse::read_as(K::SCHEMA, format, input, |row, record| {
        rows.push(Checked {
            row,
            source: K::source_of(&record).map(str::to_string),
            outcome: K::validate(&record),
        });
        if rows.len() >= CHUNK_ROWS {
            let full = std::mem::replace(&mut rows, Vec::with_capacity(CHUNK_ROWS));
            if out.blocking_send(Parsed::Rows(full)).is_err() {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    if result.is_ok() && !rows.is_empty() && out.blocking_send(Parsed::Rows(rows)).is_err() {
        return;
    }
    let _ = out.blocking_send(Parsed::End(result));
}

/// The body as a blocking reader, for the reading thread.
struct BodyReader {
    from: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl BodyReader {
    fn new(from: mpsc::Receiver<io::Result<Bytes>>) -> BodyReader {
        BodyReader {
            from,
            current: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.from.blocking_recv() {
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
