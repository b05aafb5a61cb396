#!/usr/bin/env bash
# doppel.spark.dedup on a Spark cluster on loopback (a standalone master
# and two one-core workers on this machine, started and stopped by the
# run) against `doppel dedup --emit ids` on the same doppel-gen corpus, for
# each size given: wall time of each and whether the clusters are the same.
# Writes reports/spark_dedup.md.
#
#   bash scripts/test_python.sh                  # once: the venv with the wheel and pyspark
#   bash scripts/bench/spark_dedup.sh            # 100,000 documents
#   bash scripts/bench/spark_dedup.sh 10000 100000 1000000
#   OUT=/tmp/x.md bash scripts/bench/spark_dedup.sh 20000
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
venv=$target/python-venv
if ! "$venv/bin/python" -c "import doppel.spark" 2>/dev/null; then
    echo "no doppel.spark in $venv: run bash scripts/test_python.sh first" >&2
    exit 1
fi
cargo build --release --quiet --bin doppel --bin doppel-gen
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(100000); fi
work=${BENCH_WORK:-$target/bench}/spark_dedup
mkdir -p "$work"
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" scripts/bench/spark_dedup.py \
    --doppel "$target/release/doppel" --gen "$target/release/doppel-gen" \
    --work "$work" --out "${OUT:-reports/spark_dedup.md}" "${sizes[@]}"
