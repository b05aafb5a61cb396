#!/usr/bin/env bash
# Peak memory and wall time of the default (full) scan against corpus size:
# `doppel scan corpus.jsonl --jsonl -o r.json` on doppel-gen corpora, whole
# process under GNU time, and the bytes each further document costs (the
# slope between the smallest and the largest size). Writes
# reports/full_memory.md.
#
#   bash scripts/bench/full_memory.sh                   # 10k and 100k documents
#   SIZES="10000 100000 300000" bash scripts/bench/full_memory.sh
#   BEFORE=path/to/older/doppel BEFORE_NAME=abc1234 bash scripts/bench/full_memory.sh
#                                  # and another build (named in the report), same run
#   BEFORE=target/release/doppel BEFORE_NAME=exact BEFORE_ARGS=--exact-neighbours \
#       bash scripts/bench/full_memory.sh   # or this build with other flags
#   OUT=/tmp/x.md bash scripts/bench/full_memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
doppel=$target/release/doppel
gen=$target/release/doppel-gen
sizes=${SIZES:-10000 100000}
out=${OUT:-reports/full_memory.md}
work=${BENCH_WORK:-$target/bench}/full_memory
mkdir -p "$work"

builds=("now:$doppel")
if [ -n "${BEFORE:-}" ]; then builds+=("${BEFORE_NAME:-before}:$BEFORE"); fi

rows=()
for n in $sizes; do
    corpus=$work/c$n.jsonl
    [ -s "$corpus" ] || "$gen" --docs "$n" --seed 1 --out "$corpus" --truth "$work/t$n.jsonl" 2>/dev/null
    bytes=$(stat -c %s "$corpus")
    for b in "${builds[@]}"; do
        name=${b%%:*}
        bin=${b#*:}
        extra=()
        if [ "$name" != now ]; then read -r -a extra <<< "${BEFORE_ARGS:-}"; fi
        /usr/bin/time -f "%e %M" -o "$work/time" "$bin" scan "$corpus" --jsonl -q -o "$work/r.json" "${extra[@]}" || true
        read -r secs kb < "$work/time"
        pairs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["pairs"]))' "$work/r.json")
        rows+=("$name $n $bytes $secs $kb $pairs")
        echo "$name: $n documents, $secs s, peak $kb KB, $pairs flagged pairs" >&2
    done
done

python3 - "$out" "${BEFORE_NAME:-before}" "${BEFORE_ARGS:-}" "${rows[@]}" <<'PY'
import sys
out, before, before_args = sys.argv[1:4]
rows = [r.split() for r in sys.argv[4:]]
other = (f" The build `{before}` ran with `{before_args}`." if before_args
         and any(r[0] == before for r in rows) else "")
md = ["# Memory of the full scan against corpus size", "",
      "Written by `bash scripts/bench/full_memory.sh` (sizes: "
      + ", ".join(sorted({r[1] for r in rows}, key=int)) + "): "
      "`doppel scan corpus.jsonl --jsonl -o r.json` with default settings on "
      "`doppel-gen --seed 1` corpora, one run each, whole process under GNU time "
      "(peak RSS) on a shared 2-core machine." + other, "",
      "| build | documents | text | wall | peak RSS | flagged pairs |",
      "|---|---|---|---|---|---|"]
for name, n, b, s, kb, p in rows:
    md.append(f"| {name} | {int(n):,} | {int(b) / 1e6:.0f} MB | {float(s):.1f} s "
              f"| {int(kb) / 1024:,.0f} MB | {int(p):,} |")
md.append("")
for name in dict.fromkeys(r[0] for r in rows):
    mine = sorted((r for r in rows if r[0] == name), key=lambda r: int(r[1]))
    if len(mine) >= 2:
        lo, hi = mine[0], mine[-1]
        per_doc = (int(hi[4]) - int(lo[4])) * 1024 / (int(hi[1]) - int(lo[1]))
        per_text = (int(hi[4]) - int(lo[4])) * 1024 / (int(hi[2]) - int(lo[2]))
        md.append(f"{name}: each further document costs {per_doc / 1024:.1f} KB of peak "
                  f"memory, {per_text:.1f} times its text (between {int(lo[1]):,} and "
                  f"{int(hi[1]):,} documents).")
md.append("")
open(out, "w").write("\n".join(md))
print("\n".join(md))
PY
