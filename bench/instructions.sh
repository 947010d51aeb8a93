#!/usr/bin/env bash
# Redirect cost in instructions, which unlike req/s does not move with
# what else the machine is doing: hearsay serve and the bare-302 ceiling
# each run under valgrind's callgrind, counting only while wrk sends the
# same browser-like mix as bench/redirect.sh, and the script prints user-space
# instructions per request for each and their ratio. Kernel work (the
# sockets) is not counted, so this shows what hearsay adds, not the whole.
#
#   bench/instructions.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }

cargo build --release --quiet --bin hearsay --example ceiling
bin=target/release/hearsay
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Links for hearsay, made before it runs under valgrind.
"$bin" serve --listen 127.0.0.1:0 --data "$work/data" >"$work/first.out" 2>/dev/null &
for _ in $(seq 100); do grep -q '^listening on ' "$work/first.out" && break; sleep 0.1; done
for i in $(seq 200); do
  "$bin" links create --data "$work/data" --site demo "http://localhost/articles/$i" 2>/dev/null \
    | sed 's#.*/##' >>"$work/hearsay.codes"
done
kill -TERM %1; wait %1 || true
for i in $(seq 200); do echo "c$i"; done >"$work/ceiling.codes"

count() { # count NAME COMMAND…: prints NAME, requests and instructions
  local name=$1; shift
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$name.cg" \
    "$@" >"$work/$name.out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 300); do grep -q '^listening on ' "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  local url; url=$(sed -n 's/^listening on //p' "$work/$name.out")
  # Warm up (links loaded, caches filled), then count.
  CODES="$work/$name.codes" wrk -t1 -c16 -d5s -s bench/mix.lua "$url/" >/dev/null
  callgrind_control -i on "$pid" >/dev/null 2>&1
  CODES="$work/$name.codes" wrk -t1 -c16 -d"${seconds}s" -s bench/mix.lua "$url/" >"$work/$name.wrk"
  sleep 0.5
  callgrind_control -i off "$pid" >/dev/null 2>&1
  kill -TERM "$pid"; wait "$pid" || true
  local requests instructions
  requests=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$work/$name.wrk")
  instructions=$(callgrind_annotate "$work/$name.cg" 2>/dev/null \
    | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  echo "$name $requests $instructions"
}

# The writer flushes every 2 s here, so its batches are as large as at full
# speed outside valgrind (which runs the server some 30 times slower).
HEARSAY_FLUSH_INTERVAL_MS=2000 count hearsay "$bin" serve --listen 127.0.0.1:0 --data "$work/data" \
  >"$work/results"
count ceiling target/release/examples/ceiling 127.0.0.1:0 >>"$work/results"
awk '{ per[$1] = $3 / $2; printf "%-8s %8d requests  %7.0f instructions/request\n", $1, $2, per[$1] }
  END { printf "ratio hearsay / ceiling = %.2f (instructions in user space)\n", per["hearsay"] / per["ceiling"] }' \
  "$work/results"
