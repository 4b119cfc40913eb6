#!/usr/bin/env bash
# FIPA interoperability with a real JADE platform (docs/FIPA.md): an
# Itinerant node with its FIPA HTTP MTP on loopback, a JADE main container
# with JADE's HTTP MTP on loopback, and two agents that check a round trip
# each way over HTTP (no other link between the platforms):
#   JADE REQUEST   -> Itinerant agent "echo" -> INFORM back to JADE
#   Itinerant QUERY-REF -> JADE agent "interop" -> INFORM back to Itinerant
#
# Usage: JADE_JAR=/path/to/jade.jar scripts/jade-interop.sh
# JADE is not shipped with Itinerant: get jade.jar from the JADE project
# (or build it from its public sources). Needs java and javac (17 works).
# Ports (loopback): JADE_MTP_PORT (7778), ITIN_FIPA_PORT (7779),
# JADE_IMTP_PORT (1099).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JADE_JAR:-}" ]; then
    echo "jade-interop: JADE_JAR is not set; give the path of jade.jar, e.g." >&2
    echo "  JADE_JAR=\$HOME/jade/lib/jade.jar scripts/jade-interop.sh" >&2
    exit 2
fi
[ -f "$JADE_JAR" ] || { echo "jade-interop: JADE_JAR=$JADE_JAR is not a file" >&2; exit 2; }
for tool in java javac; do
    command -v $tool >/dev/null || { echo "jade-interop: $tool not found" >&2; exit 2; }
done
JADE_MTP_PORT=${JADE_MTP_PORT:-7778}
ITIN_FIPA_PORT=${ITIN_FIPA_PORT:-7779}
JADE_IMTP_PORT=${JADE_IMTP_PORT:-1099}
ITIN=${ITIN:-target/debug/itin}
[ -x "$ITIN" ] || cargo build -q -p itin

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== compiling interop/jade/InteropAgent.java against $JADE_JAR"
mkdir -p "$WORK/classes"
javac -cp "$JADE_JAR" -d "$WORK/classes" interop/jade/InteropAgent.java

echo "== Itinerant node 'itin', FIPA HTTP MTP at http://127.0.0.1:$ITIN_FIPA_PORT/acc"
"$ITIN" node start --name itin --listen 127.0.0.1:0 --insecure-loopback \
    --fipa-http "127.0.0.1:$ITIN_FIPA_PORT" --agent interop/jade/itinerant.tcl >"$WORK/itin.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q '^fipa-http ' "$WORK/itin.log" && break; sleep 0.2; done
grep -q '^fipa-http ' "$WORK/itin.log" || { cat "$WORK/itin.log"; echo "jade-interop: node did not start" >&2; exit 1; }

echo "== JADE platform 'interop-jade', HTTP MTP at http://127.0.0.1:$JADE_MTP_PORT/acc"
java -Ditin.name=echo@itin "-Ditin.url=http://127.0.0.1:$ITIN_FIPA_PORT/acc" \
    -cp "$JADE_JAR:$WORK/classes" jade.Boot -name interop-jade -host 127.0.0.1 -port "$JADE_IMTP_PORT" \
    -mtps "jade.mtp.http.MessageTransportProtocol(http://127.0.0.1:$JADE_MTP_PORT/acc)" \
    -agents "interop:InteropAgent" >"$WORK/jade.log" 2>&1 &
PIDS+=($!)

# Both checks, for at most 90 s.
ok_jade=""; ok_itin=""
for _ in $(seq 180); do
    grep -q 'INTEROP jade<-itin INFORM itinerant-answer ping from jade' "$WORK/jade.log" && ok_jade=yes
    grep -q 'INTEROP-OK inform {jade-answer what-time}' "$WORK/itin.log" && ok_itin=yes
    [ -n "$ok_jade" ] && [ -n "$ok_itin" ] && break
    sleep 0.5
done
echo "== transcript: JADE"; grep 'INTEROP' "$WORK/jade.log" || true
echo "== transcript: Itinerant"; grep -E 'INTEROP|FIPA|agent ' "$WORK/itin.log" || true
if [ -n "$ok_jade" ] && [ -n "$ok_itin" ]; then
    echo "jade-interop: PASS (JADE request -> Itinerant inform; Itinerant query-ref -> JADE inform)"
    exit 0
fi
echo "jade-interop: FAIL (JADE request answered: ${ok_jade:-no}; Itinerant query answered: ${ok_itin:-no})" >&2
echo "== full logs"; cat "$WORK/jade.log" "$WORK/itin.log" >&2
exit 1
