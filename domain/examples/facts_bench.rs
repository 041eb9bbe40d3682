//! Native guidance timings of the facts payload and the filter engine on 1,000,000 synthetic rows:
//! `cargo run --release -p domain --example facts_bench [rows] [changes]`.
//! (The benchmark that counts runs the wasm build in headless Chromium.)

use domain::facts::synth::{Change, change_plan, synthetic};
use domain::facts::{Dimension, Engine, Filter, ROW_BYTES, decode, encode};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

fn compressed(tool: &str, args: &[&str], bytes: &[u8]) -> Option<usize> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    Some(out.stdout.len())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), v[v.len() - 1])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let changes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);

    let t = Instant::now();
    let facts = synthetic(n, 2026);
    println!("synthetic {n} rows: {:.0} ms", ms(t.elapsed()));

    let t = Instant::now();
    let wire = encode(&facts);
    let encode_ms = ms(t.elapsed());
    let t = Instant::now();
    let back = decode(&wire).expect("decodes");
    let decode_ms = ms(t.elapsed());
    assert_eq!(back, facts);
    let per = |b: usize| b as f64 / n as f64;
    println!(
        "memory: {ROW_BYTES} bytes a row ({:.1} MB)",
        (n * ROW_BYTES) as f64 / 1e6
    );
    println!(
        "wire raw: {} bytes, {:.2} a row (encode {encode_ms:.0} ms, decode {decode_ms:.0} ms)",
        wire.len(),
        per(wire.len())
    );
    for (tool, args) in [
        ("gzip", &["-6", "-c"][..]),
        ("gzip", &["-9", "-c"][..]),
        ("brotli", &["-q", "5", "-c"][..]),
        ("zstd", &["-3", "-c", "-q"][..]),
    ] {
        match compressed(tool, args, &wire) {
            Some(b) => println!("wire {tool} {}: {b} bytes, {:.2} a row", args[0], per(b)),
            None => println!("wire {tool}: not installed"),
        }
    }

    let t = Instant::now();
    let mut e = Engine::new(back).expect("valid");
    println!(
        "engine build: {:.1} ms; its packed table {:.1} bytes a row, its index {:.1}",
        ms(t.elapsed()),
        e.facts().memory_bytes() as f64 / n as f64,
        e.index_bytes() as f64 / n as f64
    );

    let plan = change_plan(e.facts(), changes, 7);
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for Change {
        label,
        dimension: dim,
        filter,
    } in plan
    {
        let t = Instant::now();
        match filter {
            Some(flt) => e.set_filter(dim, flt).expect("fits"),
            None => e.clear(dim),
        }
        let v = e.views();
        std::hint::black_box((v.total, v.amount, v.days.len()));
        let took = ms(t.elapsed());
        all.push(took);
        by_kind.entry(label).or_default().push(took);
    }
    let (med, p95, max) = stats(&mut all);
    println!("{changes} changes: median {med:.3} ms, p95 {p95:.3} ms, max {max:.3} ms");
    println!(
        "{:<18} {:>5} {:>9} {:>9} {:>9}",
        "change", "n", "median", "p95", "max"
    );
    for (label, mut v) in by_kind {
        let len = v.len();
        let (a, b, c) = stats(&mut v);
        println!("{label:<18} {len:>5} {a:>9.3} {b:>9.3} {c:>9.3}");
    }
    println!("selected after the sequence: {}", e.views().total);

    // The worst case: every row flips while no other filter rejects it (all views move).
    e.clear_all();
    // FACTS_WORST_REPEAT=n repeats it n times first (for a profiler).
    let repeat: usize = std::env::var("FACTS_WORST_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for _ in 0..repeat {
        e.set_filter(Dimension::Status, Filter::Values(vec![]))
            .expect("fits");
        e.clear(Dimension::Status);
    }
    let t = Instant::now();
    e.set_filter(Dimension::Status, Filter::Values(vec![]))
        .expect("fits");
    let out = ms(t.elapsed());
    let t = Instant::now();
    e.clear(Dimension::Status);
    println!(
        "worst case, all {n} rows flip with no other filter: out {out:.3} ms, back in {:.3} ms",
        ms(t.elapsed())
    );
}
