-- Row-level security: the second wall of scope (issue 9). The application limits every read to the
-- caller's subtree (`path <@ $scope`, server/src/scope.rs); reads of people's data also run in a
-- transaction as the role `oversight_scoped` (server/src/db/scoped.rs), whose policies below let
-- PostgreSQL itself refuse every row outside `oversight.scope`, so one forgotten filter cannot
-- leak. The tables' owner (migrations, ingest, background jobs, the seed) is not subject to them.

-- Roles are cluster-wide, and many databases share a cluster (the tests'): make it once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oversight_scoped') THEN
        CREATE ROLE oversight_scoped NOLOGIN NOINHERIT NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another database's migration made it meanwhile
END $$;

-- The application's user must be able to `SET ROLE oversight_scoped` (a superuser always can).
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'oversight_scoped', 'MEMBER') THEN
        EXECUTE format('GRANT oversight_scoped TO %I', current_user);
    END IF;
END $$;

-- The scope of the current transaction. Fails closed: with no setting it raises an error, never
-- returns everything. (A custom setting once made in a session reads as '' afterwards, and '' is
-- the ltree above every path: that too is an error, not the whole country.)
CREATE FUNCTION oversight_scope() RETURNS ltree
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    s text := current_setting('oversight.scope');
BEGIN
    IF s IS NULL OR s = '' THEN
        RAISE EXCEPTION 'oversight.scope is not set' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN s::ltree;
END $$;

-- Reference data, the same for everyone.
GRANT SELECT ON directive, procedure, procedure_step TO oversight_scoped;

-- The data of a unit. `(SELECT oversight_scope())` is evaluated once per query (an InitPlan), so
-- the GiST index on `path` serves it like the application's own `path <@ $n`.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['unit', 'member', 'cases', 'task', 'target', 'alert',
                             'report_file', 'report_schedule'] LOOP
        EXECUTE format('GRANT SELECT ON %I TO oversight_scoped', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY scoped_read ON %I FOR SELECT TO oversight_scoped
                        USING (path <@ (SELECT oversight_scope()))', t);
    END LOOP;
END $$;

GRANT SELECT ON data_source TO oversight_scoped;
ALTER TABLE data_source ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON data_source FOR SELECT TO oversight_scoped
    USING (owner_path <@ (SELECT oversight_scope()));

-- Rows that belong to another table's row: visible with it.
GRANT SELECT ON case_step, case_version, task_report, alert_event, unit_geometry, ingest_batch
    TO oversight_scoped;
ALTER TABLE case_step ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON case_step FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_step.case_id
                   AND c.path <@ (SELECT oversight_scope())));
ALTER TABLE case_version ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON case_version FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_version.case_id
                   AND c.path <@ (SELECT oversight_scope())));
ALTER TABLE task_report ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON task_report FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM task t WHERE t.id = task_report.task
                   AND t.path <@ (SELECT oversight_scope())));
ALTER TABLE alert_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON alert_event FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM alert a WHERE a.id = alert_event.alert
                   AND a.path <@ (SELECT oversight_scope())));
ALTER TABLE unit_geometry ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON unit_geometry FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM unit u WHERE u.code = unit_geometry.unit
                   AND u.path <@ (SELECT oversight_scope())));
-- A batch is its source's.
ALTER TABLE ingest_batch ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON ingest_batch FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM data_source s WHERE s.code = ingest_batch.source
                   AND s.owner_path <@ (SELECT oversight_scope())));

-- The rollups are keyed by the area's unit code (the last label of its path).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rollup_day', 'rollup_day_delta', 'rollup_month',
                             'rollup_month_delta'] LOOP
        EXECUTE format('GRANT SELECT ON %I TO oversight_scoped', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY scoped_read ON %1$I FOR SELECT TO oversight_scoped
                        USING (EXISTS (SELECT 1 FROM unit u WHERE u.code = %1$I.area
                                       AND u.path <@ (SELECT oversight_scope())))', t);
    END LOOP;
END $$;
-- A view reads with its owner's rights unless it is a security invoker: then the policies of
-- the tables under it apply to whoever reads it.
ALTER VIEW rollup_day_all SET (security_invoker = true);
ALTER VIEW rollup_month_all SET (security_invoker = true);
GRANT SELECT ON rollup_day_all, rollup_month_all TO oversight_scoped;
