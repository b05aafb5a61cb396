#!/usr/bin/env bash
# MSRP: accuracy and F1 of one threshold on doppel's pair score, tuned on
# half the training pairs and reported on the other half; writes
# reports/msrp.md.
#   bash scripts/eval/msrp.sh ../shared/data/msrp-train/msr_paraphrase_train.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?usage: msrp.sh MSRP_TRAIN_FILE}
[ -f "$data" ] || { echo "msrp.sh: $data: missing" >&2; exit 2; }
cargo build --release --quiet
python3 scripts/eval/msrp.py "$data" "${CARGO_TARGET_DIR:-target}/release/doppel" reports/msrp.md
