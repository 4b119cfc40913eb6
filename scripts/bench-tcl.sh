#!/usr/bin/env bash
# Interpreter micro-benchmarks: bench/tcl/micro.tcl under `itin tcl` (release
# build) and under tclsh 8.6, in the same run. Prints per benchmark the
# median time of each over RUNS runs and the ratio (ours / tclsh).
# Usage: scripts/bench-tcl.sh [RUNS] [SCRIPT]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
script=${2:-bench/tcl/micro.tcl}
tclsh=${TCLSH:-tclsh}
command -v "$tclsh" >/dev/null || { echo "tclsh not found (set TCLSH)"; exit 1; }
cargo build --release -q -p itin
itin=target/release/itin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < runs; r++)); do
  "$tclsh" "$script" >>"$tmp/tclsh"
  "$itin" tcl "$script" >>"$tmp/itin"
done
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "tclsh: $(echo 'puts [info patchlevel]' | "$tclsh"), runs: $runs (medians, microseconds)"
printf '%-10s %12s %12s %8s %s\n' benchmark itin tclsh ratio result
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for b in $(awk '{print $1}' "$tmp/tclsh" | sort -u); do
  ours=$(awk -v b="$b" '$1==b {print $3}' "$tmp/itin" | median)
  theirs=$(awk -v b="$b" '$1==b {print $3}' "$tmp/tclsh" | median)
  r1=$(awk -v b="$b" '$1==b {print $2; exit}' "$tmp/itin")
  r2=$(awk -v b="$b" '$1==b {print $2; exit}' "$tmp/tclsh")
  same=$([ "$r1" = "$r2" ] && echo same || echo "DIFFERENT ($r1 vs $r2)")
  printf '%-10s %12s %12s %8.2f %s\n' "$b" "$ours" "$theirs" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN {print (b > 0 ? a / b : 0)}')" "$same"
done
