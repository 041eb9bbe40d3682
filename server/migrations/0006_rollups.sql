-- Rollups of the cases, kept current as data arrives: the overview, the targets' attainment and
-- the trends read these instead of the cases.
--
-- Every case gives up to three events, each on its own day: opened (counted by kind family),
-- concluded (with a violation or not, on time or not, money involved) and a discipline decided.
-- An event counts for every unit above the case's subject down to the commune level (the centre,
-- the province or committee, the commune), so a unit's row holds its whole subtree.
--
--   rollup_day    (area, day)            areas of depth 1..2 (the centre, provinces, committees)
--   rollup_month  (area, month, sector)  areas of depth 1..3; sector '' is all sectors; rows per
--                                        sector only for depth 1..2 (where sector targets are set)
--
-- Writers never touch these tables: a statement trigger on `cases` appends the change's net
-- effect (new rows counted +1, old rows -1) to `rollup_day_delta` / `rollup_month_delta`, which
-- take no locks that concurrent batches could fight over. Readers sum base + delta (the views
-- `rollup_day_all`, `rollup_month_all`); `rollup_compact()` folds the deltas into the base, run
-- by the server every few seconds and by the seed when it is done.

CREATE TABLE rollup_day (
    area         text NOT NULL,
    day          date NOT NULL,
    cases        integer NOT NULL,
    inspections  integer NOT NULL,
    supervisions integer NOT NULL,
    settlements  integer NOT NULL,
    concluded    integer NOT NULL,
    violations   integer NOT NULL,
    on_time      integer NOT NULL,
    disciplines  integer NOT NULL,
    amount_vnd   bigint NOT NULL,
    -- When the newest of the area's cases that changed that day's figures was written.
    written_at   timestamptz,
    PRIMARY KEY (area, day)
);
-- The deltas have no index: they are written far more than read, and stay small (folded every
-- few seconds).
CREATE TABLE rollup_day_delta (LIKE rollup_day);

CREATE TABLE rollup_month (
    area         text NOT NULL,
    month        date NOT NULL,
    sector       text NOT NULL,
    cases        integer NOT NULL,
    inspections  integer NOT NULL,
    supervisions integer NOT NULL,
    settlements  integer NOT NULL,
    concluded    integer NOT NULL,
    violations   integer NOT NULL,
    on_time      integer NOT NULL,
    disciplines  integer NOT NULL,
    amount_vnd   bigint NOT NULL,
    PRIMARY KEY (area, month, sector)
);
CREATE TABLE rollup_month_delta (LIKE rollup_month);

CREATE VIEW rollup_day_all AS
    SELECT * FROM rollup_day UNION ALL SELECT * FROM rollup_day_delta;
CREATE VIEW rollup_month_all AS
    SELECT * FROM rollup_month UNION ALL SELECT * FROM rollup_month_delta;

