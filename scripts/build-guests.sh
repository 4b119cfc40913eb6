#!/usr/bin/env bash
# Builds the WebAssembly guest agents (guests/, the agent API and example
# agents) for wasm32-unknown-unknown and copies them to guests/fixtures/,
# where the tests take them (the target may be missing on a CI machine).
# guests/fixtures/SOURCES records the sha-256 of every source file and the
# rustc that built them; crates/wasm/tests/it/fixtures.rs checks the fixtures
# against it, and rebuilds and compares when this rustc and the target are
# present.
#
#   scripts/build-guests.sh            # build and copy
#   TARGET_DIR=DIR scripts/build-guests.sh --check   # build into DIR only
set -euo pipefail
cd "$(dirname "$0")/../guests"
target_dir="${TARGET_DIR:-$PWD/target}"
# Paths inside the modules (panic locations) do not depend on where the
# tree or the cargo home is, so a rebuild elsewhere gives the same bytes.
export RUSTFLAGS="--remap-path-prefix=$PWD=/guests --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
cargo build --quiet --locked --release --target wasm32-unknown-unknown --examples --target-dir "$target_dir"
# tiny: the whole linear memory in one 64 KiB page (a 16 KiB stack instead
# of rustc's 1 MiB, one initial page; it allocates from an arena of its
# own). No --max-memory: the node appends the Asyncify buffer's pages.
# `cargo rustc` gives these link arguments to this one example.
cargo rustc --quiet --locked --release -p itinerant-guest --target wasm32-unknown-unknown --example tiny \
    --target-dir "$target_dir" -- -C link-arg=-zstack-size=16384 -C link-arg=--initial-memory=65536
if [ "${1:-}" = "--check" ]; then
    exit 0
fi
mkdir -p fixtures
for f in itinerant-guest/examples/*.rs; do
    name=$(basename "$f" .rs)
    cp "$target_dir/wasm32-unknown-unknown/release/examples/$name.wasm" "fixtures/$name.wasm"
done
{
    echo "rustc $(rustc -V | cut -d' ' -f2-)"
    find . -path ./target -prune -o -path ./fixtures -prune -o -type f \( -name '*.rs' -o -name '*.toml' -o -name Cargo.lock \) -print \
        | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum
} > fixtures/SOURCES
echo "guests built: $(ls fixtures/*.wasm | wc -l) modules in guests/fixtures"
