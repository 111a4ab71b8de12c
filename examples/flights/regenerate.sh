#!/usr/bin/env bash
# Rebuilds the monthly samples from the npm package vega-datasets@3.2.1 (BSD-3-Clause): fetches data/flights-3m.parquet with
# npm pack and samples it with DuckDB (the JDBC driver Keel's build puts in keel-cli/target/lib; run ./keel --help once first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/build/find-java.sh"
keel_find_java
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar -xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet)
cd "$here"
"$KEEL_JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$(ls "$root"/keel-cli/target/lib/duckdb_jdbc-*.jar)" Sample.java \
  "$work/package/data/flights-3m.parquet"
sha256sum flights-2001-05.parquet flights-2001-06.parquet
