#!/usr/bin/env bash
# The many-node simulation (docs/SCALE.md): NODES node processes on
# 127.0.0.2.. with AGENTS agents hopping among them, once with the embedded
# directory and once with etcd; one JSON line of figures per run.
#
#   scripts/simulate.sh [NODES [AGENTS [PAUSE_MS]]]     (default 40 10000 10000)
#
# Needs python3 and, for the etcd run, Debian's etcd-server. Run it when
# nothing else is compiling: it measures a CPU-bound system.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-40}
agents=${2:-10000}
pause=${3:-10000}
if [ ! -x target/ci/itin ]; then
    cargo build --profile ci -p itin
fi
command -v etcd >/dev/null || { echo "etcd is missing: apt-get install etcd-server" >&2; exit 1; }
for directory in embedded etcd; do
    python3 scripts/simulate.py --directory "$directory" --nodes "$nodes" --agents "$agents" \
        --pause-ms "$pause" --window "${WINDOW:-30}" --kill "${KILL:-3}" --itin target/ci/itin
done
