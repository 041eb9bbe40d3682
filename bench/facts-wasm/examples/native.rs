//! The browser benchmark's engine and change sequence run natively, each change's time printed
//! (to set beside `target/bench-facts/results.json`):
//! `cargo run --release -p facts-wasm --example native [rows] [changes]`.

use domain::facts::Engine;
use domain::facts::synth::change_plan as plan;
use domain::facts::synth::synthetic;
use facts_wasm::flatten;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let changes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut e = Engine::new(synthetic(n, 2026)).expect("valid");
    let seq = plan(e.facts(), changes, 7);
    let mut out = Vec::new();
    for pass in ["first", "second"] {
        e.clear_all();
        for (k, c) in seq.iter().enumerate() {
            let t = Instant::now();
            match &c.filter {
                Some(f) => e.set_filter(c.dimension, f.clone()).expect("fits"),
                None => e.clear(c.dimension),
            }
            flatten(&e.views(), &mut out);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            println!("{pass} {k} {} {} {ms:.3}", c.label, out[0]);
        }
    }
}
