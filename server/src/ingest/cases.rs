//! Cases as a record kind of the batch pipeline: read by [`validate::case`], written by
//! [`write::Batch`] (this adapter only forwards to them).

use super::Checked;
use super::kind::{ChunkWriter, RecordKind};
use super::ledger::{ChunkOutcome, Ledger};
use super::parse::Format;
use super::record::{CASE, Record, Schema};
use super::validate::{self, CaseRow, FieldError, Writer};
use super::write;
use crate::http::Error;
use sqlx::PgPool;
use std::future::Future;

/// Cases (`POST /ingest/cases`, `case.schema.json`).
pub struct Cases;

impl RecordKind for Cases {
    const SCHEMA: &'static Schema = &CASE;
    type Row = CaseRow;
    type Writer = write::Batch;

    fn validate(record: &Record) -> Result<CaseRow, Vec<FieldError>> {
        validate::case(record)
    }

    fn begin(
        pool: &PgPool,
        writer: Writer,
        format: Format,
    ) -> impl Future<Output = Result<write::Batch, Error>> + Send {
        write::Batch::begin(pool, writer, format)
    }
}

impl ChunkWriter for write::Batch {
    type Row = CaseRow;

    fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn into_ledger(self) -> Ledger {
        self.ledger
    }

    fn write(
        &mut self,
        rows: Vec<Checked<CaseRow>>,
    ) -> impl Future<Output = Result<ChunkOutcome, Error>> + Send {
        write::Batch::write(self, rows)
    }
}
