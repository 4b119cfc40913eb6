#!/usr/bin/env bash
# WebAssembly agents (docs/WASM.md, figures in docs/BENCHMARKS.md):
# - the Asyncify overhead on a CPU workload: fib(N) by naive recursion in
#   wasmtime, plain module vs plain with fuel vs instrumented with fuel
#   (crates/wasm/examples/asyncify_overhead.rs);
# - jump latency of wasm agents with 64 KiB (guests/fixtures/tiny.wasm) and
#   16 MiB of linear memory (15 MiB of data), an Agent Tcl
#   agent's jump and a loopback TCP round trip, in one run; fib(25) as an
#   Agent Tcl agent and as a wasm agent (crates/cli/examples/bench_wasm.rs).
# Needs wasm-opt (Debian's binaryen). Do not run it while compiling.
# Usage: scripts/bench-wasm.sh [RUNS] [FIB_N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
n=${2:-30}
command -v wasm-opt >/dev/null || { echo "wasm-opt not found: apt-get install -y binaryen"; exit 1; }
cargo build --release -q -p itinerant-wasm --example asyncify_overhead
cargo build --release -q -p itin --example bench_wasm
echo "# machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
target/release/examples/asyncify_overhead "$n" "$runs"
target/release/examples/bench_wasm "$runs"
