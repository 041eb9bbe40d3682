-- Reports (issue 8, part 4): kept reports with their files, and schedules that make them.
-- Both carry the unit's ltree `path`, so that scope is a `path <@ $scope` condition as everywhere.

CREATE TABLE report_schedule (
    id          bigserial PRIMARY KEY,
    unit        text NOT NULL REFERENCES unit(code),
    path        ltree NOT NULL,
    cadence     text NOT NULL CHECK (cadence IN ('month','quarter','year')),
    lang        text NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi','en')),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit, cadence, lang)
);
CREATE INDEX report_schedule_path_gist ON report_schedule USING gist (path);

CREATE TABLE report_file (
    id           bigserial PRIMARY KEY,
    unit         text NOT NULL REFERENCES unit(code),
    path         ltree NOT NULL,
    period       text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$'),
    lang         text NOT NULL CHECK (lang IN ('vi','en')),
    -- The schedule that made it (NULL: made by a person); a schedule keeps one report a period.
    schedule     bigint REFERENCES report_schedule(id) ON DELETE SET NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    pdf          bytea NOT NULL,
    xlsx         bytea NOT NULL,
    csv          bytea NOT NULL,
    UNIQUE (schedule, period)
);
CREATE INDEX report_file_path_gist ON report_file USING gist (path);
CREATE INDEX report_file_newest ON report_file (created_at DESC);
