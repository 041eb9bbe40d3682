-- Early warning: the rules' and the detector's alerts, the standard procedures' reminders and
-- escalations, and the event stream (docs/ARCHITECTURE.md, "Early warning").

-- Who resolved an alert ('system' when its condition cleared): a rule does not reopen what a
-- person resolved unless it grew more severe. `detail` holds what the alert's view draws (an
-- anomaly's series with its band; a late step's case and procedure).
ALTER TABLE alert ADD COLUMN resolved_by text;
ALTER TABLE alert ADD COLUMN detail jsonb;
CREATE INDEX alert_open ON alert (kind) WHERE state <> 'resolved';

-- A step late by more than this many days goes to the level above (templates are data).
ALTER TABLE procedure_step ADD COLUMN escalate_after integer NOT NULL DEFAULT 5
    CHECK (escalate_after >= 0);
ALTER TABLE procedure ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE procedure ADD COLUMN updated_by text NOT NULL DEFAULT 'seed';

-- The rules look at open work past its deadline.
CREATE INDEX cases_open_due ON cases (due_on) WHERE status IN ('planned', 'in_progress');
CREATE INDEX case_step_open ON case_step (due_on) WHERE done_on IS NULL;
CREATE INDEX task_open_due ON task (due_on) WHERE status <> 'done';

-- Cases that arrive (any insert or update, by ingest or otherwise): the areas they touch are
-- announced on the event stream (one notification per province or committee a transaction, as
-- PostgreSQL folds identical ones); a new open case written by an ingest batch starts the first
-- step of its kind's procedure, and one it concluded or cancelled closes its steps (the seed
-- writes its own steps).
CREATE FUNCTION cases_arrived() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('oversight_events', json_build_object(
        'kind', 'data', 'path', a.area,
        'data', json_build_object('records', 'cases', 'area', a.code))::text)
    FROM (SELECT DISTINCT subpath(path, 0, least(nlevel(path), 2))::text AS area,
                 subltree(path, least(nlevel(path), 2) - 1, least(nlevel(path), 2))::text AS code
          FROM arrived_new) a;
    INSERT INTO case_step (case_id, ord, started_on, due_on)
    SELECT n.id, 1, n.opened_on, n.opened_on + ps.days
    FROM arrived_new n
    JOIN procedure_step ps ON ps.procedure = n.procedure AND ps.ord = 1
    WHERE n.status IN ('planned', 'in_progress') AND n.batch IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM case_step s WHERE s.case_id = n.id);
    -- A case an ingest batch concluded has done its steps up to the conclusion; a cancelled
    -- one has no step left to do.
    UPDATE case_step s
    SET done_on = greatest(s.started_on, least(coalesce(n.concluded_on, current_date), current_date))
    FROM arrived_new n
    WHERE s.case_id = n.id AND s.done_on IS NULL AND n.batch IS NOT NULL
      AND (n.status = 'cancelled'
           OR (n.status = 'concluded' AND s.ord <= coalesce(
               (SELECT max(ps.ord) FROM procedure_step ps
                WHERE ps.procedure = n.procedure AND ps.code = 'conclude'), 32767)));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER cases_arrived_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS arrived_new
    FOR EACH STATEMENT EXECUTE FUNCTION cases_arrived();
CREATE TRIGGER cases_arrived_update AFTER UPDATE ON cases
    REFERENCING NEW TABLE AS arrived_new
    FOR EACH STATEMENT EXECUTE FUNCTION cases_arrived();

-- Tasks and targets that arrive are announced at the top (they change directives' and targets'
-- figures everywhere).
CREATE FUNCTION plans_arrived() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('oversight_events', json_build_object(
        'kind', 'data', 'path', (SELECT path::text FROM unit WHERE parent IS NULL LIMIT 1),
        'data', json_build_object('records', TG_TABLE_NAME))::text);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER task_arrived AFTER INSERT OR UPDATE ON task
    FOR EACH STATEMENT EXECUTE FUNCTION plans_arrived();
CREATE TRIGGER target_arrived AFTER INSERT OR UPDATE ON target
    FOR EACH STATEMENT EXECUTE FUNCTION plans_arrived();
