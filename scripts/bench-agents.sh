#!/usr/bin/env bash
# Agent runtime benchmarks beside the same workloads on Erlang/OTP
# (Debian's erlang-nox: apt-get install -y erlang-nox), in the same run.
# Medians of RUNS runs (ours and Erlang's alternating); idle memory with IDLE agents (default 1,000,000).
# Usage: scripts/bench-agents.sh [RUNS] [N] [IDLE]
# MODES="oneway pingpong" runs only those (default: spawn oneway pingpong idle).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${2:-100000}
idle=${3:-1000000}
command -v escript >/dev/null || { echo "escript not found: apt-get install -y erlang-nox"; exit 1; }
cargo build --release -q -p itinerant-core --example bench_agents
ours=target/release/examples/bench_agents
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); erlang $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().')"
printf '%-22s %14s %14s %8s %11s %s\n' measure itinerant erlang ratio pair-ratio unit
for mode in ${MODES:-spawn oneway pingpong idle}; do
  count=$n; [ "$mode" = idle ] && count=$idle
  r=$runs; [ "$mode" = idle ] && r=1
  # Alternating the two, so that the machine's noise falls on both alike.
  pairs=$(for ((i = 0; i < r; i++)); do
    echo "$("$ours" $mode $count | awk '{print $2}') $(escript bench/erlang/agents.erl $mode $count | awk '{print $2}')"
  done)
  a=$(echo "$pairs" | awk '{print $1}' | median)
  b=$(echo "$pairs" | awk '{print $2}' | median)
  # The median of the runs' own ratios: each pair ran back to back.
  pr=$(echo "$pairs" | awk '{printf "%.3f\n", $1 / $2}' | median)
  unit=$("$ours" $mode 1000 | awk '{print $3}')
  name=$("$ours" $mode 1000 | awk '{print $1}')
  printf '%-22s %14s %14s %8.2f %11.2f %s\n' "$name" "$a" "$b" "$(awk -v a=$a -v b=$b 'BEGIN{print a/b}')" "$pr" "$unit"
done
