//! The audit trail: an append-only log (the database refuses UPDATE, DELETE and TRUNCATE on it) in
//! which each entry carries the SHA-256 of its content and of the entry before it, so that a
//! silent change anywhere breaks the chain that `oversight audit verify` checks.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Key of the advisory lock that serializes appends, so the chain has no forks.
const CHAIN_LOCK: i64 = 0x0A0D17;

/// The hash of an entry, from the previous entry's hash and this entry's fields.
pub fn entry_hash(
    prev: &[u8],
    at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    object: &str,
    detail: &serde_json::Value,
) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    for part in [
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            .as_str(),
        actor,
        action,
        object,
        &detail.to_string(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().to_vec()
}

/// Appends an entry: who (`actor`), what (`action`), on what (`object`), with details.
pub async fn append(
    pool: &PgPool,
    actor: &str,
    action: &str,
    object: &str,
    detail: serde_json::Value,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHAIN_LOCK)
        .execute(&mut *tx)
        .await?;
    let prev: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let prev = prev.unwrap_or_else(|| vec![0u8; 32]);
    let at = Utc::now().trunc_subsecs(6);
    let hash = entry_hash(&prev, &at, actor, action, object, &detail);
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, object, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(object)
    .bind(&detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The outcome of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry's hash matches; this many entries.
    Intact(u64),
    /// The first entry whose hash or link does not match.
    BrokenAt { id: i64, reason: String },
}

type EntryRow = (
    i64,
    DateTime<Utc>,
    String,
    String,
    String,
    serde_json::Value,
    Vec<u8>,
    Vec<u8>,
);

/// Checks the whole chain from the first entry to the last.
pub async fn verify(pool: &PgPool) -> sqlx::Result<Verdict> {
    use futures::TryStreamExt;
    let mut rows = sqlx::query_as::<_, EntryRow>(
        "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY id",
    )
    .fetch(pool);
    let mut prev = vec![0u8; 32];
    let mut n = 0u64;
    while let Some((id, at, actor, action, object, detail, prev_hash, hash)) =
        rows.try_next().await?
    {
        if prev_hash != prev {
            return Ok(Verdict::BrokenAt {
                id,
                reason: "its link to the previous entry does not match".into(),
            });
        }
        if entry_hash(&prev, &at, &actor, &action, &object, &detail) != hash {
            return Ok(Verdict::BrokenAt {
                id,
                reason: "its content does not match its hash".into(),
            });
        }
        prev = hash;
        n += 1;
    }
    Ok(Verdict::Intact(n))
}
