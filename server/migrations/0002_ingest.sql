-- Ingest batches (POST /api/v1/ingest/*): one row per batch that was written. The row is made in
-- the batch's own transaction, so a batch refused whole or cut off by a crash leaves no row (the
-- audit trail records refusals). `source` is the data source the token is bound to, or else the
-- one source all counted rows named; it keeps no foreign key so that a batch's history outlives a
-- source the seed replaces.
CREATE TABLE ingest_batch (
    id           bigserial PRIMARY KEY,
    record_kind  text NOT NULL CHECK (record_kind IN ('cases', 'tasks', 'targets')),
    actor        text NOT NULL,
    source       text,
    format       text NOT NULL CHECK (format IN ('json', 'ndjson', 'csv')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    bytes        bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    accepted     bigint NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    rejected     bigint NOT NULL DEFAULT 0 CHECK (rejected >= 0)
);

-- The batch that last wrote a case (NULL: the seed). It tells a key repeated within one batch
-- (the upsert skips it) from a record re-sent by a later batch (the upsert updates it). No foreign
-- key: checking one per written row would cost the ingest path for nothing the batch table needs.
ALTER TABLE cases ADD COLUMN batch bigint;
