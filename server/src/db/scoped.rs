//! The second wall of scope: a read-only transaction as the role `oversight_scoped`, whose
//! row-level security policies (migration 0011) let PostgreSQL itself refuse every row outside the
//! transaction's scope. The application's own `path <@ $scope` filters stay (the first wall); this
//! one holds when a filter is forgotten.
//!
//! One transaction costs three round trips more than reading on the pool: `BEGIN` with the role
//! and the statement timeout (one simple query), the scope (`set_config`, bound), `COMMIT`.

use sqlx::{PgPool, Postgres, Transaction};

/// The role the policies apply to.
pub const ROLE: &str = "oversight_scoped";

/// The setting that holds the scope's ltree path, local to the transaction.
pub const SETTING: &str = "oversight.scope";

/// The longest any one statement of a scoped read may run (the largest reads, a country's cases
/// for `/facts` or a year's report of the centre, take seconds).
pub const STATEMENT_TIMEOUT: &str = "60s";

/// Opens the transaction: repeatable read (every read of a request sees one snapshot), read only,
/// as [`ROLE`], statements bounded by [`STATEMENT_TIMEOUT`].
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
                     SET LOCAL ROLE oversight_scoped; SET LOCAL statement_timeout = '60s'";

/// A scoped read: use it as a connection (`&mut *tx`), then [`finish`] it. Dropped, it rolls back.
pub type ScopedRead = Transaction<'static, Postgres>;

/// Begins a scoped read limited to the subtree at the ltree `path` (a [`crate::scope::Scope`]'s).
pub async fn begin(pool: &PgPool, path: &str) -> Result<ScopedRead, sqlx::Error> {
    let mut tx = pool.begin_with(BEGIN).await?;
    sqlx::query("SELECT set_config('oversight.scope', $1, true)")
        .bind(path)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Ends a scoped read (a commit: it wrote nothing).
pub async fn finish(tx: ScopedRead) -> Result<(), sqlx::Error> {
    tx.commit().await
}
