#!/usr/bin/env bash
# Prediction log on versus off: Keel serving 1-row v2 requests at 64 connections, alternating on and off for three rounds
# so both see the same background load. Usage: bench/serving/log_ab.sh   (after bench/serving/setup.sh)
set -u
cd "$(dirname "$0")/../.."
TOKEN=bench-admin-token-0123456789
for round in 1 2 3; do
for rate in 1.0 0; do
  rm -rf /tmp/kab; KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false KEEL_MONITORING_PREDICTION_LOG_SAMPLE_RATE=$rate ./keel server --port 8094 --data-dir /tmp/kab > /tmp/kab.log 2>&1 &
  PID=$!
  for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:8094/health/ready && break; sleep 0.5; done
  bench/serving/register.sh http://127.0.0.1:8094 "$TOKEN"
  export KEEL_TOKEN=$TOKEN
  bench/serving/run_wrk.sh http://127.0.0.1:8094/v2/models/credit/infer bench/serving/body_1row.json 5s "64" > /dev/null
  echo "round $round log $rate"; bench/serving/run_wrk.sh http://127.0.0.1:8094/v2/models/credit/infer bench/serving/body_1row.json 15s "64" | tail -1
  kill $PID; wait $PID 2>/dev/null
done
done
