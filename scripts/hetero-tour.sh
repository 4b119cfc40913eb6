#!/usr/bin/env bash
# Migration across heterogeneous machines: an x86_64 node, an aarch64 node
# and a big-endian s390x node (both under Debian's qemu-user) on loopback;
# the agent scripts/hetero/tour.tcl carries every kind of state x86 -> arm
# -> s390 -> x86, checks it at every stop, and forks a clone onto s390x
# that reports back. Transcript: docs/HETEROGENEOUS.md.
#
# Usage: scripts/hetero-tour.sh [--native]
#   --native: the same three nodes, all x86_64 binaries (no emulator): the
#   tour itself, checked where the cross tools cannot be installed.
# Needs (emulated): rustup targets aarch64-unknown-linux-gnu and
# s390x-unknown-linux-gnu; apt-get install gcc-aarch64-linux-gnu
# gcc-s390x-linux-gnu libc6-dev-arm64-cross libc6-dev-s390x-cross qemu-user
set -euo pipefail
cd "$(dirname "$0")/.."
NATIVE=${1:-}
X86=${ITIN:-target/ci/itin}
[ -n "${ITIN:-}" ] || cargo build -q --profile ci -p itin
CROSS=target/cross
cross_build() { # triple gcc-prefix
    local upper=${1//-/_}; upper=${upper^^}
    env "CARGO_TARGET_${upper}_LINKER=$2-gcc" "CC_${1//-/_}=$2-gcc" CARGO_TARGET_DIR=$CROSS \
        cargo build -q --profile ci -p itin --target "$1"
}
if [ "$NATIVE" = --native ]; then
    ARM=("$X86"); S390=("$X86")
else
    for tool in qemu-aarch64 qemu-s390x aarch64-linux-gnu-gcc s390x-linux-gnu-gcc; do
        command -v $tool >/dev/null || { echo "hetero-tour: $tool not found (see the usage above)" >&2; exit 1; }
    done
    # Always (cargo does nothing when they are up to date): the tour must
    # run the same source on every machine.
    T=$SECONDS
    cross_build aarch64-unknown-linux-gnu aarch64-linux-gnu
    cross_build s390x-unknown-linux-gnu s390x-linux-gnu
    echo "hetero-tour: cross builds up to date in $((SECONDS - T)) s"
    ARM=(qemu-aarch64 -L /usr/aarch64-linux-gnu $CROSS/aarch64-unknown-linux-gnu/ci/itin)
    S390=(qemu-s390x -L /usr/s390x-linux-gnu $CROSS/s390x-unknown-linux-gnu/ci/itin)
fi
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "hetero-tour FAILED: $*" >&2; for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
# Starts node $1 with the command in the remaining words; prints its address.
start() {
    local name=$1; shift
    "$@" node start --name "$name" --listen 127.0.0.1:0 --data "$WORK/$name" --insecure-loopback --workers 2 \
        ${PEERS:-} >"$WORK/$name.out" 2>"$WORK/$name.log" &
    PIDS+=($!)
    for _ in $(seq 600); do
        if line=$(grep -m1 "listening on" "$WORK/$name.out" 2>/dev/null); then echo "${line##* }"; return; fi
        sleep 0.1
    done
    fail "node $name did not start"
}
describe() { file -L "$1" | sed 's/^[^:]*: //' | cut -d, -f1,2; }
T0=$SECONDS
X=$(start x86 "$X86")
PEERS="--peer x86=$X" A=$(PEERS="--peer x86=$X" start arm "${ARM[@]}")
S=$(PEERS="--peer x86=$X --peer arm=$A" start s390 "${S390[@]}")
echo "hetero-tour: x86 at $X: $(describe "$X86")"
echo "hetero-tour: arm at $A: $(describe "${ARM[-1]}")${ARM[1]:+ under ${ARM[0]}}"
echo "hetero-tour: s390 at $S: $(describe "${S390[-1]}")${S390[1]:+ under ${S390[0]}}"
echo "hetero-tour: nodes up in $((SECONDS - T0)) s"
# Each node must know the others before the agent leaves.
for _ in $(seq 300); do
    n=$("$X86" nodes --node "$S" --json 2>/dev/null | grep -c '"link": "connected"' || true)
    [ "$n" -ge 2 ] && break
    sleep 0.2
done
"$X86" submit --node "$X" --name tourist --var "stops=arm s390 x86" --var clone_to=s390 --wait --timeout 600 \
    scripts/hetero/tour.tcl || fail "the tour"
echo "hetero-tour: passed in $((SECONDS - T0)) s"
