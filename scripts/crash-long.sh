#!/usr/bin/env bash
# The long migration crash test: agents hop among three node processes
# (10,000 hops in all by default) while random nodes are SIGKILLed and
# restarted; every agent must finish exactly once with the right result.
# The same test as CI's (crates/cli/tests/it/crash.rs), with bigger numbers.
# Usage: scripts/crash-long.sh [HOPS]
# Environment: ITIN_CRASH_SEED (replay a run), ITIN_CRASH_AGENTS (default
# 10), ITIN_CRASH_PAUSE_MS (an agent's mean pause after a hop, default 60),
# ITIN_CRASH_SECS (time limit, default 60 + HOPS / 10).
set -uo pipefail
cd "$(dirname "$0")/.."
export ITIN_CRASH_HOPS=${1:-${ITIN_CRASH_HOPS:-10000}}
export ITIN_CRASH_AGENTS=${ITIN_CRASH_AGENTS:-10}
export ITIN_CRASH_PAUSE_MS=${ITIN_CRASH_PAUSE_MS:-60}
log=$(mktemp -t itin-crash-long.XXXXXX)
start=$(date +%s)
cargo test --release -q -p itin --test it -- --nocapture crash:: >"$log" 2>&1
status=$?
secs=$(($(date +%s) - start))
grep -E '^crash test:' "$log"
if [ $status -eq 0 ] && grep -q '^crash test: PASS' "$log"; then
  line=$(grep '^crash test: PASS' "$log")
  kills=$(sed -E 's/.* kills ([0-9]+).*/\1/' <<<"$line")
  restarts=$(sed -E 's/.* restarts ([0-9]+).*/\1/' <<<"$line")
  echo "summary: hops $ITIN_CRASH_HOPS, agents $ITIN_CRASH_AGENTS, kills $kills, restarts $restarts, time ${secs}s, verdict PASS"
  rm -f "$log"
else
  # The failure: what was wrong, the seed, each agent's state, node logs.
  sed -n '/panicked at/,/^stack backtrace/p' "$log" | head -80
  echo "summary: hops $ITIN_CRASH_HOPS, agents $ITIN_CRASH_AGENTS, time ${secs}s, verdict FAIL (full output in $log)"
  exit 1
fi
