#!/bin/sh
# (c) Load test of any inference endpoint with wrk at concurrency 1, 8 and 64; prints a Markdown table.
# Usage: bench/serving/run_wrk.sh URL BODY_FILE [DURATION (default 20s)] [CONCURRENCIES (default "1 8 64")]
# Example: bench/serving/run_wrk.sh http://127.0.0.1:8090/v2/models/credit/infer bench/serving/body_1row.json
# Note: with more connections than server workers, wrk's latency includes time queued at the server.
set -eu
URL=${1:?usage: run_wrk.sh URL BODY_FILE [DURATION] [CONCURRENCIES]}
BODY=$(cd "$(dirname "${2:?usage: run_wrk.sh URL BODY_FILE [DURATION] [CONCURRENCIES]}")" && pwd)/$(basename "$2")
DURATION=${3:-20s}
CONCURRENCIES=${4:-1 8 64}
HERE=$(cd "$(dirname "$0")" && pwd)
export BODY
curl -sf -X POST -H 'Content-Type: application/json' --data-binary "@$BODY" "$URL" >/dev/null \
    || { echo "warm-up request to $URL failed" >&2; exit 1; }
echo "| connections | requests/s | p50 ms | p99 ms | mean ms | errors |"
echo "|---|---|---|---|---|---|"
for c in $CONCURRENCIES; do
    threads=$(( c < 2 ? 1 : 2 ))
    wrk -t"$threads" -c"$c" -d"$DURATION" --latency -s "$HERE/post.lua" "$URL" > /tmp/keel-wrk-$$.out 2>&1 || true
    line=$(grep '^RESULT' /tmp/keel-wrk-$$.out || true)
    if [ -z "$line" ]; then
        echo "wrk failed at $c connections:" >&2; cat /tmp/keel-wrk-$$.out >&2; rm -f /tmp/keel-wrk-$$.out; exit 1
    fi
    rm -f /tmp/keel-wrk-$$.out
    echo "$line" | awk -v c="$c" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "| %s | %.0f | %.2f | %.2f | %.2f | %d |\n", c, v["rps"], v["p50_ms"], v["p99_ms"], v["mean_ms"], v["socket_errors"] + v["status_errors"]
    }'
done
