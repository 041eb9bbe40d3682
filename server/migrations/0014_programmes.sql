-- Thematic supervision programmes (issue 10, part 2). A programme has a theme (the text of
-- `cases.theme` that its cases of kind `supervision_thematic` carry), an owner unit, the units under
-- supervision (below the owner, none within another), a period and planned milestones. Its figures
-- are computed from `cases` on every read (domain::programmes); nothing here is a copy of them.

CREATE TABLE programme (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9._-]{1,40}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    theme       text NOT NULL CHECK (length(theme) BETWEEN 1 AND 200),
    owner_unit  text NOT NULL REFERENCES unit(code),
    -- The owner's path: who may see the programme.
    path        ltree NOT NULL,
    province    text,
    period_from date NOT NULL,
    period_to   date NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (period_to >= period_from)
);
CREATE INDEX programme_path_gist ON programme USING gist (path);

CREATE TABLE programme_unit (
    programme   bigint NOT NULL REFERENCES programme(id) ON DELETE CASCADE,
    unit        text NOT NULL REFERENCES unit(code),
    -- The planned unit's path: its subtree's cases count for it.
    path        ltree NOT NULL,
    province    text,
    PRIMARY KEY (programme, unit)
);
CREATE INDEX programme_unit_path_gist ON programme_unit USING gist (path);
CREATE INDEX programme_unit_unit ON programme_unit (unit);

CREATE TABLE programme_milestone (
    programme     bigint NOT NULL REFERENCES programme(id) ON DELETE CASCADE,
    ord           smallint NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    due_on        date NOT NULL,
    planned_units integer NOT NULL CHECK (planned_units >= 0),
    PRIMARY KEY (programme, ord)
);

-- A programme's cases are found by their theme.
CREATE INDEX cases_thematic_theme ON cases (theme, path) WHERE kind = 'supervision_thematic';

-- Row-level security, as migration 0011: a programme is its owner's, a planned unit its unit's,
-- a milestone its programme's.
GRANT SELECT ON programme, programme_unit, programme_milestone TO oversight_scoped;
ALTER TABLE programme ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON programme FOR SELECT TO oversight_scoped
    USING (path <@ (SELECT oversight_scope()));
ALTER TABLE programme_unit ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON programme_unit FOR SELECT TO oversight_scoped
    USING (path <@ (SELECT oversight_scope()));
ALTER TABLE programme_milestone ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON programme_milestone FOR SELECT TO oversight_scoped
    USING (EXISTS (SELECT 1 FROM programme p WHERE p.id = programme_milestone.programme
                   AND p.path <@ (SELECT oversight_scope())));
