#!/usr/bin/env bash
# Runs the real-cards training figures (bench_cards_train): from the COCO weights, then from random
# init, one after the other so each gets the whole machine. Usage: bench/run_cards_train.sh
# BUILD_DIR [EPOCHS]; the JSON lines (and the epoch log) go to bench/out/cards_train.json.
set -euo pipefail
build=${1:?build folder}
epochs=${2:-60}
out=$(dirname "$0")/out
mkdir -p "$out"
"$build/bench/bench_cards_train" --epochs "$epochs" >"$out/cards_train.json"
grep '^{' "$out/cards_train.json"
