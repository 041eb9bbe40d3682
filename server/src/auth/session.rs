//! Server-side sessions: a random token in an HttpOnly, SameSite=Strict cookie; only its SHA-256 is
//! stored. A session ends after 15 minutes idle or 12 hours in all.

use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Idle time after which a session ends.
pub const IDLE_MINUTES: i64 = 15;
/// Total time after which a session ends, active or not.
pub const ABSOLUTE_HOURS: i64 = 12;

/// SHA-256 of a secret token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new random token (32 bytes, URL-safe base64).
pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The anti-forgery token of a session: derived from the session's secret, so it needs no storage,
/// and readable by our own scripts (a cookie without HttpOnly), which send it back in the
/// `X-CSRF-Token` header of every state-changing request. Another site can neither read it nor
/// send it.
pub fn csrf_of(session_token: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(format!("csrf:{session_token}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24])
}

/// Ends every session of a user (a password change, a new second factor).
pub async fn revoke_all(conn: &mut sqlx::PgConnection, user_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM session WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Opens a session for a user and returns its token.
pub async fn create(pool: &PgPool, user_id: i64) -> sqlx::Result<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO session (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(hours => $3::int))",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(ABSOLUTE_HOURS as i32)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Ends a session.
pub async fn revoke(pool: &PgPool, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM session WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    super::session_cache::forget(token);
    Ok(())
}
