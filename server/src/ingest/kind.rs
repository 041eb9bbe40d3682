//! What the batch pipeline of [`super`] needs of a record kind (cases, tasks, targets): its field
//! list, how one record is checked on the reading thread, and a writer that takes the checked rows
//! chunk by chunk inside the batch's transaction. The pipeline itself (body pump, blocking reader,
//! chunks, limits, tally, dry run) is the same for every kind.

use super::Checked;
use super::ledger::{ChunkOutcome, Ledger, SourceCounts};
use super::parse::Format;
use super::record::{Record, Schema};
use super::validate::{self, FieldError, Writer};
use crate::http::Error;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::future::Future;

/// A kind of record a batch may hold.
pub trait RecordKind: 'static {
    /// Its fields (CSV header, unknown JSON keys, errors' wording, `ingest_batch.record_kind`).
    const SCHEMA: &'static Schema;
    /// A record that meets the kind's schema and the rules between its fields.
    type Row: Send + 'static;
    /// Writes a batch of this kind.
    type Writer: ChunkWriter<Row = Self::Row> + Send;

    /// Reads a record against the schema and the rules between its fields (pure; every error of
    /// the row together).
    fn validate(record: &Record) -> Result<Self::Row, Vec<FieldError>>;

    /// The `source` a record names, if it is text (rejected rows are counted against it).
    fn source_of(record: &Record) -> Option<&str> {
        validate::source_of(record)
    }

    /// Opens the batch's transaction and records the batch.
    fn begin(
        pool: &PgPool,
        writer: Writer,
        format: Format,
    ) -> impl Future<Output = Result<Self::Writer, Error>> + Send;
}

/// Writes a batch's checked rows, one chunk at a time, in one transaction whose books are a
/// [`Ledger`] (which gives the batch's id, counts, rollback and commit).
pub trait ChunkWriter: Sized + Send {
    /// The rows it writes.
    type Row;

    /// The batch's books.
    fn ledger(&self) -> &Ledger;

    /// The batch's books, the writer done with.
    fn into_ledger(self) -> Ledger;

    /// Checks one chunk of rows (in row order) against what the database knows, and writes the
    /// valid ones.
    fn write(
        &mut self,
        rows: Vec<Checked<Self::Row>>,
    ) -> impl Future<Output = Result<ChunkOutcome, Error>> + Send;

    /// The batch's id (`ingest_batch.id`).
    fn id(&self) -> i64 {
        self.ledger().id
    }

    /// Rows per data source the writer may write as, so far.
    fn counts(&self) -> BTreeMap<String, SourceCounts> {
        self.ledger().counts.clone()
    }

    /// Keeps nothing of the batch (a check only).
    fn rollback(self) -> impl Future<Output = Result<(), Error>> + Send {
        self.into_ledger().rollback()
    }

    /// Records the batch's figures and each source's arrival and counters, and commits.
    fn commit(
        self,
        bytes: u64,
        accepted: u64,
        rejected: u64,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        self.into_ledger().commit(bytes, accepted, rejected)
    }
}
