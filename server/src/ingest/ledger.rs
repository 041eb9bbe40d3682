//! The books of a batch of any record kind: its transaction and `ingest_batch` row, the units and
//! sources its rows name (looked up once a batch), the rows counted per data source, and the
//! commit that moves each source's counters. Each kind's writer (cases, tasks, targets) keeps its
//! own SQL and uses this for the rest.

use super::parse::Format;
use super::validate::{self, FieldError, UnitRef, Writer};
use crate::http::Error;
use domain::{UnitCode, UnitLevel};
use sqlx::{Postgres, Transaction};
use std::collections::{BTreeMap, HashMap};

/// Rows accepted and rejected for one data source in a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCounts {
    pub accepted: u64,
    pub rejected: u64,
}

/// What became of one chunk's rows.
#[derive(Debug, Default)]
pub struct ChunkOutcome {
    pub accepted: u64,
    pub rejected: u64,
    /// By row, in row order.
    pub errors: Vec<(u64, FieldError)>,
}

/// A batch being written, and what it has learnt of units and sources.
pub struct Ledger {
    pub tx: Transaction<'static, Postgres>,
    /// The batch's id (`ingest_batch.id`).
    pub id: i64,
    pub writer: Writer,
    units: HashMap<String, Option<UnitRef>>,
    /// Source code -> its owner unit's path (`None`: no such source).
    sources: HashMap<String, Option<String>>,
    /// Rows per source the writer may write as; rows naming other sources are counted nowhere.
    pub counts: BTreeMap<String, SourceCounts>,
}

impl Ledger {
    /// Opens the batch's transaction and records the batch as one of `record_kind`.
    pub async fn begin(
        pool: &sqlx::PgPool,
        writer: Writer,
        format: Format,
        record_kind: &str,
    ) -> Result<Ledger, Error> {
        let tx = pool.begin().await?;
        Ledger::within(tx, writer, format.as_str(), record_kind).await
    }

