//! Bearer tokens for machine clients (information systems that push data, wall displays).

use super::session::{new_token, token_hash};
use domain::Role;
use sqlx::PgPool;

/// Creates a token and returns its secret, which is shown once and stored only as a hash.
pub async fn create(
    pool: &PgPool,
    name: &str,
    role: Role,
    scope: &str,
    source: Option<&str>,
) -> anyhow::Result<String> {
    let token = format!("ovs_{}", new_token());
    sqlx::query(
        "INSERT INTO api_token (name, token_hash, role, scope, source) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(name)
    .bind(token_hash(&token))
    .bind(role.as_str())
    .bind(scope)
    .bind(source)
    .execute(pool)
    .await?;
    Ok(token)
}
