#!/usr/bin/env bash
# Object invocation throughput and latency (concurrency 1 and 64, a 16-byte
# echo) beside a tonic gRPC unary echo built in the same run, and the
# parallel client against 8 servers each adding 10 ms.
# Program: bench/grpc/src/bin/invoke.rs (a cargo project outside the
# workspace, so that `cargo test --workspace` never builds tonic; it shares
# the workspace's target directory). BENCH_BIN=server_models runs the
# organisations' table instead (scripts/bench-server-models.sh).
# Usage: scripts/bench-objects.sh [SECONDS_PER_RUN] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-invoke}
export BENCH_SECS=${1:-3} BENCH_RUNS=${2:-3}
export CARGO_TARGET_DIR="$PWD/target"
cargo build --release -q --manifest-path bench/grpc/Cargo.toml --bin "$bin"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
"target/release/$bin"
