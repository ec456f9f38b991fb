#!/usr/bin/env bash
# The loop's latency through the real binary (issue 15): how long labelers wait, from the label
# that starts a round to the new queue on their page. For each pool: a fresh project, the pool
# imported, `boxloop serve` with its loop worker, then bench/loop_latency.py saves N labels
# through the API (the N-th starts the round) and times the `queue` event, split into trigger /
# train / handover / score / publish from the job rows. One JSON line per figure on stdout.
#
# Pools: `cards` (../shared/data/cards/train, 296 photos with VOC labels; skipped with a message
# when absent) and `synth` (5,000 synthetic card images from `boxloop synth`, 480x360).
# The first round warm-starts from the COCO weights in ../shared/models when present (as the
# product does), else trains from scratch (the server logs a warning).
#
#   bench/run_loop_latency.sh [--build DIR] [--labels N] [--pools cards,synth] [--synth-count N]
#
# Run it on a quiet machine: the figure is what 2 shared cores give, and any other build or test
# competing for them inflates it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
labels=40
pools=cards,synth
synth_count=5000
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --labels) labels=$2; shift 2 ;;
    --pools) pools=$2; shift 2 ;;
    --synth-count) synth_count=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
bin=$build/src/cli/boxloop
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$root" status --porcelain 2>/dev/null) ]] || commit="$commit-dirty"
[[ -x $bin ]] || { echo "no $bin: build the boxloop target first" >&2; exit 1; }

work=$(mktemp -d /tmp/boxloop-latency.XXXXXX)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Category names of a folder's VOC files, comma-separated, sorted.
voc_categories() {
  python3 - "$1" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
names = set()
for f in os.listdir(sys.argv[1]):
    if f.lower().endswith(".xml"):
        names.update(o.find("name").text.strip() for o in ET.parse(os.path.join(sys.argv[1], f)).getroot().iter("object"))
print(",".join(sorted(names)))
EOF
}

# run_pool NAME FOLDER: a project of FOLDER's images, served, labeled N times, timed.
run_pool() {
  local name=$1 source=$2 project=$work/$1 port
  "$bin" init "$project" --categories "$(voc_categories "$source")" >/dev/null
  "$bin" import "$project" "$source" >"$work/$name-import.log" 2>&1
  port=$(free_port)
  # From the repository root, as a user runs it: the server finds web/dist and ../shared.
  (cd "$root" && exec "$bin" serve "$project" --port "$port") >"$work/$name-serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/api/project" >/dev/null && break
    sleep 0.2
  done
  if ! python3 "$root/bench/loop_latency.py" --url "http://127.0.0.1:$port" \
      --labels-dir "$source" --labels "$labels" --pool "$name" --commit "$commit"; then
    echo "$name: failed; the server's log:" >&2
    tail -30 "$work/$name-serve.log" >&2
  fi
  kill "$server" && wait "$server" 2>/dev/null || true
  server=
}

IFS=, read -ra wanted <<<"$pools"
for pool in "${wanted[@]}"; do
  case $pool in
    cards)
      cards=$root/../shared/data/cards/train
      if [[ -d $cards ]]; then
        run_pool cards "$cards"
      else
        echo "skipping the cards pool: $cards is absent" >&2
      fi
      ;;
    synth)
      "$bin" synth "$work/synth-images" --count "$synth_count" --seed 1 >/dev/null 2>&1
      run_pool synth "$work/synth-images"
      ;;
    *) echo "unknown pool $pool (cards, synth)" >&2; exit 2 ;;
  esac
done
