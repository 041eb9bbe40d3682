-- Wall displays (issue 8): each display is a read-only bearer token scoped to a unit, with the
-- scenes it rotates through. Revoking the token (api_token.revoked_at) blanks the wall.
CREATE TABLE display (
    id               bigserial PRIMARY KEY,
    token_id         bigint NOT NULL UNIQUE REFERENCES api_token(id),
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    scenes           jsonb NOT NULL CHECK (jsonb_typeof(scenes) = 'array'),
    interval_seconds integer NOT NULL DEFAULT 20 CHECK (interval_seconds BETWEEN 8 AND 600),
    lang             text NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    last_seen        timestamptz
);

-- A token's last use, for the administrators' list of displays and machine clients.
ALTER TABLE api_token ADD COLUMN last_used timestamptz;
