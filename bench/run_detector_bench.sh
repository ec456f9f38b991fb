#!/bin/sh
# Runs the boxloop detector benchmark and the torchvision one on this machine, same input size and
# thread count, and prints every figure plus boxloop / torchvision ratios.
#   bench/run_detector_bench.sh [BUILD_DIR] [--input 352] [--iters 5]
# BUILD_DIR defaults to build; it must hold bench/bench_detector (cmake --build BUILD --target
# bench_detector). Python: Debian's /usr/bin/python3 with python3-torch and python3-torchvision.
set -eu
export OMP_WAIT_POLICY=PASSIVE  # see src/cli/main.cpp
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
python=${PYTHON:-/usr/bin/python3}
threads=$(nproc)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build/bench/bench_detector" "$@" | tee -a "$out"
"$python" "$here/torchvision_bench.py" --threads "$threads" "$@" | tee -a "$out"
"$python" - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ours = [r for r in rows if r["impl"] == "boxloop"]
theirs = [r for r in rows if r["impl"] == "torchvision"]
for o in ours:
    for t in theirs:
        if (o["figure"], o["batch"]) == (t["figure"], t["batch"]):
            print(json.dumps({"bench": "detector_ratio", "figure": o["figure"], "batch": o["batch"],
                              "boxloop": o["arch"], "torchvision": t["arch"],
                              "ratio": round(o["value"] / t["value"], 2)}))
PY