-- The statement that appends to the deltas the effect of the rows `changed` gives; `changed`
-- is a query with a column `sign` (+1 or -1) and the columns of `cases`. The events are first
-- summed per commune (or the unit above it the case is about), day and sector, then counted for
-- each unit above.
CREATE FUNCTION rollup_delta_sql(changed text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
WITH changed AS (%s),
events AS (
    SELECT subpath(path, 0, least(nlevel(path), 3)) AS leaf, sector, opened_on AS day,
           sign AS cases,
           CASE WHEN kind IN ('inspection_violation_signs', 'inspection_duty', 'inspection_finance')
                THEN sign ELSE 0 END AS inspections,
           CASE WHEN kind IN ('supervision_regular', 'supervision_thematic')
                THEN sign ELSE 0 END AS supervisions,
           CASE WHEN kind IN ('asset_declaration', 'complaint', 'denunciation')
                THEN sign ELSE 0 END AS settlements,
           0 AS concluded, 0 AS violations, 0 AS on_time, 0 AS disciplines, 0::bigint AS amount_vnd,
           CASE WHEN sign > 0 THEN updated_at END AS written_at
    FROM changed
    UNION ALL
    SELECT subpath(path, 0, least(nlevel(path), 3)), sector, concluded_on, 0, 0, 0, 0, sign,
           CASE WHEN violation THEN sign ELSE 0 END,
           CASE WHEN due_on IS NOT NULL AND concluded_on <= due_on THEN sign ELSE 0 END,
           0,
           CASE WHEN violation THEN sign * coalesce(amount_vnd, 0) ELSE 0 END,
           CASE WHEN sign > 0 THEN updated_at END
    FROM changed WHERE status = 'concluded' AND concluded_on IS NOT NULL
    UNION ALL
    SELECT subpath(path, 0, least(nlevel(path), 3)), sector, discipline_decided_on,
           0, 0, 0, 0, 0, 0, 0, sign, 0, CASE WHEN sign > 0 THEN updated_at END
    FROM changed WHERE discipline_decided_on IS NOT NULL
),
leaves AS MATERIALIZED (
    SELECT leaf, day, sector, sum(cases) AS cases, sum(inspections) AS inspections,
           sum(supervisions) AS supervisions, sum(settlements) AS settlements,
           sum(concluded) AS concluded, sum(violations) AS violations, sum(on_time) AS on_time,
           sum(disciplines) AS disciplines, sum(amount_vnd) AS amount_vnd,
           max(written_at) AS written_at
    FROM events GROUP BY leaf, day, sector
),
levels AS MATERIALIZED (
    SELECT ltree2text(subpath(leaf, v.l - 1, 1)) AS area, v.l AS depth, day, sector, cases,
           inspections, supervisions, settlements, concluded, violations, on_time, disciplines,
           amount_vnd, written_at
    FROM leaves JOIN (VALUES (1), (2), (3)) AS v(l) ON v.l <= nlevel(leaves.leaf)
),
days AS (
    INSERT INTO rollup_day_delta
    SELECT area, day, sum(cases), sum(inspections), sum(supervisions), sum(settlements),
           sum(concluded), sum(violations), sum(on_time), sum(disciplines), sum(amount_vnd),
           max(written_at)
    FROM levels WHERE depth <= 2
    GROUP BY area, day
    HAVING max(written_at) IS NOT NULL OR sum(cases) <> 0 OR sum(inspections) <> 0
        OR sum(supervisions) <> 0 OR sum(settlements) <> 0 OR sum(concluded) <> 0
        OR sum(violations) <> 0 OR sum(on_time) <> 0 OR sum(disciplines) <> 0
        OR sum(amount_vnd) <> 0
    RETURNING 1
),
sectors AS (
    INSERT INTO rollup_month_delta
    SELECT area, date_trunc('month', day)::date, sector, sum(cases), sum(inspections), sum(supervisions), sum(settlements),
           sum(concluded), sum(violations), sum(on_time), sum(disciplines), sum(amount_vnd)
    FROM levels WHERE depth <= 2
    GROUP BY 1, 2, 3
    HAVING sum(cases) <> 0 OR sum(inspections) <> 0
        OR sum(supervisions) <> 0 OR sum(settlements) <> 0 OR sum(concluded) <> 0
        OR sum(violations) <> 0 OR sum(on_time) <> 0 OR sum(disciplines) <> 0
        OR sum(amount_vnd) <> 0
    RETURNING 1
)
INSERT INTO rollup_month_delta
SELECT area, date_trunc('month', day)::date, '', sum(cases), sum(inspections), sum(supervisions), sum(settlements),
           sum(concluded), sum(violations), sum(on_time), sum(disciplines), sum(amount_vnd)
FROM levels
GROUP BY 1, 2
HAVING sum(cases) <> 0 OR sum(inspections) <> 0
    OR sum(supervisions) <> 0 OR sum(settlements) <> 0 OR sum(concluded) <> 0
    OR sum(violations) <> 0 OR sum(on_time) <> 0 OR sum(disciplines) <> 0
    OR sum(amount_vnd) <> 0
$q$, changed)
$fn$;

