#!/usr/bin/env bash
# Alignment of documents made of many short lines (roff sources, lists):
# the median of 3 wall times of
#   - compare of two 150 KB files of 12,700 random one-to-three-word lines,
#   - compare of the roff sources of bash.1 and git-config.1,
#   - scan of the first 1,000 roff pages of /usr/share/man/man1,
# written to reports/short_lines.md.
#   bash scripts/bench/short_lines.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
doppel=${CARGO_TARGET_DIR:-target}/release/doppel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import random, sys
r = random.Random(7)
syll = ["ka", "lo", "mi", "ter", "an", "sol", "bri", "do", "ne", "qua", "vis", "ru", "pe", "ton", "gal"]
vocab = ["".join(r.choice(syll) for _ in range(r.randint(1, 3))) for _ in range(5000)]
for name in ("x.txt", "y.txt"):
    lines, size = [], 0
    while size < 150_000:
        line = " ".join(r.choice(vocab) for _ in range(r.randint(1, 3)))
        lines.append(line)
        size += len(line) + 1
    open(f"{sys.argv[1]}/{name}", "w").write("\n".join(lines) + "\n")
PY
man=/usr/share/man/man1
for page in bash git-config; do
    [ -f "$man/$page.1.gz" ] || { echo "short_lines.sh: $man/$page.1.gz missing (apt-get install bash git)" >&2; exit 2; }
    zcat "$man/$page.1.gz" > "$work/$page.1"
done
mkdir "$work/man"
pages_gz=("$man"/*.1.gz)
for f in "${pages_gz[@]:0:1000}"; do
    zcat "$f" > "$work/man/$(basename "$f" .gz)" 2>/dev/null || true
done
pages=$(ls "$work/man" | wc -l)
median() { # command… → median wall seconds of 3 runs
    local t=()
    for _ in 1 2 3; do
        local s e
        s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
        t+=("$(echo "$e - $s" | bc)")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}
a=$(median "$doppel" compare "$work/x.txt" "$work/y.txt" --format json)
b=$(median "$doppel" compare "$work/bash.1" "$work/git-config.1" --format json)
c=$(median "$doppel" scan "$work/man" --format json -o "$work/man.json")
"$doppel" compare "$work/x.txt" "$work/y.txt" --format json > "$work/xy.json" || true
"$doppel" compare "$work/bash.1" "$work/git-config.1" --format json > "$work/bg.json" || true
python3 - "$work" "$a" "$b" "$c" "$pages" > reports/short_lines.md <<'PY'
import json, sys, collections, os
w, a, b, c, pages = sys.argv[1:]
def one(path):
    p = json.load(open(path))["pairs"][0]
    return p["verdict"], len(p["passages"])
xy, bg = one(f"{w}/xy.json"), one(f"{w}/bg.json")
scan = json.load(open(f"{w}/man.json"))["pairs"]
verdicts = collections.Counter(p["verdict"] for p in scan)
print("# Documents of many short lines\n")
print("Written by `bash scripts/bench/short_lines.sh` (median of 3 wall times, "
      f"{os.cpu_count()} cores, doppel's defaults).\n")
print("| run | wall (s) | goal (s) | outcome |")
print("|---|---|---|---|")
print(f"| `compare` of two 150 KB files of 12,700 random 1–3-word lines | {float(a):.2f} | 2 | {xy[0]}, {xy[1]} passages |")
print(f"| `compare` of the roff sources of bash.1 and git-config.1 | {float(b):.2f} | 3 | {bg[0]}, {bg[1]} passages |")
print(f"| `scan` of {pages} roff pages of /usr/share/man/man1 | {float(c):.2f} | 60 | {len(scan)} pairs reported: "
      + ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())) + " |")
print()
kinds = collections.Counter(q["kind"] for p in scan for q in p["passages"])
print(f"The scan's {sum(kinds.values())} passages: "
      + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
      + ". Many manual pages share text verbatim — Pod::Man's roff preamble, licence "
      "paragraphs, the pages of one tool generated from one template (the gcloud pages) — "
      "which is what most of these pairs hold.")
PY
cat reports/short_lines.md
