//! `cargo xtask`: our build and the README's two commands.
//!
//! - `cargo xtask run`: installs what is missing, builds everything (release), starts the center.
//! - `cargo xtask test`: installs what is missing, builds, runs unit, integration and end-to-end tests.
//! - `cargo xtask build [--release]`: builds the site (wasm, scripts, styles, fonts) and the server.
//! - `cargo xtask geodata [--check]`: regenerates (or checks) the derived map geometry.
//! - `cargo xtask screenshots`: screenshots of every screen at tablet, desktop and wall sizes.
//! - `cargo xtask bench-facts [--build-only] [--rows N] [--changes N]`: the facts filter benchmark
//!   in headless Chromium (our wasm engine, crossfilter2, a plain typed-array scan), its table
//!   written to `docs/benchmarks/facts.md`.
//! - `cargo xtask bench-ingest [--rows N]`: the ingest benchmark (the route for NDJSON and CSV
//!   against a bare COPY, with memory), its table written to `docs/benchmarks/ingest.md`.
//! - `cargo xtask bench-overview`: the overview on a throttled tablet profile (payload, first
//!   useful paint; release server, demo data), its table written to `docs/benchmarks/overview.md`.
//! - `cargo xtask loadtest [--seconds N] [--connections N] [--streams N] [--phases a,b]`: the load
//!   test of issue 9 (`large` data, release server, overview and summary under wrk with 1,000
//!   event streams open, against a bare axum ceiling), its table written to `docs/LOAD.md`.
//! - `cargo xtask eval-anomalies [--seeds N,N] [--sizes demo,tiny,large]`: the anomaly detector
//!   and the plain threshold rule scored against the generator's planted anomalies (data generated
//!   in memory, no database; about 3 minutes), its tables written to `docs/benchmarks/anomalies.md`.

