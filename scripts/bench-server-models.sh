#!/usr/bin/env bash
# The seed's table "three ways to construct a server", measured: Tcl
# servants under organisation=iterative, threaded and event, for a blocking
# workload (each call waits 10 ms) and a CPU workload, in one run.
# Program: bench/grpc/src/bin/server_models.rs.
# Usage: scripts/bench-server-models.sh [SECONDS_PER_RUN] [RUNS]
BENCH_BIN=server_models exec "$(dirname "$0")/bench-objects.sh" "${1:-2}" "${2:-3}"
