#!/usr/bin/env bash
# Runs the whole serving comparison in one go, on one machine, and prints Markdown tables:
#   (1) raw in-process ONNX Runtime and Keel's runtime (the model's own cost),
#   (2) an empty JSON endpoint on Keel's HTTP stack (the transport's own cost),
#   (3) Keel over HTTP (Open Inference Protocol v2), 1-row and 32-row requests, prediction log on and off,
#   (4) Flask + gunicorn (sync workers, one per core) + scikit-learn on the same forest.
# Usage: bench/serving/run_all.sh [duration per wrk run, default 15s]     (needs bench/serving/setup.sh once)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/serving"
DURATION=${1:-15s}
WORK=$(mktemp -d /tmp/keel-bench-serving.XXXXXX)
TOKEN=bench-admin-token-0123456789-abcdefghijklmnop
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f /tmp/keel-bench-gunicorn.pid ] && kill "$(cat /tmp/keel-bench-gunicorn.pid)" 2>/dev/null || true
}
trap cleanup EXIT
wait_for() { for _ in $(seq 1 120); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done; echo "not up: $1" >&2; exit 1; }
# Every server gets the same warm-up before it is measured (20 s at 8 connections, not reported), so the JIT has compiled
# the request path and the first figures (concurrency 1) are not those of a cold JVM.
warm() { "$HERE/run_wrk.sh" "$1" "$2" "${WARMUP:-20s}" 8 > /dev/null; }

cd "$ROOT"
./keel version >/dev/null   # builds when sources changed
. build/find-java.sh; keel_find_java; JAVA="$KEEL_JAVA_HOME/bin/java"

echo "## (1) In process"
"$HERE/run_inprocess.sh" 5

echo; echo "## (2) Empty JSON endpoint on Keel's HTTP stack (Javalin 7, Jetty 12, virtual threads)"
"$JAVA" -cp "keel-cli/target/lib/*" "$HERE/EmptyEndpoint.java" 8091 > "$WORK/empty.log" 2>&1 &
PIDS+=($!)
sleep 1; for _ in $(seq 1 60); do curl -s -o /dev/null -X POST -d '{"inputs":[]}' http://127.0.0.1:8091/empty && break; sleep 0.5; done
warm http://127.0.0.1:8091/empty "$HERE/body_1row.json"
"$HERE/run_wrk.sh" http://127.0.0.1:8091/empty "$HERE/body_1row.json" "$DURATION"
kill "${PIDS[-1]}"

start_keel() { # $1 = prediction-log sample rate
  rm -rf "$WORK/keel"
  KEEL_ADMIN_TOKEN=$TOKEN KEEL_LOGGING_REQUESTS=false KEEL_MONITORING_PREDICTION_LOG_SAMPLE_RATE=$1 \
    ./keel server --port 8092 --data-dir "$WORK/keel" > "$WORK/keel-$1.log" 2>&1 &
  PIDS+=($!)
  wait_for http://127.0.0.1:8092/health/ready
  "$HERE/register.sh" http://127.0.0.1:8092 "$TOKEN"
}
export KEEL_TOKEN=$TOKEN
echo; echo "## (3) Keel, Open Inference Protocol v2 over HTTP, prediction log on"
start_keel 1.0
warm http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_1row.json"
warm http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_32rows.json"
echo "1-row requests:"; "$HERE/run_wrk.sh" http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_1row.json" "$DURATION"
echo "32-row requests:"; "$HERE/run_wrk.sh" http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_32rows.json" "$DURATION"
curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8092/v1/predictions/log/stats; echo
kill "${PIDS[-1]}"; sleep 2
echo; echo "## (3b) Keel, prediction log off (sample rate 0)"
start_keel 0
warm http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_1row.json"
echo "1-row requests:"; "$HERE/run_wrk.sh" http://127.0.0.1:8092/v2/models/credit/infer "$HERE/body_1row.json" "$DURATION"
kill "${PIDS[-1]}"; sleep 2
unset KEEL_TOKEN

echo; echo "## (4) Flask + gunicorn + scikit-learn"
"$HERE/run_flask.sh" > "$WORK/flask.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$HERE/body_1row.json" http://127.0.0.1:8090/v2/models/credit/infer && break; sleep 0.5; done
warm http://127.0.0.1:8090/v2/models/credit/infer "$HERE/body_1row.json"
"$HERE/run_wrk.sh" http://127.0.0.1:8090/v2/models/credit/infer "$HERE/body_1row.json" "$DURATION"
