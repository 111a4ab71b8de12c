#!/usr/bin/env bash
# Prediction log on versus off, in one warmed-up server: Keel serving 1-row v2 requests at 64 connections, switching the
# endpoint's log sample rate between 1 and 0 (PUT /v1/endpoints/credit/prediction-log) every run, so both see the same
# JIT state and the same background load; odd rounds run on then off, even rounds off then on, so a drift in the machine's
# speed over the run weighs on both alike. Prints one line per run and the mean of each.
# Usage: bench/serving/log_ab.sh [rounds, default 5] [seconds per run, default 10]   (after bench/serving/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
TOKEN=bench-admin-token-0123456789-abcdefghijklmnop
WORK=$(mktemp -d /tmp/keel-log-ab.XXXXXX)
./keel version >/dev/null
KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false ./keel server --port 8094 --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:8094/health/ready && break; sleep 0.5; done
bench/serving/register.sh http://127.0.0.1:8094 "$TOKEN"
export KEEL_TOKEN=$TOKEN
rate() { curl -sf -X PUT -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8094/v1/endpoints/credit/prediction-log -d "{\"sampleRate\":$1}" >/dev/null; }
# Warm-up in both states (log on, off, on, off; 15 s each), so the JIT has compiled both sides of the listener before any
# run counts; a state first met in a measured run is paid for in that run.
echo "warming up (4 x 15 s, log on and off in turn)"
for r in 1 0 1 0; do
  rate $r
  bench/serving/run_wrk.sh http://127.0.0.1:8094/v2/models/credit/infer bench/serving/body_1row.json 15s "64" > /dev/null
done
echo "| round | log | requests/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  order="1 0"; [ $((round % 2)) = 0 ] && order="0 1"
  for r in $order; do
    rate $r
    line=$(bench/serving/run_wrk.sh http://127.0.0.1:8094/v2/models/credit/infer bench/serving/body_1row.json "${SECONDS_PER_RUN}s" "64" | tail -1)
    echo "$line" | awk -F'|' -v round="$round" -v state="$([ $r = 1 ] && echo on || echo off)" '{ printf "| %s | %s |%s|%s|%s|\n", round, state, $3, $4, $5 }'
    echo "$r $(echo "$line" | awk -F'|' '{ print $3 }')" >> "$WORK/rates"
  done
done
awk '{ sum[$1] += $2; n[$1]++ } END { on = sum[1] / n[1]; off = sum[0] / n[0];
  printf "\nmean requests/s: log on %.0f, log off %.0f; on/off = %.1f %%\n", on, off, 100 * on / off }' "$WORK/rates"
curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8094/v1/predictions/log/stats; echo
