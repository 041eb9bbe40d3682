#!/bin/sh
# Builds the facts benchmark's engine: bench/facts-wasm in release for wasm32, then wasm-bindgen
# (the library the xtask crate pins) into target/bench-facts/pkg. `cargo xtask bench-facts`
# does this and then runs the benchmark (bench/facts/run.mjs).
set -eu
cd "$(dirname "$0")/../.."
exec cargo xtask bench-facts --build-only
