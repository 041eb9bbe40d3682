-- The second factor (issue 9): the authenticator app's secret (`app_user.totp_secret`, base32, set
-- at enrolment), the last step a code was accepted for (a code never passes twice), an enrolment
-- waiting for its first code, and single-use recovery codes (only their SHA-256 is kept).

ALTER TABLE app_user
    ADD COLUMN totp_last_step bigint,
    ADD COLUMN totp_pending   text,
    ADD COLUMN totp_enrolled_at timestamptz;

CREATE TABLE recovery_code (
    user_id     bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
