//! `cargo run -p geodata --release -- [--check]`
//!
//! Regenerates `geodata/derived/` from `geodata/inputs/`. With `--check`, it
//! regenerates in memory only and exits with status 1 if any committed file
//! differs (or is missing, or is not one the tool makes).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("geodata: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut check = false;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--dir" => dir = PathBuf::from(args.next().context("--dir needs a path")?),
            "-h" | "--help" => {
                println!(
                    "usage: geodata [--check] [--dir GEODATA_DIR]\n\
                     regenerates GEODATA_DIR/derived/ from GEODATA_DIR/inputs/ (default: {});\n\
                     --check only compares and exits 1 on any difference",
                    dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument `{other}` (try --help)"),
        }
    }
    let inputs = geodata::InputFiles::read(&dir)?;
    let started = std::time::Instant::now();
    let derived = geodata::derive(&inputs)?;
    eprintln!(
        "geodata: derived {} files in {:.1} s; {} communes drawn as discs",
        derived.files.len(),
        started.elapsed().as_secs_f64(),
        derived.disc_communes.len()
    );
    for n in &derived.notes {
        eprintln!("geodata: note: {n}");
    }
    let out_dir = dir.join("derived");
    if check {
        let differences = compare(&out_dir, &derived.files)?;
        if differences.is_empty() {
            eprintln!("geodata: {} is up to date", out_dir.display());
            return Ok(ExitCode::SUCCESS);
        }
        for d in &differences {
            eprintln!("geodata: {d}");
        }
        eprintln!("geodata: run `cargo run -p geodata --release` and commit geodata/derived/");
        return Ok(ExitCode::from(1));
    }
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    for (name, bytes) in &derived.files {
        let path = out_dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        eprintln!("geodata: {:>9} bytes  {}", bytes.len(), path.display());
    }
    for d in &derived.disc_communes {
        eprintln!("geodata: disc commune {d}");
    }
    Ok(ExitCode::SUCCESS)
}

fn compare(out_dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<String>> {
    let mut differences = Vec::new();
    for (name, bytes) in files {
        match std::fs::read(out_dir.join(name)) {
            Ok(existing) if existing == *bytes => {}
            Ok(_) => differences.push(format!("{name} differs from what the inputs give")),
            Err(_) => differences.push(format!("{name} is missing")),
        }
    }
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        let mut extra: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !files.iter().any(|(f, _)| f == n))
            .collect();
        extra.sort();
        differences.extend(
            extra
                .into_iter()
                .map(|n| format!("{n} is not made by the tool")),
        );
    }
    Ok(differences)
}
