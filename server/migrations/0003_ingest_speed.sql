-- The ingest path's cost per case row (measured in docs/benchmarks/ingest.md): PostgreSQL checked
-- the four foreign keys of `cases` one row at a time, each a lookup that also locks the referenced
-- unit, source or procedure row: about half the cost of an upserted row. Every writer of `cases`
-- already checks these codes before it writes (the ingest path looks each code up once a batch,
-- `server/src/ingest/write.rs`; the seed writes codes it generated), and units, sources and
-- procedures are never deleted (no route or command deletes them; the seed truncates `cases`
-- first). So the checks leave the per-row path; the view `cases_dangling_codes` below lists any
-- row whose codes do not exist, for tests and operators.
ALTER TABLE cases
    DROP CONSTRAINT cases_source_fkey,
    DROP CONSTRAINT cases_conducting_unit_fkey,
    DROP CONSTRAINT cases_subject_unit_fkey,
    DROP CONSTRAINT cases_procedure_fkey;

-- No query looks cases up by subject unit alone (scope uses the path, the overview the province).
DROP INDEX cases_subject_unit;

-- The rows of `cases` naming a unit, source or procedure that does not exist (none, when every
-- writer keeps the rule above).
CREATE VIEW cases_dangling_codes AS
SELECT c.id, c.source, c.external_id,
       CASE WHEN s.code IS NULL THEN 'source'
            WHEN cu.code IS NULL THEN 'conducting_unit'
            WHEN su.code IS NULL THEN 'subject_unit'
            ELSE 'procedure' END AS field
FROM cases c
LEFT JOIN data_source s ON s.code = c.source
LEFT JOIN unit cu ON cu.code = c.conducting_unit
LEFT JOIN unit su ON su.code = c.subject_unit
LEFT JOIN procedure p ON p.code = c.procedure
WHERE s.code IS NULL OR cu.code IS NULL OR su.code IS NULL
   OR (c.procedure IS NOT NULL AND p.code IS NULL);
