#!/usr/bin/env bash
# Growth of lappend/append/dict set from 100k to 1M elements, under
# `itin tcl` and tclsh in the same run: medians of RUNS, and the growth
# factor (time at 1M / time at 100k; linear would be 10).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
tclsh=${TCLSH:-tclsh}
cargo build --release -q -p itin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 100000 1000000; do
  for ((r = 0; r < runs; r++)); do
    target/release/itin tcl bench/tcl/scale.tcl $n >>"$tmp/itin"
    "$tclsh" bench/tcl/scale.tcl $n >>"$tmp/tclsh"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-10s %10s %10s %7s %10s %10s %7s\n' bench itin_100k itin_1M growth tclsh_100k tclsh_1M growth
for b in s_lappend s_append s_dict; do
  i1=$(awk -v b=$b '$1==b && $2==100000 {print $3}' "$tmp/itin" | median)
  i2=$(awk -v b=$b '$1==b && $2==1000000 {print $3}' "$tmp/itin" | median)
  t1=$(awk -v b=$b '$1==b && $2==100000 {print $3}' "$tmp/tclsh" | median)
  t2=$(awk -v b=$b '$1==b && $2==1000000 {print $3}' "$tmp/tclsh" | median)
  printf '%-10s %10s %10s %7.1f %10s %10s %7.1f\n' $b $i1 $i2 "$(awk -v a=$i2 -v b=$i1 'BEGIN{print a/b}')" $t1 $t2 "$(awk -v a=$t2 -v b=$t1 'BEGIN{print a/b}')"
done
