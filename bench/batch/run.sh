#!/usr/bin/env bash
# Batch scoring benchmark: rows/s and peak memory scoring N rows of German credit (the credit forest, 63 features) from Parquet,
# (1) with Keel's scoring run in process into a PostgreSQL table and into a Parquet directory, (2) with raw ONNX Runtime in
# process (the limit), with and without writing Parquet, (3) with a pandas + scikit-learn + to_sql script into PostgreSQL.
# Usage: bench/batch/run.sh [sizes...]            default: 1000000 10000000
# Environment:
#   CHUNKS       Keel chunk sizes tried at the first size (default "10000 50000 100000")
#   CHUNK        Keel chunk size at the other sizes (default 10000, the spec's default)
#   BATCH        raw ONNX Runtime batch size (default 50000)
#   LAB          to_sql variants at the first size: METHOD:CHUNKSIZE, 0 = pandas' default (default "default:0 multi:10000
#                default:10000"; LAB="" runs none)
#   LAB_LARGE    to_sql variants at the other sizes (default "default:0")
#   KEEL_XMX     the Keel and raw JVMs' -Xmx (default 1g)
#   POSTGRES     PostgreSQL base (default postgres@127.0.0.1:5432); the database keel_bench is created when missing
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${KEEL_BENCH_WORK:-$root/bench/work/batch}"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000000 10000000)
chunks="${CHUNKS:-10000 50000 100000}"
chunk="${CHUNK:-10000}"
batch="${BATCH:-50000}"
lab="${LAB-default:0 multi:10000 default:10000}"
lab_large="${LAB_LARGE-default:0}"
xmx="${KEEL_XMX:-1g}"
postgres="${POSTGRES:-postgres@127.0.0.1:5432}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java=("$JAVA_HOME/bin/java" "-Xmx$xmx" --enable-native-access=ALL-UNNAMED -cp "$root/keel-cli/target/lib/*")
models="$root/build/fixtures/models"
mkdir -p "$work"

"$root/keel" --help >/dev/null   # builds on first use
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
python=/usr/bin/python3
if ! "$python" -c 'import sklearn, pandas, sqlalchemy, psycopg2' 2>/dev/null; then
  apt-get install -y python3-sklearn python3-pandas python3-sqlalchemy python3-psycopg2 >/dev/null
fi
if ! "$python" -c 'import pyarrow' 2>/dev/null; then
  # pandas.read_parquet needs pyarrow (or fastparquet); Debian 12 packages neither: a virtual environment over Debian's
  # packages adds pyarrow alone.
  if [ ! -x "$work/venv/bin/python" ] || ! "$work/venv/bin/python" -c 'import pyarrow' 2>/dev/null; then
    "$python" -m venv --system-site-packages "$work/venv"
    "$work/venv/bin/pip" install -q pyarrow
  fi
  python="$work/venv/bin/python"
fi
host="${postgres#*@}"
user="${postgres%%@*}"
psql -h "${host%%:*}" -p "${host##*:}" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'keel_bench'" | grep -q 1 \
  || psql -h "${host%%:*}" -p "${host##*:}" -U "$user" -d postgres -qc "CREATE DATABASE keel_bench"
jdbc="jdbc:postgresql://$host/keel_bench?user=$user"
sqlalchemy="postgresql+psycopg2://$user@$host/keel_bench"

for size in "${sizes[@]}"; do
  if [ ! -f "$work/credit-$size.parquet" ] || [ ! -f "$work/credit-encoded.parquet" ]; then
    "${java[@]}" "$here/MakeInput.java" "$root/examples/credit-g/credit-g.csv" "$models/credit_rf_features.txt" "$work" "$size" \
      2>&1 | grep -v '^SLF4J'
  fi
done

parquet_destination=no
grep -q 'static ScoringSinks standard' "$root/keel-core/src/main/java/dev/keel/core/batch/ScoringSinks.java" && parquet_destination=yes

results="$work/results.tsv"
: > "$results"
# measure SIZE PATH COMMAND...: runs the command under /usr/bin/time -v; appends its last output line, the load average and
# its peak RSS (MiB).
measure() {
  local size="$1" path="$2"
  shift 2
  local log="$work/last.log"
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" > "$log" 2>&1; then
    echo "  $path failed:"; grep -v '^SLF4J' "$log" | tail -20; return 1
  fi
  local line peak load
  load="$(cut -d' ' -f1 /proc/loadavg)"
  line="$(grep -v -e '^SLF4J' -e '^WARNING' "$log" | tail -1)"
  peak="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time.txt")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$path" "$line" "$load" "$peak" | tee -a "$results"
}

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "python: $("$python" -c 'import sys, sklearn, pandas, numpy, sqlalchemy, psycopg2, pyarrow; print(sys.version.split()[0], "scikit-learn", sklearn.__version__, "pandas", pandas.__version__, "numpy", numpy.__version__, "SQLAlchemy", sqlalchemy.__version__, "psycopg2", psycopg2.__version__.split()[0], "pyarrow", pyarrow.__version__)')"
echo "postgresql: $(psql -h "${host%%:*}" -p "${host##*:}" -U "$user" -d keel_bench -tAc 'SHOW server_version')"
echo "columns: size, path, (the program's line), load average (1 min) at its end, peak RSS MiB"
first=1
for size in "${sizes[@]}"; do
  input="$work/credit-$size.parquet"
  echo "== $size rows"
  measure "$size" raw "${java[@]}" "$here/RawOrt.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" "$batch"
  if [ "$first" = 1 ]; then keel_chunks="$chunks"; else keel_chunks="$chunk"; fi
  for c in $keel_chunks; do
    measure "$size" keel-postgres "${java[@]}" "$here/KeelBatch.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" \
      "$work/keel" postgres "$c" "$jdbc"
  done
  measure "$size" raw-parquet "${java[@]}" "$here/RawOrt.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" "$batch" \
    "$work/raw-out"
  if [ "$parquet_destination" = yes ]; then
    for c in $keel_chunks; do
      measure "$size" keel-parquet "${java[@]}" "$here/KeelBatch.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" \
        "$work/keel" parquet "$c"
    done
  else
    echo "  keel-parquet: not measured (this build's ScoringSinks has no Parquet destinations)"
  fi
  if [ "$first" = 1 ]; then variants="$lab"; else variants="$lab_large"; fi
  for variant in $variants; do
    measure "$size" "lab-${variant%%:*}-${variant##*:}" "$python" "$here/lab_score.py" "$input" "$work/credit-encoded.parquet" \
      "$models/credit_rf_reference.csv" "$sqlalchemy" lab_scores "${variant%%:*}" "${variant##*:}"
  done
  first=0
done
"$python" "$here/summarize.py" "$results"
