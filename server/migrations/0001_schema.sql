-- The domain schema of the whole brief. Later issues add behaviour, not tables.
-- Every fact table carries its subject's ltree path (for scope: `path <@ scope`) and its province
-- code (for distribution by province with Citus, see docs/ARCHITECTURE.md).

CREATE EXTENSION IF NOT EXISTS ltree;

-- The unit hierarchy: centre, committees under it, provinces, communes, grassroots organizations, cells.
CREATE TABLE unit (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    level       text NOT NULL CHECK (level IN ('central','committee','province','commune','grassroots','cell')),
    parent      text REFERENCES unit(code),
    path        ltree NOT NULL UNIQUE,
    province    text,
    lat         double precision,
    lon         double precision,
    area_km2    double precision,
    members     integer NOT NULL DEFAULT 0 CHECK (members >= 0),
    CHECK ((level = 'central') = (parent IS NULL))
);
CREATE INDEX unit_path_gist ON unit USING gist (path);
CREATE INDEX unit_parent ON unit (parent);
CREATE INDEX unit_level ON unit (level);

-- Map geometry per unit and level of detail (0 = full, 1 = medium, 2 = coarse), as GeoJSON geometry.
CREATE TABLE unit_geometry (
    unit        text NOT NULL REFERENCES unit(code) ON DELETE CASCADE,
    lod         smallint NOT NULL CHECK (lod BETWEEN 0 AND 2),
    geometry    jsonb NOT NULL,
    synthetic   boolean NOT NULL,
    source      text NOT NULL,
    PRIMARY KEY (unit, lod)
);

-- Members: synthetic and pseudonymous; `ref` is the id other systems use.
CREATE TABLE member (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL UNIQUE,
    unit        text NOT NULL REFERENCES unit(code),
    path        ltree NOT NULL,
    province    text,
    born_year   smallint,
    gender      text CHECK (gender IN ('f','m')),
    joined_year smallint,
    position    text
);
CREATE INDEX member_path_gist ON member USING gist (path);

-- Connected information systems and upload channels.
CREATE TABLE data_source (
    code          text PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),
    name          text NOT NULL,
    owner_unit    text NOT NULL REFERENCES unit(code),
    owner_path    ltree NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('push','upload')),
    cadence_hours integer NOT NULL CHECK (cadence_hours > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_arrival  timestamptz,
    rows_accepted bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0
);

-- Procedures (SOP): templates of steps that a case of a kind follows.
CREATE TABLE procedure (
    code        text PRIMARY KEY,
    case_kind   text NOT NULL,
    name        text NOT NULL,
    version     integer NOT NULL DEFAULT 1
);
CREATE TABLE procedure_step (
    procedure   text NOT NULL REFERENCES procedure(code) ON DELETE CASCADE,
    ord         smallint NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    role        text NOT NULL,
    days        integer NOT NULL CHECK (days > 0),
    PRIMARY KEY (procedure, ord)
);

-- Cases, per ../shared/contract/case.schema.json.
CREATE TABLE cases (
    id                    bigserial PRIMARY KEY,
    source                text NOT NULL REFERENCES data_source(code),
    external_id           text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 128),
    kind                  text NOT NULL CHECK (kind IN ('inspection_violation_signs','inspection_duty','inspection_finance','asset_declaration','supervision_regular','supervision_thematic','complaint','denunciation')),
    theme                 text CHECK (length(theme) <= 200),
    conducting_unit       text NOT NULL REFERENCES unit(code),
    subject_type          text NOT NULL CHECK (subject_type IN ('organization','member')),
    subject_unit          text NOT NULL REFERENCES unit(code),
    subject_ref           text CHECK (length(subject_ref) <= 64),
    path                  ltree NOT NULL,
    province              text,
    sector                text NOT NULL CHECK (sector IN ('land','finance_budget','construction','investment','natural_resources','health','education','personnel','enterprise','public_administration','security_defense','other')),
    status                text NOT NULL CHECK (status IN ('planned','in_progress','concluded','cancelled')),
    opened_on             date NOT NULL,
    due_on                date,
    concluded_on          date,
    violation             boolean,
    violation_categories  text[] NOT NULL DEFAULT '{}',
    amount_vnd            bigint CHECK (amount_vnd >= 0),
    discipline_form       text CHECK (discipline_form IN ('reprimand','warning','dismissal','expulsion','dissolution')),
    discipline_decided_on date,
    lat                   double precision NOT NULL CHECK (lat BETWEEN 8 AND 24),
    lon                   double precision NOT NULL CHECK (lon BETWEEN 102 AND 118),
    procedure             text REFERENCES procedure(code),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    written_by            text NOT NULL,
    UNIQUE (source, external_id),
    CHECK (status <> 'concluded' OR concluded_on IS NOT NULL),
    CHECK (concluded_on IS NULL OR concluded_on >= opened_on),
    CHECK (due_on IS NULL OR due_on >= opened_on),
    CHECK ((discipline_form IS NULL) = (discipline_decided_on IS NULL)),
    CHECK (discipline_form IS NULL OR subject_type = 'member' OR discipline_form NOT IN ('dismissal','expulsion')),
    CHECK (discipline_form IS NULL OR subject_type = 'organization' OR discipline_form <> 'dissolution')
);
CREATE INDEX cases_path_gist ON cases USING gist (path);
CREATE INDEX cases_province_opened ON cases (province, opened_on);
CREATE INDEX cases_opened ON cases (opened_on);
CREATE INDEX cases_subject_unit ON cases (subject_unit);

