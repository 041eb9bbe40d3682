//! The private PostgreSQL cluster: created, started and stopped by the server itself from the
//! installed PostgreSQL binaries, so one command gives a working center.
//!
//! Trust-free: the superuser `oversight` has a generated password (kept in the cluster's folder,
//! readable only by its owner) and the cluster listens only on a loopback port chosen at creation.
//! `initdb` refuses to run as root, so when we are root the cluster belongs to the `postgres`
//! system user and its programs run through `runuser`.

use anyhow::{Context, bail};
use fs4::fs_std::FileExt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A private cluster rooted at a folder (`<data dir>/pg`).
#[derive(Debug, Clone)]
pub struct Cluster {
    root: PathBuf,
}

/// The system user that owns the cluster when we run as root.
const SYSTEM_USER: &str = "postgres";

impl Cluster {
    /// The cluster whose files live under `root` (created on first start).
    pub fn at(root: impl Into<PathBuf>) -> Cluster {
        // Absolute, because PostgreSQL's programs run inside the cluster's folder.
        let root = root.into();
        Cluster {
            root: std::path::absolute(&root).unwrap_or(root),
        }
    }

    fn pgdata(&self) -> PathBuf {
        self.root.join("cluster")
    }

    fn is_root() -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }

    /// Runs a PostgreSQL program, as the `postgres` user when we are root.
    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<std::process::Output> {
        let bin = find_binary(program)?;
        let mut cmd = if Self::is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", SYSTEM_USER, "--"]).arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        cmd.args(args).current_dir(&self.root);
        cmd.output()
            .with_context(|| format!("running {}", bin.display()))
    }

    /// Creates the cluster if needed and starts it if it is not running.
    /// Returns true when this call started it (then the caller should stop it when done).
    pub fn ensure_running(&self) -> anyhow::Result<bool> {
        fs::create_dir_all(&self.root)
            .with_context(|| format!("creating {}", self.root.display()))?;
        let lock = fs::File::create(self.root.join(".lock"))?;
        lock.lock_exclusive()?;
        if !self.pgdata().join("PG_VERSION").exists() {
            self.init()?;
        }
        let pgdata = self.pgdata();
        let pgdata = pgdata.to_string_lossy();
        let status = self.run("pg_ctl", &["-D", &pgdata, "status"])?;
        if status.status.success() {
            return Ok(false);
        }
        let log = self.root.join("postgresql.log");
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &pgdata,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        if !out.status.success() {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start: {}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        tracing::info!(dir = %self.root.display(), port = self.port()?, "private PostgreSQL cluster started");
        Ok(true)
    }

    fn init(&self) -> anyhow::Result<()> {
        let password = random_hex(24);
        let port = free_port()?;
        let pwfile = self.root.join("password");
        fs::write(&pwfile, &password)?;
        fs::write(self.root.join("port"), port.to_string())?;
        set_private(&pwfile)?;
        if Self::is_root() {
            chown_to_system_user(&self.root)?;
        }
        let pgdata = self.pgdata();
        let out = self.run(
            "initdb",
            &[
                "-D",
                &pgdata.to_string_lossy(),
                "-U",
                "oversight",
                "--pwfile",
                &pwfile.to_string_lossy(),
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ],
        )?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let conf = format!(
            "\n# written by oversight\nlisten_addresses = '127.0.0.1'\nport = {port}\n\
             unix_socket_directories = ''\nmax_connections = 300\nshared_buffers = 256MB\n\
             work_mem = 16MB\nmaintenance_work_mem = 256MB\nsynchronous_commit = off\n\
             max_wal_size = 2GB\n"
        );
        let conf_path = pgdata.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf_path)?;
        text.push_str(&conf);
        fs::write(&conf_path, text)?;
        Ok(())
    }

    /// The loopback port the cluster listens on.
    pub fn port(&self) -> anyhow::Result<u16> {
        let text =
            fs::read_to_string(self.root.join("port")).context("reading the cluster's port")?;
        Ok(text.trim().parse()?)
    }

    /// The URL of database `db` on this cluster.
    pub fn database_url(&self, db: &str) -> anyhow::Result<String> {
        let password = fs::read_to_string(self.root.join("password"))
            .context("reading the cluster's password")?;
        Ok(format!(
            "postgres://oversight:{}@127.0.0.1:{}/{db}",
            password.trim(),
            self.port()?
        ))
    }

    /// Creates database `db` if it does not exist.
    pub async fn ensure_database(&self, db: &str) -> anyhow::Result<()> {
        let pool = super::connect(&self.database_url("postgres")?, 1).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(db)
                .fetch_one(&pool)
                .await?;
        if !exists {
            // Identifiers cannot be bound; `db` is ours, but quote it all the same.
            let sql = format!("CREATE DATABASE \"{}\"", db.replace('"', "\"\""));
            if let Err(e) = sqlx::query(&sql).execute(&pool).await {
                // Another process may have created it meanwhile.
                let again: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
                )
                .bind(db)
                .fetch_one(&pool)
                .await?;
                if !again {
                    return Err(e.into());
                }
            }
        }
        pool.close().await;
        Ok(())
    }

    /// Stops the cluster (fast shutdown: sessions are ended, committed data is safe).
    pub fn stop(&self) -> anyhow::Result<()> {
        self.stop_in("fast")
    }

    /// Stops the cluster at once, as a crash would: no checkpoint, sessions cut; what was
    /// committed durably is recovered at the next start (the outage tests use it).
    pub fn stop_immediately(&self) -> anyhow::Result<()> {
        self.stop_in("immediate")
    }

    fn stop_in(&self, mode: &str) -> anyhow::Result<()> {
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.pgdata().to_string_lossy(),
                "-m",
                mode,
                "-w",
                "stop",
            ],
        )?;
        if !out.status.success() {
            bail!("pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

/// Finds a PostgreSQL program on PATH or under /usr/lib/postgresql/*/bin (newest version first).
pub fn find_binary(program: &str) -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let p = e.path().join("bin").join(program);
            p.is_file().then_some((v, p))
        })
        .collect();
    versions.sort();
    if let Some((_, p)) = versions.pop() {
        return Ok(p);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(program);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!(
        "PostgreSQL's {program} was not found on PATH or under /usr/lib/postgresql/*/bin; \
         install PostgreSQL (the README's first command does) or set DATABASE_URL"
    )
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    use rand::RngCore;
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn set_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    Ok(())
}

fn chown_to_system_user(root: &Path) -> anyhow::Result<()> {
    let out = Command::new("chown")
        .arg("-R")
        .arg(format!("{SYSTEM_USER}:"))
        .arg(root)
        .output()
        .context("running chown")?;
    if !out.status.success() {
        bail!(
            "cannot give {} to the '{SYSTEM_USER}' user: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
