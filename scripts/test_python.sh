#!/usr/bin/env bash
# The Python package's tests, from nothing: a fresh virtual environment
# under the cargo target directory, maturin, pytest and numpy at pinned
# versions, the wheel built by maturin (release) and installed into it, the
# release command-line binaries built, then pytest — whose tests compare the
# package with the `doppel` binary they are given (DOPPEL_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
venv="$target/python-venv"
wheels="$target/python-wheels"

echo "== Python: a fresh virtual environment ($venv)"
python3 -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    maturin==1.16.0 pytest==9.2.0 numpy==2.4.6

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
