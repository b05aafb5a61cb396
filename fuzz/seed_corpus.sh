#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with starting inputs made from seeds/ (the
# fuzzer mutates these; it finds its way much faster from real text).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/text corpus/jsonl corpus/align corpus/decode
seeds=(../seeds/*.txt)
for f in "${seeds[@]}"; do
    cp "$f" "corpus/text/$(basename "$f")"
done
# decode: the seeds in the encodings files come in, and the regressions.
python3 - "${seeds[0]}" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()[:3000]
out = {"utf8": t.encode(), "utf8-bom": b"\xef\xbb\xbf" + t.encode(),
       "utf16le": b"\xff\xfe" + t.encode("utf-16-le"), "utf16be": b"\xfe\xff" + t.encode("utf-16-be"),
       "cp1252": t.encode("cp1252", "replace"), "nul": t.encode()[:500] + b"\0" + t.encode()[500:]}
for name, data in out.items():
    open(f"corpus/decode/{name}", "wb").write(data)
PY
cp ../tests/regressions/decode/* corpus/decode/
# align: a settings byte, then A, a NUL byte, then B.
n=${#seeds[@]}
for ((i = 0; i < n; i++)); do
    j=$(((i + 1) % n))
    { printf '\x00'; cat "${seeds[$i]}"; printf '\x00'; cat "${seeds[$j]}"; } \
        >"corpus/align/pair-$i-$j"
done
{ printf '\x09'; head -c 3000 "${seeds[0]}"; printf '\x00'; head -c 3000 "${seeds[1]}"; } \
    >corpus/align/short-0-1
# jsonl: a settings byte, then lines.
printf '\x03{"id": "a", "text": "One line."}\n\n{"id": 7, "text": "Caf\\u00e9 \\ud83d\\ude00"}\n{bad\n{"text": "no id"}\n' \
    >corpus/jsonl/mixed
printf '\x35{"id": "a", "text": "short"}\n{"id": "b", "text": "a line longer than the limit of this run"}\r\n{"id": "a", "text": "dup"}' \
    >corpus/jsonl/limit
printf '\x80{"id": "x", "text": ""}\n[1, 2]\n{"id": {"k": 1}, "text": "t"}\n' >corpus/jsonl/strict
# index: a small real index (two short documents), so mutations start from
# a valid SQLite file with doppel's tables.
mkdir -p corpus/index
tmp=$(mktemp -d)
head -c 1500 "${seeds[0]}" >"$tmp/a.txt"
head -c 1500 "${seeds[2]}" >"$tmp/b.txt"
cargo run --quiet --release --manifest-path ../Cargo.toml --bin doppel -- \
    index build "$tmp" --index "$tmp/ref.doppel" --quiet
cp "$tmp/ref.doppel" corpus/index/two-docs
rm -rf "$tmp"
