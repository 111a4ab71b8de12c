#!/usr/bin/env bash
# Retraining benchmark: breach to promoted challenger on US flights, May -> June 2001, on a real Keel server (embedded SQLite),
# and the same random forest in scikit-learn side by side.
# Usage: bench/retraining/run.sh [repetitions] [sizes...]
#   repetitions  default 3; every repetition starts a fresh server on a fresh data directory
#   sizes        any of demo (the committed 1/40 samples), quarter (every 4th flight), full (every flight); default all three
# Environment: KEEL_JAVA_OPTS (the server's JVM options, e.g. -Xmx4g), TRAFFIC (June's labelled predictions, default 1000).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${KEEL_BENCH_WORK:-$root/bench/work/retraining}"
reps="${1:-3}"
shift || true
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(demo quarter full)
traffic="${TRAFFIC:-1000}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
mkdir -p "$work"

"$root/keel" --help >/dev/null   # builds on first use
cp="$root/keel-cli/target/lib/*"
if [ ! -f "$work/flights-3m.parquet" ]; then
  (cd "$work" && npm pack --silent vega-datasets@3.2.1 >/dev/null \
    && tar -xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet \
    && mv package/data/flights-3m.parquet . && rm -rf package vega-datasets-3.2.1.tgz)
fi
if [ ! -f "$work/june-rows-full.csv" ]; then
  "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" "$here/MonthFiles.java" "$work/flights-3m.parquet" "$work" "$root/examples/flights"
fi

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

samples_of() { if [ "$1" = demo ]; then echo "$root/examples/flights"; else echo "$work/$1"; fi; }

results="$work/results.tsv"
: > "$results"
: > "$work/sklearn.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, java $("$java" -version 2>&1 | head -1), server JVM options: ${KEEL_JAVA_OPTS:-(none)}"
for size in "${sizes[@]}"; do
  for i in $(seq 1 "$reps"); do
    run="$work/runs/$size-$i"
    rm -rf "$run"; mkdir -p "$run/inbox"
    printf "pipelines:\n  source-roots: ['%s']\n" "$run/inbox" > "$run/keel.yaml"
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    token="bench-retraining-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    KEEL_ADMIN_TOKEN="$token" "$root/keel" server --config "$run/keel.yaml" --port "$port" --data-dir "$run/data" > "$run/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
      curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
      sleep 0.2
    done
    echo "== $size, repetition $i (server pid $server_pid, port $port)"
    "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" "$here/RetrainingBench.java" "http://127.0.0.1:$port" "$token" "$run/inbox" \
      "$(samples_of "$size")" "$size" "$i" "$traffic" "$results"
    echo "  server peak RSS: $(awk '/^VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server_pid/status")"
    grep -E 'OutOfMemory' "$run/server.log" || true
    stop_server
  done
  for i in $(seq 1 "$reps"); do
    echo "sklearn $size $i 1 $(/usr/bin/python3 "$here/sklearn_forest.py" "$work/june-rows-$size.csv" 1)" | tee -a "$work/sklearn.txt"
  done
  echo "sklearn $size 1 2 $(/usr/bin/python3 "$here/sklearn_forest.py" "$work/june-rows-$size.csv" 2)" | tee -a "$work/sklearn.txt"
done
/usr/bin/python3 "$here/summarize.py" "$results" "$work/sklearn.txt"
