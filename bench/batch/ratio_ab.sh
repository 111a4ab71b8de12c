#!/usr/bin/env bash
# Keel's scoring run against raw ONNX Runtime, interleaved: rounds of (raw, Keel) on the same input, alternating which goes first,
# each pair's ratio taken from the programs' own rows/s; the machine's speed drifts less within a pair than over a whole run.
# Usage: bench/batch/ratio_ab.sh SIZE ROUNDS DESTINATION CHUNK [RAW_PATH]
#   DESTINATION  postgres | parquet (Keel's destination)
#   RAW_PATH     raw (no writing, the default) | raw-parquet (raw ONNX Runtime writing Parquet)
# Run bench/batch/run.sh SIZE first: it writes the input and sets up Python and PostgreSQL.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${KEEL_BENCH_WORK:-$root/bench/work/batch}"
size="$1" rounds="$2" destination="$3" chunk="$4" raw_path="${5:-raw}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java=("$JAVA_HOME/bin/java" "-Xmx${KEEL_XMX:-1g}" --enable-native-access=ALL-UNNAMED -cp "$root/keel-cli/target/lib/*")
models="$root/build/fixtures/models"
input="$work/credit-$size.parquet"
[ -f "$input" ] || { echo "no $input: run bench/batch/run.sh $size first" >&2; exit 1; }
jdbc="jdbc:postgresql://${POSTGRES_HOSTPORT:-127.0.0.1:5432}/keel_bench?user=${POSTGRES_USER:-postgres}"

rate() { grep -v -e '^SLF4J' -e '^WARNING' | tail -1 | cut -f5; }
raw() {
  local out=()
  [ "$raw_path" = raw-parquet ] && out=("$work/raw-out")
  "${java[@]}" "$here/RawOrt.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" "${BATCH:-50000}" "${out[@]}" 2>&1 | rate
}
keel() {
  "${java[@]}" "$here/KeelBatch.java" "$input" "$models/credit_rf.onnx" "$models/credit_rf_features.txt" "$work/keel" "$destination" "$chunk" \
    "$jdbc" 2>&1 | rate
}
echo "round	$raw_path rows/s	keel-$destination rows/s	ratio	load"
sum=0
for i in $(seq 1 "$rounds"); do
  if [ $((i % 2)) = 1 ]; then a="$(raw)"; b="$(keel)"; else b="$(keel)"; a="$(raw)"; fi
  ratio="$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", 100 * b / a}')"
  sum="$(awk -v s="$sum" -v r="$ratio" 'BEGIN {print s + r}')"
  printf '%s\t%s\t%s\t%s %%\t%s\n' "$i" "$a" "$b" "$ratio" "$(cut -d' ' -f1 /proc/loadavg)"
done
awk -v s="$sum" -v n="$rounds" 'BEGIN {printf "mean ratio: %.1f %%\n", s / n}'
