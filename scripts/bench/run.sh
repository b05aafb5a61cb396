#!/usr/bin/env bash
# Benchmark doppel against datasketch, rensa, scikit-learn and sparse_dot_topn
# on generated corpora; writes reports/bench.md, reports/bench.json and
# reports/bench.svg.
#
#   bash scripts/bench/run.sh [--sizes 10000,100000,1000000] [--runs 3] [other bench.py flags]
#
# Builds the release binaries (doppel, doppel-gen), creates a Python virtual
# environment with the pinned peers (scripts/bench/requirements.txt), then
# runs scripts/bench/bench.py. Corpora and outputs go to $BENCH_WORK
# (default: target/bench; the 1M corpus takes about 2.6 GB). Not part of CI:
# at the default sizes it takes an hour or more on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
venv="${BENCH_VENV:-$target/bench-venv}"
work="${BENCH_WORK:-$target/bench}"

echo "== release build" >&2
cargo build --release --bin doppel --bin doppel-gen

echo "== Python environment ($venv)" >&2
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/bench/requirements.txt

echo "== benchmark" >&2
export PYTHONDONTWRITEBYTECODE=1
mkdir -p "$work"
export BENCH_COMMAND="bash scripts/bench/run.sh${*:+ $*}"
exec "$venv/bin/python" scripts/bench/bench.py --bin "$target/release" --work "$work" "$@"
