#!/usr/bin/env bash
# Peak memory of `doppel scan` when the sentence similarity matrices are
# dropped (a JSON report) and when they are kept for the heat map (an HTML
# report): 10 documents of about 1,960 sentences each (seeds/004 nine
# times over, a line apart), 45 flagged pairs.
#   bash scripts/bench/matrix_memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
doppel=${CARGO_TARGET_DIR:-target}/release/doppel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/c"
for i in $(seq 1 10); do
    for _ in $(seq 1 9); do cat seeds/004_795a0b2c7150b453.txt; echo; done > "$work/c/c$i.txt"
    echo "Variant $i." >> "$work/c/c$i.txt"
done
for out in r.json r.html; do
    /usr/bin/time -f "scan -o $out: %e s, peak %M KB" "$doppel" scan "$work/c" -o "$work/$out" -q || true
done
