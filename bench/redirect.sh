#!/usr/bin/env bash
# Redirect benchmark: hearsay serve against a ceiling server that only
# answers 302, in the same run, on loopback. Each server is pinned to core 0
# and wrk to core 1; runs alternate between the two. Prints req/s, p50, p99
# and server CPU per request for each, and the ratio hearsay / ceiling.
#
#   bench/redirect.sh [runs] [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3}
seconds=${2:-10}
connections=${3:-64}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet --bin hearsay --example ceiling
bin=target/release/hearsay
ceiling=target/release/examples/ceiling
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # start NAME COMMAND…: runs it on core 0, waits for its address
  local name=$1; shift
  taskset -c 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  echo $! >"$work/$name.pid"
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's/^listening on //p' "$work/$name.out"
}

hearsay_url=$(start hearsay "$bin" serve --listen 127.0.0.1:0 --data "$work/data")
ceiling_url=$(start ceiling "$ceiling" 127.0.0.1:0)
for i in $(seq 200); do
  "$bin" links create --data "$work/data" --site demo "http://localhost/articles/$i" 2>/dev/null \
    | sed 's#.*/##' >>"$work/codes.txt"
done
# Load every link into the server's memory before measuring.
while read -r code; do curl -s -o /dev/null "$hearsay_url/$code"; done <"$work/codes.txt"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # measure NAME URL: one wrk run, prints a result line
  local name=$1 url=$2 pid before after ticks
  pid=$(cat "$work/$name.pid")
  before=$(cpu_ticks "$pid")
  CODES="$work/codes.txt" taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" \
    -s bench/mix.lua "$url/" >"$work/wrk.out"
  after=$(cpu_ticks "$pid")
  ticks=$((after - before))
  awk -v name="$name" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" '/^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-8s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  cpu %5.2f us/req  errors %d\n",
      name, v["requests"] / v["seconds"], v["p50_us"] / 1000, v["p99_us"] / 1000,
      ticks / hz * 1e6 / v["requests"], v["errors"]
  }' "$work/wrk.out"
}

echo "runs $runs × ${seconds}s, $connections connections, server on core 0, wrk on core 1"
for run in $(seq "$runs"); do
  measure ceiling "$ceiling_url" | tee -a "$work/results"
  measure hearsay "$hearsay_url" | tee -a "$work/results"
done

# Let the writer finish, then check that every request was stored.
sleep 1
kill -TERM "$(cat "$work/hearsay.pid")"
wait "$(cat "$work/hearsay.pid")" 2>/dev/null || true
python3 - "$work/data/hearsay.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n, clicks = db.execute("SELECT COUNT(*), SUM(is_click) FROM events WHERE kind = 'redirect'").fetchone()
dropped = db.execute("SELECT COALESCE((SELECT value FROM counters WHERE name = 'events_dropped_queue_full'), 0)").fetchone()[0]
print(f"stored redirect events {n}, of which clicks {clicks}; dropped by a full queue {dropped}")
PY

awk '{ rate[$1] += $2; count[$1]++ } END {
  c = rate["ceiling"] / count["ceiling"]; h = rate["hearsay"] / count["hearsay"]
  printf "mean req/s: ceiling %.0f, hearsay %.0f; ratio hearsay / ceiling = %.3f\n", c, h, h / c
}' "$work/results"
