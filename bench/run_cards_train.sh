#!/usr/bin/env bash
# Runs the real-cards training figures (bench_cards_train) from the COCO weights and from random
# init at the same time, niced, with LibTorch's OpenMP threads waiting passively (the machine is
# shared). Usage: bench/run_cards_train.sh BUILD_DIR [EPOCHS] ; JSON lines go to bench/out/.
set -euo pipefail
build=${1:?build folder}
epochs=${2:-60}
out=$(dirname "$0")/out
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE
for from in pretrained scratch; do
  nice -n 10 "$build/bench/bench_cards_train" --from "$from" --epochs "$epochs" \
    >"$out/cards_train_$from.json" 2>"$out/cards_train_$from.log" &
done
wait
cat "$out"/cards_train_*.json
