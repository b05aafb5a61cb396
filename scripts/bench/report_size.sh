#!/usr/bin/env bash
# Reports of many pairs: memory of `scan -o r.json` with about 100,000
# flagged pairs, and how long headless Chromium takes to open the HTML
# page of 30 copies of one text. Writes reports/report_size.md.
#   bash scripts/bench/report_size.sh
#   DOPPEL=path/to/doppel OUT=before.md bash scripts/bench/report_size.sh
#       (another build, say of an earlier commit, into another file)
#
# 1. 3,000 generated documents of about 8 KB: 30 clusters of 100 light
#    edits (3% of words replaced) of one random text, so that most pairs
#    inside a cluster are near-duplicates. Peak RSS by GNU time.
# 2. 30 copies of the first 53,000 characters of Debian's GPL-3, Apache-2.0,
#    LGPL-2.1 and GPL-2 texts (435 pairs, 200 shown). Chromium's
#    --dump-dom run, from start to exit (median of 3), on the page as
#    written; the DOM of a page whose script had drawn every pair is
#    measured with #selftest, which draws them all.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${DOPPEL:-}" ]; then cargo build --release --quiet; fi
doppel=${DOPPEL:-${CARGO_TARGET_DIR:-target}/release/doppel}
chromium=${DOPPEL_CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-reports/report_size.md}

python3 - "$work/c.jsonl" <<'PY'
import json, random, sys
rng = random.Random(1)
vocab = ["w%d" % i for i in range(20000)]
with open(sys.argv[1], "w") as f:
    for c in range(30):
        sents, size = [], 0
        while size < 8000:
            s = " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "."
            sents.append(s)
            size += len(s) + 1
        for m in range(100):
            words = " ".join(sents).split(" ")
            for i, w in enumerate(words):
                if rng.random() < 0.03:
                    words[i] = rng.choice(vocab) + ("." if w.endswith(".") else "")
            f.write(json.dumps({"id": "c%02d-%03d" % (c, m), "text": " ".join(words)}) + "\n")
PY
/usr/bin/time -f "%e %M" -o "$work/time" "$doppel" scan "$work/c.jsonl" --jsonl -o "$work/r.json" --stats 2> "$work/stats"
read -r wall kb < "$work/time"
pairs=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['pairs']))" "$work/r.json")
json_mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6:.0f}')" "$work/r.json")
rm "$work/r.json"
# The same pairs as JSON Lines, each written as it is aligned and not kept.
/usr/bin/time -f "%e %M" -o "$work/time" "$doppel" scan "$work/c.jsonl" --jsonl -o "$work/r.jsonl" --stats 2> "$work/stats"
read -r lines_wall lines_kb < "$work/time"
lines=$(wc -l < "$work/r.jsonl")
lines_mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6:.0f}')" "$work/r.jsonl")
rm "$work/r.jsonl"

mkdir "$work/copies"
text=$(cat /usr/share/common-licenses/{GPL-3,Apache-2.0,LGPL-2.1,GPL-2} | python3 -c "import sys; sys.stdout.write(sys.stdin.read()[:53000])")
for k in $(seq -w 0 29); do printf '%s' "$text" > "$work/copies/copy$k.txt"; done
"$doppel" scan "$work/copies" -o "$work/c.html" -q || true
page_mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6:.1f}')" "$work/c.html")
open_page() { # URL → seconds, DOM bytes
    local start end
    start=$(date +%s.%N)
    "$chromium" --headless --no-sandbox --disable-gpu --window-size=1400,1000 \
        --user-data-dir="$work/profile" --dump-dom "$1" 2>/dev/null > "$work/dom"
    end=$(date +%s.%N)
    echo "$(python3 -c "print(f'{$end - $start:.2f}')") $(wc -c < "$work/dom")"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
times=(); for _ in 1 2 3; do read -r t dom < <(open_page "file://$work/c.html"); times+=("$t"); done
open_s=$(printf '%s\n' "${times[@]}" | median)
open_dom=$dom
read -r all_s all_dom < <(open_page "file://$work/c.html#selftest")

cat > "$out" <<MD
# Reports of many pairs

Produced by \`bash scripts/bench/report_size.sh\` on $(nproc) cores, load
average $(cut -d' ' -f1-3 /proc/loadavg) at the end; doppel $("$doppel" --version | cut -d' ' -f2).

## Memory of a JSON report of many pairs

3,000 generated documents of about 8 KB (30 clusters of 100 light edits of
one text), \`doppel scan c.jsonl --jsonl -o r.json\`, and the same with
\`-o r.jsonl\`:

| output | flagged pairs | size | wall | peak RSS | target |
|---|---|---|---|---|---|
| JSON report | $pairs | $json_mb MB | $wall s | $((kb / 1024)) MB | below 1 GB |
| JSON Lines, streamed | $lines | $lines_mb MB | $lines_wall s | $((lines_kb / 1024)) MB | |

In the JSON report each excerpt points into its document's one shared
text; JSON Lines are written as pairs are aligned (512 at a time), and no
pair is kept.

## Opening the HTML page of 30 copies

30 copies of one 53 KB text, \`doppel scan DIR -o c.html\`: 435 pairs, 200
shown side by side.

| page | headless Chromium, start to DOM dump | DOM |
|---|---|---|
| as written ($page_mb MB; pairs drawn as they come near the view) | $open_s s (median of 3) | $((open_dom / 1000)) KB |
| every pair drawn (\`#selftest\`, which also clicks all 400 passages) | $all_s s | $((all_dom / 1000)) KB |
MD
cat "$out"
