#!/usr/bin/env bash
# PAN 2013 text alignment: run doppel on every pair of a PAN corpus, score it
# with ../shared/tools/score_pan.py, measure a word-4-gram baseline in the
# same run, and write reports/pan13.md.
#
#   bash scripts/eval/pan13.sh CORPUS_DIR            # writes reports/pan13.md
#   bash scripts/eval/pan13.sh CORPUS_DIR --check    # CI: fail if overall plagdet
#                                                    # is 0.02 below reports/pan13.md
#
# CORPUS_DIR holds src/, susp/, pairs and one folder of truth XML per
# sub-corpus (the PAN 2013 training corpus: ../shared/data/pan13-train).
# The detections scored are exactly the files `doppel compare --pairs
# --format pan` writes.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:?usage: pan13.sh CORPUS_DIR [--check]}
mode=${2:-write}
scorer=${SCORE_PAN:-../shared/tools/score_pan.py}
for f in "$corpus/pairs" "$corpus/src" "$corpus/susp" "$scorer"; do
    [ -e "$f" ] || { echo "pan13.sh: $f: missing" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
doppel=${CARGO_TARGET_DIR:-target}/release/doppel

# PAN's pairs file lists "suspicious source"; doppel compares A = source
# with B = suspicious (B's passages are traced back to A).
awk 'NF == 2 { print $2 "\t" $1 }' "$corpus/pairs" > "$work/pairs.tsv"
npairs=$(wc -l < "$work/pairs.tsv")

start=$(date +%s.%N)
status=0
"$doppel" compare --pairs "$work/pairs.tsv" --a-dir "$corpus/src" --b-dir "$corpus/susp" \
    --format pan -o "$work/pan" --quiet || status=$?
end=$(date +%s.%N)
# 0: something flagged, 1: nothing flagged; 2 is an error.
[ "$status" -le 1 ] || { echo "pan13.sh: doppel failed (exit $status)" >&2; exit 2; }
doppel_s=$(echo "$end - $start" | bc)
python3 scripts/eval/pan_xml_to_jsonl.py "$work/pan" > "$work/doppel.jsonl"

start=$(date +%s.%N)
python3 scripts/eval/baseline_ngrams.py "$corpus/pairs" "$corpus/src" "$corpus/susp" > "$work/baseline.jsonl"
end=$(date +%s.%N)
baseline_s=$(echo "$end - $start" | bc)

python3 "$scorer" --truth "$corpus" --detections "$work/doppel.jsonl" --json > "$work/doppel.json"
python3 "$scorer" --truth "$corpus" --detections "$work/baseline.jsonl" --json > "$work/baseline.json"

python3 - "$work" "$corpus" "$npairs" "$doppel_s" "$baseline_s" "$mode" <<'PY'
import json, os, sys, glob, platform
work, corpus, npairs, doppel_s, baseline_s, mode = sys.argv[1:]
d = json.load(open(f"{work}/doppel.json"))
b = json.load(open(f"{work}/baseline.json"))

def groups(r):
    # score_pan --json: {"overall": {...}, "groups": {name: {...}}} or flat by name
    if "groups" in r:
        out = {"overall": r["overall"]}
        out.update(r["groups"])
        return out
    return r
d, b = groups(d), groups(b)
# Pairs of the no-reuse sub-corpus with any detection.
flagged = 0
no_reuse = os.path.join(corpus, "01-no-plagiarism", "pairs")
if os.path.exists(no_reuse):
    want = set()
    for line in open(no_reuse):
        if line.strip():
            s, r = line.split()
            want.add((s, r))
    got = set()
    for line in open(f"{work}/doppel.jsonl"):
        x = json.loads(line)
        got.add((x["susp"], x["src"]))
    flagged = len(want & got)
    total_no_reuse = len(want)
published = {
    "overall": 0.878, "02-no-obfuscation": 0.900, "03-random-obfuscation": 0.884,
    "04-translation-obfuscation": 0.887, "05-summary-obfuscation": 0.561,
}
overall = d["overall"]["plagdet"]
report = "reports/pan13.md"
if mode == "--check":
    import re
    text = open(report).read()
    m = re.search(r"overall plagdet: \*\*([0-9.]+)\*\*", text)
    committed = float(m.group(1))
    print(f"overall plagdet {overall:.4f}, committed {committed:.4f}")
    if overall < committed - 0.02:
        sys.exit(f"pan13.sh: overall plagdet {overall:.4f} is more than 0.02 below the committed {committed:.4f}")
    sys.exit(0)
rows = []
for name in ["overall", "01-no-plagiarism", "02-no-obfuscation", "03-random-obfuscation",
             "04-translation-obfuscation", "05-summary-obfuscation"]:
    if name not in d:
        continue
    x, y = d[name], b.get(name, {})
    pub = published.get(name)
    if not x.get("cases"):
        rows.append(f"| {name} | 0 | – ({x.get('detections', 0)} detections) | | | | "
                    f"– ({y.get('detections', 0)} detections) | – |")
        continue
    rows.append(
        f"| {name} | {x.get('cases', '')} | **{x['plagdet']:.3f}** | {x['precision']:.3f} | {x['recall']:.3f} "
        f"| {x['granularity']:.3f} | {y.get('plagdet', 0):.3f} | {pub if pub else '–'} |")
md = f"""# PAN 2013 text alignment (training corpus)

Written by `bash scripts/eval/pan13.sh {corpus}`: every listed pair through
`doppel compare --pairs --format pan` with default settings (A = source, B =
suspicious), the PAN XML files it writes converted to JSON Lines and scored by
`../shared/tools/score_pan.py` (macro-averaged precision and recall, as in the PAN
papers). The baseline is `scripts/eval/baseline_ngrams.py` (shared word 4-grams
joined within 300 characters, detections of 150 characters or more), measured in
the same run. Best published: Sanchez-Perez et al. 2014, on the PAN 2013 *test*
corpus.

overall plagdet: **{overall:.4f}**

| sub-corpus | cases | doppel plagdet | precision | recall | granularity | baseline plagdet | best published |
|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

No-reuse pairs (01-no-plagiarism) with any detection: {flagged} of {total_no_reuse}.

Wall time, {npairs} pairs on {os.cpu_count()} cores: doppel {float(doppel_s):.1f} s
(`compare --pairs`, reading, aligning and writing every pair), baseline
{float(baseline_s):.1f} s (Python, {os.cpu_count()} processes).
"""
open(report, "w").write(md)
print(md)
PY
