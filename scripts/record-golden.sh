#!/usr/bin/env bash
# Re-record the golden outputs of the differential Tcl suite (tests/tcl).
#
# For every tests/tcl/**/NAME.tcl this runs the reference interpreter as
#     cd <dir of NAME.tcl> && tclsh NAME.tcl < /dev/null
# i.e. with the script's own directory as the working directory and only the
# basename on the command line, so that messages mentioning the file name
# (errorInfo's `(file "NAME.tcl" line N)`, `info script`) are stable no matter
# where the repository is checked out.  It writes, next to the script:
#     NAME.out   standard output
#     NAME.err   standard error
#     NAME.code  the exit status, on one line
#
# Usage: scripts/record-golden.sh [SUBSTRING]
#   SUBSTRING (optional) restricts re-recording to scripts whose path relative
#   to tests/tcl contains it, e.g. `scripts/record-golden.sh list/`.
# Environment: TCLSH (default: tclsh) selects the reference interpreter.
# The goldens are recorded with Tcl 8.6.13; the script warns on other versions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite="$root/tests/tcl"
tclsh="${TCLSH:-tclsh}"
filter="${1:-}"

if ! command -v "$tclsh" >/dev/null 2>&1; then
    echo "record-golden: '$tclsh' not found on PATH" >&2
    exit 2
fi
version="$(echo 'puts [info patchlevel]' | "$tclsh")"
if [ "$version" != "8.6.13" ]; then
    echo "record-golden: warning: reference is Tcl $version, goldens were made with 8.6.13" >&2
fi

count=0
while IFS= read -r -d '' script; do
    rel="${script#"$suite"/}"
    if [ -n "$filter" ] && [[ "$rel" != *"$filter"* ]]; then
        continue
    fi
    dir="$(dirname "$script")"
    base="$(basename "$script" .tcl)"
    set +e
    (cd "$dir" && timeout 10 "$tclsh" "$base.tcl" < /dev/null > "$base.out" 2> "$base.err")
    code=$?
    set -e
    echo "$code" > "$dir/$base.code"
    if [ "$code" -eq 124 ]; then
        echo "record-golden: warning: $rel timed out" >&2
    fi
    count=$((count + 1))
done < <(find "$suite" -name '*.tcl' -type f -print0 | sort -z)

echo "record-golden: recorded $count scripts (Tcl $version)"
