#!/usr/bin/env bash
# Recall of the planted pairs by kind, `doppel scan` in its default (full)
# mode on a doppel-gen corpus of every kind (--kinds all), three ways: the
# defaults; without the winnowed copy candidates (--min-copy-words 0); with
# the sentence-band candidates for rewritten passages
# (--rewrite-candidates). Which planted kinds the candidates reach, how
# many flagged pairs are not planted, and the wall time and peak memory of
# each run (median of 3). Writes reports/planted.md (or OUT). MODES picks
# the ways (default nocopy rewrite; also exact: --exact-neighbours, the
# exact all-pairs cosine search), RUNS the runs of each (3).
#   bash scripts/eval/planted.sh [DOCS]      (default 20000)
#   OUT=reports/planted-100k.md bash scripts/eval/planted.sh 100000
#   OUT=reports/planted-1m.md MODES=default RUNS=1 bash scripts/eval/planted.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
docs=${1:-20000}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/doppel-gen" --docs "$docs" --seed 1 --kinds all --out "$work/c.jsonl" --truth "$work/t.jsonl" 2>/dev/null
runs=()
for mode in ${MODES:-default nocopy rewrite}; do
    case $mode in
        default) flags=() ;;
        nocopy) flags=(--min-copy-words 0) ;;
        rewrite) flags=(--rewrite-candidates) ;;
        exact) flags=(--exact-neighbours) ;;
        *) echo "planted.sh: unknown mode $mode (default, nocopy, rewrite, exact)" >&2; exit 2 ;;
    esac
    for r in $(seq "${RUNS:-3}"); do
        /usr/bin/time -f "%e %M" -o "$work/time" "$bin/doppel" scan "$work/c.jsonl" --jsonl \
            "${flags[@]}" -o "$work/r$mode.json" -q || true
        read -r s kb < "$work/time"
        runs+=("$mode $s $kb")
    done
done
printf '%s\n' "${runs[@]}" > "$work/runs"
out=${OUT:-reports/planted.md}
python3 - "$work" "$docs" "$out" > "$out" <<'PY'
import collections, json, os, statistics, sys
work, docs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
truth = [json.loads(l) for l in open(f"{work}/t.jsonl")]
runs = collections.defaultdict(list)
for line in open(f"{work}/runs"):
    w, s, kb = line.split()
    runs[w].append((float(s), int(kb)))
print("# Planted pairs found by `doppel scan`, by kind\n")
env = "".join(f"{k}={os.environ[k]!r} " if " " in os.environ[k] else f"{k}={os.environ[k]} "
              for k in ("MODES", "RUNS") if k in os.environ)
cmd = f"{env}bash scripts/eval/planted.sh {docs}" if out == "reports/planted.md" else f"OUT={out} {env}bash scripts/eval/planted.sh {docs}"
names = {"default": ("defaults", "the defaults (winnowed copy candidates at `--min-copy-words 25`, "
                     "cosine neighbours through each document's heaviest terms)"),
         "nocopy": ("no copy candidates", "without the copy candidates (`--min-copy-words 0`)"),
         "rewrite": ("--rewrite-candidates", "with the sentence-band candidates for rewritten "
                     "passages (`--rewrite-candidates`)"),
         "exact": ("--exact-neighbours", "with the exact all-pairs cosine search "
                   "(`--exact-neighbours`)")}
modes = [(m, names[m][0]) for m in runs]
n_runs = len(next(iter(runs.values())))
print(f"Produced by `{cmd}`: a doppel-gen corpus of "
      f"{docs:,} documents (seed 1, `--kinds all`), `doppel scan c.jsonl --jsonl` in the "
      f"default mode {len(modes)} way{'s' if len(modes) > 1 else ''}: "
      + "; ".join(names[m][1] for m, _ in modes)
      + ". A planted pair is found when it is flagged (any verdict but unrelated).\n")
kinds = sorted({t["kind"] for t in truth})
found = {}
planted = {(t["a"], t["b"]) for t in truth} | {(t["b"], t["a"]) for t in truth}
for m, _ in modes:
    rep = json.load(open(f"{work}/r{m}.json"))
    flagged = {(p["a"], p["b"]) for p in rep["pairs"] if p["verdict"] != "unrelated"}
    flagged |= {(b, a) for a, b in flagged}
    found[m] = (flagged, len({tuple(sorted(x)) for x in flagged if x not in planted}))
print("| kind | planted | " + " | ".join(f"found, {name}" for _, name in modes) + " |")
print("|---|---|" + "---|" * len(modes))
for k in kinds:
    ts = [t for t in truth if t["kind"] == k]
    cells = []
    for m, _ in modes:
        n = sum((t["a"], t["b"]) in found[m][0] for t in ts)
        cells.append(f"{n} ({n / len(ts):.1%})")
    print(f"| {k} | {len(ts)} | " + " | ".join(cells) + " |")
print("| flagged pairs not planted | | " + " | ".join(str(found[m][1]) for m, _ in modes) + " |")
print()
print(f"| run | wall, median of {n_runs} | peak RSS, median |")
print("|---|---|---|")
for m, name in modes:
    s = statistics.median(x[0] for x in runs[m])
    kb = statistics.median(x[1] for x in runs[m])
    print(f"| {name} | {s:.2f} s | {kb / 1024:.0f} MB |")
with open("/proc/loadavg") as f:
    print(f"\nLoad average at the end: {' '.join(f.read().split()[:3])} (2 cores; times are noisy on a shared machine).")
PY
cat "$out"
