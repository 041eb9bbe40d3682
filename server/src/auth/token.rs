//! Bearer tokens for machine clients (information systems that push data, wall displays).

use super::session::{new_token, token_hash};
use domain::Role;
use sqlx::PgPool;

/// Creates a token and returns its secret, which is shown once and stored only as a hash. A
/// display token gets a display with the default scenes ([`crate::display`]).
pub async fn create(
    pool: &PgPool,
    name: &str,
    role: Role,
    scope: &str,
    source: Option<&str>,
) -> anyhow::Result<String> {
    let mut tx = pool.begin().await?;
    let (id, token) = create_in(&mut tx, name, role, scope, source).await?;
    if role == Role::Display {
        crate::display::adopt_token(&mut tx, id, name, "cli").await?;
    }
    tx.commit().await?;
    Ok(token)
}

/// Creates a token within the transaction `tx`.
pub async fn create_in(
    tx: &mut sqlx::PgConnection,
    name: &str,
    role: Role,
    scope: &str,
    source: Option<&str>,
) -> sqlx::Result<(i64, String)> {
    let token = format!("ovs_{}", new_token());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_token (name, token_hash, role, scope, source)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(token_hash(&token))
    .bind(role.as_str())
    .bind(scope)
    .bind(source)
    .fetch_one(&mut *tx)
    .await?;
    Ok((id, token))
}
