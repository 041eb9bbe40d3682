//! Building the site (`target/site`): the app for wasm32 with the hydrate feature, wasm-bindgen,
//! wasm-opt, styles, fonts, MapLibre and `public/`; and the server.

use crate::{cargo, status};
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Which cargo profile the server is built with.
#[derive(Clone, Copy, PartialEq)]
pub enum Profile {
    Debug,
    Release,
}

/// Builds `target/site`.
pub fn site(root: &Path) -> anyhow::Result<()> {
    let site = root.join("target/site");
    let pkg = site.join("pkg");
    fs::create_dir_all(&pkg)?;
    println!("== building the app for the browser (wasm32, hydrate)");
    status(cargo().args([
        "build",
        "-p",
        "app",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--no-default-features",
        "--features",
        "hydrate",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = root.join("target/wasm32-unknown-unknown/wasm-release/app.wasm");
    bindgen_and_optimize(root, &wasm, &pkg)?;
    styles(root, &pkg)?;
    copy_dir(&root.join("public"), &site)?;
    let maplibre = root.join("node_modules/maplibre-gl/dist");
    let vendor = site.join("vendor/maplibre-gl");
    fs::create_dir_all(&vendor)?;
    for f in [
        "maplibre-gl.mjs",
        "maplibre-gl-shared.mjs",
        "maplibre-gl-worker.mjs",
        "maplibre-gl.css",
    ] {
        copy_if_changed(&maplibre.join(f), &vendor.join(f))?;
    }
    fonts(root, &site.join("fonts"))?;
    for dir in [&pkg, &vendor] {
        precompress(dir)?;
    }
    report_sizes(&pkg)?;
    Ok(())
}

/// wasm-bindgen through the library pinned in Cargo.lock, then wasm-opt from npm's binaryen, only
/// when the input changed (wasm-opt takes seconds).
fn bindgen_and_optimize(root: &Path, wasm: &Path, pkg: &Path) -> anyhow::Result<()> {
    let input_hash = hex::encode(Sha256::digest(
        fs::read(wasm).context("reading the app's wasm")?,
    ));
    let stamp = root.join("target/site/.wasm-stamp");
    let out = pkg.join("oversight_bg.wasm");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(input_hash.as_str()) && out.exists() {
        return Ok(());
    }
    let tmp = root.join("target/bindgen");
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.input_path(wasm)
        .web(true)?
        .out_name("oversight")
        .typescript(false);
    b.generate(&tmp).context("wasm-bindgen")?;
    println!("== optimizing the wasm (wasm-opt from npm binaryen)");
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    status(
        Command::new(wasm_opt)
            .arg(tmp.join("oversight_bg.wasm"))
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "-o",
            ])
            .arg(&out),
    )?;
    copy_if_changed(&tmp.join("oversight.js"), &pkg.join("oversight.js"))?;
    if tmp.join("snippets").exists() {
        copy_dir(&tmp.join("snippets"), &pkg.join("snippets"))?;
    }
    fs::write(&stamp, input_hash)?;
    Ok(())
}

/// `style/*.css` in name order, into `pkg/oversight.css`.
fn styles(root: &Path, pkg: &Path) -> anyhow::Result<()> {
    let mut files: Vec<_> = fs::read_dir(root.join("style"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "css"))
        .collect();
    files.sort();
    let mut css = String::new();
    for f in files {
        css.push_str(&format!(
            "/* {} */\n",
            f.file_name().unwrap_or_default().to_string_lossy()
        ));
        css.push_str(&fs::read_to_string(&f)?);
        css.push('\n');
    }
    write_if_changed(&pkg.join("oversight.css"), css.as_bytes())
}

/// Be Vietnam Pro (SIL OFL) from npm: the Vietnamese and Latin subsets of the weights we use.
fn fonts(root: &Path, dest: &Path) -> anyhow::Result<()> {
    let src = root.join("node_modules/@fontsource/be-vietnam-pro/files");
    fs::create_dir_all(dest)?;
    for subset in ["vietnamese", "latin", "latin-ext"] {
        for weight in ["400", "500", "600", "700"] {
            let name = format!("be-vietnam-pro-{subset}-{weight}-normal.woff2");
            copy_if_changed(&src.join(&name), &dest.join(&name))?;
        }
    }
    let licence = root.join("node_modules/@fontsource/be-vietnam-pro/LICENSE");
    if licence.exists() {
        copy_if_changed(&licence, &dest.join("LICENSE-be-vietnam-pro.txt"))?;
    }
    Ok(())
}

/// `.gz` and `.br` beside each file, served as they are (no compression per request).
fn precompress(dir: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "js" | "mjs" | "wasm" | "css") {
            continue;
        }
        let br = path.with_extension(format!("{ext}.br"));
        let newer = |p: &Path| -> bool {
            match (
                fs::metadata(p).and_then(|m| m.modified()),
                fs::metadata(&path).and_then(|m| m.modified()),
            ) {
                (Ok(a), Ok(b)) => a >= b,
                _ => false,
            }
        };
        if newer(&br) {
            continue;
        }
        let data = fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&data)?;
        fs::write(path.with_extension(format!("{ext}.gz")), gz.finish()?)?;
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut data.as_slice(), &mut out, &params)?;
        fs::write(&br, out)?;
    }
    Ok(())
}

