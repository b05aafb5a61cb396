#!/usr/bin/env bash
# Texts of one genre, scanned with and without the sentence-band candidates
# (--rewrite-candidates): the manual pages of this machine's section 1,
# rendered to text (man -l | col -b), a fixed seeded sample of them, leaving
# out the families generated from one template (gcloud, perl modules,
# git-*, llvm, ...), which share real text. How many pairs each source of
# candidates proposes, how many pairs are flagged, and how many of those
# only by paraphrase passages. Writes reports/genre_rewrites.md (or OUT).
#
#   bash scripts/eval/genre_rewrites.sh [PAGES]    (default 400 sampled)
#
# The pages are whatever the machine has installed, so the figures are
# this machine's; the report lists how many pages were rendered.
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-400}
out=${OUT:-reports/genre_rewrites.md}
command -v man >/dev/null && command -v col >/dev/null || {
    echo "genre_rewrites.sh: needs man and col (Debian: man-db, bsdextrautils)" >&2
    exit 2
}
cargo build --release --quiet
doppel=${CARGO_TARGET_DIR:-target}/release/doppel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/pages"
ls /usr/share/man/man1/ \
    | grep '\.1\.gz$' \
    | grep -v -i -E '^(gcloud|x86_64|perl|git-|lib|h5|qemu|pg_|llvm|clang)' \
    | python3 -c "
import random, sys
names = sorted(sys.stdin.read().split())
random.Random(7).shuffle(names)
print('\n'.join(names[:int(sys.argv[1])]))" "$pages" > "$work/list"
while read -r f; do
    src=/usr/share/man/man1/$f
    [ -L "$src" ] && continue
    name=$(basename "$f" .1.gz)
    MANWIDTH=80 man -l "$src" 2>/dev/null | col -b > "$work/pages/$name.txt" || true
    [ -s "$work/pages/$name.txt" ] || rm -f "$work/pages/$name.txt"
done < "$work/list"
for mode in default rewrite; do
    flags=()
    [ "$mode" = rewrite ] && flags=(--rewrite-candidates)
    "$doppel" scan "$work/pages" "${flags[@]}" --format json -o "$work/$mode.json" --stats -q \
        2> "$work/$mode.stats" || true
done
python3 - "$work" "$out" "$pages" <<'PY'
import json, re, sys
work, out, pages = sys.argv[1], sys.argv[2], sys.argv[3]
rows = []
for mode, name in (("default", "defaults"), ("rewrite", "--rewrite-candidates")):
    rep = json.load(open(f"{work}/{mode}.json"))
    stats = open(f"{work}/{mode}.stats").read()
    m = re.search(r"(\d+) candidate pairs, proposed by LSH (\d+), cosine (\d+), copied runs (\d+), "
                  r"rewritten sentences (\d+)", stats)
    flagged = [p for p in rep["pairs"] if p["verdict"] != "unrelated"]
    para = [p for p in flagged if all(x["kind"] == "paraphrase" for x in p["passages"])]
    rows.append((name, len(rep["documents"]), *(m.groups() if m else ("?",) * 5), len(flagged), len(para)))
md = ["# Texts of one genre, with and without the sentence-band candidates", "",
      f"Written by `bash scripts/eval/genre_rewrites.sh {pages}`: a seeded sample of this "
      "machine's section-1 manual pages (families generated from one template left out), "
      "rendered with `man -l | col -b`, scanned by `doppel scan DIR` with the defaults and "
      "with `--rewrite-candidates`. Pairs flagged only by paraphrase passages are, on such "
      "texts, mostly the genre's stock phrasing.", "",
      "| run | pages | candidate pairs | LSH | cosine | copied runs | rewritten sentences "
      "| flagged pairs | flagged by paraphrase passages only |",
      "|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    md.append("| " + " | ".join(str(x) for x in r) + " |")
md.append("")
open(out, "w").write("\n".join(md))
print("\n".join(md))
PY
