-- The seed writes its cases through the ingest path (`oversight seed --size large`, or
-- `--through-ingest`) as one batch whose records were generated, not read from a body.
ALTER TABLE ingest_batch DROP CONSTRAINT ingest_batch_format_check;
ALTER TABLE ingest_batch ADD CONSTRAINT ingest_batch_format_check
    CHECK (format IN ('json', 'ndjson', 'csv', 'generated'));
