#!/usr/bin/env bash
# Runs the real-cards training figures (bench_cards_train): `boxloop train`'s defaults on a fixed
# 80/20 split of ../shared/data/cards/train, from the COCO weights (and, with --from, random init),
# one run after the other so each gets the whole machine. Usage:
#   bench/run_cards_train.sh BUILD_DIR [EPOCHS] [bench_cards_train options...]
# The JSON lines, each with the commit and date they were measured at, go to stdout and to
# bench/out/cards_train.json (with the epoch log).
set -euo pipefail
# As `boxloop` does for itself (src/cli/main.cpp): OpenMP threads that spin starve everything else.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
build=${1:?build folder}
epochs=${2:-100}
shift $(($# < 2 ? $# : 2))
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$root" status --porcelain 2>/dev/null) ]] || commit="$commit-dirty"
out=$root/bench/out
mkdir -p "$out"
"$build/bench/bench_cards_train" --epochs "$epochs" "$@" >"$out/cards_train.json"
grep '^{' "$out/cards_train.json" | python3 -c '
import json, sys, datetime
for line in sys.stdin:
    row = json.loads(line)
    row["commit"] = sys.argv[1]
    row["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    print(json.dumps(row))
' "$commit"
