#!/usr/bin/env bash
# Durable prediction log versus the default (buffered) log, in the same run: two Keel servers on this machine, one with
# monitoring.log-durability: buffered (8094) and one with durable (8095), each logging every prediction (sample rate 1) to its
# own data directory. Only one is loaded at a time: 1-row v2 requests at C connections, rounds alternating which server goes
# first, so a drift in the machine's speed weighs on both alike. Prints one line per run and the mean of each.
# Usage: bench/serving/durability_ab.sh [rounds, default 5] [seconds per run, default 10] [connections, default 64]
#        (after bench/serving/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-64}
TOKEN=bench-admin-token-0123456789-abcdefghijklmnop
WORK=$(mktemp -d /tmp/keel-durability-ab.XXXXXX)
./keel version >/dev/null
KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false KEEL_MONITORING_LOG_DURABILITY=buffered \
    ./keel server --port 8094 --data-dir "$WORK/buffered" > "$WORK/buffered.log" 2>&1 &
BUFFERED=$!
KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false KEEL_MONITORING_LOG_DURABILITY=durable \
    ./keel server --port 8095 --data-dir "$WORK/durable" > "$WORK/durable.log" 2>&1 &
DURABLE=$!
trap 'kill $BUFFERED $DURABLE 2>/dev/null || true' EXIT
for port in 8094 8095; do
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.5; done
  bench/serving/register.sh "http://127.0.0.1:$port" "$TOKEN"
done
export KEEL_TOKEN=$TOKEN
url() { echo "http://127.0.0.1:$([ "$1" = durable ] && echo 8095 || echo 8094)/v2/models/credit/infer"; }
echo "warming up (2 x 15 s each, in turn)"
for mode in buffered durable buffered durable; do
  bench/serving/run_wrk.sh "$(url $mode)" bench/serving/body_1row.json 15s "$CONNECTIONS" > /dev/null
done
echo "| round | log | requests/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  order="buffered durable"; [ $((round % 2)) = 0 ] && order="durable buffered"
  for mode in $order; do
    line=$(bench/serving/run_wrk.sh "$(url $mode)" bench/serving/body_1row.json "${SECONDS_PER_RUN}s" "$CONNECTIONS" | tail -1)
    echo "$line" | awk -F'|' -v round="$round" -v mode="$mode" '{ printf "| %s | %s |%s|%s|%s|\n", round, mode, $3, $4, $5 }'
    echo "$mode $(echo "$line" | awk -F'|' '{ print $3 }')" >> "$WORK/rates"
  done
done
awk '{ sum[$1] += $2; n[$1]++ } END { d = sum["durable"] / n["durable"]; b = sum["buffered"] / n["buffered"];
  printf "\nmean requests/s: durable %.0f, buffered %.0f; durable/buffered = %.1f %%\n", d, b, 100 * d / b }' "$WORK/rates"
for port in 8094 8095; do
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/v1/predictions/log/stats"; echo
done