-- JIT compiling these statements would cost far more than running them.
CREATE FUNCTION rollup_cases_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT FROM rollup_new) THEN
            EXECUTE rollup_delta_sql('SELECT 1 AS sign, * FROM rollup_new');
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF EXISTS (SELECT FROM rollup_new) THEN
            EXECUTE rollup_delta_sql(
                'SELECT 1 AS sign, * FROM rollup_new UNION ALL SELECT -1, * FROM rollup_old');
        END IF;
    ELSE
        IF EXISTS (SELECT FROM rollup_old) THEN
            EXECUTE rollup_delta_sql('SELECT -1 AS sign, * FROM rollup_old');
        END IF;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER cases_rollup_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS rollup_new
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_cases_changed();
CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS rollup_old NEW TABLE AS rollup_new
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_cases_changed();
CREATE TRIGGER cases_rollup_delete AFTER DELETE ON cases
    REFERENCING OLD TABLE AS rollup_old
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_cases_changed();

CREATE FUNCTION rollup_cases_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE rollup_day, rollup_day_delta, rollup_month, rollup_month_delta;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER cases_rollup_truncate AFTER TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_cases_truncated();

-- Folds the committed deltas into the base tables; one caller at a time (others return 0 at
-- once). Returns the delta rows folded.
CREATE FUNCTION rollup_compact() RETURNS bigint LANGUAGE plpgsql SET jit = off AS $fn$
DECLARE
    folded bigint := 0;
    n bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('rollup_compact')) THEN
        RETURN 0;
    END IF;
    WITH moved AS (DELETE FROM rollup_day_delta RETURNING *),
    summed AS (
        SELECT area, day, sum(cases) c, sum(inspections) i, sum(supervisions) s,
               sum(settlements) st, sum(concluded) co, sum(violations) v, sum(on_time) o,
               sum(disciplines) d, sum(amount_vnd) a, max(written_at) w, count(*) n
        FROM moved GROUP BY area, day
    ),
    up AS (
        INSERT INTO rollup_day
        SELECT area, day, c, i, s, st, co, v, o, d, a, w FROM summed ORDER BY area, day
        ON CONFLICT (area, day) DO UPDATE SET
            cases = rollup_day.cases + excluded.cases,
            inspections = rollup_day.inspections + excluded.inspections,
            supervisions = rollup_day.supervisions + excluded.supervisions,
            settlements = rollup_day.settlements + excluded.settlements,
            concluded = rollup_day.concluded + excluded.concluded,
            violations = rollup_day.violations + excluded.violations,
            on_time = rollup_day.on_time + excluded.on_time,
            disciplines = rollup_day.disciplines + excluded.disciplines,
            amount_vnd = rollup_day.amount_vnd + excluded.amount_vnd,
            written_at = greatest(rollup_day.written_at, excluded.written_at)
        RETURNING 1
    )
    SELECT coalesce(sum(summed.n), 0) INTO n FROM summed;
    folded := folded + n;
    WITH moved AS (DELETE FROM rollup_month_delta RETURNING *),
    summed AS (
        SELECT area, month, sector, sum(cases) c, sum(inspections) i, sum(supervisions) s,
               sum(settlements) st, sum(concluded) co, sum(violations) v, sum(on_time) o,
               sum(disciplines) d, sum(amount_vnd) a, count(*) n
        FROM moved GROUP BY area, month, sector
    ),
    up AS (
        INSERT INTO rollup_month
        SELECT area, month, sector, c, i, s, st, co, v, o, d, a FROM summed
        ORDER BY area, month, sector
        ON CONFLICT (area, month, sector) DO UPDATE SET
            cases = rollup_month.cases + excluded.cases,
            inspections = rollup_month.inspections + excluded.inspections,
            supervisions = rollup_month.supervisions + excluded.supervisions,
            settlements = rollup_month.settlements + excluded.settlements,
            concluded = rollup_month.concluded + excluded.concluded,
            violations = rollup_month.violations + excluded.violations,
            on_time = rollup_month.on_time + excluded.on_time,
            disciplines = rollup_month.disciplines + excluded.disciplines,
            amount_vnd = rollup_month.amount_vnd + excluded.amount_vnd
        RETURNING 1
    )
    SELECT coalesce(sum(summed.n), 0) INTO n FROM summed;
    RETURN folded + n;
END
$fn$;

-- The cases already there.
DO $$ BEGIN EXECUTE rollup_delta_sql('SELECT 1 AS sign, * FROM cases'); END $$;
SELECT rollup_compact();
