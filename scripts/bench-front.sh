#!/usr/bin/env bash
# The front tier (1 front + 3 back ends, relay against handoff, the front
# the bottleneck and not) and client caching (95% reads, with and without
# caching), all nodes in one process on loopback.
# Program: crates/node/examples/bench_front.rs (release build).
# Usage: scripts/bench-front.sh [SECONDS_PER_MEASUREMENT] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_SECS=${1:-3} BENCH_RUNS=${2:-3}
cargo build --release -q -p itinerant-node --example bench_front
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/examples/bench_front
