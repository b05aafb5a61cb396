#!/usr/bin/env bash
# Time and peak memory of doppel on hostile sizes: documents of MB megabytes
# (default 20) made of one repeated sentence, of random words, of a single
# unpunctuated sentence, and a JSONL file with one 500 MB line. Prints a
# Markdown table (the one in README, "Hostile input"). Needs python3 and GNU
# time (/usr/bin/time); writes about 1 GB under a temporary directory.
#
#   fuzz/big_inputs.sh [MB]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-20}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/doppel
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" "$mb" <<'EOF'
import random, re, sys
d, mb = sys.argv[1], int(sys.argv[2])
n = mb * 1024 * 1024
random.seed(7)
s = "The committee approved the budget on Monday. "
open(f"{d}/repeated.txt", "w").write(s * (n // len(s)))
syl = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "dan", "mor", "tel",
       "gis", "bru", "fen", "hal", "qua", "zor"]
vocab = ["".join(random.choice(syl) for _ in range(random.randint(1, 4))) for _ in range(60000)]
out, size = [], 0
while size < n:
    t = " ".join(random.choice(vocab) for _ in range(random.randint(8, 20))).capitalize() + ". "
    out.append(t)
    size += len(t)
text = "".join(out)
open(f"{d}/random.txt", "w").write(text)
sents = [x for x in re.split(r"(?<=\.) ", text) if x.strip()]
random.shuffle(sents)
open(f"{d}/shuffled.txt", "w").write(" ".join(sents))
out, size = [], 0
while size < n:
    w = random.choice(vocab)
    out.append(w)
    size += len(w) + 1
open(f"{d}/one-sentence.txt", "w").write(" ".join(out))
open(f"{d}/small.txt", "w").write(
    "A short note. The committee approved the budget on Monday. Nothing else happened.\n")
EOF
{
    printf '{"id": "a", "text": "before"}\n{"id": "big", "text": "'
    head -c 500000000 /dev/zero | tr '\0' 'x'
    printf '"}\n{"id": "c", "text": "after"}\n'
} >"$dir/big-line.jsonl"

measure() {
    local what=$1
    shift
    /usr/bin/time -f "%e %M" -o "$dir/time" "$bin" "$@" --format json >/dev/null 2>"$dir/err" || true
    # GNU time puts "Command exited with non-zero status N" first.
    read -r secs kb < <(tail -n 1 "$dir/time")
    printf '| %s | %s | %d |\n' "$what" "$secs" $((kb / 1024))
}

echo "| input ($mb MB documents) | seconds | peak MB |"
echo "|---|---|---|"
measure "scan: one repeated sentence" scan "$dir/repeated.txt"
measure "scan: random words" scan "$dir/random.txt"
measure "scan: one sentence, no punctuation" scan "$dir/one-sentence.txt"
measure "compare: random words with itself" compare "$dir/random.txt" "$dir/random.txt"
measure "compare: random words, sentences shuffled" compare "$dir/random.txt" "$dir/shuffled.txt"
measure "compare: repeated sentence with itself" compare "$dir/repeated.txt" "$dir/repeated.txt"
measure "compare: repeated sentence with a 3-sentence note" compare "$dir/repeated.txt" "$dir/small.txt"
measure "compare: one sentence with itself" compare "$dir/one-sentence.txt" "$dir/one-sentence.txt"
measure "scan --jsonl: one 500 MB line (limit 50 MB)" scan --jsonl "$dir/big-line.jsonl"
grep -q 'big-line.jsonl:2: line of 500000025 bytes' "$dir/err" || {
    echo "the 500 MB line was not reported as expected:" >&2
    cat "$dir/err" >&2
    exit 1
}
