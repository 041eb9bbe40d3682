//! A user's second factor in the database: checking it at login, enrolling an authenticator app,
//! and recovery codes. The codes themselves are [`super::totp`]; the secrets are stored sealed
//! ([`super::secret_key`]).

use super::{secret_key, totp};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// What the second factor of a login attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not needed: the role does not require it and the user has none.
    NotNeeded,
    /// A code of the authenticator app passed.
    Passed,
    /// A recovery code passed (it is now used); this many are left.
    Recovered { left: i64 },
    /// The role requires it and none was given.
    Missing,
    /// The role requires it but the user has none set up.
    NotEnrolled,
    /// A code or recovery code was given and is wrong, or was used already.
    Wrong,
}

/// Checks `input` (a code or a recovery code) for the user, marking it used when it passes.
pub async fn check(
    conn: &mut PgConnection,
    user_id: i64,
    required: bool,
    input: Option<&str>,
) -> sqlx::Result<Outcome> {
    let (secret, last_step): (Option<String>, Option<i64>) =
        sqlx::query_as("SELECT totp_secret, totp_last_step FROM app_user WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
    let secret = match secret.as_deref() {
        Some(stored) => secret_key::open_secret(stored)?,
        None => None,
    };
    let Some(secret) = secret else {
        return Ok(if required {
            Outcome::NotEnrolled
        } else {
            Outcome::NotNeeded
        });
    };
    let Some(input) = input.map(str::trim).filter(|i| !i.is_empty()) else {
        return Ok(Outcome::Missing);
    };
    if totp::looks_like_code(input) {
        let now = totp::step_of(chrono::Utc::now().timestamp());
        let Some(step) = totp::accept(&secret, input, now, last_step) else {
            return Ok(Outcome::Wrong);
        };
        // Conditional, so that two logins racing with one code cannot both pass.
        let done = sqlx::query(
            "UPDATE app_user SET totp_last_step = $2
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&mut *conn)
        .await?;
        return Ok(if done.rows_affected() == 1 {
            Outcome::Passed
        } else {
            Outcome::Wrong
        });
    }
    let used = sqlx::query(
        "UPDATE recovery_code SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(recovery_hash(input))
    .execute(&mut *conn)
    .await?;
    if used.rows_affected() == 0 {
        return Ok(Outcome::Wrong);
    }
    Ok(Outcome::Recovered {
        left: recovery_left(conn, user_id).await?,
    })
}

/// The SHA-256 of a recovery code as people may type it (any case, with or without the dash).
pub fn recovery_hash(input: &str) -> Vec<u8> {
    Sha256::digest(totp::normalize_recovery(input).as_bytes()).to_vec()
}

/// Unused recovery codes of a user.
pub async fn recovery_left(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM recovery_code WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await
}

/// Replaces a user's recovery codes with new ones, returned once.
pub async fn new_recovery_codes(
    conn: &mut PgConnection,
    user_id: i64,
) -> sqlx::Result<Vec<String>> {
    let codes = totp::new_recovery_codes();
    sqlx::query("DELETE FROM recovery_code WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for c in &codes {
        sqlx::query("INSERT INTO recovery_code (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(recovery_hash(c))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

/// A finished enrolment, shown once: the secret, its address for the app, the recovery codes.
#[derive(Debug)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    pub recovery_codes: Vec<String>,
}

/// Sets up a new secret at once (the command line, where an operator hands it over), with new
/// recovery codes; every session of the user ends.
pub async fn enrol_now(
    conn: &mut PgConnection,
    user_id: i64,
    username: &str,
    secret: &[u8],
) -> sqlx::Result<Enrolment> {
    sqlx::query(
        "UPDATE app_user SET totp_secret = $2, totp_pending = NULL, totp_last_step = NULL,
                totp_enrolled_at = now()
         WHERE id = $1",
    )
    .bind(user_id)
    .bind(secret_key::seal_secret(secret)?)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM session WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(Enrolment {
        secret: totp::secret_text(secret),
        uri: totp::otpauth_uri(username, secret),
        recovery_codes: new_recovery_codes(conn, user_id).await?,
    })
}