    /// Records a batch inside a transaction the caller opened (the seed's), which
    /// [`Ledger::close`] gives back uncommitted; `format` is a [`Format`]'s name or `generated`.
    pub async fn within(
        mut tx: Transaction<'static, Postgres>,
        writer: Writer,
        format: &str,
        record_kind: &str,
    ) -> Result<Ledger, Error> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ingest_batch (record_kind, actor, source, format) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(record_kind)
        .bind(&writer.actor)
        .bind(&writer.source)
        .bind(format)
        .fetch_one(&mut *tx)
        .await?;
        Ok(Ledger {
            tx,
            id,
            writer,
            units: HashMap::new(),
            sources: HashMap::new(),
            counts: BTreeMap::new(),
        })
    }

    /// Looks up the units and sources named here that the batch has not seen yet.
    pub async fn learn<'a>(
        &mut self,
        units: impl IntoIterator<Item = &'a str>,
        sources: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), Error> {
        let mut units: Vec<String> = units
            .into_iter()
            .filter(|c| !self.units.contains_key(*c))
            .map(str::to_string)
            .collect();
        units.sort();
        units.dedup();
        let mut sources: Vec<String> = sources
            .into_iter()
            .filter(|c| !self.sources.contains_key(*c))
            .map(str::to_string)
            .collect();
        sources.sort();
        sources.dedup();
        if !units.is_empty() {
            type UnitRow = (
                String,
                String,
                Option<String>,
                String,
                Option<f64>,
                Option<f64>,
            );
            let found: Vec<UnitRow> = sqlx::query_as(
                "SELECT code, path::text, province, level, lat, lon FROM unit WHERE code = ANY($1)",
            )
            .bind(&units)
            .fetch_all(&mut *self.tx)
            .await?;
            for code in units {
                self.units.insert(code, None);
            }
            for (code, path, province, level, lat, lon) in found {
                let level = level.parse().unwrap_or(UnitLevel::Cell);
                let unit = UnitRef {
                    path,
                    province,
                    level,
                    lat,
                    lon,
                };
                self.units.insert(code, Some(unit));
            }
        }
        if !sources.is_empty() {
            let found: Vec<(String, String)> = sqlx::query_as(
                "SELECT code, owner_path::text FROM data_source WHERE code = ANY($1)",
            )
            .bind(&sources)
            .fetch_all(&mut *self.tx)
            .await?;
            for code in sources {
                self.sources.insert(code, None);
            }
            for (code, owner_path) in found {
                self.sources.insert(code, Some(owner_path));
            }
        }
        Ok(())
    }

    /// A unit the batch has looked up, if it exists.
    pub fn unit(&self, code: &str) -> Option<&UnitRef> {
        self.units.get(code).and_then(Option::as_ref)
    }

    /// The owner unit's path of a source the batch has looked up, if it exists.
    pub fn source_owner(&self, code: &str) -> Option<&str> {
        self.sources.get(code).and_then(Option::as_deref)
    }

    /// The source rule ([`validate::may_write_as`]), as an error on `source`.
    pub fn check_source(&self, code: &str) -> Result<(), FieldError> {
        let owner = self.sources.get(code).and_then(Option::as_deref);
        validate::may_write_as(&self.writer, code, owner).map_err(|r| FieldError::new("source", r))
    }

    /// The scope rule ([`validate::within_scope`]) for the unit a row names in `field`.
    pub fn check_unit(&self, field: &str, code: &UnitCode) -> Result<&UnitRef, FieldError> {
        let found = self.units.get(code.as_str()).and_then(Option::as_ref);
        validate::within_scope(&self.writer, field, code, found)
    }

    /// Counts a row written.
    pub fn accept(&mut self, out: &mut ChunkOutcome, source: &str) {
        out.accepted += 1;
        self.count(source, 1, 0);
    }

    /// Counts a row not written, with its errors.
    pub fn reject(
        &mut self,
        out: &mut ChunkOutcome,
        row: u64,
        source: Option<&str>,
        errors: Vec<FieldError>,
    ) {
        out.rejected += 1;
        out.errors.extend(errors.into_iter().map(|e| (row, e)));
        if let Some(source) = source {
            self.count(source, 0, 1);
        }
    }

    /// Adds to a source's counts, if the writer may write as that source.
    fn count(&mut self, source: &str, accepted: u64, rejected: u64) {
        if !self.counts.contains_key(source) {
            if self.check_source(source).is_err() {
                return;
            }
            self.counts
                .insert(source.to_string(), SourceCounts::default());
        }
        if let Some(c) = self.counts.get_mut(source) {
            c.accepted += accepted;
            c.rejected += rejected;
        }
    }

    /// Copies a chunk's encoded rows into a staging table (`copy`, a `COPY … FROM STDIN`) and
    /// runs `then` (the upsert, and emptying the table) in the batch's transaction.
    pub async fn stage(
        &mut self,
        copy: &str,
        rows: &crate::seed::encode::CopyBuf,
        then: &[&str],
    ) -> Result<(), Error> {
        if rows.rows == 0 {
            return Ok(());
        }
        let conn = &mut *self.tx;
        let mut sink = conn.copy_in_raw(copy).await?;
        sink.send(rows.bytes.as_slice()).await?;
        sink.finish().await?;
        for statement in then {
            sqlx::query(statement).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Keeps nothing of the batch (a check only).
    pub async fn rollback(self) -> Result<(), Error> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Records the batch's figures and each source's arrival and counters, and commits.
    pub async fn commit(self, bytes: u64, accepted: u64, rejected: u64) -> Result<(), Error> {
        let mut tx = self.close(bytes, accepted, rejected, true).await?;
        // The answer says the batch is kept: it must be on disk before it is sent, even where the
        // server runs with `synchronous_commit = off` (the private cluster does, for the many
        // small writes of sessions), or PostgreSQL crashing just after would lose it.
        sqlx::query("SET LOCAL synchronous_commit = on")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the batch's figures (and, with `arrivals`, each source's arrival and counters)
    /// and gives its transaction back, uncommitted.
    pub async fn close(
        mut self,
        bytes: u64,
        accepted: u64,
        rejected: u64,
        arrivals: bool,
    ) -> Result<Transaction<'static, Postgres>, Error> {
        sqlx::query(
            "UPDATE ingest_batch SET finished_at = clock_timestamp(), bytes = $2, accepted = $3, \
             rejected = $4, source = COALESCE(source, $5) WHERE id = $1",
        )
        .bind(self.id)
        .bind(bytes as i64)
        .bind(accepted as i64)
        .bind(rejected as i64)
        // A batch of one source is that source's, whoever sent it.
        .bind(
            (self.counts.len() == 1)
                .then(|| self.counts.keys().next())
                .flatten(),
        )
        .execute(&mut *self.tx)
        .await?;
        // In code order, so that concurrent batches lock sources in the same order.
        for (code, c) in self.counts.iter().filter(|_| arrivals) {
            sqlx::query(
                "UPDATE data_source SET rows_accepted = rows_accepted + $2, \
                 rows_rejected = rows_rejected + $3, \
                 last_arrival = CASE WHEN $2 > 0 THEN now() ELSE last_arrival END WHERE code = $1",
            )
            .bind(code)
            .bind(c.accepted as i64)
            .bind(c.rejected as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(self.tx)
    }
}
