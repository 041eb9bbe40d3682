-- A case's history: the earlier versions of each case, kept when an ingest batch changes it (the
-- current version is the `cases` row). Each version says who wrote it (`written_by`: the account
-- or token's name; `seed` for the demo data), by which batch (`ingest_batch`, whose audit entry
-- names the batch too) and when, and its fields under the contract's flattened names.
CREATE TABLE case_version (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    batch       bigint,
    written_by  text NOT NULL,
    written_at  timestamptz NOT NULL,
    fields      jsonb NOT NULL
);
CREATE INDEX case_version_case ON case_version (case_id, id);

-- A case's fields as the contract names them (`subject.unit`, `location.lat`), absent when null:
-- what a version keeps and what the history compares.
CREATE FUNCTION case_fields(c cases) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'kind', c.kind, 'theme', c.theme, 'conducting_unit', c.conducting_unit,
        'subject.type', c.subject_type, 'subject.unit', c.subject_unit, 'subject.ref', c.subject_ref,
        'sector', c.sector, 'status', c.status, 'opened_on', c.opened_on, 'due_on', c.due_on,
        'concluded_on', c.concluded_on, 'violation', c.violation,
        'violation_categories', CASE WHEN cardinality(c.violation_categories) > 0
                                     THEN to_jsonb(c.violation_categories) END,
        'amount_vnd', c.amount_vnd, 'discipline.form', c.discipline_form,
        'discipline.decided_on', c.discipline_decided_on,
        'location.lat', c.lat, 'location.lon', c.lon))
$$;
