#!/usr/bin/env bash
# The Python package's tests, from nothing: a fresh virtual environment
# under the cargo target directory, maturin, pytest and numpy (and pyspark,
# pyarrow and pandas for doppel.spark) at pinned versions, the wheel built
# by maturin (release) and installed into it, the release command-line
# binaries built, then pytest — whose tests compare the package with the
# `doppel` binary they are given (DOPPEL_BIN), and doppel.spark's with it
# on a Spark cluster the test starts on loopback (it needs Java 17).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
venv="$target/python-venv"
wheels="$target/python-wheels"

if ! command -v java >/dev/null 2>&1; then
    echo "doppel.spark's test needs Java 17: apt-get install openjdk-17-jre-headless" >&2
    exit 1
fi

echo "== Python: a fresh virtual environment ($venv)"
python3 -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    maturin==1.16.0 pytest==9.2.0 numpy==2.4.6
# doppel.spark's test runs a standalone Spark cluster on loopback from
# pyspark's own jars and scripts (about 450 MB) on the machine's Java 17.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    pyspark==4.0.1 pyarrow==21.0.0 pandas==2.3.3

echo "== Python: the wheel (maturin, release)"
rm -rf "$wheels"
"$venv/bin/maturin" build --release --strip --quiet \
    --manifest-path crates/doppel-py/Cargo.toml \
    --interpreter "$venv/bin/python" --out "$wheels"
wheel="$(ls "$wheels"/doppel_text-*.whl)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel"

echo "== Python: the command line to compare with (release)"
cargo build --release --quiet --bin doppel --bin doppel-gen

echo "== Python: pytest"
PYTHONDONTWRITEBYTECODE=1 \
DOPPEL_BIN="$target/release/doppel" \
DOPPEL_GEN_BIN="$target/release/doppel-gen" \
DOPPEL_WHEEL="$wheel" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider crates/doppel-py/tests "$@"
