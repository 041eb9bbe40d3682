//! Installs what is missing, from the registries this machine reaches (rustup's wasm target,
//! npm packages by lock file, Debian's PostgreSQL and Chromium), and nothing when all is there.

use crate::status;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target and the npm packages (MapLibre, the font, binaryen's wasm-opt, Playwright).
pub fn ensure_build_tools(root: &Path) -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let has_wasm = installed
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !has_wasm {
        println!("== installing the wasm32 target");
        status(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let lock = root.join("package-lock.json");
    let stamp = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if !fresh {
        println!("== installing npm packages (package-lock.json)");
        // Playwright drives Debian's Chromium: it must never download a browser of its own.
        status(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir(root),
        )
        .context("npm ci")?;
    }
    Ok(())
}

/// A PostgreSQL program from the installed binaries, if any.
pub fn postgres_bin(program: &str) -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let p = e.path().join("bin").join(program);
            p.is_file().then_some((v, p))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    println!(
        "== installing {} from Debian's packages",
        packages.join(", ")
    );
    status(Command::new("apt-get").args(["update", "-q"]))?;
    status(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// PostgreSQL's server binaries (the private cluster), unless `DATABASE_URL` names a server.
pub fn ensure_postgres() -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty())
        || postgres_bin("initdb").is_some()
    {
        return Ok(());
    }
    apt_install(&["postgresql", "postgresql-contrib"])
}

/// Debian's Chromium for the end-to-end tests, and poppler's `pdftotext` and `pdftoppm`, with
/// which the report tests read the server's PDFs and render their pages.
pub fn ensure_chromium() -> anyhow::Result<()> {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.extend(["chromium", "fonts-dejavu-core"]);
    }
    if !Path::new("/usr/bin/pdftotext").exists() {
        missing.push("poppler-utils");
    }
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)
}

/// Debian's `wrk`, the load test's HTTP load generator.
pub fn ensure_wrk() -> anyhow::Result<()> {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("wrk").is_file()));
    if found {
        return Ok(());
    }
    apt_install(&["wrk"])
}
