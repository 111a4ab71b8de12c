#!/usr/bin/env bash
# Pipeline benchmark: Keel (DuckDB engine) vs hand-written DuckDB SQL vs pandas on the dirty 3M-row flights data.
# Usage: bench/pipelines/run.sh [repetitions]   (default 3; reports the median wall time and peak RSS of each)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${KEEL_BENCH_WORK:-$root/bench/work/pipelines}"
reps="${1:-3}"
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    export JAVA_HOME="$candidate"; break
  fi
done
java="$JAVA_HOME/bin/java"
"$here/setup.sh" >/dev/null
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null

echo "building…" >&2
(cd "$root" && ./mvnw -q -B -o -pl keel-spi,keel-core,keel-engine-duckdb package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=runtime >/dev/null)
cp="$(cat "$work/classpath.txt"):$root/keel-spi/target/classes:$root/keel-core/target/classes:$root/keel-engine-duckdb/target/classes"
mkdir -p "$work/classes"
"$JAVA_HOME/bin/javac" -q -d "$work/classes" -cp "$cp" "$here"/*.java 2>/dev/null || "$JAVA_HOME/bin/javac" -d "$work/classes" -cp "$cp" "$here"/*.java
cp="$cp:$work/classes"
jvm=(--enable-native-access=ALL-UNNAMED -Xmx1g -XX:+UseSerialGC)

if [ ! -f "$work/flights-dirty.parquet" ] || [ ! -f "$work/flights-dirty.csv" ]; then
  "$java" "${jvm[@]}" -cp "$cp" MakeDirty "$work/flights-3m.parquet" "$work" >&2
fi
cp "$here/flights.yaml" "$work/flights.yaml"

run_one() { # name, repetition, command...
  local name="$1" i="$2"; shift 2
  local out="$work/out-$name"
  rm -rf "$out"; mkdir -p "$out"
  /usr/bin/time -v "$@" "$out" >"$work/$name.stdout" 2>"$work/$name.time"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/$name.time" | awk '{print $NF}')
  echo "$name $i $wall $rss $(grep -E '^(keel|duckdb-sql|pandas) ' "$work/$name.stdout")"
}

# Interleaved, so that every tool sees the same background load on a shared machine.
results="$work/results.txt"
: > "$results"
for i in $(seq 1 "$reps"); do
  run_one duckdb-sql "$i" "$java" "${jvm[@]}" -cp "$cp" DuckDbBaseline "$work/flights-dirty.parquet" | tee -a "$results" >&2
  run_one keel "$i" "$java" "${jvm[@]}" -cp "$cp" KeelBench "$work/flights.yaml" "$work" | tee -a "$results" >&2
  run_one pandas "$i" /usr/bin/python3 "$here/pandas_baseline.py" "$work/flights-dirty.csv" | tee -a "$results" >&2
done

/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows.setdefault(parts[0], []).append((float(parts[2]), int(parts[3]), " ".join(parts[5:9])))
med = {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[-1][2]) for name, runs in rows.items()}
print("| run | median wall time (s) | peak RSS (MB) | rows |")
print("|---|---|---|---|")
for name in ("keel", "duckdb-sql", "pandas"):
    wall, rss, books = med[name]
    print(f"| {name} | {wall:.2f} | {rss / 1024:.0f} | {books} |")
keel, limit, pandas = med["keel"][0], med["duckdb-sql"][0], med["pandas"][0]
print(f"\nkeel / hand-written DuckDB = {keel / limit:.2f}x (target <= 1.3x); pandas / keel = {pandas / keel:.2f}x (target >= 3x);"
      f" keel peak RSS {med['keel'][1] / 1024:.0f} MB vs pandas {med['pandas'][1] / 1024:.0f} MB")
books = {name: med[name][2] for name in med}
print("row accounting agrees:", len(set(books.values())) == 1)
PY