mod build;
mod install;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(e) = run() {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    let flag = |f: &str| args.iter().any(|a| a == f);
    match args.first().map(String::as_str) {
        Some("build") => {
            install::ensure_build_tools(&root)?;
            let profile = if flag("--release") {
                build::Profile::Release
            } else {
                build::Profile::Debug
            };
            build::site(&root)?;
            build::server(&root, profile)?;
        }
        Some("run") => {
            install::ensure_build_tools(&root)?;
            install::ensure_postgres()?;
            build::site(&root)?;
            build::server(&root, build::Profile::Release)?;
            exec_server(&root)?;
        }
        Some("test") => test(&root)?,
        Some("geodata") => {
            let mut cmd = cargo();
            cmd.args(["run", "--release", "-p", "geodata", "--"]);
            if flag("--check") {
                cmd.arg("--check");
            }
            status(&mut cmd)?;
        }
        Some("screenshots") => {
            install::ensure_build_tools(&root)?;
            install::ensure_postgres()?;
            install::ensure_chromium()?;
            build::site(&root)?;
            build::server(&root, build::Profile::Debug)?;
            let server = E2eServer::start(&root)?;
            let mut cmd = Command::new("node");
            cmd.arg("end2end/screenshots.mjs")
                .env("BASE_URL", &server.url);
            let result = status(&mut cmd);
            drop(server);
            result?;
        }
        Some("bench-facts") => bench_facts(&root, &args[1..])?,
        Some("bench-ingest") => bench_ingest(&root, &args[1..])?,
        Some("eval-anomalies") => eval_anomalies(&root, &args[1..])?,
        Some("loadtest") => loadtest(&root, &args[1..])?,
        Some("bench-overview") => {
            install::ensure_build_tools(&root)?;
            install::ensure_postgres()?;
            install::ensure_chromium()?;
            build::site(&root)?;
            build::server(&root, build::Profile::Release)?;
            let server = E2eServer::start_with(
                &root,
                "demo",
                root.join("target/release/oversight"),
                root.join("target/bench-overview-data"),
            )?;
            println!("== the overview on a throttled tablet (demo data, release server)");
            let result = status(
                Command::new("node")
                    .arg("end2end/bench/overview-paint.mjs")
                    .env("BASE_URL", &server.url)
                    .env("OUT", root.join("docs/benchmarks/overview.md"))
                    .current_dir(&root),
            );
            drop(server);
            result?;
        }
        _ => {
            eprintln!(
                "usage: cargo xtask run | test | build [--release] | geodata [--check] | screenshots | bench-facts [--build-only] [--rows N] [--changes N] | bench-ingest [--rows N] | bench-overview | eval-anomalies [--seeds N,N] [--sizes demo,tiny,large] | loadtest [--seconds N] [--connections N] [--streams N] [--phases ceiling,server,nolimit,uncached]"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}

/// The README's second command: every test, unit, integration (PostgreSQL) and end-to-end (Chromium).
fn test(root: &Path) -> anyhow::Result<()> {
    install::ensure_build_tools(root)?;
    install::ensure_postgres()?;
    install::ensure_chromium()?;
    build::site(root)?;
    build::server(root, build::Profile::Debug)?;
    // A fresh test cluster every run: old throwaway databases never pile up.
    let test_pg = root.join("target/test-pg");
    stop_cluster(&test_pg.join("pg"));
    let _ = std::fs::remove_dir_all(&test_pg);
    println!("== unit and integration tests");
    // The same packages and features as the server's build, so nothing is compiled twice.
    let mut tests = cargo();
    tests.args(["test", "-p", "server", "-p", "domain", "-p", "geodata"]);
    let unit = status(&mut tests);
    // The app's own unit tests run natively with its server-side feature.
    let mut app_tests = cargo();
    app_tests.args(["test", "-p", "app", "--features", "ssr"]);
    let app = status(&mut app_tests);
    println!("== end-to-end tests (Chromium)");
    let server = E2eServer::start(root)?;
    let mut e2e = Command::new(root.join("node_modules/.bin/playwright"));
    e2e.args(["test", "--config", "end2end/playwright.config.ts"])
        .env("BASE_URL", &server.url)
        // The wall's restart test starts a second server of its own on the same database.
        .env("OVERSIGHT_BIN", &server.bin)
        .env("OVERSIGHT_E2E_DATA", &server.data)
        .env("OVERSIGHT_SITE_DIR", root.join("target/site"));
    let e2e = status(&mut e2e);
    drop(server);
    stop_cluster(&test_pg.join("pg"));
    unit.context("unit and integration tests")?;
    app.context("app unit tests")?;
    e2e.context("end-to-end tests")?;
    Ok(())
}

/// The facts filter benchmark: builds its wasm and bindings, then (unless `--build-only`) runs
/// `bench/facts/run.mjs` with the other arguments, which writes `docs/benchmarks/facts.md`.
fn bench_facts(root: &Path, args: &[String]) -> anyhow::Result<()> {
    install::ensure_build_tools(root)?;
    build::bench_facts(root)?;
    if args.iter().any(|a| a == "--build-only") {
        return Ok(());
    }
    install::ensure_chromium()?;
    println!("== running the facts benchmark in headless Chromium");
    status(
        Command::new("node")
            .arg(root.join("bench/facts/run.mjs"))
            .args(args)
            .current_dir(root),
    )
}

/// The ingest benchmark (release), on a throwaway database of the test cluster.
fn bench_ingest(root: &Path, args: &[String]) -> anyhow::Result<()> {
    install::ensure_postgres()?;
    println!("== running the ingest benchmark (release)");
    status(
        Command::new("cargo")
            .args([
                "run",
                "--release",
                "-p",
                "server",
                "--example",
                "ingest_bench",
                "--",
            ])
            .args(args)
            .arg("--out")
            .arg(root.join("docs/benchmarks/ingest.md"))
            .current_dir(root),
    )
}

fn eval_anomalies(root: &Path, args: &[String]) -> anyhow::Result<()> {
    println!("== scoring the anomaly detector against planted anomalies (release)");
    status(
        cargo()
            .args([
                "run",
                "--release",
                "-p",
                "server",
                "--example",
                "anomaly_eval",
                "--",
            ])
            .args(args)
            .arg("--out")
            .arg(root.join("docs/benchmarks/anomalies.md"))
            .current_dir(root),
    )
}

/// The load test (docs/LOAD.md): wrk from Debian, the release server and the driver
/// (server/examples/loadtest.rs), which seeds `large` once under `target/load-data`.
fn loadtest(root: &Path, args: &[String]) -> anyhow::Result<()> {
    install::ensure_postgres()?;
    install::ensure_wrk()?;
    println!("== building the server, the ceiling and the load driver (release)");
    status(cargo().args([
        "build",
        "--release",
        "-p",
        "server",
        "--bin",
        "oversight",
        "--example",
        "ceiling",
        "--example",
        "loadtest",
    ]))?;
    let data = root.join("target/load-data");
    let result = status(
        Command::new(root.join("target/release/examples/loadtest"))
            .args(args)
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(root.join("docs/LOAD.md"))
            .current_dir(root),
    );
    // A run cut short leaves no cluster behind.
    stop_cluster(&data.join("pg"));
    result
}

/// A server for the end-to-end tests: its own data directory, the tiny data set, a free port.
struct E2eServer {
    child: std::process::Child,
    url: String,
    data: PathBuf,
    bin: PathBuf,
}

impl E2eServer {
    fn start(root: &Path) -> anyhow::Result<E2eServer> {
        E2eServer::start_with(
            root,
            "tiny",
            root.join("target/debug/oversight"),
            root.join("target/e2e-data"),
        )
    }

    /// A server of binary `bin` on a fresh data set of `size` in `data`.
    fn start_with(
        root: &Path,
        size: &str,
        bin: PathBuf,
        data: PathBuf,
    ) -> anyhow::Result<E2eServer> {
        stop_cluster(&data.join("pg"));
        let _ = std::fs::remove_dir_all(&data);
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let env = |c: &mut Command| {
            c.env("OVERSIGHT_DATA_DIR", &data)
                .env("OVERSIGHT_ADDR", format!("127.0.0.1:{port}"))
                .env("OVERSIGHT_SITE_DIR", root.join("target/site"))
                .env_remove("DATABASE_URL");
        };
        let mut seed = Command::new(&bin);
        seed.args(["seed", "--size", size, "--seed", "7"]);
        env(&mut seed);
        status(&mut seed).context("seeding the end-to-end database")?;
        let mut serve = Command::new(&bin);
        serve.arg("serve");
        env(&mut serve);
        let child = serve.spawn().context("starting the server")?;
        let url = format!("http://127.0.0.1:{port}");
        let server = E2eServer {
            child,
            url,
            data,
            bin,
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        bail!("the server did not start listening within 30 s")
    }
}

impl Drop for E2eServer {
    fn drop(&mut self) {
        // SIGTERM: the server shuts down gracefully and stops its private cluster.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        stop_cluster(&self.data.join("pg"));
    }
}

/// Stops a private cluster left running (by a crashed run), if any.
fn stop_cluster(root: &Path) {
    let pgdata = root.join("cluster");
    if !pgdata.join("postmaster.pid").exists() {
        return;
    }
    let Some(pg_ctl) = install::postgres_bin("pg_ctl") else {
        return;
    };
    let _ = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(pg_ctl)
        .arg("-D")
        .arg(&pgdata)
        .args(["-m", "fast", "-w", "stop"])
        .output();
}

/// Replaces this process with the server, so signals (Ctrl-C) reach it directly.
fn exec_server(root: &Path) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(root.join("target/release/oversight"));
    cmd.arg("serve")
        .env("OVERSIGHT_SITE_DIR", root.join("target/site"));
    println!(
        "== starting the center on http://{}",
        std::env::var("OVERSIGHT_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into())
    );
    let err = cmd.exec();
    bail!("starting the server: {err}")
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a command, failing if it fails.
pub(crate) fn status(cmd: &mut Command) -> anyhow::Result<()> {
    let s = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !s.success() {
        bail!("{:?} failed ({s})", cmd.get_program());
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}
