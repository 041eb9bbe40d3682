//! Throwaway databases for tests, on a private cluster under `target/test-pg` (or on the server
//! named by `OVERSIGHT_TEST_DATABASE_URL`). Each test gets its own database, cloned from a seeded
//! template, so tests run in parallel safely, across test binaries too.

use crate::db::{self, Cluster, MIGRATOR};
use anyhow::Context;
use fs4::fs_std::FileExt;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The seed every seeded test database holds.
pub const TEST_SEED: u64 = 7;

/// The key the tests' authenticator secrets are sealed with ([`crate::auth::secret_key`]): one
/// fixed key, so that the seeded templates, the test processes and the binaries they start (with
/// `OVERSIGHT_SECRET_KEY` = [`test_secret_key_hex`]) all open each other's secrets.
pub const TEST_SECRET_KEY: [u8; 32] = [0x5e; 32];

/// [`TEST_SECRET_KEY`] as `OVERSIGHT_SECRET_KEY` takes it.
pub fn test_secret_key_hex() -> String {
    hex::encode(TEST_SECRET_KEY)
}

/// Makes [`TEST_SECRET_KEY`] this process's key (every throwaway database does).
pub fn install_test_secret_key() {
    let key = crate::auth::secret_key::SecretKey::from_bytes(&TEST_SECRET_KEY);
    if let Err(e) = crate::auth::secret_key::install(key) {
        panic!("a test process with another key: {e}");
    }
}

/// A database of one test; dropped databases are removed by a later run.
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    pub name: String,
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The URL of the server's maintenance database, and a lock file guarding templates.
async fn server() -> anyhow::Result<(String, std::fs::File)> {
    let dir = target_dir().join("test-pg");
    std::fs::create_dir_all(&dir)?;
    let lock = std::fs::File::create(dir.join("template.lock"))?;
    if let Ok(url) = std::env::var("OVERSIGHT_TEST_DATABASE_URL") {
        return Ok((url, lock));
    }
    let cluster = Cluster::at(dir.join("pg"));
    tokio::task::spawn_blocking(move || cluster.ensure_running().map(|_| cluster))
        .await?
        .context("starting the test cluster")
        .and_then(|c| Ok((c.database_url("postgres")?, lock)))
}

fn with_db(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) => format!("{}/{db}", &url[..i]),
        None => url.to_string(),
    }
}

/// A fresh database, migrated, with no data.
pub async fn empty_database() -> TestDb {
    database(false).await.expect("a throwaway test database")
}

/// A fresh database with the `tiny` demo data (seed [`TEST_SEED`], as of today) and its geometry.
pub async fn seeded_database() -> TestDb {
    database(true)
        .await
        .expect("a seeded throwaway test database")
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn database(seeded: bool) -> anyhow::Result<TestDb> {
    install_test_secret_key();
    let (url, lock) = server().await?;
    let admin = db::connect(&url, 1).await?;
    let today = chrono::Local::now().date_naive();
    let template = format!(
        "tmpl_{}_{}",
        template_key(),
        if seeded { "tiny" } else { "empty" }
    );
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    {
        // One process at a time makes templates and clones them (cloning needs an idle template).
        let lock =
            tokio::task::spawn_blocking(move || lock.lock_exclusive().map(|_| lock)).await??;
        drop_stale(&admin).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&template)
                .fetch_one(&admin)
                .await?;
        if !exists {
            let building = format!("{template}_building");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .execute(&admin)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {building}"))
                .execute(&admin)
                .await?;
            let pool = db::connect(&with_db(&url, &building), 2).await?;
            MIGRATOR.run(&pool).await?;
            if seeded {
                let opts = crate::seed::SeedOptions {
                    size: crate::seed::Size::Tiny,
                    seed: TEST_SEED,
                    as_of: today,
                    progress: false,
                    through_ingest: false,
                };
                crate::seed::run(&pool, &opts).await?;
                crate::geography::load_shipped(&pool).await?;
            }
            pool.close().await;
            sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {template}"))
                .execute(&admin)
                .await?;
        }
        sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&admin)
            .await?;
        FileExt::unlock(&lock)?;
    }
    admin.close().await;
    let url = with_db(&url, &name);
    let pool = db::connect(&url, 4).await?;
    Ok(TestDb { pool, url, name })
}

/// Templates are rebuilt when the test binary (so the code and migrations) or the day changes.
fn template_key() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if let Ok(exe) = std::env::current_exe() {
        h.update(exe.to_string_lossy().as_bytes());
        if let Ok(modified) = std::fs::metadata(&exe).and_then(|m| m.modified()) {
            h.update(format!("{modified:?}").as_bytes());
        }
    }
    h.update(chrono::Local::now().date_naive().to_string().as_bytes());
    hex::encode(&h.finalize()[..6])
}

/// Drops the databases of test processes that have ended, and templates older than a day.
async fn drop_stale(admin: &PgPool) -> anyhow::Result<()> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")
            .fetch_all(admin)
            .await?;
    for name in names {
        let pid: Option<u32> = name.split('_').nth(1).and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(admin)
                .await?;
        }
    }
    Ok(())
}

/// This process's resident memory in bytes (Linux `/proc/self/status`; 0 elsewhere).
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// The peak of this process's resident memory, sampled every `every` on a thread of its own
/// until dropped (for the benchmarks and the tests that bound memory).
pub struct PeakMemory {
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl PeakMemory {
    pub fn start(every: std::time::Duration) -> PeakMemory {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let peak = std::sync::Arc::new(AtomicU64::new(resident_bytes()));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(resident_bytes(), Ordering::Relaxed);
                std::thread::sleep(every);
            }
        });
        PeakMemory { peak, stop }
    }

    /// Starts the peak again from now.
    pub fn reset(&self) {
        self.peak
            .store(resident_bytes(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The peak since the start or the last reset.
    pub fn peak(&self) -> u64 {
        self.peak
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(resident_bytes())
    }
}

impl Drop for PeakMemory {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The configuration of the crate's property tests: `cases` cases per property, or as many as
/// `PROPTEST_CASES` says (for longer runs); failures are not written to files (a case a
/// property finds becomes a named test).
#[cfg(test)]
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::contextualize_config(proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })
}
