#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium opens node a's
# dashboard while a scenario runs on two nodes (a, b) and checks, in the
# page's DOM, that
#   1. the agent "traveller" appears in the agents table, on node a;
#   2. it is followed to node b when it jumps there (the home node's table);
#   3. the sniffer draws its ACL request to "ponger" and the answer
#      (conversation tour-1);
#   4. its page shows its itinerary a -> b -> a once it is back;
#   5. the objects view lists an adapter and the calls made to it.
# Those views are loaded afresh for each check (polling, see dom()); then
# scripts/browser-live.py keeps one page open, with server-sent events, on
# the URL `itin dashboard` prints (a session), and checks that a new agent
# appears without a reload, that its Suspend button works, and that a
# message shows in the sniffer live.
# Screenshots of each view go to $ITIN_SHOTS (default target/browser-test);
# their paths are printed. With --docs they are also copied to docs/.
# Needs chromium (Debian's package) and a built itin (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
ITIN=${ITIN:-target/release/itin}
SHOTS=${ITIN_SHOTS:-target/browser-test}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -x "$ITIN" ] || cargo build --release -p itin
[ -n "$CHROMIUM" ] || { echo "browser-test: chromium not found" >&2; exit 1; }
mkdir -p "$SHOTS"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
START=$SECONDS
fail() { echo "browser-test FAILED: $*" >&2; for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }

# The first line matching $2 in file $1, within 10 s.
await_line() {
    for _ in $(seq 100); do
        if line=$(grep -m1 "$2" "$1" 2>/dev/null); then echo "$line"; return 0; fi
        sleep 0.1
    done
    fail "no \"$2\" in $1"
}

"$ITIN" node start --name a --listen 127.0.0.1:0 --insecure-loopback >"$WORK/a.out" 2>"$WORK/a.log" &
PIDS+=($!)
A=$(await_line "$WORK/a.out" "listening on" | awk '{print $5}')
URL=$(await_line "$WORK/a.out" "^dashboard " | awk '{print $2}')
# b names a as its peer; a learns b from b's hello.
"$ITIN" node start --name b --listen 127.0.0.1:0 --insecure-loopback --peer "a=$A" >"$WORK/b.out" 2>"$WORK/b.log" &
PIDS+=($!)
await_line "$WORK/b.out" "listening on" >/dev/null
export ITIN_NODE=$A

cat >"$WORK/ponger.tcl" <<'TCL'
for {set i 0} {$i < 20} {incr i} {
    set m [acl receive -timeout 30000]
    if {$m eq ""} break
    acl reply $m -performative inform -content "pong from $agent(node)"
}
TCL
cat >"$WORK/traveller.tcl" <<'TCL'
puts "starting on $agent(node)"
after 2500
acl send -performative request -receiver $pong -content ping -conversation-id tour-1
puts "got: [dict get [acl receive -timeout 10000] content]"
agent_jump b
puts "now on $agent(node)"
after 8000
agent_jump a
puts "back on $agent(node)"
after 30000
TCL
cat >"$WORK/counter.tcl" <<'TCL'
set n 0
proc add {k} { global n; incr n $k }
proc value {} { global n; set n }
TCL
PONG=$("$ITIN" submit --name ponger "$WORK/ponger.tcl" | awk '{print $NF}')
TRAVELLER=$("$ITIN" submit --name traveller --var "pong=$PONG" "$WORK/traveller.tcl" | awk '{print $NF}')
echo "browser-test: node a at $A, dashboard ${URL%%\?*}, agents $PONG (ponger) $TRAVELLER (traveller)"
"$ITIN" adapter create shop >/dev/null
REF=$("$ITIN" object add shop counter "$WORK/counter.tcl")
for k in 1 2 3; do "$ITIN" call "$REF" add "$k" >/dev/null; done

# The page's DOM after it ran 2 s of (virtual) time; polling instead of
# server-sent events, whose open stream would hold virtual time still.
dom() {
    timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom --virtual-time-budget=2000 \
        "$URL&live=poll#/$1" 2>/dev/null
}
shot() {
    timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,720 \
        --virtual-time-budget=2500 --screenshot="$SHOTS/$2.png" "$URL&live=poll#/$1" >/dev/null 2>&1 ||
        fail "no screenshot of $1"
    echo "browser-test: screenshot $SHOTS/$2.png"
}
# Retries view $1 until its DOM matches the regular expression $2 (30 s).
see() {
    local deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
        if dom "$1" | grep -Eq "$2"; then echo "browser-test: ok: $3"; return 0; fi
        sleep 0.3
    done
    fail "$3: view #/$1 never matched $2"
}

ROW="data-agent-id=\"$TRAVELLER\" data-node"
see agents "$ROW=\"a\"" "the traveller appears in the agents table on node a"
shot agents agents
see agents "$ROW=\"b\" data-state=\"moved\"" "it is followed to node b"
shot cluster cluster
see sniffer 'data-performative="request" data-conversation="tour-1"' "the sniffer shows its request (tour-1)"
see sniffer 'data-performative="inform" data-conversation="tour-1"' "and the answer"
shot sniffer sniffer
ENC=${TRAVELLER//@/%40}
see "agent/$ENC" 'data-hop="a".*data-hop="b".*data-hop="a"' "its page shows the itinerary a, b, a once it is back"
shot "agent/$ENC" agent
see objects 'shop.*itin://a/shop/counter' "the objects view lists the adapter and its object"
shot objects objects
python3 scripts/browser-live.py "$CHROMIUM" "$ITIN" "$("$ITIN" dashboard)" "$WORK" || fail "the live page"
if [ "${1:-}" = "--docs" ]; then
    for v in agents sniffer cluster agent objects; do cp "$SHOTS/$v.png" "docs/dashboard-$v.png"; done
    echo "browser-test: copied to docs/dashboard-*.png"
fi
echo "browser-test: passed in $((SECONDS - START)) s"
