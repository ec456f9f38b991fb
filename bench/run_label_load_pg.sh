#!/usr/bin/env bash
# The label-save load benchmark (bench_label_load) on SQLite and PostgreSQL side by side (issue
# 16): N labelers in open loop (--rate, one next -> save a second each, as people would) and at
# saturation, on the SQLite file with one server and on PostgreSQL with each count of servers in
# --pg-servers. PostgreSQL is a throwaway cluster this script starts (initdb into a temporary
# folder, loopback only, trust auth, default durability: fsync on, as a team's server would run)
# and removes at the end, also when a run fails. A fresh database per run: the bench creates the
# project in it. One JSON line per figure and per check on stdout (bench_label_load's lines); the
# script fails when a run's checks fail.
#
#   bench/run_label_load_pg.sh [--build DIR] [--clients 50] [--seconds 10] [--images 20000]
#                              [--rate 1] [--pg-servers 1,2] [--pg-bin DIR] [--pg-socket]
#                              [--queue]
#
# --pg-socket: the servers reach PostgreSQL through its Unix socket instead of loopback TCP (what
# a server on the database's own host would use). --queue: each run first publishes a queue of
# every image (timed: queue_publish_seconds) and the labelers are served in its order.
#
# Run it on a quiet machine: the load generator, the servers and PostgreSQL share its cores, and
# any other build or test competing for them lowers the figures.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
clients=50
seconds=10
images=20000
rate=1
pg_servers=1,2
pg_socket=0
queue=0
pg_bin=${BOXLOOP_PG_BIN:-/usr/lib/postgresql/15/bin}
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --pg-servers) pg_servers=$2; shift 2 ;;
    --pg-bin) pg_bin=$2; shift 2 ;;
    --pg-socket) pg_socket=1; shift ;;
    --queue) queue=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
bench=$build/bench/bench_label_load
[[ -x $bench ]] || { echo "no $bench: build the bench_label_load target first" >&2; exit 1; }
[[ -x $pg_bin/initdb ]] || { echo "no $pg_bin/initdb: install postgresql-15 or pass --pg-bin" >&2; exit 1; }

# PostgreSQL refuses to run as root: under root the cluster belongs to the postgres user.
as_owner() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/boxloop-bench-pg.XXXXXX)
[[ $EUID -eq 0 ]] && chown postgres: "$work"
started=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  # Immediate: the cluster is thrown away, there is nothing to flush.
  [[ -n $started ]] && as_owner "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
as_owner "$pg_bin/initdb" -D "$work/data" -U boxloop -A trust -E UTF8 --locale=C \
  >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
# Each server's Store holds a writer, 4 row writers, 8 readers and a LISTEN connection; 300 leaves
# room.
as_owner "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null ||
  { cat "$work/server.log" >&2; exit 1; }
started=1

# create_database NAME: an empty database; prints its URL.
create_database() {
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$port" -U boxloop -d postgres \
    -c "CREATE DATABASE $1" >/dev/null
  if ((pg_socket)); then
    echo "postgresql://boxloop@/$1?host=$work&port=$port"
  else
    echo "postgresql://boxloop@127.0.0.1:$port/$1"
  fi
}

failed=0
# run_bench ARGS...: one bench run; a failed check is remembered, the other runs still go.
run_bench() {
  "$bench" --clients "$clients" --seconds "$seconds" --images "$images" --queue "$queue" "$@" ||
    failed=1
}

for mode in open_loop saturation; do
  mode_args=()
  [[ $mode == open_loop ]] && mode_args=(--rate "$rate")
  run_bench "${mode_args[@]}"
  for servers in ${pg_servers//,/ }; do
    url=$(create_database "bench_${mode}_$servers")
    run_bench "${mode_args[@]}" --db "$url" --servers "$servers"
  done
done
exit $failed
