//! The database: connecting (to `DATABASE_URL` or the private cluster), migrating, and preparing a
//! fresh database with the demo data.

pub mod cluster;
pub mod scoped;

use crate::config::Config;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

pub use cluster::Cluster;

/// The migrations in `server/migrations`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A connected database, and the private cluster behind it when we started one.
pub struct Database {
    pub pool: PgPool,
    pub url: String,
    /// Set when this process started the private cluster; it stops it on [`Database::close`].
    cluster: Option<Cluster>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or creates/starts the private cluster under the data directory.
    pub async fn open(config: &Config) -> anyhow::Result<Database> {
        let (url, cluster) = match &config.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let cluster = Cluster::at(config.data_dir.join("pg"));
                let started = cluster.ensure_running()?;
                let url = cluster.database_url("oversight")?;
                cluster.ensure_database("oversight").await?;
                (url, started.then_some(cluster))
            }
        };
        let pool = connect(&url, 16).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Database { pool, url, cluster })
    }

    /// Closes the pool and stops the private cluster if this process started it.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(cluster) = self.cluster
            && let Err(e) = cluster.stop()
        {
            tracing::warn!("stopping the private PostgreSQL cluster: {e:#}");
        }
    }
}

/// How long a request waits for a connection (a new one included) before it answers 503: while
/// PostgreSQL is down every request waits this long, so it is short.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A pool on `url` with short timeouts, so a lost database answers quickly instead of hanging.
/// Each connection is checked before it is handed out, so the connections of a database that went
/// away are replaced by new ones when it returns, without a restart.
pub async fn connect(url: &str, max: u32) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(true)
        .connect(url)
        .await?)
}

/// Whether the database holds no units yet (a fresh database gets the demo data).
pub async fn is_empty(pool: &PgPool) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM unit")
        .fetch_one(pool)
        .await?;
    Ok(n == 0)
}
