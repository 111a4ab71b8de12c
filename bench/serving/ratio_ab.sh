#!/usr/bin/env bash
# Keel against the empty endpoint at 64 connections, interleaved in one go: both servers start and warm up, then 10-second
# wrk runs alternate between them for a number of rounds, so both see the same background load on a shared machine.
# Prints each run and the mean requests/s of each, and their ratio (the "at least 50 % of the empty endpoint" target).
# Usage: bench/serving/ratio_ab.sh [rounds, default 5] [seconds per run, default 10] [Keel log sample rate, default 1.0]
#        [warm-up seconds per server, default 30]   (after bench/serving/setup.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/serving"
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
RATE=${3:-1.0}
WARMUP=${4:-30}
TOKEN=bench-admin-token-0123456789-abcdefghijklmnop
WORK=$(mktemp -d /tmp/keel-ratio-ab.XXXXXX)
cd "$ROOT"
./keel version >/dev/null
. build/find-java.sh; keel_find_java
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
"$KEEL_JAVA_HOME/bin/java" -cp "keel-cli/target/lib/*" "$HERE/EmptyEndpoint.java" 8091 > "$WORK/empty.log" 2>&1 &
PIDS+=($!)
KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false KEEL_MONITORING_PREDICTION_LOG_SAMPLE_RATE=$RATE \
  ./keel server --port 8092 --data-dir "$WORK/keel" > "$WORK/keel.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:8092/health/ready && break; sleep 0.5; done
for _ in $(seq 1 120); do curl -s -o /dev/null -X POST -d '{"inputs":[]}' http://127.0.0.1:8091/empty && break; sleep 0.5; done
"$HERE/register.sh" http://127.0.0.1:8092 "$TOKEN"
load() { # $1 = url, $2 = token or empty, $3 = duration
  KEEL_TOKEN=$2 "$HERE/run_wrk.sh" "$1" "$HERE/body_1row.json" "$3" "64" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }'
}
EMPTY=http://127.0.0.1:8091/empty
KEEL=http://127.0.0.1:8092/v2/models/credit/infer
echo "warming up ($WARMUP s each)"; load "$EMPTY" "" "${WARMUP}s" >/dev/null; load "$KEEL" "$TOKEN" "${WARMUP}s" >/dev/null
echo "| round | empty endpoint, requests/s | Keel (log sample rate $RATE), requests/s | ratio |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  empty=$(load "$EMPTY" "" "${SECONDS_PER_RUN}s")
  keel=$(load "$KEEL" "$TOKEN" "${SECONDS_PER_RUN}s")
  echo "$empty $keel" >> "$WORK/runs"
  awk -v r="$round" -v e="$empty" -v k="$keel" 'BEGIN { printf "| %s | %s | %s | %.1f %% |\n", r, e, k, 100 * k / e }'
done
awk '{ e += $1; k += $2; n++ } END { printf "\nmean requests/s: empty %.0f, Keel %.0f; Keel / empty = %.1f %%\n", e / n, k / n, 100 * k / e }' "$WORK/runs"