-- The steps a case has gone through under its procedure.
CREATE TABLE case_step (
    case_id     bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    ord         smallint NOT NULL,
    started_on  date NOT NULL,
    due_on      date NOT NULL,
    done_on     date,
    PRIMARY KEY (case_id, ord)
);

-- Resolutions, directives and conclusions of the centre, and the tasks they assign.
CREATE TABLE directive (
    code        text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('resolution','directive','conclusion')),
    number      text NOT NULL,
    title       text NOT NULL,
    issued_on   date NOT NULL,
    issuer      text NOT NULL REFERENCES unit(code),
    status      text NOT NULL CHECK (status IN ('active','completed','superseded'))
);
CREATE TABLE task (
    id          bigserial PRIMARY KEY,
    directive   text NOT NULL REFERENCES directive(code),
    parent_task bigint REFERENCES task(id),
    unit        text NOT NULL REFERENCES unit(code),
    path        ltree NOT NULL,
    province    text,
    title       text NOT NULL,
    assigned_on date NOT NULL,
    due_on      date NOT NULL,
    progress    smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status      text NOT NULL CHECK (status IN ('assigned','in_progress','done')),
    done_on     date,
    source      text REFERENCES data_source(code),
    external_id text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id),
    CHECK (due_on >= assigned_on),
    CHECK ((status = 'done') = (done_on IS NOT NULL))
);
CREATE INDEX task_path_gist ON task USING gist (path);
CREATE INDEX task_directive ON task (directive);
CREATE TABLE task_report (
    id          bigserial PRIMARY KEY,
    task        bigint NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    reported_on date NOT NULL,
    progress    smallint NOT NULL CHECK (progress BETWEEN 0 AND 100),
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX task_report_task ON task_report (task, reported_on);

-- Planned figures per unit, year, measure and sector (NULL sector: all sectors).
CREATE TABLE target (
    id          bigserial PRIMARY KEY,
    unit        text NOT NULL REFERENCES unit(code),
    path        ltree NOT NULL,
    province    text,
    year        smallint NOT NULL,
    measure     text NOT NULL CHECK (measure IN ('inspections','supervisions','settled_on_time')),
    sector      text,
    planned     integer NOT NULL CHECK (planned >= 0),
    source      text REFERENCES data_source(code),
    UNIQUE NULLS NOT DISTINCT (unit, year, measure, sector)
);
CREATE INDEX target_path_gist ON target USING gist (path);

-- Early-warning alerts and the work on them.
CREATE TABLE alert (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('info','warning','critical')),
    unit        text NOT NULL REFERENCES unit(code),
    path        ltree NOT NULL,
    province    text,
    measure     text NOT NULL,
    sector      text,
    expected    double precision,
    observed    double precision,
    explanation text NOT NULL,
    link        text,
    state       text NOT NULL DEFAULT 'new' CHECK (state IN ('new','acknowledged','assigned','resolved')),
    owner       text,
    dedup_key   text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_path_gist ON alert USING gist (path);
CREATE TABLE alert_event (
    id          bigserial PRIMARY KEY,
    alert       bigint NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    comment     text NOT NULL DEFAULT ''
);

-- Anomalies that the demo generator planted, for scoring detectors.
CREATE TABLE planted_anomaly (
    id          bigserial PRIMARY KEY,
    unit        text NOT NULL REFERENCES unit(code),
    measure     text NOT NULL,
    sector      text,
    month       date NOT NULL,
    factor      double precision NOT NULL,
    note        text NOT NULL
);

-- Which demo data set the database holds.
CREATE TABLE seed_info (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    size         text NOT NULL,
    seed         bigint NOT NULL,
    as_of        date NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now()
);

-- People and machine clients.
CREATE TABLE app_user (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._-]{2,64}$'),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin','leader','analyst','data_officer','display')),
    scope         text NOT NULL REFERENCES unit(code),
    totp_secret   text,
    demo          boolean NOT NULL DEFAULT false,
    disabled      boolean NOT NULL DEFAULT false,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE session (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);
CREATE TABLE api_token (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('admin','leader','analyst','data_officer','display')),
    scope       text NOT NULL REFERENCES unit(code),
    source      text REFERENCES data_source(code),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- The audit trail: append-only, each entry chained to the previous one by its hash.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    object      text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