fn report_sizes(pkg: &Path) -> anyhow::Result<()> {
    for name in ["oversight_bg.wasm", "oversight.js", "oversight.css"] {
        let raw = fs::metadata(pkg.join(name)).map(|m| m.len()).unwrap_or(0);
        let br = fs::metadata(pkg.join(format!("{name}.br")))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("   {name}: {} KB, {} KB brotli", raw / 1024, br / 1024);
    }
    Ok(())
}

/// Builds the server binary `oversight`.
pub fn server(_root: &Path, profile: Profile) -> anyhow::Result<()> {
    println!("== building the server");
    let mut cmd = cargo();
    cmd.args(["build", "-p", "server", "--bin", "oversight"]);
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    status(&mut cmd)
}

fn copy_dir(src: &Path, dest: &Path) -> anyhow::Result<()> {
    if !src.exists() {
        return Ok(());
    }
    fs::create_dir_all(dest)?;
    for entry in fs::read_dir(src)?.flatten() {
        let to = dest.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            copy_if_changed(&entry.path(), &to)?;
        }
    }
    Ok(())
}

fn copy_if_changed(src: &Path, dest: &Path) -> anyhow::Result<()> {
    let data = fs::read(src).with_context(|| format!("reading {}", src.display()))?;
    write_if_changed(dest, &data)
}

fn write_if_changed(dest: &Path, data: &[u8]) -> anyhow::Result<()> {
    if fs::read(dest).ok().as_deref() == Some(data) {
        return Ok(());
    }
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(dest, data).with_context(|| format!("writing {}", dest.display()))?;
    if dest.as_os_str().is_empty() {
        bail!("empty path");
    }
    Ok(())
}

/// The facts benchmark's engine (`bench/facts-wasm`, release, wasm32) and its bindings (the
/// library, as for the app), into `target/bench-facts/pkg` (`facts_wasm.js`,
/// `facts_wasm_bg.wasm`). No wasm-opt: the release build is optimized for speed already.
pub fn bench_facts(root: &Path) -> anyhow::Result<std::path::PathBuf> {
    println!("== building the facts benchmark's engine (wasm32, release)");
    status(cargo().args([
        "build",
        "-p",
        "facts-wasm",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    let wasm = root.join("target/wasm32-unknown-unknown/release/facts_wasm.wasm");
    let pkg = root.join("target/bench-facts/pkg");
    fs::create_dir_all(&pkg)?;
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.input_path(&wasm)
        .web(true)?
        .out_name("facts_wasm")
        .typescript(false);
    b.generate(&pkg).context("wasm-bindgen (facts benchmark)")?;
    Ok(pkg)
}
