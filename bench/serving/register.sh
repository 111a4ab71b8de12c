#!/bin/sh
# Registers the benchmark forest on a running Keel with its 63-feature schema and class labels (so the prediction log
# stores named features, as it does for a monitored model), promotes it to champion and opens endpoint 'credit'.
# Usage: bench/serving/register.sh BASE_URL TOKEN
set -eu
BASE=${1:?usage: register.sh BASE_URL TOKEN}
AUTH="Authorization: Bearer ${2:?usage: register.sh BASE_URL TOKEN}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
META=$(python3 -c 'import json, sys
names = [line.strip() for line in open(sys.argv[1]) if line.strip()]
print(json.dumps({"tags": {"labels": "good,bad"}, "features": [{"name": n, "type": "number"} for n in names]}))' \
    "$ROOT/build/fixtures/models/credit_rf_features.txt")
curl -sf -H "$AUTH" -X POST "$BASE/v1/models" -d '{"name":"credit","project":"default"}' >/dev/null
curl -sf -H "$AUTH" -H 'Content-Type: application/octet-stream' -H "X-Keel-Metadata: $META" \
    --data-binary "@$ROOT/build/fixtures/models/credit_rf.onnx" "$BASE/v1/models/credit/versions" >/dev/null
curl -sf -H "$AUTH" -X POST "$BASE/v1/models/credit/aliases/champion" -d '{"version":1}' >/dev/null
curl -sf -H "$AUTH" -X POST "$BASE/v1/endpoints" -d '{"name":"credit","model":"credit","alias":"champion"}' >/dev/null
