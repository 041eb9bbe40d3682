//! The demo accounts (`app_user.demo = true`), replaced at every seed.

use anyhow::Context;
use sqlx::PgConnection;

/// The demo users, as (username, password, role, scope).
pub const DEMO_USERS: &[(&str, &str, &str, &str)] = &[
    ("admin", "admin-demo", "admin", "VN"),
    ("lanhdao", "lanhdao-demo", "leader", "VN"),
    ("phantich", "phantich-demo", "analyst", "VN"),
    ("hanoi", "hanoi-demo", "leader", "01"),
    ("hcm", "hcm-demo", "analyst", "79"),
    ("dulieu", "dulieu-demo", "data_officer", "01"),
];

/// The demo secret of an account whose role needs a second factor ([`crate::auth::totp::demo_secret`]),
/// sealed as every stored secret is ([`crate::auth::secret_key`]).
fn demo_totp(username: &str, role: &str) -> anyhow::Result<Option<String>> {
    let needs = role
        .parse::<domain::Role>()
        .is_ok_and(|r| r.needs_second_factor());
    if !needs {
        return Ok(None);
    }
    let secret = crate::auth::totp::demo_secret(username);
    Ok(Some(crate::auth::secret_key::seal_secret(&secret)?))
}

/// Hashes the demo users' passwords (slow: argon2id), off the async runtime's threads.
pub async fn hash_all() -> anyhow::Result<Vec<String>> {
    tokio::task::spawn_blocking(|| {
        DEMO_USERS
            .iter()
            .map(|(_, password, _, _)| crate::auth::hash_password(password))
            .collect()
    })
    .await
    .context("hashing the demo users' passwords")?
}

/// Deletes the demo users (their sessions go with them).
pub async fn delete(conn: &mut PgConnection) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM app_user WHERE demo")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates the demo users. A real (non-demo) user that already has one of the names keeps it.
pub async fn insert(conn: &mut PgConnection, hashes: &[String]) -> anyhow::Result<u64> {
    let mut created = 0;
    for ((username, _, role, scope), hash) in DEMO_USERS.iter().zip(hashes) {
        let done = sqlx::query(
            "INSERT INTO app_user (username, password_hash, role, scope, demo, totp_secret, totp_enrolled_at)
             VALUES ($1, $2, $3, $4, true, $5, CASE WHEN $5 IS NULL THEN NULL ELSE now() END)
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(hash)
        .bind(role)
        .bind(scope)
        .bind(demo_totp(username, role)?)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("creating the demo user {username}"))?;
        if done.rows_affected() == 0 {
            tracing::warn!(
                username,
                "a non-demo user already has this name; demo user not created"
            );
        }
        created += done.rows_affected();
    }
    Ok(created)
}
