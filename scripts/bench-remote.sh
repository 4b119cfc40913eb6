#!/usr/bin/env bash
# Messaging between agents on two nodes over loopback, beside the same
# workloads on two distributed Erlang/OTP nodes (Debian's erlang-nox:
# apt-get install -y erlang-nox; epmd comes with it), in the same run.
# Ours: crates/node/examples/bench_remote.rs (two nodes in one process).
# Erlang: bench/erlang/remote.erl (node alpha started here with -sname and
# a cookie, node beta started from it with the `peer` module: two BEAMs).
# Medians of RUNS runs, alternating.
# Usage: scripts/bench-remote.sh [RUNS] [N_ONEWAY] [N_PINGPONG]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n_oneway=${2:-200000}
n_pingpong=${3:-20000}
command -v erl >/dev/null || { echo "erl not found: apt-get install -y erlang-nox"; exit 1; }
cargo build --release -q -p itinerant-node --example bench_remote
ours=target/release/examples/bench_remote
beam=$(mktemp -d)
trap 'rm -rf "$beam"' EXIT
erlc -o "$beam" bench/erlang/remote.erl
erlang() { erl -sname "itin_alpha_$$" -setcookie itin_bench -noshell -pa "$beam" -run remote main "$1" "$2" "$beam"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); erlang $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]),halt().')"
printf '%-22s %14s %14s %8s %s\n' measure itinerant erlang ratio unit
for mode in oneway pingpong; do
  count=$n_oneway; [ "$mode" = pingpong ] && count=$n_pingpong
  a=(); b=()
  for ((i = 0; i < runs; i++)); do
    a+=("$("$ours" $mode $count | awk '{print $2}')")
    b+=("$(erlang $mode $count | awk '{print $2}')")
  done
  ma=$(printf '%s\n' "${a[@]}" | median)
  mb=$(printf '%s\n' "${b[@]}" | median)
  line=$("$ours" $mode 1000)
  printf '%-22s %14s %14s %8.2f %s   (runs: %s | %s)\n' "$(echo "$line" | awk '{print $1}')" "$ma" "$mb" \
    "$(awk -v a=$ma -v b=$mb 'BEGIN{print a/b}')" "$(echo "$line" | awk '{print $3}')" "${a[*]}" "${b[*]}"
done
