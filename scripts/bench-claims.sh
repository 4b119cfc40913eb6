#!/usr/bin/env bash
# The seed's claims about processes, threads and user-level threads,
# measured in one run (docs/CLAIMS.md): create+exit and switches of
# processes, threads, tokio tasks and Itinerant agents, and what a
# blocking call does to the others.
# Usage: scripts/bench-claims.sh [SCALE]   (1: the full counts; 0.1: quick)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p itinerant-node --example bench_claims
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: scripts/bench-claims.sh ${1:-1} ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
echo
target/release/examples/bench_claims "${1:-1}"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
