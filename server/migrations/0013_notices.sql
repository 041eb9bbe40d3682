-- Urgent notices (issue 10): a leader or an administrator sends a notice to the sites directly
-- under their unit; each site's screens show it, the site acknowledges it, a reminder goes to the
-- sites that have not after a set time. Names are kept as they were when it was sent: a site
-- reads the notice through row-level security, which does not show it the sender's unit.

CREATE TABLE notice (
    id               bigserial PRIMARY KEY,
    text             text NOT NULL CHECK (length(text) BETWEEN 1 AND 600),
    severity         text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    link             text CHECK (length(link) <= 300),
    unit             text REFERENCES unit(code),
    unit_name        text,
    alert            bigint REFERENCES alert(id) ON DELETE SET NULL,
    sender           text NOT NULL,
    sender_unit      text NOT NULL REFERENCES unit(code),
    sender_unit_name text NOT NULL,
    -- The sender's unit's path: the notice belongs to it.
    path             ltree NOT NULL,
    sent_at          timestamptz NOT NULL DEFAULT now(),
    remind_at        timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    closed_by        text,
    -- Whether the reminder's sweep has been through it (once, at remind_at).
    reminded         boolean NOT NULL DEFAULT false,
    CHECK (remind_at > sent_at AND expires_at > remind_at)
);
CREATE INDEX notice_path ON notice USING gist (path);
CREATE INDEX notice_sent ON notice (sent_at DESC);
-- The reminders' sweep looks only at notices still up and not yet reminded.
CREATE INDEX notice_due ON notice (remind_at) WHERE closed_at IS NULL AND NOT reminded;

CREATE TABLE notice_site (
    notice           bigint NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
    unit             text NOT NULL REFERENCES unit(code),
    name             text NOT NULL,
    path             ltree NOT NULL,
    seen_at          timestamptz,
    seen_by          text,
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    reminded_at      timestamptz,
    PRIMARY KEY (notice, unit),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
CREATE INDEX notice_site_path ON notice_site USING gist (path);

-- The second wall (as migration 0011): the sender's side sees its notices and every site's row
-- below it; a site sees the notices sent to it, and its own row only.
GRANT SELECT ON notice, notice_site TO oversight_scoped;
ALTER TABLE notice_site ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON notice_site FOR SELECT TO oversight_scoped
    USING (path <@ (SELECT oversight_scope()));
ALTER TABLE notice ENABLE ROW LEVEL SECURITY;
CREATE POLICY scoped_read ON notice FOR SELECT TO oversight_scoped
    USING (path <@ (SELECT oversight_scope())
           OR EXISTS (SELECT 1 FROM notice_site s WHERE s.notice = notice.id
                      AND s.path = (SELECT oversight_scope())));
